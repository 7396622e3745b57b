"""The hypothesis strategies: valid values stay valid, invalid ones break exactly one field."""

from __future__ import annotations

import re
from functools import partial
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_yc_images import message_names, validator
from pytest_yc_images._schema_strategies import _compile_schema as compile_schema
from pytest_yc_images._validation import validate
from pytest_yc_images.errors import ServiceError
from pytest_yc_images.strategies import (
    Constraint,
    constraints,
    create_image_requests,
    families,
    from_schema,
    image_names,
    images,
    invalid_requests,
    invalid_values,
    labels,
    list_images_requests,
    operations,
    update_image_requests,
)

FEW = settings(max_examples=30, deadline=None)
SOURCES = ("imageId", "diskId", "snapshotId", "uri")
NAME = re.compile(r"[a-z]([-_a-z0-9]{0,61}[a-z0-9])?")  # the live profile's
FAMILY = re.compile(r"[a-z][-a-z0-9]{1,61}[a-z0-9]")
MINIMAL = {  # the smallest valid body of each request under test
    "CreateImageRequest": {"folderId": "b1gfolder", "uri": "https://storage.example/a.qcow2"},
    "UpdateImageRequest": {"imageId": "fd8image"},
    "ListImagesRequest": {"folderId": "b1gfolder"},
    "GetImageLatestByFamilyRequest": {"folderId": "b1gfolder"},
}
REQUESTS = tuple(MINIMAL)
FIELD_CONSTRAINTS = [
    (message, c.field, c.keyword)
    for message in REQUESTS
    for c in constraints(message)
    if c.keyword != "required"
]


def errors(name: str, body: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator(name).iter_errors(body)]


@pytest.mark.parametrize("name", message_names())
@FEW
@given(data=st.data())
def test_from_schema_yields_only_valid_bodies(name: str, data: st.DataObject) -> None:
    body = data.draw(from_schema(name))
    assert not errors(name, body)


@FEW
@given(images(), labels())
def test_images_and_labels_are_valid(image: dict[str, Any], drawn: dict[str, str]) -> None:
    assert not errors("Image", image)
    assert not errors("CreateImageRequest", {"folderId": "f", "uri": "u", "labels": drawn})


@FEW
@given(image_names(), families())
def test_names_and_families_match_their_regex_fully(name: str, family: str) -> None:
    assert NAME.fullmatch(name), name
    assert FAMILY.fullmatch(family), family
    assert not name.endswith("\n")
    assert not family.endswith("\n")


@FEW
@given(image_names(allow_empty=True), families(allow_empty=True))
def test_names_and_families_may_be_empty_on_request(name: str, family: str) -> None:
    assert name == "" or NAME.fullmatch(name)
    assert family == "" or FAMILY.fullmatch(family)


@FEW
@given(create_image_requests())
def test_create_requests_set_exactly_one_source(body: dict[str, Any]) -> None:
    assert len(set(SOURCES) & set(body)) == 1
    assert not errors("CreateImageRequest", body)


@pytest.mark.parametrize("source", SOURCES)
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_create_requests_set_the_source_asked_for(source: str, data: st.DataObject) -> None:
    body = data.draw(create_image_requests(folder_id="b1gfolder", source=source))
    assert set(SOURCES) & set(body) == {source}
    assert body["folderId"] == "b1gfolder"


@FEW
@given(update_image_requests(image_id="img1"), list_images_requests(folder_id="fld1"))
def test_fixed_ids_are_kept(update: dict[str, Any], listing: dict[str, Any]) -> None:
    assert update["imageId"] == "img1"
    assert listing["folderId"] == "fld1"
    assert not errors("UpdateImageRequest", update)
    assert not errors("ListImagesRequest", listing)


def test_an_invalid_fixed_value_is_refused() -> None:
    with pytest.raises(ValueError, match="folderId"):
        create_image_requests(folder_id="x" * 51)
    with pytest.raises(ValueError, match="source"):
        create_image_requests(source="volumeId")


@pytest.mark.parametrize("done", [True, False])
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_operations_done_or_not(done: bool, data: st.DataObject) -> None:
    op = data.draw(operations(kind="CreateImageOperation", done=done))
    assert not errors("CreateImageOperation", op)
    assert op.get("done", False) is done
    if done:
        assert ("error" in op) != ("response" in op)
    else:
        assert "response" not in op


def test_constraints_list_each_field_keyword_and_limit() -> None:
    found = constraints("CreateImageRequest")
    create = partial(Constraint, "CreateImageRequest")
    assert create("folderId", "required", True) in found
    assert create("folderId", "maxLength", 50) in found
    assert create("minDiskSize", "minimum", 4194304) in found
    assert create("labels", "maxProperties", 64) in found
    assert create("labels", "propertyNames.pattern", "^[a-z][-_./@0-9a-z]*$") in found
    assert create("os", "properties.type.enum", ("LINUX", "WINDOWS")) in found
    assert create("source", "oneof", SOURCES) not in found  # no one field's value breaks it


@pytest.mark.parametrize(("message", "field", "keyword"), FIELD_CONSTRAINTS)
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_invalid_values_break_the_field(
    message: str, field: str, keyword: str, data: st.DataObject
) -> None:
    value = data.draw(invalid_values(message, field, keyword=keyword))
    body = {**MINIMAL[message], field: value}
    if field in SOURCES:  # the one source is the field under test
        body = {k: v for k, v in body.items() if k == field or k not in SOURCES}
    found = list(validator(message).iter_errors(body))
    assert found, f"{field}={value!r} passed"
    assert all(list(e.absolute_path)[:1] == [field] for e in found), errors(message, body)


SUBJECT = "items.properties.accessBinding.properties.subject"
ACCESS = [  # (message, minimal body, field, keyword, what the violation names)
    ("SetAccessBindingsRequest", "accessBindings", "maxItems", "accessBindings"),
    ("UpdateAccessBindingsRequest", "accessBindingDeltas", "minItems", "accessBindingDeltas"),
    ("UpdateAccessBindingsRequest", "accessBindingDeltas", "maxItems", "accessBindingDeltas"),
    ("UpdateAccessBindingsRequest", "accessBindingDeltas", "items.properties.action.required",
     "accessBindingDeltas[0].action"),
    ("UpdateAccessBindingsRequest", "accessBindingDeltas", f"{SUBJECT}.properties.id.required",
     "accessBindingDeltas[0].accessBinding.subject.id"),
    ("SetAccessBindingsRequest", "accessBindings", "items.properties.subject.required",
     "accessBindings[0].subject"),
]  # fmt: skip


@pytest.mark.parametrize(("message", "field", "keyword", "named"), ACCESS)
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_invalid_access_binding_lists_break_their_count_or_a_nested_required(
    message: str, field: str, keyword: str, named: str, data: st.DataObject
) -> None:
    value = data.draw(invalid_values(message, field, keyword=keyword))
    body = {"resourceId": "fd8i", field: value}
    found = list(validator(message).iter_errors(body))
    assert found, f"{field}={value!r} passed"
    assert {e.validator for e in found} == {keyword.rpartition(".")[2]}, errors(message, body)
    if keyword == "maxItems":
        assert len(value) == 1001
    if keyword.endswith("required"):  # one item, with the named property left out
        assert len(value) == 1
    with pytest.raises(ServiceError) as caught:
        validate(message, body)
    described = {v.field: v.description for v in caught.value.violations}
    assert named in described, described
    words = {"minItems": "must have at least 1 item", "maxItems": "must have at most 1000 items"}
    assert described[named] == words.get(keyword, "is required")


@FEW
@given(from_schema("UpdateAccessBindingsRequest"), from_schema("SetAccessBindingsRequest"))
def test_access_binding_requests_keep_their_counts(
    update: dict[str, Any], replace: dict[str, Any]
) -> None:
    assert 1 <= len(update["accessBindingDeltas"]) <= 4  # minItems 1, a few more at most
    assert len(replace.get("accessBindings", [])) <= 3


@pytest.mark.parametrize("message", REQUESTS)
@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_invalid_requests_are_wrong_only_at_the_field(message: str, data: st.DataObject) -> None:
    field, body = data.draw(invalid_requests(message))
    found = list(validator(message).iter_errors(body))
    assert found
    assert all(list(e.absolute_path)[:1] == [field] for e in found), errors(message, body)


def test_invalid_values_refuse_an_unknown_field_or_keyword() -> None:
    with pytest.raises(ValueError, match="no field"):
        invalid_values("CreateImageRequest", "volumeId")
    with pytest.raises(ValueError, match="no constraint"):
        invalid_values("CreateImageRequest", "pooled", keyword="maxLength")


def test_an_unknown_keyword_is_not_silently_ignored() -> None:
    with pytest.raises(NotImplementedError, match="'format'"):
        compile_schema(
            {"type": "object", "properties": {"at": {"type": "string", "format": "uri"}}}
        )
    with pytest.raises(NotImplementedError, match="'uniqueItems'"):
        compile_schema({"allOf": [{"$ref": "Os.json"}, {"uniqueItems": True}]})


# --- profiles: each strategy generates what its profile's schemas accept ------------------

PROFILES = ("live", "seed")
SEED_NAME = re.compile(r"[a-z]([-a-z0-9]{0,61}[a-z0-9])?")  # the seed's: no "_"
REQUESTS = ("CreateImageRequest", "UpdateImageRequest", "ListImagesRequest")


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("name", REQUESTS)
@FEW
@given(data=st.data())
def test_every_drawn_request_validates_in_its_profile(
    profile: str, name: str, data: st.DataObject
) -> None:
    body = data.draw(from_schema(name, profile=profile))
    assert validator(name, profile).is_valid(body)
    if profile == "seed":
        assert "_" not in body.get("name", "")


@FEW
@given(
    name=image_names(profile="seed"),
    create=create_image_requests(profile="seed"),
    update=update_image_requests(profile="seed"),
    bad=invalid_requests("CreateImageRequest", field="name", profile="seed"),
)
def test_a_live_only_value_never_appears_in_seed(
    name: str, create: dict[str, Any], update: dict[str, Any], bad: tuple[str, dict[str, Any]]
) -> None:
    assert SEED_NAME.fullmatch(name)
    for message, body in (("CreateImageRequest", create), ("UpdateImageRequest", update)):
        assert SEED_NAME.fullmatch(body.get("name") or "a")
        assert validator(message, "seed").is_valid(body)
    assert not validator("CreateImageRequest", "seed").is_valid(bad[1])


def test_live_strategies_reach_what_only_live_accepts() -> None:
    from hypothesis import find

    name = find(image_names(profile="live"), lambda n: "_" in n, settings=settings(database=None))
    assert NAME.fullmatch(name)
    assert not SEED_NAME.fullmatch(name)  # valid live, refused by the seed's pattern


def test_request_factories_follow_their_profile() -> None:
    from pytest_yc_images import FakeImageService
    from pytest_yc_images.factories import ImageFactory, RequestFactory

    live = RequestFactory().create_image(name="web_1")
    assert live["name"] == "web_1"
    assert validator("CreateImageRequest", "live").is_valid(live)
    with pytest.raises(ValueError, match=r"CreateImageRequest \(seed profile\): name"):
        RequestFactory(profile="seed").create_image(name="web_1")
    assert ImageFactory(FakeImageService(profile="seed")).profile == "seed"
    assert ImageFactory().profile == "live"


def test_an_unknown_profile_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown API profile 'staging'"):
        image_names(profile="staging").example()


def test_the_plugin_factories_use_the_test_fakes_profile(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.yc_images(profile="seed")
        def test_seed(yc_requests, yc_images):
            assert (yc_requests.profile, yc_images.profile) == ("seed", "seed")
            with pytest.raises(ValueError, match="seed profile"):
                yc_requests.create_image(name="web_1")

        def test_live(yc_requests, yc_images):
            assert (yc_requests.profile, yc_images.profile) == ("live", "live")
            assert yc_requests.create_image(name="web_1")["name"] == "web_1"
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)
