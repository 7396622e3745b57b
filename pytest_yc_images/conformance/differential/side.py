"""A side: one implementation a program runs against (a :class:`Target`, or a fake).

A side sends each :class:`Step` with its own values for the symbols, normalises the reply
on its own (:mod:`.normalise`) and keeps what the comparison needs to know: which
operations still run on it, which images it made (deleted at the end of each program).
The token goes into the Authorization header and nowhere else.
"""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from pytest_yc_images import FakeImageService, ServiceError, routes

from ..client import NotExpressible
from ..safety import Redactor, new_run_id
from ..target import Target
from .normalise import Symbols, normalise
from .program import SYMBOL, WAIT, Step

__all__ = ["PUBLIC_FAMILY", "PUBLIC_FOLDER", "Outcome", "Party", "Pending", "Side", "SideError"]

PUBLIC_FOLDER = "standard-images"
PUBLIC_FAMILY = "ubuntu-2204-lts"
Outcome = dict[str, Any]  # {"http": 200, "body": ...} | {"http": 200, "pages": [...]} | ...
_MAX_PAGES = 50
_FAKE_DISK = "epd0diffdisk00000001"
_FAKE_SNAPSHOT = "fd8diffsnapshot00001"
_OPS = "OperationService."
# The calls that change images (the routes that take an Idempotency-Key, but Cancel)
_MUTATING = {r.rpc for r in routes() if r.mutating and r.rpc.startswith("ImageService.")}


class SideError(Exception):
    """A side that cannot take part (not reachable, a folder not empty, a failed cleanup):
    the run stops; this is no divergence."""


class Party(Protocol):
    """What a :class:`~.machine.Runner` drives: a :class:`Side`, or the recorded side of a
    replay (:class:`~.runs.Recording`)."""

    label: str
    sources: dict[str, str]
    pending: dict[str, Pending]
    calls: int

    @property
    def fresh_folders(self) -> bool: ...

    @property
    def budget(self) -> int | None: ...

    def begin(self, program: int) -> None: ...

    def run(self, step: Step) -> Outcome: ...

    def cleanup(self) -> None: ...


@dataclass
class Pending:
    """An operation not yet seen done on a side: its method, image and update mask."""

    method: str
    image: str
    mask: tuple[str, ...] = ()


@dataclass
class Side:
    """One implementation: ``target`` (a :class:`Target`) or ``fake`` (in-process)."""

    label: str
    target: Target | None = None
    fake: FakeImageService | None = None
    run_id: str = field(default_factory=new_run_id)
    symbols: Symbols = field(default_factory=Symbols)
    pending: dict[str, Pending] = field(default_factory=dict)
    made: list[str] = field(default_factory=list)  # image IDs this program created here
    calls: int = 0
    sources: dict[str, str] = field(default_factory=dict)
    program: int = 0
    folder: str = ""

    def __post_init__(self) -> None:
        if self.target is not None and self.target.fake:  # --fake: an in-process fake
            self.fake = FakeImageService(profile=self.target.profile)
            self.target = None
        if (self.target is None) == (self.fake is None):
            raise ValueError("a side is a target or a fake")
        if self.target is not None and not self.target.mutations_allowed:
            raise ValueError(f"side {self.label}: {self.target.describe()} is not on loopback, "
                             "and a run creates and deletes images there: "
                             "Target(allow_mutations=True) allows it")  # fmt: skip
        token = self.target.token if self.target else "differential-token"
        self.redact = Redactor(token)
        if self.fake is not None:
            transport: Any = self.fake.transport()
            url = ops = "https://compute.api.cloud.yandex.net"
        else:
            assert self.target is not None
            transport, url, ops = self.target.transports()
        headers = {"Authorization": f"Bearer {token}"}
        timeout = httpx.Timeout(30.0, connect=10.0)
        self.http = httpx.Client(base_url=url, transport=transport, headers=headers,
                                 timeout=timeout)  # fmt: skip
        self.ops = self.http if ops == url else httpx.Client(
            base_url=ops, transport=transport, headers=headers, timeout=timeout)  # fmt: skip

    # --- what kind of side ----------------------------------------------------------------
    @property
    def fresh_folders(self) -> bool:
        """Each program in a folder of its own: in-process and on loopback (a fake serves
        any folder ID); a remote target works in its --folder-id, which must stay empty."""
        return self.fake is not None or bool(self.target and self.target.loopback)

    @property
    def budget(self) -> int | None:
        """Images a run may create here: a target's (--max-images, by default 60 off
        loopback); None in-process, and on loopback unless --max-images is given."""
        if self.target is None or (self.target.loopback and not self.target.max_images):
            return None
        return self.target.budget

    @property
    def timeout(self) -> float:
        return self.target.timeout if self.target else 20.0

    def describe(self) -> str:
        if self.fake is not None:
            return f"the in-process fake ({self.fake.profile}, {self.fake.completion})"
        assert self.target is not None
        return self.target.describe()

    # --- set-up ---------------------------------------------------------------------------
    def start(self) -> None:
        """Find the sources (the source image and its family; a disk and a snapshot when
        given, or put in a fake), before the first program."""
        given = self.target
        source = given.source_image_id if given else ""
        try:
            reply = (self.http.get(f"/compute/v1/images/{source}") if source else self.http.get(
                "/compute/v1/images:latestByFamily",
                params={"folderId": PUBLIC_FOLDER, "family": PUBLIC_FAMILY}))  # fmt: skip
        except httpx.TransportError as exc:
            raise SideError(f"side {self.label}: cannot reach it ({type(exc).__name__}: "
                            f"{self.redact(str(exc))[:200]})") from None  # fmt: skip
        if reply.status_code != 200:
            what = source or f"the latest {PUBLIC_FAMILY} of {PUBLIC_FOLDER}"
            raise SideError(f"side {self.label}: no source image ({what}): HTTP "
                            f"{reply.status_code} {self.redact(reply.text[:200])}")  # fmt: skip
        image = reply.json()
        self.sources = {"source-image": str(image["id"]),
                        "source-family": str(image.get("family", ""))}  # fmt: skip
        if self.fake is not None:  # a disk and a snapshot of the run's, to create from
            self.sources["source-disk"] = _FAKE_DISK
            self.sources["source-snapshot"] = _FAKE_SNAPSHOT
            folder = f"b1g{self.run_id}sources0"[:20]
            with contextlib.suppress(ServiceError):  # a fake a run has started before
                self.fake.add_disk(_FAKE_DISK, folder_id=folder)
            with contextlib.suppress(ServiceError):
                self.fake.add_snapshot(_FAKE_SNAPSHOT, folder_id=folder)
        elif given is not None:
            self.sources["source-disk"] = given.source_disk_id
            self.sources["source-snapshot"] = given.source_snapshot_id
        self.sources = {k: v for k, v in self.sources.items() if v}

    def begin(self, program: int) -> None:
        """A new program: a new symbol table, and on a fake a folder of its own."""
        self.program = program
        self.pending.clear()
        self.made.clear()
        self.symbols = Symbols(run=self.run_id)
        if self.fresh_folders:
            self.folder = f"b1g{self.run_id}{program:09d}"[:20]
        else:
            assert self.target is not None
            self.folder = self.target.folder_id
        for symbol, value in {**self.sources, "folder": self.folder}.items():
            self.symbols.preset(symbol, value)
        if not self.fresh_folders:
            try:
                left = self.http.get("/compute/v1/images", params={"folderId": self.folder,
                                                                   "pageSize": 1})  # fmt: skip
            except httpx.TransportError as exc:
                raise SideError(f"side {self.label}: cannot reach it ({type(exc).__name__})"
                                ) from None  # fmt: skip
            if left.status_code != 200 or left.json().get("images"):
                raise SideError(f"side {self.label}: folder {self.folder} is not empty (or "
                                f"not readable: HTTP {left.status_code}); a differential run "
                                "needs a folder of its own (yc-images-conformance sweep "
                                "deletes what runs left)")  # fmt: skip

    def close(self) -> None:
        self.http.close()
        if self.ops is not self.http:
            self.ops.close()

    # --- one step -------------------------------------------------------------------------
    def run(self, step: Step) -> Outcome:
        """Send ``step`` and return its reply, normalised (symbols, shapes)."""
        self.calls += 1
        if step.rpc == WAIT:
            return self._wait(step.path.get("operationId", ""))
        if step.rpc in routes() and routes()[step.rpc].mutating:
            self._guard(step)
        if step.rpc in _MUTATING:
            self.settle()
        if step.pages:
            return self._pages(step)
        reply = self._send(step, {})
        if isinstance(reply, dict):
            return reply
        outcome = self._outcome(reply)
        self._observe(step, outcome, reply)
        return outcome

    def _guard(self, step: Step) -> None:
        """Update, Delete and Cancel only what this program made here: a step names its
        image or operation by a symbol, and an image a symbol stands for is one this
        program created (a hand-edited cassette must not reach anyone else's)."""
        named = step.path.get("imageId", step.path.get("operationId", ""))
        if step.rpc == "ImageService.Create" or step.rpc == WAIT:
            return
        what = f"side {self.label}: refusing to {step.rpc.split('.')[1]} {named!r}"
        if not SYMBOL.fullmatch(named):
            raise SideError(f"{what}: a step names what it changes by a symbol (<image#1>)")
        image = step.rpc != "OperationService.Cancel" and named.strip("<>") in self.symbols.values
        if image and str(self.symbols.resolve(named)) not in self.made:
            raise SideError(f"{what}: this program did not create it")

    def _send(self, step: Step, extra: dict[str, str]) -> httpx.Response | Outcome:
        route = routes()[step.rpc]
        path = {k: str(self.symbols.resolve(v)) for k, v in step.path.items()}
        query = {k: str(self.symbols.resolve(v)) for k, v in {**step.query, **extra}.items()}
        body = self.symbols.resolve(step.body)
        client = self.ops if step.rpc.startswith(_OPS) else self.http
        request = client.build_request(
            step.verb or route.http_method,
            route.url(**path),
            params=query or None,
            json=body if route.body or body is not None else None,
        )
        if step.key:
            request.headers["Idempotency-Key"] = str(self.symbols.resolve(f"<{step.key}>"))
        if step.auth == "none":
            del request.headers["Authorization"]
        elif step.auth == "malformed":
            request.headers["Authorization"] = "Token not-a-bearer-token"
        try:
            return client.send(request)
        except NotExpressible as exc:
            return {"skipped": f"not expressible over gRPC: {exc}"}
        except httpx.TransportError as exc:
            return {"transport": self.redact(f"{type(exc).__name__}: {exc}")[:200]}

    def _json(self, reply: httpx.Response) -> Any:
        """The reply's JSON, with the token redacted should the reply echo it (what a side
        keeps is written to cassettes and reports)."""
        text = reply.text
        redacted = self.redact(text)
        return json.loads(redacted) if redacted != text else reply.json()

    def _outcome(self, reply: httpx.Response) -> Outcome:
        try:
            body = self._json(reply)
        except ValueError:
            return {"http": reply.status_code, "text": self.redact(reply.text[:100])}
        return {"http": reply.status_code, "body": normalise(body, self.symbols)}

    def _pages(self, step: Step) -> Outcome:
        """Every page of a List (bounded), as one outcome."""
        pages: list[Any] = []
        raw: list[dict[str, Any]] = []
        token = ""
        for _ in range(_MAX_PAGES):
            reply = self._send(step, {"pageToken": token} if token else {})
            if isinstance(reply, dict):
                return reply
            if reply.status_code != 200:
                return self._outcome(reply) | {"page": len(pages) + 1}
            data = self._json(reply)
            items = routes()[step.rpc].page_items or "images"
            raw += data.get(items, [])
            pages.append([normalise(i, self.symbols) for i in data.get(items, [])])
            token = data.get("nextPageToken", "")
            if not token:
                break
        else:
            return {"http": 200, "error": f"paging did not end after {_MAX_PAGES} pages"}
        outcome: Outcome = {"http": 200, "pages": pages}
        if step.rpc == "ImageService.List":
            outcome["order"] = self._order(step.query.get("orderBy", ""), raw)
        for page in pages:
            for item in page:
                self._observe_operation(item)
        return outcome

    def _order(self, order_by: str, items: list[dict[str, Any]]) -> Any:
        """The listing's order as compared: under orderBy name or createdAt the items' symbols
        in that order, as groups of equal keys; by ID, whether this side's IDs are sorted."""
        column, _, direction = order_by.strip().partition(" ")
        descending = direction.strip().lower() == "desc"
        if column in ("", "id"):
            ids = [str(i.get("id", "")) for i in items]
            ok = ids == sorted(ids, reverse=descending)
            return f"by id {'desc' if descending else 'asc'}" + ("" if ok else ": NOT SORTED")
        keys = [(str(i.get(column, "")), normalise(i, self.symbols).get("id")) for i in items]
        groups: list[list[str]] = []  # the items in order; items of an equal key together
        for n, (key, symbol) in enumerate(keys):
            if n and key == keys[n - 1][0]:
                groups[-1].append(str(symbol))
            else:
                groups.append([str(symbol)])
        return [sorted(group) for group in groups]

    # --- what runs ------------------------------------------------------------------------
    def _observe(self, step: Step, outcome: Outcome, reply: httpx.Response) -> None:
        body = outcome.get("body")
        if not isinstance(body, dict) or reply.status_code != 200:
            return
        if step.rpc in _MUTATING:
            image = str(body.get("metadata", {}).get("imageId", ""))
            if step.rpc == "ImageService.Create":
                raw = reply.json().get("metadata", {}).get("imageId")
                if raw and raw not in self.made:
                    self.made.append(str(raw))
            if not body.get("done"):
                mask = tuple(str((step.body or {}).get("updateMask", "")).split(","))
                self.pending[str(body["id"])] = Pending(step.rpc.split(".")[1], image, mask)
        self._observe_operation(body)

    def _observe_operation(self, body: Any) -> None:
        if isinstance(body, dict) and body.get("done") and body.get("id") in self.pending:
            del self.pending[str(body["id"])]
        for item in body.get("operations", []) if isinstance(body, dict) else []:
            self._observe_operation(item)

    def _wait(self, symbol: str) -> Outcome:
        """Poll an operation until done (bounded by the target's timeout)."""
        deadline = time.monotonic() + self.timeout
        delay = 0.02
        for _ in range(10_000):
            try:
                reply = self.ops.get(f"/operations/{self.symbols.resolve(symbol)}")
            except httpx.TransportError as exc:
                return {"transport": self.redact(f"{type(exc).__name__}: {exc}")[:200]}
            outcome = self._outcome(reply)
            body = outcome.get("body")
            if reply.status_code != 200 or not isinstance(body, dict) or body.get("done"):
                self._observe_operation(body)
                return outcome
            if time.monotonic() + delay > deadline:
                break
            time.sleep(delay)
            delay = min(delay * 1.6, 2.0)
        return {"http": 200, "error": f"not done after {self.timeout} s"}

    def settle(self) -> None:
        """Wait for this side's running operations (before a Create, Update or Delete: a
        mutation never races an earlier one, whose timing is the implementation's)."""
        for op_symbol in list(self.pending):
            self._wait(op_symbol)
            self.pending.pop(op_symbol, None)

    def cleanup(self) -> None:
        """Delete every image this program made here; raise :class:`SideError` if one stays
        (on a fake's own folder, a leftover cannot disturb the next program: no check)."""
        for symbol in list(self.pending):
            with contextlib.suppress(Exception):
                self._wait(symbol)
        self.pending.clear()
        left = []
        for image_id in self.made:
            try:
                reply = self.http.delete(f"/compute/v1/images/{image_id}")
                if reply.status_code == 200:
                    op = reply.json()
                    self._poll_raw(str(op["id"]), done=bool(op.get("done")))
                elif reply.status_code != 404:
                    left.append(f"{image_id} (Delete: HTTP {reply.status_code})")
            except Exception as exc:
                left.append(f"{image_id} ({self.redact(str(exc))[:100]})")
        self.made.clear()
        if left and not self.fresh_folders:
            raise SideError(f"side {self.label}: could not delete {', '.join(left)}")

    def _poll_raw(self, operation_id: str, *, done: bool) -> None:
        deadline = time.monotonic() + min(self.timeout, 120)
        while not done and time.monotonic() < deadline:
            reply = self.ops.get(f"/operations/{operation_id}")
            done = reply.status_code != 200 or bool(reply.json().get("done"))
            if not done:
                time.sleep(0.05)
