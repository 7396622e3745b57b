"""What keeps the suite safe on a real account: run identity, redaction, the image budget.

Every image the suite creates carries :data:`RUN_LABEL` (value: the run id) and a name that
starts with :data:`NAME_PREFIX`; the suite updates or deletes only images it created in this
run (or IDs no real image can have), and a sweep finds leftovers of crashed runs by the label.

Access bindings: the suite binds roles only on images it created, to one subject (the
target's ``--subject-id``), never to the public groups beyond loopback
(:func:`public_subjects`), and clears each image's bindings before deleting it.
"""

from __future__ import annotations

import itertools
import os
import re
import secrets
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "ACCOUNT_TYPES",
    "LOOPBACK_SUBJECT",
    "NAME_PREFIX",
    "PUBLIC_SUBJECTS",
    "RUN_LABEL",
    "Budget",
    "BudgetExhausted",
    "Ownership",
    "Redactor",
    "RunIdentity",
    "new_run_id",
    "public_subjects",
]

RUN_LABEL = "yc-images-conformance-run"
NAME_PREFIX = "ycc-"
_RUN_ID = re.compile(r"[a-z0-9]{8}")
_REAL_ID = re.compile(r"[a-z0-9]{20}")
# access.proto: the subject types an account ID goes with (``system`` is for groups).
ACCOUNT_TYPES = ("userAccount", "serviceAccount", "federatedUser")
# The subject bound in-process and on loopback when no --subject-id is given: an account
# ID of the cloud's shape that no real account needs to have (nothing leaves the machine).
LOOPBACK_SUBJECT = "ajeconformance000001"
# access.proto's public groups: anyone (allUsers), anyone authenticated. Binding either on
# a real cloud would publish the image; the suite does that only on loopback.
PUBLIC_SUBJECTS = frozenset({"allUsers", "allAuthenticatedUsers"})


def public_subjects(body: Any, limit: int = 10_000) -> list[str]:
    """The public groups a request body names as a subject (anywhere, however nested)."""
    found: list[str] = []
    stack = [body]
    for _ in range(limit):
        if not stack:
            return found
        node = stack.pop()
        if isinstance(node, dict):
            subject = node.get("subject")
            if isinstance(subject, dict) and subject.get("id") in PUBLIC_SUBJECTS:
                found.append(str(subject["id"]))
            stack += list(node.values())
        elif isinstance(node, list):
            stack += node
    raise ValueError(f"a request body of more than {limit} nodes")


def new_run_id() -> str:
    """Eight characters of ``[a-z0-9]``: fits a label value and a name."""
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


@dataclass(frozen=True)
class RunIdentity:
    """The marks of one run: a name prefix and a label."""

    run_id: str
    _counter: itertools.count[int] = field(
        default_factory=itertools.count, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        if not _RUN_ID.fullmatch(self.run_id):
            raise ValueError(f"a run id is 8 characters of [a-z0-9], not {self.run_id!r}")

    @property
    def prefix(self) -> str:
        """``ycc-<run id>-``: the start of every name the run gives an image."""
        return f"{NAME_PREFIX}{self.run_id}-"

    @property
    def labels(self) -> dict[str, str]:
        return {RUN_LABEL: self.run_id}

    def name(self, tag: str = "i") -> str:
        """A fresh image name of this run (unique within the process and across workers)."""
        worker = os.environ.get("PYTEST_XDIST_WORKER", "gw")
        return f"{self.prefix}{tag}-{worker}-{next(self._counter)}-{secrets.token_hex(2)}"


class Redactor:
    """Replaces secrets in any text the suite writes (output, reports, JUnit)."""

    def __init__(self, *secrets_: str | None) -> None:
        self._secrets = sorted({s for s in secrets_ if s and len(s) >= 4}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "<redacted>")
        return text


class BudgetExhausted(Exception):
    """The run has created as many images as ``--max-images`` allows."""


class Budget:
    """At most ``limit`` images per run, shared by every xdist worker of the run.

    A slot is a file created with ``O_EXCL`` in a folder named after the run id, so
    processes claim slots atomically without talking to each other.
    """

    def __init__(self, run_id: str, limit: int, folder: Path | None = None) -> None:
        self.limit = limit
        self.folder = folder or Path(tempfile.gettempdir()) / f"yc-images-conformance-{run_id}"
        self.folder.mkdir(parents=True, exist_ok=True)

    def claim(self) -> int:
        for slot in range(self.limit):
            try:
                os.close(os.open(self.folder / str(slot), os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            except FileExistsError:
                continue
            return slot
        raise BudgetExhausted(f"the run has used its budget of {self.limit} images (--max-images)")

    def release(self, slot: int) -> None:
        (self.folder / str(slot)).unlink(missing_ok=True)

    def used(self) -> int:
        return sum(1 for p in self.folder.iterdir() if p.name.isdigit())


class Ownership:
    """The images this process created; only these may be updated or deleted."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.images: dict[str, str | None] = {}  # image id -> its Create operation id

    def add(self, image_id: str, operation_id: str | None) -> None:
        with self._lock:
            self.images.setdefault(image_id, operation_id)

    def discard(self, image_id: str) -> None:
        with self._lock:
            self.images.pop(image_id, None)

    def may_change(self, image_id: str) -> bool:
        """Ours, or an ID no real image has (the boundary cases' made-up IDs)."""
        return image_id in self.images or not _REAL_ID.fullmatch(image_id)
