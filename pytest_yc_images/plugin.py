"""The pytest plugin: fixtures, a marker and options for testing code against the fake.

Registered through the ``pytest11`` entry point; nothing to import or configure.
Every option is settable on the command line, as an ini key or by environment variable
(in that order of precedence): see ``pytest --help``, group ``yc-images``.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import Iterator
from functools import cached_property
from typing import Any

import httpx
import pytest

from ._contracts import DEFAULT_PROFILE, PROFILES
from ._core.access import AccessConfigError, parse_access
from ._fake import DEFAULT_TOKEN, FakeImageService
from ._fixture_values import YcGrpc, YcServer
from .faces.server import LoopbackServer
from .factories import ImageFactory, RequestFactory

__all__: list[str] = []  # pytest loads this module; tests import from pytest_yc_images

# name: (help, default, choices)
_OPTIONS: dict[str, tuple[str, str, tuple[str, ...] | None]] = {
    "profile": (
        "the API profile: live (today's ImageService) or seed (the seed documentation's); "
        "the fake's and the conformance suite's",
        DEFAULT_PROFILE,
        PROFILES,
    ),
    "completion": (
        "when the fake's operations finish",
        "on-poll",
        ("on-poll", "immediate", "manual", "clock"),
    ),
    "seed": ("seed for the fake's IDs (default: derived from each test's id)", "", None),
    "token": ("IAM token the yc_client fixtures send", DEFAULT_TOKEN, None),
    "unfired_faults": (
        "what to do with a scripted fault that never fired",
        "fail",
        ("fail", "ignore"),
    ),
    "unfinished_operations": (
        "what to do with operations still running when a test ends",
        "ignore",
        ("fail", "ignore"),
    ),
}
_MARKER_OPTIONS = (
    "profile",
    "completion",
    "images",
    "faults",
    "seed",
    "durations",
    "access",
    "unfired_faults",
    "unfinished_operations",
)
_MARKER = (
    "yc_images(*, profile=None, completion=None, images=(), faults=(), seed=None, "
    "durations=None, access=None, unfired_faults=None, unfinished_operations=None): "
    "configure this test's fake (yc_fake, which every face of the test serves: yc_client, "
    "yc_server, yc_grpc): the API profile (live or seed), the operation completion mode, "
    "images to put in first (JSON mapping, folderId defaults to yc_folder_id), faults to "
    "script ({'kind': 'error', 'method': 'Create', 'code': 'UNAVAILABLE', 'times': 1}), "
    "virtual durations per method, the tokens that may call and their folders "
    "({'token': ['folder', ...]}, or {'token': {'folders': [...], 'subject': {'id': ..., "
    "'type': 'userAccount'}, 'groups': ['group:organization:<id>:users']}} to name the "
    "subject that access bindings share images with), and the teardown checks."
)


def _flag(name: str) -> str:
    return "--yc-" + name.replace("_", "-")


def _ini(name: str) -> str:
    return "yc_images_" + name


def _env(name: str) -> str:
    return "YC_IMAGES_" + name.upper()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("yc-images", "Yandex Cloud ImageService fake (pytest-yc-images)")
    for name, (text, default, choices) in _OPTIONS.items():
        where = f"ini {_ini(name)}, env {_env(name)}; default {default or 'none'}"
        group.addoption(
            _flag(name), dest="yc_" + name, default=None, choices=choices, help=f"{text} ({where})"
        )
        parser.addini(_ini(name), f"{text} (see {_flag(name)})", default=None)


# The official SDK's own operation waiter builds a RetryInterceptor, a class the SDK itself
# deprecated: under ``filterwarnings = error`` every wait would fail on a warning the code
# under test cannot act on. Only that warning, raised from that module, is ignored.
_SDK_WAITER_WARNING = (
    "ignore:Call to deprecated class RetryInterceptor:DeprecationWarning:"
    "yandexcloud._operation_waiter"
)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", _MARKER)
    config.addinivalue_line("filterwarnings", _SDK_WAITER_WARNING)
    # One --yc-profile for the fake and the conformance suite: resolved here (command
    # line, environment, ini, default), and what the conformance plugin reads.
    config.option.yc_profile = _setting(config, "profile")
    for name, (_, _, choices) in _OPTIONS.items():
        if choices:  # a bad ini or environment value: one usage error, at start-up
            _setting(config, name)


_SETTINGS = pytest.StashKey[dict[str, str]]()


def _setting(config: pytest.Config, name: str) -> str:
    """An option's value (command line, then environment, then ini, then default),
    resolved once per session: fixtures ask for it in every test."""
    cache = config.stash.setdefault(_SETTINGS, {})
    if name not in cache:
        cache[name] = _resolve(config, name)
    return cache[name]


def _resolve(config: pytest.Config, name: str) -> str:
    value = (
        config.getoption("yc_" + name) or os.environ.get(_env(name)) or config.getini(_ini(name))
    )
    value = value or _OPTIONS[name][1]
    choices = _OPTIONS[name][2]
    if choices and value not in choices:
        raise pytest.UsageError(f"{_ini(name)}/{_env(name)}: {value!r} is not one of {choices}")
    return str(value)


def _marker_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for marker in reversed(list(request.node.iter_markers("yc_images"))):
        if marker.args:
            raise pytest.UsageError("@pytest.mark.yc_images takes keyword arguments only")
        options.update(marker.kwargs)
    unknown = set(options) - set(_MARKER_OPTIONS)
    if unknown:
        raise pytest.UsageError(
            f"@pytest.mark.yc_images: unknown options {sorted(unknown)}; "
            f"known: {', '.join(_MARKER_OPTIONS)}"
        )
    for name in ("completion", "unfired_faults", "unfinished_operations"):
        choices = _OPTIONS[name][2] or ()
        if options.get(name) is not None and options[name] not in choices:
            raise pytest.UsageError(
                f"@pytest.mark.yc_images({name}={options[name]!r}): "
                f"choose one of {', '.join(choices)}"
            )
    return options


def _test_seed(request: pytest.FixtureRequest) -> str:
    return hashlib.blake2s(request.node.nodeid.encode(), digest_size=8).hexdigest()


def _folder_for(request: pytest.FixtureRequest) -> str:
    digest = hashlib.blake2s(request.node.nodeid.encode(), digest_size=16).hexdigest()
    return "b1g" + digest[:17]


def _access(access: Any) -> Any:
    """The marker's ``access=``, checked here so a bad one names the marker."""
    if access is not None:
        try:
            parse_access(access)
        except AccessConfigError as exc:
            raise pytest.UsageError(f"@pytest.mark.yc_images(access=...): {exc}") from None
    return access


class _TestSettings:
    """What the fixtures of one test need from pytest, each read when first needed: the
    options as the command line, environment, ini and the test's ``yc_images`` marker
    give them (a test that only takes ``yc_folder_id`` never reads the marker)."""

    def __init__(self, request: pytest.FixtureRequest) -> None:
        self._request = request

    @cached_property
    def folder_id(self) -> str:  # yc_folder_id's own value (a test may override that fixture)
        return _folder_for(self._request)

    @cached_property
    def marker(self) -> dict[str, Any]:
        return _marker_options(self._request)

    @cached_property
    def profile(self) -> str:
        """The API profile: the marker's ``profile`` (read alone: ``yc_requests`` needs
        nothing else of the marker), else the option."""
        markers = self._request.node.iter_markers("yc_images")
        given = next((m.kwargs["profile"] for m in markers if "profile" in m.kwargs), None)
        profile = given or _setting(self._request.config, "profile")
        if profile not in PROFILES:
            raise pytest.UsageError(
                f"@pytest.mark.yc_images(profile={profile!r}): choose one of {', '.join(PROFILES)}"
            )
        return str(profile)

    @cached_property
    def fake_options(self) -> dict[str, Any]:  # FakeImageService keywords
        config, seed = self._request.config, self.marker.get("seed")
        if seed is None:
            seed = _setting(config, "seed") or _test_seed(self._request)
        return {
            "seed": seed,
            "profile": self.profile,
            "completion": self.marker.get("completion") or _setting(config, "completion"),
            "durations": self.marker.get("durations"),
            "access": _access(self.marker.get("access")),
        }

    @cached_property
    def token(self) -> str:
        return _setting(self._request.config, "token")

    def check(self, name: str) -> str:
        """``unfired_faults`` or ``unfinished_operations``: ``"fail"`` or ``"ignore"``."""
        return str(self.marker.get(name) or _setting(self._request.config, name))


# Only this fixture takes ``request``: pytest builds a new definition of ``request`` each
# time a fixture asks for it (with inspect.signature): about 0.1 ms per test when
# yc_folder_id, yc_fake and yc_client each asked (benchmarks/bench_pytest.py).
@pytest.fixture
def _yc_settings(request: pytest.FixtureRequest) -> _TestSettings:
    return _TestSettings(request)


def _prepare(fake: FakeImageService, marker: dict[str, Any], folder_id: str) -> None:
    for image in marker.get("images", ()):
        fake.put_image(**{"folderId": folder_id, **image})
    for fault in marker.get("faults", ()):
        fake.add_fault(fault)


def _check(fake: FakeImageService, settings: _TestSettings) -> None:
    __tracebackhide__ = True
    if settings.check("unfired_faults") == "fail":
        unfired = fake.unfired_faults()
        if unfired:
            lines = "\n".join(f"  - {fault.describe()}" for fault in unfired)
            pytest.fail(
                f"yc_fake: {len(unfired)} scripted fault(s) never fired:\n{lines}\n"
                "Remove them, make the code under test reach them, or turn this check off "
                "with @pytest.mark.yc_images(unfired_faults='ignore') or "
                "--yc-unfired-faults=ignore.",
                pytrace=False,
            )
    if settings.check("unfinished_operations") == "fail":
        running = fake.unfinished_operations()
        if running:
            pytest.fail(
                f"yc_fake: {len(running)} operation(s) still running at the end of the test: "
                f"{', '.join(running)}. Poll them to completion (GET /operations/{{id}}) or "
                "turn this check off with @pytest.mark.yc_images(unfinished_operations='ignore').",
                pytrace=False,
            )


@pytest.fixture
def yc_folder_id(_yc_settings: _TestSettings) -> str:
    """A folder ID of this test's own (stable across runs, unique per test)."""
    return _yc_settings.folder_id


@pytest.fixture
def yc_fake(_yc_settings: _TestSettings, yc_folder_id: str) -> Iterator[FakeImageService]:
    """A fresh in-memory ImageService for this test, configured by options and the
    ``yc_images`` marker; every face the test uses (``yc_client``, ``yc_async_client``,
    ``yc_server``, ``yc_grpc``) serves this one fake. Its controls: ``put_image``,
    ``fail_next``, ``lose_reply``, ``fail_next_operation``, ``add_latency``, ``advance``,
    ``complete``, ``journal``..."""
    __tracebackhide__ = True
    fake = FakeImageService(**_yc_settings.fake_options)
    _prepare(fake, _yc_settings.marker, yc_folder_id)
    yield fake
    _check(fake, _yc_settings)


@pytest.fixture
def yc_client(yc_fake: FakeImageService, _yc_settings: _TestSettings) -> Iterator[httpx.Client]:
    """An ``httpx.Client`` wired to ``yc_fake`` in-process: base URL
    https://compute.api.cloud.yandex.net (operation URLs reach the fake too) and the
    bearer token set."""
    with yc_fake.client(token=_yc_settings.token) as client:
        yield client


@pytest.fixture
def yc_async_client(
    yc_fake: FakeImageService, _yc_settings: _TestSettings
) -> Iterator[httpx.AsyncClient]:
    """An ``httpx.AsyncClient`` wired to ``yc_fake`` in-process, like ``yc_client``."""
    client = yc_fake.async_client(token=_yc_settings.token)
    yield client
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(client.aclose())


@pytest.fixture
def yc_images(yc_fake: FakeImageService, yc_folder_id: str) -> ImageFactory:
    """Builds valid images and puts them into ``yc_fake`` (in ``yc_folder_id``):
    ``yc_images.create("windows", name=...)``, ``yc_images.family("app", versions=3)``,
    ``yc_images.build(...)`` for a document that is not stored."""
    return ImageFactory(yc_fake, folder_id=yc_folder_id)


@pytest.fixture
def yc_requests(yc_folder_id: str, _yc_settings: _TestSettings) -> RequestFactory:
    """Builds valid Create/Update/List requests for ``yc_folder_id``, in the test fake's
    profile (``--yc-profile``, the marker's ``profile=``)."""
    return RequestFactory(folder_id=yc_folder_id, profile=_yc_settings.profile)


# The servers start once per session (per xdist worker): start-up is the costly part.
# Between tests they answer from an idle fake of their own, so a request that outlives
# its test never reaches the next test's fake.
@pytest.fixture(scope="session")
def _yc_session_server() -> Iterator[tuple[LoopbackServer, FakeImageService]]:
    idle = FakeImageService(standard=False)
    server = idle.serve()
    yield server, idle
    server.stop()


@pytest.fixture
def yc_server(
    yc_fake: FakeImageService,
    _yc_settings: _TestSettings,
    _yc_session_server: tuple[LoopbackServer, FakeImageService],
) -> Iterator[YcServer]:
    """A real HTTP server on 127.0.0.1 answering from this test's ``yc_fake``: ``.url``
    for code that takes a base URL (compute and operation paths on the same port),
    ``.fake`` (``yc_fake``) for the controls, ``.token`` to send. Started once per
    session (per xdist worker)."""
    server, idle = _yc_session_server
    yc_fake.attach(server)
    yield YcServer(server.url, yc_fake, _yc_settings.token)
    idle.attach(server)


@pytest.fixture
def yc_server_url(yc_server: YcServer) -> str:
    """The base URL of ``yc_server`` (``http://127.0.0.1:PORT``)."""
    return yc_server.url


@pytest.fixture(scope="session")
def _yc_session_grpc(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Any, FakeImageService, Any]]:
    try:
        import pytest_yc_images.faces.grpc  # noqa: F401
    except ImportError as exc:
        pytest.skip(f"yc_grpc needs the grpc extra: pip install pytest-yc-images[grpc] ({exc})")
    idle = FakeImageService(standard=False)
    server = idle.serve_grpc()
    ca_path = server.write_ca(tmp_path_factory.mktemp("yc-grpc") / "ca.pem")
    yield server, idle, ca_path
    server.stop()


@pytest.fixture
def yc_grpc(
    yc_fake: FakeImageService,
    _yc_settings: _TestSettings,
    _yc_session_grpc: tuple[Any, FakeImageService, Any],
) -> Iterator[YcGrpc]:
    """The fake over gRPC with TLS, answering from this test's ``yc_fake``, for code that
    uses the official SDK (``yandexcloud``): ``.endpoint`` (``localhost:PORT``),
    ``.ca_pem`` and ``.ca_path`` (pass the CA explicitly: ``root_certificates=``),
    ``.sdk`` (a ready ``yandexcloud.SDK``), ``.fake`` (``yc_fake``) and ``.token``.
    Started once per session; needs ``pip install pytest-yc-images[grpc]`` (skips
    without it)."""
    import yandexcloud

    server, idle, ca_path = _yc_session_grpc
    token = _yc_settings.token
    yc_fake.attach(server)
    sdk = yandexcloud.SDK(
        endpoint=server.endpoint, iam_token=token, root_certificates=server.ca_pem
    )
    yield YcGrpc(server.endpoint, server.ca_pem, ca_path, sdk, yc_fake, token)
    idle.attach(server)
