"""Long-running operations: replies with done false, statuses in flight, completion modes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

import pytest

from pytest_yc_images import FakeImageService

if TYPE_CHECKING:
    from tests.conftest import Api

COMPUTE = "type.googleapis.com/yandex.cloud.compute.v1."


def _when(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp)


def test_mutations_answer_with_an_unfinished_operation(api: Api) -> None:
    created = api.create(name="one").json()
    image_id = created["metadata"]["imageId"]
    api.poll(created["id"])
    updated = api.update(image_id, updateMask="description", description="x").json()
    deleted = api.delete(image_id).json()
    for op, method in ((created, "Create"), (updated, "Update"), (deleted, "Delete")):
        assert op["done"] is False  # written when false, as the REST reference shows it
        assert "response" not in op
        assert "error" not in op
        assert op["metadata"] == {"@type": f"{COMPUTE}{method}ImageMetadata", "imageId": image_id}


def test_image_is_creating_until_its_operation_is_polled(api: Api) -> None:
    op = api.create(name="slow").json()
    image_id = op["metadata"]["imageId"]
    for _ in range(3):  # reading the image does not move the operation on
        assert api.get(image_id).json()["status"] == "CREATING"
    assert [i["status"] for i in api.list_all()] == ["CREATING"]
    done = api.poll(op["id"]).json()
    assert done["done"] is True
    assert done["response"]["@type"] == COMPUTE + "Image"
    assert done["response"]["id"] == image_id
    assert done["response"]["status"] == "READY"
    assert api.get(image_id).json()["status"] == "READY"


def test_delete_shows_deleting_then_the_image_is_gone(api: Api) -> None:
    image = api.ready_image(name="doomed")
    op = api.delete(image["id"]).json()
    assert api.get(image["id"]).json()["status"] == "DELETING"
    done = api.poll(op["id"]).json()
    assert done["done"] is True
    assert done["response"] == {"@type": "type.googleapis.com/google.protobuf.Empty"}
    assert api.get(image["id"]).status_code == 404
    # The operation outlives its image.
    again = api.poll(op["id"])
    assert again.status_code == 200
    assert again.json() == done


def test_deleting_twice_is_a_failed_precondition(api: Api) -> None:
    image = api.ready_image()
    api.delete(image["id"])
    again = api.delete(image["id"])
    assert again.status_code == 400
    assert again.json()["code"] == 9


def test_operation_fields(api: Api) -> None:
    op = api.create().json()
    assert op["description"]
    assert op["createdBy"]
    assert _when(op["createdAt"]) <= _when(op["modifiedAt"])
    done = api.poll(op["id"]).json()
    assert done["createdAt"] == op["createdAt"]
    assert _when(done["modifiedAt"]) >= _when(op["modifiedAt"])


def test_immediate_completion_finishes_in_the_first_reply(make_api: Callable[..., Api]) -> None:
    api = make_api(FakeImageService(completion="immediate"))
    op = api.create(name="fast").json()
    assert op["done"] is True
    assert op["response"]["status"] == "READY"
    assert api.get(op["metadata"]["imageId"]).json()["status"] == "READY"
    deleted = api.delete(op["metadata"]["imageId"]).json()
    assert deleted["done"] is True
    assert api.get(op["metadata"]["imageId"]).status_code == 404


def test_manual_completion_waits_for_the_test(make_api: Callable[..., Api]) -> None:
    fake = FakeImageService(completion="manual")
    api = make_api(fake)
    op = api.create(name="held").json()
    for _ in range(5):
        assert api.poll(op["id"]).json()["done"] is False
    assert fake.unfinished_operations() == [op["id"]]
    fake.complete(op["id"])
    done = api.poll(op["id"]).json()
    assert done["done"] is True
    assert api.get(op["metadata"]["imageId"]).json()["status"] == "READY"
    assert fake.unfinished_operations() == []


def test_manual_failure_leaves_the_image_in_error(make_api: Callable[..., Api]) -> None:
    fake = FakeImageService(completion="manual")
    api = make_api(fake)
    op = api.create(name="broken").json()
    fake.fail_operation(op["id"], "RESOURCE_EXHAUSTED", "quota")
    done = api.poll(op["id"]).json()
    assert done["done"] is True
    assert done["error"]["code"] == 8
    assert done["error"]["message"] == "quota"
    assert "response" not in done
    assert api.get(op["metadata"]["imageId"]).json()["status"] == "ERROR"


def test_completing_a_done_operation_is_refused(make_api: Callable[..., Api]) -> None:
    fake = FakeImageService(completion="manual")
    op = make_api(fake).create().json()
    fake.complete(op["id"])
    with pytest.raises(Exception, match="already done"):
        fake.complete(op["id"])


def test_clock_completion_follows_the_durations(make_api: Callable[..., Api]) -> None:
    fake = FakeImageService(completion="clock", durations={"Create": 30, "Delete": 5})
    api = make_api(fake)
    op = api.create(name="timed").json()
    fake.advance(29)
    assert api.poll(op["id"]).json()["done"] is False  # polling alone does not finish it
    assert api.get(op["metadata"]["imageId"]).json()["status"] == "CREATING"
    fake.advance(1)
    done = api.poll(op["id"]).json()
    assert done["done"] is True
    deleted = api.delete(op["metadata"]["imageId"]).json()
    fake.advance(4.5)
    assert api.get(op["metadata"]["imageId"]).json()["status"] == "DELETING"
    fake.advance(0.5)
    assert api.get(op["metadata"]["imageId"]).status_code == 404
    assert api.poll(deleted["id"]).json()["done"] is True


def test_clock_completion_time_is_the_due_time(make_api: Callable[..., Api]) -> None:
    fake = FakeImageService(completion="clock", durations={"Create": 30})
    api = make_api(fake)
    op = api.create().json()
    fake.advance(100)
    done = api.poll(op["id"]).json()
    assert done["modifiedAt"] == "2026-01-01T00:00:30Z"


def test_completion_mode_can_change_on_a_running_fake(api: Api, fake: FakeImageService) -> None:
    assert fake.completion == "on-poll"
    fake.completion = "immediate"
    assert api.create().json()["done"] is True
    fake.completion = "manual"
    op = api.create().json()
    assert api.poll(op["id"]).json()["done"] is False


def test_update_changes_nothing_until_done(api: Api) -> None:
    image = api.ready_image(name="before")
    op = api.update(image["id"], updateMask="name", name="after").json()
    assert api.get(image["id"]).json()["name"] == "before"
    done = api.poll(op["id"]).json()
    assert done["response"]["name"] == "after"
    assert api.get(image["id"]).json()["name"] == "after"


def test_cancel_a_pending_create(make_api: Callable[..., Api]) -> None:
    api = make_api(FakeImageService(completion="manual"))
    op = api.create(name="cancelled").json()
    reply = api.http.post(f"/operations/{op['id']}:cancel")
    assert reply.status_code == 200
    body = reply.json()
    assert body["done"] is True
    assert body["error"]["code"] == 1
    assert api.get(op["metadata"]["imageId"]).status_code == 404
    assert api.create(name="cancelled").status_code == 200  # the name is free again


def test_cancel_a_finished_operation_changes_nothing(api: Api) -> None:
    op = api.create().json()
    done = api.poll(op["id"]).json()
    reply = api.http.post(f"/operations/{op['id']}:cancel")
    assert reply.status_code == 200
    assert reply.json() == done


def test_list_operations_pages_through_an_images_history(api: Api) -> None:
    image = api.ready_image(name="history")
    for text in ("a", "b", "c"):
        api.poll(api.update(image["id"], updateMask="description", description=text).json()["id"])
    everything = api.http.get(f"/compute/v1/images/{image['id']}/operations").json()
    assert len(everything["operations"]) == 4
    assert "nextPageToken" not in everything
    seen: list[str] = []
    token = ""
    for _ in range(10):
        params = {"pageSize": 1} | ({"pageToken": token} if token else {})
        page = api.http.get(f"/compute/v1/images/{image['id']}/operations", params=params).json()
        seen += [op["id"] for op in page["operations"]]
        token = page.get("nextPageToken", "")
        if not token:
            break
    assert seen == [op["id"] for op in everything["operations"]]
    kinds = {op["metadata"]["@type"].rsplit(".", 1)[1] for op in everything["operations"]}
    assert kinds == {"CreateImageMetadata", "UpdateImageMetadata"}


def test_operations_of_unknown_ids_are_not_found(api: Api) -> None:
    assert api.poll("fd8nosuchoperation00").status_code == 404
    assert api.http.post("/operations/fd8nosuchoperation00:cancel").status_code == 404
    assert api.http.get("/compute/v1/images/fd8nosuchimage000000/operations").status_code == 404


# --- a Delete started while the image's Create still runs ----------------------------------
def _while_creating(
    make_api: Callable[..., Api], then: str = "delete"
) -> tuple[FakeImageService, Api, str, str, str]:
    """A manual fake, an image whose Create still runs, and a Delete (or an Update) of it
    started meanwhile: (fake, api, image ID, the Create's ID, the other's ID)."""
    fake = FakeImageService(completion="manual")
    api = make_api(fake)
    create = api.create(name="overlap").json()
    image_id = create["metadata"]["imageId"]
    if then == "delete":
        second = api.delete(image_id).json()
        assert api.get(image_id).json()["status"] == "DELETING"
    else:
        second = api.update(image_id, updateMask="description", description="never").json()
    return fake, api, image_id, create["id"], second["id"]


def test_a_create_finishing_under_a_running_delete_leaves_the_image_deleting(
    make_api: Callable[..., Api],
) -> None:
    fake, api, image_id, create_id, delete_id = _while_creating(make_api)
    fake.complete(create_id)
    assert api.poll(create_id).json()["response"]["status"] == "READY"
    assert api.get(image_id).json()["status"] == "DELETING"
    fake.complete(delete_id)
    assert api.get(image_id).status_code == 404


@pytest.mark.parametrize("how", ["cancel", "fail"])
def test_a_create_ending_badly_under_a_running_delete_leaves_the_delete_in_charge(
    make_api: Callable[..., Api], how: str
) -> None:
    """Found by the stateful fuzzer: a cancelled Create removed the image while its Delete
    still ran, so GET answered 404 for an image whose Delete was not done."""
    fake, api, image_id, create_id, delete_id = _while_creating(make_api)
    if how == "cancel":
        assert api.http.post(f"/operations/{create_id}:cancel").status_code == 200
    else:
        fake.fail_operation(create_id, "INTERNAL", "disk broke")
    assert api.get(image_id).json()["status"] == "DELETING"
    fake.complete(delete_id)
    assert api.get(image_id).status_code == 404


@pytest.mark.parametrize(
    ("create_ends", "status"),
    [(None, "CREATING"), ("complete", "READY"), ("fail", "ERROR"), ("cancel", None)],
)
def test_a_failed_delete_leaves_the_image_as_its_create_left_it(
    make_api: Callable[..., Api], create_ends: str | None, status: str | None
) -> None:
    fake, api, image_id, create_id, delete_id = _while_creating(make_api)
    if create_ends == "complete":
        fake.complete(create_id)
    elif create_ends == "fail":
        fake.fail_operation(create_id, "INTERNAL", "disk broke")
    elif create_ends == "cancel":
        api.http.post(f"/operations/{create_id}:cancel")
    fake.fail_operation(delete_id, "INTERNAL", "delete broke")
    reply = api.get(image_id)
    if status is None:  # the Create was cancelled: the image goes once nothing holds it
        assert reply.status_code == 404
    else:
        assert reply.json()["status"] == status


def test_a_failed_delete_of_an_image_in_error_leaves_it_in_error(
    make_api: Callable[..., Api],
) -> None:
    fake = FakeImageService(completion="manual")
    api = make_api(fake)
    image = fake.put_image(folderId="b1gerrorfolder000001", name="broken", status="ERROR")
    delete = api.delete(image["id"]).json()
    fake.fail_operation(delete["id"], "INTERNAL", "delete broke")
    assert api.get(image["id"]).json()["status"] == "ERROR"


# --- a Delete finishing while another operation on its image still runs ------------------
def _aborted(op: dict[str, object], image_id: str) -> bool:
    error = op.get("error")
    return (
        op.get("done") is True
        and "response" not in op
        and isinstance(error, dict)
        and error.get("code") == 10  # ABORTED
        and image_id in str(error.get("message"))
    )


def test_a_delete_finishing_first_aborts_the_create_it_overtook(
    make_api: Callable[..., Api],
) -> None:
    fake, api, image_id, create_id, delete_id = _while_creating(make_api)
    fake.complete(delete_id)
    assert api.get(image_id).status_code == 404
    create = api.poll(create_id).json()
    assert _aborted(create, image_id), create
    assert create["metadata"] == {"@type": COMPUTE + "CreateImageMetadata", "imageId": image_id}
    assert create["modifiedAt"] == api.poll(delete_id).json()["modifiedAt"]
    assert fake.unfinished_operations() == []
    with pytest.raises(Exception, match="already done"):
        fake.complete(create_id)


def test_a_delete_finishing_first_aborts_a_running_update(make_api: Callable[..., Api]) -> None:
    fake = FakeImageService(completion="manual")
    api = make_api(fake)
    create = api.create(name="kept").json()
    image_id = create["metadata"]["imageId"]
    fake.complete(create["id"])
    update = api.update(image_id, updateMask="description", description="late").json()
    delete = api.delete(image_id).json()
    fake.complete(delete["id"])
    assert _aborted(api.poll(update["id"]).json(), image_id)
    assert api.poll(create["id"]).json()["response"]["id"] == image_id  # done before: kept


def test_cancelling_a_create_aborts_an_update_of_its_image(
    make_api: Callable[..., Api],
) -> None:
    _, api, image_id, create_id, update_id = _while_creating(make_api, "update")
    assert api.http.post(f"/operations/{create_id}:cancel").json()["error"]["code"] == 1
    assert api.get(image_id).status_code == 404
    assert _aborted(api.poll(update_id).json(), image_id)


def test_a_failed_delete_after_a_cancelled_create_aborts_a_running_update(
    make_api: Callable[..., Api],
) -> None:
    fake, api, image_id, create_id, update_id = _while_creating(make_api, "update")
    delete = api.delete(image_id).json()
    api.http.post(f"/operations/{create_id}:cancel")
    assert api.get(image_id).json()["status"] == "DELETING"  # the Delete is in charge
    assert api.poll(update_id).json()["done"] is False
    fake.fail_operation(delete["id"], "INTERNAL", "delete broke")
    assert api.get(image_id).status_code == 404  # as its cancelled Create left it
    assert _aborted(api.poll(update_id).json(), image_id)
    assert fake.unfinished_operations() == []


def test_on_the_clock_an_overtaken_create_ends_when_its_delete_does(
    make_api: Callable[..., Api],
) -> None:
    fake = FakeImageService(completion="clock", durations={"Create": 30, "Delete": 10})
    api = make_api(fake)
    create = api.create(name="clocked").json()
    image_id = create["metadata"]["imageId"]
    api.delete(image_id)
    fake.advance(10)
    aborted = api.poll(create["id"]).json()
    assert _aborted(aborted, image_id)
    assert aborted["modifiedAt"] == "2026-01-01T00:00:10Z"
    fake.advance(30)  # its own due time passes: it stays as it ended
    assert api.poll(create["id"]).json() == aborted
    assert fake.unfinished_operations() == []


def test_an_image_put_under_a_removed_images_id_has_none_of_its_operations(
    make_api: Callable[..., Api],
) -> None:
    fake = FakeImageService(completion="manual")
    api = make_api(fake)
    create = api.create(name="first-life").json()
    image_id = create["metadata"]["imageId"]
    api.http.post(f"/operations/{create['id']}:cancel")
    fake.put_image(id=image_id, folderId=api.folder, name="second-life", status="READY")
    history = api.http.get(f"/compute/v1/images/{image_id}/operations").json()
    assert history.get("operations", []) == []
    delete = api.delete(image_id).json()
    fake.fail_operation(delete["id"], "INTERNAL", "delete broke")
    assert api.get(image_id).json()["status"] == "READY"  # not the cancelled Create's end
