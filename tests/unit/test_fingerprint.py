"""Tests of wfmon_core/tools/fingerprint.py, plus the odoo-free guarantee."""

import hashlib
import re
import subprocess
import sys
from pathlib import Path

from conftest import ADDONS_DIR, load_tool

fp = load_tool("wfmon_core", "fingerprint")


def test_known_digests_are_stable():
    assert fp.fingerprint("sla_breach", "helpdesk.ticket", 42) == (
        "b5fc6153720c6cc555d0f2df357e81042de86bd6"
    )
    assert fp.fingerprint("sla_breach", "helpdesk.ticket", 42, "response") == (
        "3eebb34cdab1b4c06a7e4f3e797f426dc31369fd"
    )


def test_format_and_none_key():
    expected = hashlib.sha1(b"stuck|project.task|7|", usedforsecurity=False).hexdigest()
    assert fp.fingerprint("stuck", "project.task", 7) == expected
    assert fp.fingerprint("stuck", "project.task", 7, None) == expected
    assert fp.fingerprint("stuck", "project.task", 7, "") == expected


def test_unicode_key():
    assert fp.fingerprint("stuck", "project.task", 7, "\u00e9tape") == (
        "e3169154381442d8b1ffc085759cdbaa7253d702"
    )


def test_distinct_inputs_give_distinct_fingerprints():
    values = {
        fp.fingerprint("a", "m", 1),
        fp.fingerprint("a", "m", 2),
        fp.fingerprint("b", "m", 1),
        fp.fingerprint("a", "n", 1),
        fp.fingerprint("a", "m", 1, "k"),
    }
    assert len(values) == 5
    assert all(len(v) == 40 for v in values)


def test_stable_across_processes():
    path = str(ADDONS_DIR / "wfmon_core" / "tools" / "fingerprint.py")
    code = (
        "import importlib.util as u, sys;"
        f"s = u.spec_from_file_location('f', {path!r});"
        "m = u.module_from_spec(s); s.loader.exec_module(m);"
        "print(m.fingerprint('sla_breach', 'helpdesk.ticket', 42))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == fp.fingerprint("sla_breach", "helpdesk.ticket", 42)


def test_tools_have_no_odoo_imports():
    """Every tools module is loaded from the addon by path and has no odoo import line."""
    odoo_import = re.compile(r"^\s*(from|import)\s+odoo\b", re.MULTILINE)
    tools_dir = ADDONS_DIR / "wfmon_core" / "tools"
    for path in sorted(tools_dir.glob("*.py")):
        assert not odoo_import.search(path.read_text(encoding="utf-8")), path
    for name in ("sla_clock", "escalation", "fingerprint"):
        module = load_tool("wfmon_core", name)
        assert Path(module.__file__).parent == tools_dir
        assert module.__name__ == f"wfmon_core_tools.{name}"
        assert load_tool("wfmon_core", name) is module
