"""The access-binding RPCs over REST, as the sharing tests call them: bindings written by
hand in the JSON mapping, deltas, and a client of the three RPCs."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import Api

ACCESS = "type.googleapis.com/yandex.cloud.access."
KEY = "6f1c1d9e-1c3b-4f55-9a55-1d8f2ab0c001"


def binding(role: str, subject_id: str, subject_type: str = "userAccount") -> dict[str, Any]:
    return {"roleId": role, "subject": {"id": subject_id, "type": subject_type}}


VIEWER_A = binding("viewer", "ajea")
VIEWER_B = binding("viewer", "ajeb")
USER_C = binding("compute.images.user", "ajec")
EVERYONE = binding("compute.images.user", "allAuthenticatedUsers", "system")


def many(count: int) -> list[dict[str, Any]]:
    """``count`` viewer bindings of distinct accounts."""
    return [binding("viewer", f"aje{n:05d}") for n in range(count)]


def add(b: dict[str, Any]) -> dict[str, Any]:
    return {"action": "ADD", "accessBinding": b}


def remove(b: dict[str, Any]) -> dict[str, Any]:
    return {"action": "REMOVE", "accessBinding": b}


class Sharing:
    """The three RPCs over a contract-checked client."""

    def __init__(self, http: httpx.Client) -> None:
        self.http = http

    def set(self, image_id: str, bindings: list[Any], **headers: str) -> httpx.Response:
        return self.http.post(
            f"/compute/v1/images/{image_id}:setAccessBindings",
            json={"accessBindings": bindings},
            headers=headers,
        )

    def update(self, image_id: str, deltas: list[Any], **headers: str) -> httpx.Response:
        return self.http.post(
            f"/compute/v1/images/{image_id}:updateAccessBindings",
            json={"accessBindingDeltas": deltas},
            headers=headers,
        )

    def list(self, image_id: str, **params: Any) -> httpx.Response:
        return self.http.get(f"/compute/v1/images/{image_id}:listAccessBindings", params=params)

    def done(self, reply: httpx.Response) -> dict[str, Any]:
        """The operation of ``reply``, polled to done (on-poll completion)."""
        assert reply.status_code == 200, reply.text
        polled = self.http.get(f"/operations/{reply.json()['id']}").json()
        assert polled["done"] is True, polled
        return dict(polled)

    def all(self, image_id: str, **params: Any) -> list[dict[str, Any]]:
        """Every binding, page by page (bounded)."""
        out: list[dict[str, Any]] = []
        token = ""
        for _ in range(200):
            page = self.list(image_id, **params, **({"pageToken": token} if token else {}))
            assert page.status_code == 200, page.text
            out += page.json().get("accessBindings", [])
            token = page.json().get("nextPageToken", "")
            if not token:
                return out
        raise AssertionError("paging did not end")


# The fields a google.rpc.BadRequest in an error body names (as the core tests read them).
violations = Api.violations
