"""scripts/wfmon.py, the Python half of the scripts: module lists, JUnit counts and the
verdict on `make test`'s Odoo log. Plain Python, no Odoo."""

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "wfmon.py"
_spec = importlib.util.spec_from_file_location("wfmon_scripts", SCRIPT)
wfmon = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(wfmon)

RESULT_OK = (
    "2026-01-05 10:00:03,000 7 INFO db odoo.tests.result: "
    "0 failed, 0 error(s) of 12 tests when loading database 'db'"
)
RESULT_FAILED = (
    "2026-01-05 10:00:03,000 7 ERROR db odoo.tests.result: "
    "1 failed, 2 error(s) of 12 tests when loading database 'db'"
)
SKIP = "2026-01-05 10:00:02,000 7 INFO db odoo.addons.x.tests.test_a: skipped test_b : no"
WARNING = "2026-01-05 10:00:01,000 7 WARNING db odoo.models: something odd"


@pytest.fixture
def files(tmp_path):
    ignore = tmp_path / "ignore.txt"
    ignore.write_text("# a known one, with its reason\nknown warning\n")

    def write(*lines):
        log = tmp_path / "odoo.log"
        log.write_text("\n".join(lines) + "\n")
        return str(log), str(ignore)

    return write


def test_modules_lists_installable_addons_and_filters(tmp_path):
    for name, manifest, tests in (
        ("b_mod", "{'name': 'B'}", True),
        ("a_mod", "{'name': 'A'}", False),
        ("test_c", "{'name': 'C'}", True),
        ("old", "{'name': 'Old', 'installable': False}", True),
    ):
        (tmp_path / name / "tests").mkdir(parents=True)
        (tmp_path / name / "__manifest__.py").write_text(manifest)
        if tests:
            (tmp_path / name / "tests" / "test_x.py").write_text("")
    (tmp_path / "not_an_addon").mkdir()
    assert wfmon.modules(tmp_path) == ["a_mod", "b_mod", "test_c"]
    assert wfmon.modules(tmp_path, suite=True) == ["a_mod", "b_mod"]
    assert wfmon.modules(tmp_path, with_tests=True) == ["b_mod", "test_c"]


def test_junit_counts_skips_are_neither_passed_nor_failed(tmp_path):
    report = tmp_path / "junit.xml"
    report.write_text(
        '<testsuites><testsuite tests="10" failures="1" errors="2" skipped="3"/>'
        '<testsuite tests="5" failures="0" errors="0" skipped="0"/></testsuites>'
    )
    assert wfmon.junit_counts(report) == (9, 3)


def test_clean_log_passes(files):
    log, ignore = files(SKIP, "2026-01-05 10:00:02,500 7 WARNING db x: known warning", RESULT_OK)
    passed, failed, problems = wfmon.odoo_result(log, ignore, 0, "x")
    assert (passed, failed, problems) == (11, 0, [])


def test_failures_warnings_and_exit_status_are_all_reported(files, capsys):
    log, ignore = files(WARNING, "Traceback (most recent call last):", RESULT_FAILED)
    passed, failed, problems = wfmon.odoo_result(log, ignore, 1, "x")
    assert (passed, failed) == (9, 3)
    assert problems == [
        "odoo exited with status 1",
        "1 Odoo test(s) failed and 2 errored",
        "2 WARNING/ERROR/CRITICAL log entries (listed above)",  # the warning, the ERROR result
    ]
    err = capsys.readouterr().err
    assert "  | " + WARNING in err
    assert "  | Traceback (most recent call last):" in err


def test_no_result_line_counts_as_one_failure(files, tmp_path):
    log, ignore = files("2026-01-05 10:00:01,000 7 INFO db odoo: starting")
    stdout = tmp_path / "stdout"
    stdout.write_text("Running as user 'root' is a security risk.\nImportError: boom\n")
    passed, failed, problems = wfmon.odoo_result(log, ignore, 0, "x", str(stdout))
    assert (passed, failed) == (0, 1)
    assert problems == ["Odoo wrote no test result line (install failed or crashed?)"]


def test_zero_tests_is_a_problem_only_when_addons_ship_tests(files):
    zero = (
        "2026-01-05 10:00:03,000 7 WARNING db odoo.tests.result: "
        "0 failed, 0 error(s) of 0 tests when loading database 'db'"
    )
    log, ignore = files(zero)
    assert wfmon.odoo_result(log, ignore, 0, "")[2] == []
    problems = wfmon.odoo_result(log, ignore, 0, "x")[2]
    assert problems[0].startswith("no Odoo test ran although x ship tests")


def test_log_gate_alone_needs_no_test_result(files, tmp_path, capsys):
    """An upgrade runs no test: a clean log passes, any other WARNING fails it."""
    log, ignore = files(SKIP, "2026-01-05 10:00:02,500 7 WARNING db x: known warning")
    assert wfmon.log_gate(log, ignore) == []
    log, ignore = files(SKIP, WARNING)
    assert wfmon.log_gate(log, ignore) == [f"1 WARNING/ERROR/CRITICAL log entries in {log}"]
    assert "something odd" in capsys.readouterr().err
    assert wfmon.log_gate(str(tmp_path / "none.log"), ignore) == [
        f"no log at {tmp_path / 'none.log'}"
    ]
    assert wfmon.main(["log-gate", "--log", log, "--ignore", ignore]) == 1


def test_an_ignore_pattern_needs_its_reason(tmp_path, files):
    log, _ignore = files(RESULT_OK)
    ignore = tmp_path / "bad-ignore.txt"
    ignore.write_text("# fine\nfirst\nsecond\n")
    problems = wfmon.odoo_result(log, str(ignore), 0, "x")[2]
    assert problems == [f"{ignore} is malformed (see above)"]


def _fake_browser(directory, name, script):
    path = directory / name
    path.write_text(f"#!/bin/sh\n{script}\n")
    path.chmod(0o755)
    return path


def test_chrome_is_found_as_odoo_finds_it(tmp_path, monkeypatch):
    _fake_browser(tmp_path, "chromium-browser", "echo Chromium 1.0")
    _fake_browser(tmp_path, "chromium", "echo Chromium 2.0")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert wfmon.chrome() == (str(tmp_path / "chromium"), "Chromium 2.0"), "Odoo's order"


def test_no_chrome_or_one_that_does_not_run_is_none(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert wfmon.chrome() is None
    _fake_browser(tmp_path, "google-chrome", "echo missing libnss3.so >&2; exit 127")
    assert wfmon.chrome() is None, "a browser that cannot start would only skip the tours"
