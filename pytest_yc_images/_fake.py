"""FakeImageService: one in-memory ImageService and everything a test does with it."""

from __future__ import annotations

import copy
import re
import secrets
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import httpx

from ._catalogue import catalogue
from ._contracts import DEFAULT_PROFILE, check_profile
from ._control_checks import refusal
from ._control_routes import control_routes
from ._controls import Controls, binding_body, checked_fault, code_json, fault_from_spec
from ._core.clock import DEFAULT_EPOCH, VirtualClock
from ._core.faults import ErrorFault, F, Fault, LatencyFault, LostReplyFault, OperationFault
from ._core.ids import IdSource
from ._core.journal import Journal
from ._core.operations import Completion
from ._core.service import PUBLIC_FOLDER, ImageService
from ._rpc import Rpc, method_name
from ._state import check_state, dump_state, load_state, state_clock
from ._state_file import read_state_file, write_state_file
from .errors import Code, FieldViolation, ServiceError
from .faces.asgi import AsgiApp
from .faces.rest import RestRouter
from .faces.server import LoopbackServer
from .faces.transport import FakeTransport

__all__ = ["COMPUTE_URL", "DEFAULT_TOKEN", "FakeImageService"]

COMPUTE_URL = "https://compute.api.cloud.yandex.net"
DEFAULT_TOKEN = "fake-iam-token"


class FakeImageService:
    """An in-memory Compute ImageService with the live service's semantics.

    ``completion`` decides when operations finish: ``"on-poll"`` (at the first
    OperationService.Get), ``"immediate"``, ``"manual"`` (:meth:`complete`,
    :meth:`fail_operation`) or ``"clock"`` (:meth:`advance` past ``durations``).
    ``seed`` makes IDs reproducible (the ID source's seed: ``serve --id-seed``).
    ``access`` maps tokens to the folders each may use (``{"t1": ["b1gfolder"]}``) or to
    ``{"folders": [...], "subject": {"id": ..., "type": ...}, "groups": [...]}``: the
    subject access bindings name (``userAccount``, ``serviceAccount`` or
    ``federatedUser``; by default a ``userAccount`` derived from the token, as
    ``createdBy`` shows it) and the ``group:organization:<id>:users`` /
    ``group:federation:<id>:users`` it belongs to. A token may then act on an image of a
    folder it may not use if a role bound on the image allows it (the docs page "Sharing
    images"); a bad entry is a ValueError naming it and its field. By default any token
    may use any folder, created on first use. With ``access`` set, the ``/_fake/`` controls take
    only ``control_token`` (generated when not given; :attr:`control_token`) as their
    bearer token. ``state_file`` is where :meth:`save_state` and ``POST
    /_fake/state:save`` write (:meth:`load_state` reads one). ``profile`` is the API it
    serves: ``"live"`` (today's ImageService, the default) or ``"seed"`` (the seed
    documentation's older service exactly); see the docs page "Profiles: seed and live".
    """

    def __init__(
        self,
        *,
        seed: int | str | None = None,
        completion: Completion | str = Completion.ON_POLL,
        durations: dict[str, float] | None = None,
        access: Mapping[str, Any] | None = None,
        start_time: float = DEFAULT_EPOCH,
        standard: bool = True,
        http_controls: bool = True,
        control_token: str | None = None,
        state_file: str | Path | None = None,
        profile: str = DEFAULT_PROFILE,
    ) -> None:
        check_profile(profile)
        self._options: dict[str, Any] = dict(
            seed=seed,
            completion=completion,
            durations=durations,
            access=access,
            start_time=start_time,
            standard=standard,
            profile=profile,
        )
        self.clock = VirtualClock(start_time)
        service = ImageService(
            clock=self.clock,
            ids=IdSource(seed),
            completion=completion,
            durations=durations,
            access=access,
            profile=profile,
        )
        if standard:
            service.share_catalogue(catalogue())  # shared, not copied: built once per process
        self._rpc = Rpc(service, threading.RLock())
        self.controls = Controls(self._rpc)
        self.router = RestRouter(
            self._rpc,
            controls=self.controls if http_controls else None,
            control_token=control_token or secrets.token_urlsafe(24),
        )
        self.state_file = None if state_file is None else Path(state_file)
        if self.state_file is not None:
            self.controls.state_saver = lambda: str(self.save_state())

    # --- clients and servers -------------------------------------------------------
    @property
    def service(self) -> ImageService:
        return self._rpc.service

    @property
    def profile(self) -> str:
        """The API profile this fake serves: ``"live"`` or ``"seed"``."""
        return self._rpc.service.profile

    def transport(self) -> FakeTransport:
        """An httpx transport (sync and async) wired to this fake, no sockets."""
        return FakeTransport(self.router)

    def _client_options(self, token: str | None, kwargs: dict[str, Any]) -> dict[str, Any]:
        headers = dict(kwargs.pop("headers", {}) or {})
        if token is not None:
            headers.setdefault("Authorization", f"Bearer {token}")
        return {
            "base_url": COMPUTE_URL,
            "transport": self.transport(),
            "headers": headers,
            **kwargs,
        }

    def client(self, *, token: str | None = DEFAULT_TOKEN, **kwargs: Any) -> httpx.Client:
        """An ``httpx.Client`` on this fake: base URL and bearer token set."""
        return httpx.Client(**self._client_options(token, kwargs))

    def async_client(
        self, *, token: str | None = DEFAULT_TOKEN, **kwargs: Any
    ) -> httpx.AsyncClient:
        return httpx.AsyncClient(**self._client_options(token, kwargs))

    def asgi_app(self, *, log: Any = None) -> AsgiApp:
        return AsgiApp(self.router, log=log)

    @property
    def control_token(self) -> str:
        """The bearer token ``/_fake/`` takes while ``access`` is set."""
        token = self.router.control_token
        assert token is not None  # always set by the constructor
        return token

    def serve(
        self, *, host: str = "127.0.0.1", port: int = 0, controls: str = "auto"
    ) -> LoopbackServer:
        """Start a real HTTP server on loopback; use as a context manager or ``stop()`` it.
        ``controls``: ``/_fake/`` on ``"auto"`` (loopback hosts only), ``"on"`` or ``"off"``."""
        return LoopbackServer(self.asgi_app(), host=host, port=port, controls=controls).start()

    def serve_grpc(self, *, host: str = "127.0.0.1", port: int = 0, log: Any = None) -> Any:
        """Start the gRPC face (TLS, for the official SDK) on loopback; returns a
        ``GrpcServer`` (``.endpoint``, ``.ca_pem``, ``write_ca(path)``, ``stop()``).
        ``log`` gets one line per call. Needs ``pip install pytest-yc-images[grpc]``."""
        from .faces.grpc import GrpcServer  # here: REST-only users never import grpc

        return GrpcServer(self._rpc, host=host, port=port, log=log).start()

    def attach(self, server: Any) -> None:
        """Make a running server answer from this fake: a :class:`LoopbackServer` from
        :meth:`serve` or a ``GrpcServer`` from :meth:`serve_grpc`, of this fake or of
        another. The plugin starts its servers once per session and attaches each test's
        fake to them; requests already in flight finish on the fake they started on."""
        if isinstance(server, LoopbackServer):
            server.app.router = self.router
        elif hasattr(server, "rpc"):  # a GrpcServer (its module needs the grpc extra)
            server.rpc = self._rpc
        else:
            raise TypeError(
                f"attach() takes a LoopbackServer or a GrpcServer, not {type(server).__name__}"
            )

    def call(
        self,
        method: str,
        message: dict[str, Any],
        *,
        token: str | None = DEFAULT_TOKEN,
        idempotency_key: str | None = None,
    ) -> Any:
        """Call an RPC directly (``"Create"``, ``"OperationService.Get"``); raises ServiceError."""
        reply = self._rpc.call(
            method_name(method),
            copy.deepcopy(message),
            token=token,
            idempotency_key=idempotency_key,
        )
        if reply.code is not Code.OK:
            raise ServiceError(reply.code, reply.body.get("message", ""))
        return reply.body

    # --- state ---------------------------------------------------------------------
    # Each control below runs as its /_fake/ route does: the body that route takes,
    # checked against the same schema, so a refusal is the same ControlError (a
    # ServiceError INVALID_ARGUMENT naming the field, and a ValueError) and changes nothing.
    def _control(self, action: str, body: Mapping[str, Any], **params: str) -> Any:
        return control_routes().actions[action].run(self.controls, body, params=params)

    def put_image(self, **fields: Any) -> dict[str, Any]:
        """Store an image as given (JSON names; any status), without an operation. Each
        field has the format ``POST /_fake/images`` documents (controls.yaml)."""
        return dict(self._control("put_image", fields))

    def bindings(self, image_id: str) -> list[dict[str, Any]]:
        """The image's access bindings in the JSON mapping, all of them, in the order
        ListAccessBindings lists them (as ``GET /_fake/bindings?imageId=``); an image
        the fake does not hold is a ServiceError NOT_FOUND."""
        if not isinstance(image_id, str):  # None would list every image's bindings
            why = f"must be an image ID (a string), not {type(image_id).__name__}"
            raise refusal([FieldViolation("imageId", why)])
        route = control_routes().actions["list_bindings"]
        listed = route.run(self.controls, {}, query={"imageId": image_id})
        return list(listed["bindings"][0]["accessBindings"])

    def put_bindings(self, image_id: str, bindings: Iterable[Any]) -> list[dict[str, Any]]:
        """Replace the image's access bindings at once, without an operation (as ``POST
        /_fake/bindings``); returns them as stored. Each binding is a mapping in the JSON
        mapping (``{"roleId": "viewer", "subject": {"id": ..., "type": "userAccount"}}``),
        a subject ``"userAccount:ID"`` (granting ``compute.images.user``: use of the
        image) or a pair ``("viewer", "userAccount:ID")``; system subjects may leave the
        type out (``"allAuthenticatedUsers"``). Each is checked as SetAccessBindings
        checks it: a ControlError names the field (``accessBindings[1].roleId``)."""
        body = binding_body(image_id, bindings)
        return list(self._control("put_bindings", body)["accessBindings"])

    def add_disk(self, disk_id: str, *, folder_id: str, **fields: Any) -> None:
        """Register a disk (``size``, ``os_type``, ``product_ids``, ``hardware_generation``,
        ``kms_key``), as ``POST /_fake/disks``."""
        self._control("add_disk", {"id": disk_id, "folderId": folder_id, **_json_names(fields)})

    def add_snapshot(self, snapshot_id: str, *, folder_id: str, **fields: Any) -> None:
        """Register a snapshot (``storage_size``, ``disk_size``, ``os_type``,
        ``product_ids``, ``hardware_generation``, ``kms_key``), as ``POST
        /_fake/snapshots``."""
        body = {"id": snapshot_id, "folderId": folder_id, **_json_names(fields)}
        self._control("add_snapshot", body)

    def put_object(self, uri: str, *, size: int, storage_size: int | None = None) -> None:
        """Describe the file at ``uri`` for Create from it: its virtual ``size`` and its
        stored bytes (``storage_size``, default ``size``), as ``POST /_fake/objects``. A
        URI no test described is a 4 MiB file (both sizes 4194304)."""
        body: dict[str, Any] = {"uri": uri, "size": size}
        if storage_size is not None:
            body["storageSize"] = storage_size
        self._control("put_object", body)

    def images(self, folder_id: str | None = None) -> list[dict[str, Any]]:
        return self.controls.list_images(folder_id)

    def operations(self, image_id: str | None = None) -> list[dict[str, Any]]:
        return self.controls.list_operations(image_id)

    def unfinished_operations(self) -> list[str]:
        return self.controls.unfinished_operations()

    def snapshot(self) -> object:
        with self._rpc.lock:
            return self.service.snapshot()

    def restore(self, state: object) -> None:
        with self._rpc.lock:
            self.service.restore(state)

    def reset(self, **options: Any) -> None:
        """Back to a new fake's state; journal and faults cleared.

        ``options`` (those of the constructor) apply until the next reset; without them
        the fake gets the options it was made with.
        """
        fresh = FakeImageService(**{**self._options, **options})
        with self._rpc.lock:
            self._rpc.service = fresh.service
            self.clock = fresh.clock

    def save_state(self, path: str | Path | None = None) -> Path:
        """Write the fake's state (images, disks, snapshots, bindings, operations, keys,
        clock and ID source; not the journal or faults) to ``path`` (default:
        ``state_file``) as a state file (``contracts/state.schema.json``), atomically."""
        target = path if path is not None else self.state_file
        if target is None:
            raise ValueError("save_state() needs a path: this fake has no state_file")
        with self._rpc.lock:
            data = dump_state(self.service)
        return write_state_file(target, data)

    def load_state(self, source: str | Path | Mapping[str, Any] | list[Any]) -> None:
        """Replace the fake's state with a state file's (a path) or state data: back to a
        new fake's state, as :meth:`reset`, then the file's. A bad file raises
        ``StateError`` (a ValueError naming the field) and the fake is left unchanged."""
        # A file's data is ours; a caller's is copied, so nothing loaded shares it.
        data = read_state_file(source) if isinstance(source, str | Path) else copy.deepcopy(source)
        state = check_state(data)
        now = state_clock(state)
        before = self._rpc.service, self.clock
        self.reset(**({} if now is None else {"start_time": now}))
        try:
            load_state(self.controls, state)
        except BaseException:
            with self._rpc.lock:
                self._rpc.service, self.clock = before
            raise

    @property
    def journal(self) -> Journal:
        return self.service.journal

    # --- time and operations -------------------------------------------------------
    @property
    def completion(self) -> str:
        return str(self.service.lifecycle.completion)

    @completion.setter
    def completion(self, mode: str) -> None:
        self._control("set_completion", {"mode": mode})

    def advance(self, seconds: float) -> None:
        """Move the virtual clock; clock-driven operations that are due finish. The clock
        stays within RFC 3339's years: ``seconds`` finite, not negative, and the clock not
        past 9999-12-31T23:59:59Z."""
        self._control("advance_clock", {"seconds": seconds})

    def complete(self, operation_id: str) -> dict[str, Any]:
        return dict(self._control("complete_operation", {}, operationId=operation_id))

    def fail_operation(
        self, operation_id: str, code: Code | str = Code.INTERNAL, message: str = "Operation failed"
    ) -> dict[str, Any]:
        """Finish a running operation with ``code`` (not OK) and ``message``."""
        body = {"code": code_json(code), "message": message}
        return dict(self._control("fail_operation", body, operationId=operation_id))

    # --- faults --------------------------------------------------------------------
    def fail_next(
        self,
        method: str,
        code: Code | str = Code.UNAVAILABLE,
        *,
        times: int | None = 1,
        message: str = "",
    ) -> ErrorFault:
        """The next ``times`` calls of ``method`` (``"*"``: any) fail with ``code``."""
        return self._script(ErrorFault, method, code=code, times=times, message=message)

    def add_latency(self, method: str, seconds: float, *, times: int | None = None) -> LatencyFault:
        """Replies to ``method`` wait ``seconds`` of real time (to test client timeouts);
        at most 60 s. Through :attr:`transport` a client whose read timeout is shorter
        waits only that long and gets ``httpx.ReadTimeout``, as from a slow server (the
        call is made all the same)."""
        return self._script(LatencyFault, method, seconds=seconds, times=times)

    def lose_reply(self, method: str, *, times: int = 1) -> LostReplyFault:
        """The change is applied but the caller gets UNAVAILABLE (retry with Idempotency-Key)."""
        return self._script(LostReplyFault, method, times=times)

    def fail_next_operation(
        self,
        method: str = "Create",
        code: Code | str = Code.INTERNAL,
        *,
        after_polls: int = 0,
        message: str = "",
        times: int = 1,
    ) -> OperationFault:
        """The next operation(s) of ``method`` end in ``code`` (after ``after_polls`` polls);
        a failed Create leaves its image in ERROR."""
        return self._script(
            OperationFault, method, code=code, message=message, times=times, afterPolls=after_polls
        )

    def _script(self, kind: type[F], method: str, **fields: Any) -> F:
        fault = fault_from_spec({"kind": kind.kind, "method": method, **fields})
        assert isinstance(fault, kind)  # the spec's kind is kind's
        return self.controls.add_fault(fault)

    def add_fault(self, fault: Fault | Mapping[str, Any]) -> Fault:
        """Script a fault: one of the fault types, or a spec as ``POST /_fake/faults`` and
        the ``yc_images`` marker take it (``{"kind": "error", "method": "Create",
        "code": "UNAVAILABLE", "times": 1}``; ``kind`` defaults to ``error``). Either is
        checked as that route checks a spec (a ControlError naming the field)."""
        return self.controls.add_fault(checked_fault(fault))

    @property
    def faults(self) -> list[Fault]:
        """The scripted faults, in the order they were added."""
        return [fault for fault, _ in self.controls.list_faults()]

    def fired(self, fault: Fault) -> int:
        """How often ``fault`` (as a fault method returned it) has fired."""
        return self.controls.fired(fault)

    def unfired_faults(self) -> list[Fault]:
        return self.controls.unfired_faults()


def _json_names(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Python keywords as the JSON names of a control's body: ``os_type`` -> ``osType``."""
    return {_CAMEL.sub(lambda m: m[1].upper(), name): value for name, value in fields.items()}


_CAMEL = re.compile(r"_([a-z])")

__all__ += ["PUBLIC_FOLDER"]
