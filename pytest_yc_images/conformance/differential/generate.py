"""The steps a program is made of, drawn from the contracts' strategies.

:class:`Model` is what a program knows while it is generated (its images, operations,
names, idempotency keys), from the replies it has had; :class:`Steps` draws each kind of
step from it. Request bodies come from :mod:`pytest_yc_images.strategies` (valid ones, and
ones broken in exactly one field), then carry the run's marks: a name that starts with
``ycc-<run>-``, the run's label, and the program's own folder and sources.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypeVar

from hypothesis import strategies as st

from pytest_yc_images import schema
from pytest_yc_images import strategies as yc

from ..cases import Case, boundary_cases
from ..safety import NAME_PREFIX, RUN_LABEL, RunIdentity
from .program import WAIT, Step

__all__ = ["UPDATABLE", "Draw", "Model", "Steps"]

T = TypeVar("T")
Draw = Callable[[st.SearchStrategy[T]], T]
_PREFIX = f"{NAME_PREFIX}<run>-"  # 13 characters once <run> is 8
_RUN_LENGTH = 8
_MAX_DISK = "4398046511104"  # CreateImageRequest.minDiskSize's maximum (4 TiB)
_SOURCES = {"image": ("imageId", "<source-image>"), "disk": ("diskId", "<source-disk>"),
            "snapshot": ("snapshotId", "<source-snapshot>"),
            "uri": ("uri", "https://storage.yandexcloud.net/ycc-<run>/image.qcow2")}  # fmt: skip
_SOURCE_FIELDS = {f for f, _ in _SOURCES.values()}
_ORDERS = ("name asc", "name desc", "createdAt asc", "createdAt desc", "id desc", "id asc")
_BAD_FILTERS = ("name ~ 'x'", 'name = "ab', 'size = "1"', "name =", "AND")
_BAD_ORDERS = ("size asc", "name sideways", "createdAt,name")
# The fields an Update sets (UpdateImageRequest's, but the image's ID and the mask)
UPDATABLE = tuple(k for k in schema("UpdateImageRequest")["properties"]
                  if k not in ("imageId", "updateMask"))  # fmt: skip
_PLACEHOLDER = "zzzzzzzz"  # the run id the boundary cases are built with, then <run>
_BOUNDARY_RPCS = ("ImageService.Create", "ImageService.Update", "ImageService.List")


@cache
def _boundaries() -> dict[str, dict[str, list[Case]]]:
    """The conformance suite's boundary cases (at and just past each limit) of Create,
    Update and List, by RPC and constraint (field and keyword); path parameters left out
    (another route), but Create's source ``imageId`` kept."""
    found: dict[str, dict[str, list[Case]]] = {}
    for case in boundary_cases(RunIdentity(_PLACEHOLDER)):
        c = case.constraint
        if case.method in _BOUNDARY_RPCS and (
            c.field != "imageId" or case.method.endswith("Create")
        ):
            found.setdefault(case.method, {}).setdefault(f"{c.field} {c.keyword}", []).append(case)
    return found


def _marked(value: Any) -> Any:
    """A case's value with the placeholder run id as ``<run>``."""
    text = json.dumps(value)
    return json.loads(text.replace(_PLACEHOLDER, "<run>")) if _PLACEHOLDER in text else value


@dataclass
class Model:
    """What the program knows: its live images, the gone ones, its operations, names."""

    images: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    ops: list[str] = field(default_factory=list)
    op_image: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # image -> name (with <run>)
    history: dict[str, set[str]] = field(default_factory=dict)  # image -> names and family
    tainted: set[str] = field(default_factory=set)  # names and families a Cancel raced
    families: dict[str, str] = field(default_factory=dict)  # image -> family
    counter: int = 0  # names given so far
    raced: set[str] = field(default_factory=set)  # images a Cancel touched (never named again)
    keys: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    creates: int = 0

    def observe(self, step: Step, outcome: dict[str, Any]) -> set[str]:
        """Learn from side A's reply to ``step``; returns the images a Cancel touched."""
        body = outcome.get("body")
        if outcome.get("http") != 200 or not isinstance(body, dict):
            return set()
        touched: set[str] = set()
        if step.rpc in ("ImageService.Create", "ImageService.Update", "ImageService.Delete"):
            image, op = str(body.get("metadata", {}).get("imageId", "")), str(body.get("id"))
            if op not in self.ops:
                self.ops.append(op)
            self.op_image[op] = image
            given = step.body if isinstance(step.body, dict) else {}
            self.history.setdefault(image, set()).update(
                str(given[k]) for k in ("name", "family") if given.get(k)
            )
            known = self.images + self.gone + list(self.raced)
            if step.rpc == "ImageService.Create" and image and image not in known:
                self.images.append(image)
                self.names[image] = str(given.get("name", ""))
                self.families[image] = str(given.get("family", ""))
                if step.key:
                    self.keys.append((step.key, given))
            elif step.rpc == "ImageService.Update" and "name" in given:
                self.names[image] = str(given["name"])
            elif step.rpc == "ImageService.Delete" and image in self.images:
                self.images.remove(image)
                self.gone.append(image)
        elif step.rpc == "OperationService.Cancel":
            image = self.op_image.get(step.path["operationId"], "")
            for live in (self.images, self.gone):
                if image in live:
                    live.remove(image)
            if image:
                touched.add(image)
                self.raced.add(image)
            self.tainted |= self.history.get(image, set())
        return touched


@dataclass
class Steps:
    """Draws steps for a program of ``profile`` whose sides have ``sources``."""

    profile: str
    sources: tuple[str, ...]  # kinds of source every side has: image, disk, snapshot, uri
    model: Model = field(default_factory=Model)

    @property
    def live(self) -> bool:
        return self.profile == "live"

    # --- names, labels, families ----------------------------------------------------------
    def _name(self, draw: Draw[Any]) -> str:
        """A new name of the run (unique in the program), or now and then one the program
        already gave (where the service may refuse a second image of that name)."""
        given = sorted({n for n in self.model.names.values() if n} - self.model.tainted)
        if given and draw(st.sampled_from([False, False, False, True])):
            return str(draw(st.sampled_from(given)))
        self.model.counter += 1
        base = f"{_PREFIX}n{self.model.counter}"
        length = draw(st.sampled_from([0, 63, 40]))
        pad = length - (len(base) - len("<run>") + _RUN_LENGTH) - 1
        return f"{base}-{'a' * pad}" if pad > 0 else base

    def _family(self, draw: Draw[Any]) -> str | None:
        families = ["", "f<run>a", "f<run>b", "<source-family>", "f<run>c"]
        family: str = draw(st.sampled_from([f for f in families if f not in self.model.tainted]))
        return family or None

    def _labels(self, draw: Draw[Any]) -> dict[str, str]:
        drawn = draw(st.one_of(st.just({}), yc.labels(profile=self.profile)))
        return dict(list(drawn.items())[:10]) | {RUN_LABEL: "<run>"}

    # --- ImageService ----------------------------------------------------------------------
    def create(self, draw: Draw[Any], *, family: str | None = "") -> Step:
        """A valid Create from one of the sources; ``family`` fixes the family (None: none;
        "": drawn)."""
        kind = draw(st.sampled_from(self.sources))
        field_name, value = _SOURCES[kind]
        body = draw(yc.create_image_requests(source=field_name, profile=self.profile))
        body = {k: v for k, v in body.items() if k not in _SOURCE_FIELDS}
        body |= {"folderId": "<folder>", "name": self._name(draw), field_name: value,
                 "labels": self._labels(draw)}  # fmt: skip
        family = self._family(draw) if family == "" else family
        body.pop("family", None)
        if family:
            body["family"] = family
        size = draw(st.sampled_from(["drawn", _MAX_DISK, "none"]))
        if size == _MAX_DISK:
            body["minDiskSize"] = _MAX_DISK
        elif size == "none":
            body.pop("minDiskSize", None)
        key = f"key#{len(self.model.keys) + 1}" if draw(st.booleans()) else ""
        return Step("ImageService.Create", body=body, key=key, note=f"create from {kind}")

    def create_invalid(self, draw: Draw[Any]) -> Step:
        broken, body = draw(yc.invalid_requests("CreateImageRequest", profile=self.profile))
        body = dict(body)
        if broken not in _SOURCE_FIELDS:
            body = {k: v for k, v in body.items() if k not in _SOURCE_FIELDS}
            body["imageId"] = "<source-image>"
        if broken != "folderId":
            body["folderId"] = "<folder>"
        if broken != "name":
            body["name"] = self._name(draw)
        if broken != "labels":
            body["labels"] = self._labels(draw)
        return Step("ImageService.Create", body=body, note=f"create, {broken} invalid")

    def boundary(self, draw: Draw[Any], *, create: bool) -> Step:
        """A request at, or just past, one limit of a field (the suite's boundary cases):
        a Create, or an Update or a List."""
        rpcs = ["ImageService.Create"] if create else ["ImageService.List"]
        rpcs += [] if create or not self.model.images else ["ImageService.Update"]
        rpc = draw(st.sampled_from(rpcs))
        by_rule = _boundaries()[rpc]
        case: Case = draw(st.sampled_from(by_rule[draw(st.sampled_from(sorted(by_rule)))]))
        name, note = case.constraint.field, f"{case.constraint.field} {case.kind} {case.label}"
        if rpc == "ImageService.List":
            query = {"folderId": "<folder>", name: str(_marked(case.value))}
            if case.absent:
                del query[name]
            return Step(rpc, query=query, note=note, pages=name != "pageToken")
        if rpc == "ImageService.Update":
            image = draw(st.sampled_from(self.model.images))
            body = {name: _marked(case.value), "updateMask": name}
            if name == "labels":  # the suite's cases leave room for the run's label
                body["labels"] = {**body["labels"], RUN_LABEL: "<run>"}
            if name == "updateMask":
                body = {"updateMask": case.value}
            return Step(rpc, path={"imageId": image}, body=body, note=note)
        body = {"folderId": "<folder>", "name": self._name(draw), "imageId": "<source-image>",
                "labels": {RUN_LABEL: "<run>"}}  # fmt: skip
        if name in _SOURCE_FIELDS or case.also:
            body = {k: v for k, v in body.items() if k not in _SOURCE_FIELDS}
        body |= {k: _marked(v) for k, v in case.also}
        if case.absent:
            body.pop(name, None)
        elif name == "labels":  # the suite's cases leave room for the run's label
            body["labels"] = {**_marked(case.value), RUN_LABEL: "<run>"}
        else:
            body[name] = _marked(case.value)
        return Step(rpc, body=body, note=note)

    def repeat_create(self, draw: Draw[Any]) -> Step:
        key, body = draw(st.sampled_from(self.model.keys))
        other = draw(st.booleans())
        if other:
            body = {**body, "description": "another body, the same key"}
        note = "the same key, another body" if other else "the same key and body again"
        return Step("ImageService.Create", body=body, key=key, note=note)

    def get(self, draw: Draw[Any]) -> Step:
        image = draw(st.sampled_from([*self.model.images, *self.model.gone, "<image#99>",
                                      "not-an-image-id"]))  # fmt: skip
        return Step("ImageService.Get", path={"imageId": image})

    def list(self, draw: Draw[Any]) -> Step:
        query: dict[str, str] = {"folderId": "<folder>"}
        size = draw(st.one_of(st.none(), st.sampled_from([1, 2, 3]), st.integers(0, 1000)))
        if size is not None:
            query["pageSize"] = str(size)
        if self.live and draw(st.booleans()):
            query["orderBy"] = draw(st.sampled_from(_ORDERS))
        text = self._filter(draw)
        if text:
            query["filter"] = text
        return Step("ImageService.List", query=query, pages=True)

    def list_paged(self, draw: Draw[Any]) -> Step:
        query = {"folderId": "<folder>", "pageSize": str(draw(st.sampled_from([1, 2])))}
        if self.live and draw(st.booleans()):
            query["orderBy"] = draw(st.sampled_from(_ORDERS))
        return Step("ImageService.List", query=query, pages=True)

    def _filter(self, draw: Draw[Any]) -> str:
        names = sorted(set(self.model.names.values()) - {""}) or [f"{_PREFIX}a"]
        name = draw(st.sampled_from([*names, f"{_PREFIX}zz"]))
        forms = ["none", "equal"] + (["not", "in", "not-in", "single", "and", "escape"]
                                     if self.live else [])  # fmt: skip
        form = draw(st.sampled_from(forms))
        other = draw(st.sampled_from(names))
        return {"none": "", "equal": f'name = "{name}"', "not": f'name != "{name}"',
                "in": f'name IN ("{name}", "{other}")', "not-in": f"name NOT IN ('{name}')",
                "single": f"name = '{name}'", "and": f'name != "{name}" AND name != "{other}"',
                "escape": r'name IN ("ycc\"q", ' + f'"{name}")'}[form]  # fmt: skip

    def list_invalid(self, draw: Draw[Any]) -> Step:
        query: dict[str, str] = {"folderId": "<folder>"}
        kind = draw(st.sampled_from(["pageSize", "pageToken", "filter", "orderBy", "folderId"]))
        if kind == "orderBy" and not self.live:
            kind = "filter"
        value = {"pageSize": draw(st.sampled_from(["1001", "-1"])),
                 "pageToken": "forged0page0token", "filter": draw(st.sampled_from(_BAD_FILTERS)),
                 "orderBy": draw(st.sampled_from(_BAD_ORDERS)), "folderId": ""}[kind]  # fmt: skip
        query[kind] = value
        return Step("ImageService.List", query=query, note=f"{kind} invalid",
                    pages=kind != "pageToken")  # fmt: skip

    def latest(self, draw: Draw[Any]) -> Step:
        families = ["f<run>a", "f<run>b", "<source-family>", "f<run>z"]
        family = draw(st.sampled_from([f for f in families if f not in self.model.tainted]))
        return Step("ImageService.GetLatestByFamily",
                    query={"folderId": "<folder>", "family": family})  # fmt: skip

    def update(self, draw: Draw[Any]) -> Step:
        image = draw(st.sampled_from(self.model.images))
        body = draw(yc.update_image_requests(profile=self.profile))
        body = {k: v for k, v in body.items() if k in UPDATABLE}
        if "name" in body:
            body["name"] = self._name(draw)
        mask = draw(st.lists(st.sampled_from(UPDATABLE), unique=True, max_size=3))
        if mask:
            body["updateMask"] = ",".join(mask)
        if not mask or "labels" in mask or "labels" in body:
            body["labels"] = self._labels(draw)
        return Step("ImageService.Update", path={"imageId": image}, body=body)

    def delete(self, draw: Draw[Any]) -> Step:
        return Step(
            "ImageService.Delete", path={"imageId": draw(st.sampled_from(self.model.images))}
        )

    def list_operations(self, draw: Draw[Any]) -> Step:
        image = draw(st.sampled_from([*self.model.images, *self.model.gone]))
        size = draw(st.sampled_from([None, 1, 2]))
        query = {"pageSize": str(size)} if size else {}
        return Step("ImageService.ListOperations", path={"imageId": image}, query=query,
                    pages=True)  # fmt: skip

    def unauthenticated(self, draw: Draw[Any]) -> Step:
        auth = draw(st.sampled_from(["none", "malformed"]))
        if self.model.images and draw(st.booleans()):
            image = draw(st.sampled_from(self.model.images))
            return Step("ImageService.Get", path={"imageId": image}, auth=auth)
        return Step("ImageService.List", query={"folderId": "<folder>"}, auth=auth)

    # --- OperationService ------------------------------------------------------------------
    def wait(self, draw: Draw[Any]) -> Step:
        return Step(WAIT, path={"operationId": draw(st.sampled_from(self.model.ops))})

    def get_operation(self, draw: Draw[Any]) -> Step:
        op = draw(st.sampled_from([*self.model.ops, "<op#99>"]))
        return Step("OperationService.Get", path={"operationId": op})

    def cancel(self, draw: Draw[Any]) -> Step:
        op = draw(st.sampled_from(self.model.ops))
        verb = draw(st.sampled_from(["", "POST"]))
        return Step("OperationService.Cancel", path={"operationId": op}, verb=verb)
