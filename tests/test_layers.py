"""The package's layers, read from its import statements: contracts -> core -> request
path -> faces -> the fake, the plugin and the CLI; nothing imports upward, nothing
imports the plugin, and the conformance suite uses only the public API."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "pytest_yc_images"

# Each module of the package, by its dotted name below the package, in one layer; a
# module may import its own layer and the layers before it.
LAYERS: list[tuple[str, set[str]]] = [
    ("errors", {"errors"}),
    ("contracts", {"_contracts", "_routes", "_schema_model"}),
    ("core", {"_core"}),
    (
        "request path",
        {"_rpc", "_wire", "_validation", "_element_checks", "_controls", "_control_checks"}
        | {"_control_routes", "_state", "_state_operations", "_catalogue"},
    ),
    ("faces", {"faces"}),
    (
        "top",
        {
            "_fake",
            "_state_file",
            "_fixture_values",
            "factories",
            "strategies",
            "_schema_strategies",
            "schemathesis_checks",
            "cli",
            "plugin",
            "__init__",
        },
    ),
]
_CORE_MAY_IMPORT = {"errors", "_core"}  # the core is pure: nothing of ours but errors


def _layer(module: str) -> int:
    head = module.split(".")[0]
    for index, (_, members) in enumerate(LAYERS):
        if head in members or module in members:
            return index
    raise AssertionError(f"{module} is in no layer: add it to LAYERS in {__file__}")


def _modules() -> list[str]:
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).with_suffix("")
        names.append(".".join(relative.parts).removesuffix(".__init__") or "__init__")
    return names


def _imports(module: str) -> set[str]:
    """What ``module`` imports of the package, as dotted names below it (lazy imports
    inside functions too)."""
    parts = module.split(".")
    path = PACKAGE.joinpath(*parts)
    is_package = path.is_dir() or module == "__init__"
    source = (path / "__init__.py") if path.is_dir() else path.with_suffix(".py")
    if module == "__init__":
        source = PACKAGE / "__init__.py"
    here = parts if is_package and module != "__init__" else parts[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - (node.level - 1)] if node.level > 1 else here
                target = [*base, *(node.module.split(".") if node.module else [])]
                if not node.module:  # from . import x: x is a module of base
                    found |= {".".join([*base, alias.name]) for alias in node.names}
                    continue
                found.add(".".join(target))
            elif node.module and node.module.startswith("pytest_yc_images"):
                found.add(node.module.removeprefix("pytest_yc_images").lstrip(".") or "__init__")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("pytest_yc_images"):
                    found.add(alias.name.removeprefix("pytest_yc_images").lstrip(".") or "__init__")
    return {name or "__init__" for name in found}


PACKAGE_MODULES = [m for m in _modules() if not m.startswith("conformance")]


@pytest.mark.parametrize("module", PACKAGE_MODULES)
def test_nothing_imports_upward(module: str) -> None:
    mine = _layer(module)
    for imported in _imports(module):
        if imported.startswith("conformance"):
            raise AssertionError(f"{module} imports the conformance suite ({imported})")
        assert _layer(imported) <= mine, (
            f"{module} ({LAYERS[mine][0]}) imports {imported} "
            f"({LAYERS[_layer(imported)][0]}), a later layer"
        )


@pytest.mark.parametrize("module", [m for m in PACKAGE_MODULES if m.startswith("_core")])
def test_the_core_imports_only_errors_and_itself(module: str) -> None:
    for imported in _imports(module):
        assert imported.split(".")[0] in _CORE_MAY_IMPORT, f"{module} imports {imported}"


@pytest.mark.parametrize("module", _modules())
def test_nothing_imports_the_plugin(module: str) -> None:
    assert "plugin" not in _imports(module), f"{module} imports the plugin"


@pytest.mark.parametrize("module", [m for m in _modules() if m.startswith("conformance")])
def test_the_conformance_suite_uses_only_the_public_api(module: str) -> None:
    for imported in _imports(module):
        public = ("__init__", "strategies")  # the public API (strategies: a public module)
        assert imported in public or imported.startswith("conformance"), (
            f"{module} imports pytest_yc_images.{imported}: only the public API (it must "
            "also run against the live cloud)"
        )


def test_the_reader_sees_imports() -> None:  # the checks above read something
    assert {"errors", "_core.model", "_core.rpcs"} <= _imports("_core.service")
    assert "_rpc" in _imports("faces.rest")
    assert "__init__" in _imports("conformance.cases")
    assert "_contracts" in _imports("_validation")  # from . import _contracts
