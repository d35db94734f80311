"""Pytest configuration for the odoo-free unit tests.

Addon ``tools`` modules are loaded BY FILE PATH (never through the ``odoo.addons``
namespace), so these tests run whether or not odoo is installed and must never
import it. ``load_tool("wfmon_core", "sla_clock")`` returns the module registered
as ``wfmon_core_tools.sla_clock``; the synthetic ``wfmon_core_tools`` package is
built from ``addons/wfmon_core/tools/__init__.py`` so relative imports between
tools modules of the same addon keep working.
"""

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
ADDONS_DIR = REPO_ROOT / "addons"


def _exec_module(name: str, path: Path, package_dir: Path | None = None) -> ModuleType:
    """Create, register in ``sys.modules`` and execute the module at ``path``."""
    locations = [str(package_dir)] if package_dir is not None else None
    spec = importlib.util.spec_from_file_location(name, path, submodule_search_locations=locations)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {name} from {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def _tools_package(module_dir: str) -> str:
    """Load (once) the synthetic package ``<module_dir>_tools``; return its name."""
    package = f"{module_dir}_tools"
    if package not in sys.modules:
        tools_dir = ADDONS_DIR / module_dir / "tools"
        init = tools_dir / "__init__.py"
        if not init.is_file():
            raise ImportError(f"no tools package in {tools_dir}")
        _exec_module(package, init, package_dir=tools_dir)
    return package


def load_tool(module_dir: str, name: str) -> ModuleType:
    """Load ``addons/<module_dir>/tools/<name>.py`` by path as ``<module_dir>_tools.<name>``.

    Modules are cached in ``sys.modules``; loading twice returns the same object.
    """
    qualified = f"{_tools_package(module_dir)}.{name}"
    if qualified in sys.modules:
        return sys.modules[qualified]
    path = ADDONS_DIR / module_dir / "tools" / f"{name}.py"
    if not path.is_file():
        raise ImportError(f"no tool module {path}")
    return _exec_module(qualified, path)


@pytest.fixture(scope="session")
def tool_loader():
    """Fixture form of :func:`load_tool`."""
    return load_tool


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the session if anything imported odoo."""
    if "odoo" in sys.modules:
        sys.stderr.write("\nERROR: odoo was imported during the odoo-free unit tests\n")
        session.exitstatus = 1
