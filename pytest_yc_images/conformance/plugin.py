"""The suite's pytest plugin: options, fixtures, safety gates, cleanup and the report.

Loaded by ``contracts/conformance/conftest.py`` (or ``-p pytest_yc_images.conformance.plugin``).
The token is read from ``$YC_IAM_TOKEN`` only, so it never sits on a command line.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from .api import Api
from .cases import MESSAGES
from .client import NotExpressible
from .preflight import DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT, PreflightError, preflight
from .report import Report
from .rules import catalogue
from .safety import Budget, Redactor, RunIdentity, new_run_id
from .target import Target, TargetError

__all__ = [
    "api",
    "bound_image",
    "conformance_api",
    "run_identity",
    "scratch_image",
    "sharing_image",
    "source_image_id",
    "subject",
    "target",
]

_TARGET = pytest.StashKey[Target]()
_RUN = pytest.StashKey[RunIdentity]()
_REPORT = pytest.StashKey[Report]()
_BUDGET = pytest.StashKey[Budget]()
_MARKERS = (
    "rule(*ids): the documented rules (rules.catalogue ids) this contract checks",
    "mutating: the contract creates, updates or deletes images (needs loopback or "
    "--yc-allow-mutations)",
    "profile(name): the profile the contract belongs to (seed or live)",
)
PUBLIC_FOLDER = "standard-images"
DEFAULT_FAMILY = "ubuntu-2204-lts"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("yc-images", "Yandex Cloud ImageService fake (pytest-yc-images)")
    add = group.addoption
    add("--yc-endpoint", help="conformance: base URL serving /compute/v1/images")
    add(
        "--yc-operation-endpoint",
        help="conformance: base URL of /operations/{id} (default: --yc-endpoint)",
    )
    add("--yc-grpc-endpoint", metavar="HOST:PORT",
        help="conformance: check the gRPC face (TLS) at HOST:PORT, not --yc-endpoint")  # fmt: skip
    add("--yc-ca", metavar="PATH",
        help="conformance: PEM file of the CA to trust (default: the system's roots)")  # fmt: skip
    add("--yc-folder-id", help="conformance: the folder the suite works in")
    add("--yc-source-image-id", help="conformance: image to create images from "
        f"(default: latest {DEFAULT_FAMILY} of {PUBLIC_FOLDER})")  # fmt: skip
    add("--yc-subject-id", help="conformance: an account the access-binding contracts may "
        "bind a role to (default: a made-up one in-process and on loopback)")  # fmt: skip
    add("--yc-subject-type", default="userAccount",
        help="conformance: the type of --yc-subject-id (userAccount, serviceAccount or "
        "federatedUser)")  # fmt: skip
    add("--yc-allow-mutations", action="store_true", default=False,
        help="conformance: let mutating contracts run against a non-loopback endpoint")  # fmt: skip
    add("--yc-max-images", type=int, default=0, help="conformance: images a run may create "
        "(default: 60, or 1,000 in-process and on loopback)")  # fmt: skip
    add("--yc-fake", action="store_true", default=False,
        help="conformance: check the in-process fake (no network)")  # fmt: skip
    add("--yc-conformance-report", metavar="PATH", help="conformance: write a Markdown matrix")
    add("--yc-run-id", help="conformance: the run id (default: a new one)")
    add("--yc-operation-timeout", type=float, default=0.0,
        help="conformance: seconds to wait for one operation")  # fmt: skip
    add("--yc-connect-timeout", type=float, default=DEFAULT_CONNECT_TIMEOUT,
        help="conformance: seconds to wait for a connection (and the pre-flight's)")  # fmt: skip
    add("--yc-read-timeout", type=float, default=DEFAULT_READ_TIMEOUT,
        help="conformance: seconds the pre-flight waits for its answer")  # fmt: skip
    add("--yc-skip-preflight", action="store_true", default=False,
        help="conformance: no pre-flight (yc-images-conformance has run it)")  # fmt: skip
    add("--yc-brief", action="store_true", default=False,
        help="conformance: no tracebacks on the terminal (the report keeps them)")  # fmt: skip


def pytest_configure(config: pytest.Config) -> None:
    for marker in _MARKERS:
        config.addinivalue_line("markers", marker)
    opt = config.getoption
    try:
        target = Target.from_options(
            fake=opt("yc_fake"),
            endpoint=opt("yc_endpoint"),
            grpc_endpoint=opt("yc_grpc_endpoint"),
            ca=opt("yc_ca"),
            operation_endpoint=opt("yc_operation_endpoint"),
            folder_id=opt("yc_folder_id"),
            source_image_id=opt("yc_source_image_id"),
            allow_mutations=opt("yc_allow_mutations"),
            max_images=opt("yc_max_images"),
            # --yc-profile is the main plugin's (one option for the fake and the suite).
            profile=getattr(config.option, "yc_profile", None) or "live",
            operation_timeout=opt("yc_operation_timeout"),
            subject_id=opt("yc_subject_id"),
            subject_type=opt("yc_subject_type"),
        )
    except TargetError as exc:
        raise pytest.UsageError(f"yc-images conformance: {exc}") from None
    workerinput: dict[str, Any] = getattr(config, "workerinput", {})
    run_id = workerinput.get("yc_run_id") or opt("yc_run_id") or new_run_id()
    config.stash[_TARGET] = target
    config.stash[_RUN] = RunIdentity(run_id)
    config.stash[_BUDGET] = Budget(run_id, target.budget)
    report = Report(target.describe(), target.profile, target.mutations_allowed, run_id)
    if target.subject is None and target.mutations_allowed and target.profile == "live":
        report.notes.append(
            "**no --subject-id**: the access-binding contracts that bind a role did not run "
            "(they need an account of this cloud to bind it to)"
        )
    config.stash[_REPORT] = report
    if not hasattr(config, "workerinput"):
        config.pluginmanager.register(_Collector(config), "yc-images-conformance-collector")


def pytest_sessionstart(session: pytest.Session) -> None:
    """The pre-flight (preflight.py), once per run (on the controller), before any contract:
    a target that does not answer, is not trusted or refuses the token ends the run with one
    line and status 2."""
    config = session.config
    if hasattr(config, "workerinput") or config.getoption("yc_skip_preflight"):
        return
    try:
        preflight(config.stash[_TARGET], connect_timeout=config.getoption("yc_connect_timeout"),
                  read_timeout=config.getoption("yc_read_timeout"))  # fmt: skip
    except PreflightError as exc:
        pytest.exit(str(exc), returncode=2)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist: every worker of the run shares the controller's run id (and budget)."""
    node.workerinput["yc_run_id"] = node.config.stash[_RUN].run_id


def pytest_report_header(config: pytest.Config) -> list[str]:
    target = config.stash[_TARGET]
    mode = (
        "mutations allowed"
        if target.mutations_allowed
        else "read-only (mutating contracts skipped)"
    )
    return [f"yc-images conformance: {target.describe()}; profile {target.profile}; {mode}; "
            f"run {config.stash[_RUN].run_id}"]  # fmt: skip


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    target = config.stash[_TARGET]
    known = catalogue()
    kept, dropped = [], []
    for item in items:
        profile = item.get_closest_marker("profile")
        if profile and profile.args[0] != target.profile:
            dropped.append(item)
            continue
        kept.append(item)
        ids = [i for m in item.iter_markers("rule") for i in m.args]
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise pytest.UsageError(f"{item.nodeid}: unknown rule ids {unknown}")
        methods = sorted({known[i].method for i in ids if known[i].method != "*"})
        item.user_properties += [("rules", " ".join(ids)), ("method", ", ".join(methods))]
        if item.get_closest_marker("mutating") and not target.mutations_allowed:
            item.add_marker(pytest.mark.skip(
                reason="read-only run: a mutating contract, and the target is not on "
                "loopback (pass --allow-mutations to run it)"))  # fmt: skip
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Any:
    """A request the target's face cannot carry: the contract does not apply there."""
    try:
        return (yield)
    except NotExpressible as exc:
        pytest.skip(f"not expressible over gRPC: {exc}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    redact = Redactor(item.config.stash[_TARGET].token)
    if report.failed:
        api: Api | None = item.config.stash.get(_API, None)
        if api is not None and api.recorder.exchanges:
            report.user_properties.append(("exchange", api.recorder.exchanges[-1].short()))
        text = str(report.longrepr)
        if redact(text) != text:
            report.longrepr = redact(text)
    return report


class _Collector:
    """On the controller (or a run without xdist): every test report into the matrix."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when != "call" and report.passed:
            return
        if report.failed:
            lines = (report.longreprtext or "").strip().splitlines()
            errors = [ln[2:].strip() for ln in lines if ln.startswith("E ")]
            message = errors[0] if errors else (lines[-1] if lines else "")
        else:
            message = str(report.longrepr[-1]) if isinstance(report.longrepr, tuple) else ""
        redact = Redactor(self.config.stash[_TARGET].token)
        self.config.stash[_REPORT].add(
            report.nodeid, report.when, report.outcome, report.user_properties, redact(message)
        )


_API = pytest.StashKey[Api]()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Delete whatever this run left (also after failures and Ctrl-C); write the report.

    Each process deletes the images it created; only the controller sweeps the folder for
    the run's label, since under xdist it alone ends after every worker has: a worker that
    swept when it finished would delete images another worker was still using.
    """
    config = session.config
    target, run = config.stash[_TARGET], config.stash[_RUN]
    api = config.stash.get(_API, None)
    controller = not hasattr(config, "workerinput")
    if api is None and controller and not target.fake and target.mutations_allowed:
        with contextlib.suppress(Exception):  # xdist: the workers had the clients
            api = Api(target, run, config.stash[_BUDGET])
    if api is not None:
        with contextlib.suppress(Exception):
            api.cleanup()
            if controller and target.mutations_allowed and not target.fake:
                api.sweep(run.run_id)
        api.close()
    if controller:
        path = config.getoption("yc_conformance_report")
        if path:
            config.stash[_REPORT].write(path)
        shutil.rmtree(config.stash[_BUDGET].folder, ignore_errors=True)
        if config.getoption("yc_brief"):
            # Every report holds its traceback by now (JUnit and the report keep them): the
            # terminal shows none (TerminalReporter reads tbstyle for its failure sections).
            config.option.tbstyle = "no"


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """What ran, what failed grouped by rule, and where the report is."""
    if hasattr(config, "workerinput") or _TARGET not in config.stash:
        return
    path = config.getoption("yc_conformance_report")
    for line in config.stash[_REPORT].summary(path):
        terminalreporter.write_line(line)


# --- fixtures ------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def target(pytestconfig: pytest.Config) -> Target:
    """The implementation under test (see ``yc-images-conformance --help``)."""
    return pytestconfig.stash[_TARGET]


@pytest.fixture(scope="session")
def run_identity(pytestconfig: pytest.Config) -> RunIdentity:
    """This run's id, name prefix and label."""
    return pytestconfig.stash[_RUN]


@pytest.fixture(scope="session")
def conformance_api(pytestconfig: pytest.Config) -> Iterator[Api]:
    config = pytestconfig
    api = Api(config.stash[_TARGET], config.stash[_RUN], config.stash[_BUDGET])
    config.stash[_API] = api
    yield api
    api.cleanup()


@pytest.fixture
def api(conformance_api: Api) -> Iterator[Api]:
    """The checked client; images a contract creates are deleted when it ends."""
    before = set(conformance_api.owned.images)
    conformance_api.recorder.exchanges.clear()
    conformance_api.recorder.expected = frozenset()
    yield conformance_api
    mine = [i for i in conformance_api.owned.images
            if i not in before and i not in conformance_api.shared]  # fmt: skip
    left = conformance_api.cleanup(mine)
    reasons = {i: conformance_api.cleanup_errors.get(i, "?") for i in left}
    assert not left, (
        f"could not delete images {reasons}; `yc-images-conformance sweep` removes them"
    )


@pytest.fixture(scope="session")
def source_image_id(conformance_api: Api, target: Target) -> str:
    """An image to create from: --source-image-id, or the latest public Ubuntu 22.04."""
    if target.source_image_id:
        return target.source_image_id
    reply = conformance_api.latest(DEFAULT_FAMILY, PUBLIC_FOLDER)
    # API.md: the public folder holds ubuntu-2204-lts; a target without it fails here (a
    # broken target must never turn into skipped contracts).
    assert reply.status_code == 200, (
        f"no source image: {DEFAULT_FAMILY} in {PUBLIC_FOLDER} gives HTTP {reply.status_code} "
        f"{reply.text[:200]} (pass --source-image-id)"
    )
    return str(reply.json()["id"])


@pytest.fixture(scope="session")
def scratch_image(conformance_api: Api, source_image_id: str, target: Target) -> dict[str, Any]:
    """An image of this worker's own for Update cases, made from the source image (a Create
    names exactly one source; minDiskSize cases below the source's size are skipped)."""
    if not target.mutations_allowed:
        pytest.skip("read-only run")
    api = conformance_api
    image = api.create_ready(source_image_id, description="scratch")
    api.shared.add(str(image["id"]))
    return image


@pytest.fixture(scope="session")
def subject(target: Target) -> dict[str, str]:
    """The account the access-binding contracts bind a role to (:attr:`Target.subject`);
    against a real cloud without ``--subject-id`` they are not run, saying so."""
    found = target.subject
    if found is None:
        pytest.skip(NO_SUBJECT)
    return found


NO_SUBJECT = (
    "needs --subject-id: an account this target knows, to bind a role to (the suite binds "
    "none it was not given)"
)


@pytest.fixture(scope="session")
def sharing_image(
    conformance_api: Api, subject: dict[str, str], source_image_id: str, target: Target
) -> Iterator[dict[str, Any]]:
    """An image of this run's own that the access-binding contracts bind roles on (made
    only when there is a subject to bind); at the end its bindings are cleared (Set []) and
    it is deleted (``Api.cleanup``)."""
    if not target.mutations_allowed:
        pytest.skip("read-only run")
    api = conformance_api
    image = api.create_ready(source_image_id, description="access bindings")
    image_id = str(image["id"])
    api.shared.add(image_id)
    try:
        yield image
    finally:
        api.shared.discard(image_id)
        api.cleanup([image_id])


@pytest.fixture
def bound_image(
    api: Api, subject: dict[str, str], sharing_image: dict[str, Any]
) -> Iterator[dict[str, Any]]:
    """The run's sharing image, holding no binding when the contract starts; whatever the
    contract binds on it is cleared (Set [], waited for) when it ends, pass or fail."""
    image_id = str(sharing_image["id"])
    api.clear_access_bindings(image_id)
    try:
        yield sharing_image
    finally:
        api.clear_access_bindings(image_id)


assert set(MESSAGES)  # the cases' message table is part of this plugin's contract


def run_identity_of(config: pytest.Config) -> RunIdentity:
    """The run identity, at collection time (the boundary cases carry the run's marks)."""
    return config.stash[_RUN]
