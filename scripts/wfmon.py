"""The Python half of the wfmon scripts: everything scripts/*.sh would otherwise embed.

Usage: python3 scripts/wfmon.py COMMAND [ARGS]   (run by the interpreter that runs Odoo,
$WFMON_PYTHON; only ``check-odoo``, ``addons-path`` and ``odoo-pins`` import Odoo)

  modules [--suite] [--with-tests]   our installable addons, one per line, sorted
                                     (--suite: without the test-only test_* addons;
                                     --with-tests: those shipping tests/test_*.py)
  addons-path                        Odoo's own addons directories, then $WFMON_ADDONS and
                                     $WFMON_EXTRA_ADDONS_PATH, comma-separated
  check-odoo                         exit 0 when ``import odoo`` gives Odoo 18.0
  odoo-pins                          pip constraints freezing the packages Odoo pins
  has-module NAME                    exit 0 when NAME is importable
  chrome                             the Chrome / Chromium that Odoo's browser tests (tours)
                                     start, with its version; exit 1 when there is none
  port-free PORT                     exit 0 when 127.0.0.1:PORT can be bound
  tcp-open HOST PORT                 exit 0 when something accepts a connection there
  junit-counts FILE                  "<passed> <failed>" of a pytest JUnit XML report
  odoo-result --log F --ignore F --result F [--stdout F] [--odoo-exit N]
              [--modules-with-tests M,N]
                                     read the log of `make test`'s Odoo run: test counts,
                                     the log gate, the verdict (see ``odoo_result``)
  log-gate --log F --ignore F        the log gate alone, for Odoo runs without tests (an
                                     upgrade): exit 1 and list the WARNING/ERROR/CRITICAL
                                     entries the ignore file does not cover
  bench-results PARTS OUT LOAD COMMIT DIRTY NAME...
                                     gather the benchmarks' figures into one JSON file
  readme [--check] [MODULE...]       write each addon's README.rst from its readme/*.md
                                     (scripts/wfmon_readme.py); --check: list the stale ones

Plain standard library, so that it runs before anything is installed.
"""

import argparse
import ast
import datetime
import json
import os
import pathlib
import re
import socket
import sys
import xml.etree.ElementTree as ET

REPO = pathlib.Path(__file__).resolve().parent.parent


def _env_path(name, default):
    return pathlib.Path(os.environ.get(name) or default)


# --- addons ------------------------------------------------------------------------------------


def modules(addons_dir, suite=False, with_tests=False):
    """Installable addons of ``addons_dir`` (``*/__manifest__.py``), sorted by name."""
    result = []
    for manifest in sorted(pathlib.Path(addons_dir).glob("*/__manifest__.py")):
        data = ast.literal_eval(manifest.read_text(encoding="utf-8"))
        name = manifest.parent.name
        if not data.get("installable", True):
            continue
        if suite and name.startswith("test_"):
            continue
        if with_tests and not any(manifest.parent.glob("tests/test_*.py")):
            continue
        result.append(name)
    return result


def odoo_addons_dirs():
    """Odoo's own addons directories: what it uses without --addons-path."""
    import odoo

    root = os.path.dirname(os.path.abspath(odoo.__file__))
    paths = [os.path.join(root, "addons")]
    # Source checkout: <checkout>/addons beside the odoo package.
    candidate = os.path.join(os.path.dirname(root), "addons")
    if os.path.isfile(os.path.join(candidate, "web", "__manifest__.py")):
        paths.append(candidate)
    # Addons installed as wheels (odoo-addon-*) extend the odoo.addons namespace.
    for path in getattr(odoo.addons, "__path__", []):
        path = os.path.abspath(path)
        if os.path.isdir(path) and path not in paths and "/.local/share/Odoo/" not in path:
            paths.append(path)
    return paths


def addons_path():
    paths = odoo_addons_dirs()
    paths.append(str(_env_path("WFMON_ADDONS", REPO / "addons")))
    extra = os.environ.get("WFMON_EXTRA_ADDONS_PATH", "")
    if extra:
        paths.append(extra)
    return ",".join(paths)


# --- the interpreter ---------------------------------------------------------------------------


def check_odoo():
    try:
        import odoo.release
    except ImportError:
        return False
    return tuple(odoo.release.version_info[:2]) == (18, 0)


def odoo_requirements_file():
    try:
        import odoo
    except ImportError:
        return None
    root = os.path.dirname(os.path.dirname(os.path.abspath(odoo.__file__)))
    path = os.path.join(root, "requirements.txt")
    return path if os.path.isfile(path) else None


def odoo_pins():
    """Constraints ``name==<installed version>`` for every requirement of Odoo's
    requirements.txt that applies to this interpreter and is installed. Passed to
    ``pip install -c``, pip refuses any resolution that would move one of Odoo's pins (e.g.
    freezegun, requests, polib) instead of silently changing Odoo's environment. Nothing when
    Odoo's requirements.txt cannot be found (e.g. Odoo installed from a Debian package)."""
    from importlib import metadata

    path = odoo_requirements_file()
    if not path:
        return []
    try:
        from packaging.requirements import InvalidRequirement, Requirement
    except ImportError:
        from pip._vendor.packaging.requirements import InvalidRequirement, Requirement
    lines = [f"# generated by scripts/wfmon.py odoo-pins from {path}"]
    with open(path, encoding="utf-8") as handle:
        for raw in handle:
            line = re.sub(r"\s+#.*$", "", raw).strip()
            if not line or line.startswith("#"):
                continue
            try:
                req = Requirement(line)
            except InvalidRequirement:
                continue
            if req.marker is not None and not req.marker.evaluate():
                continue
            try:
                version = metadata.version(req.name)
            except metadata.PackageNotFoundError:
                continue
            lines.append(f"{req.name}=={version}")
    return lines


def has_module(name):
    import importlib.util

    return importlib.util.find_spec(name) is not None


# --- browser -----------------------------------------------------------------------------------

# The names Odoo 18 tries on Linux, in its order (odoo/tests/common.py, _find_executable: the
# first one found on PATH wins). Debian's package `chromium` installs /usr/bin/chromium.
CHROME_NAMES = ("google-chrome", "chromium", "chromium-browser", "google-chrome-stable")


def chrome():
    """``(path, version)`` of the browser Odoo's HttpCase.browser_js starts, else ``None``.

    A browser that is found but does not run (a missing library) counts as none: the
    tours would be skipped by Odoo, and `make test` must not pass without them.
    """
    import shutil
    import subprocess

    for name in CHROME_NAMES:
        path = shutil.which(name)
        if not path:
            continue
        try:
            out = subprocess.run(
                [path, "--version"], capture_output=True, text=True, timeout=60, check=True
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return path, out.stdout.strip()
    return None


# --- network -----------------------------------------------------------------------------------


def port_free(port, host="127.0.0.1"):
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, int(port)))
    except OSError:
        return False
    finally:
        sock.close()
    return True


def tcp_open(host, port, timeout=2):
    try:
        socket.create_connection((host, int(port)), timeout).close()
    except OSError:
        return False
    return True


# --- test results ------------------------------------------------------------------------------


def junit_counts(path):
    """(passed, failed) of a JUnit XML report; errors count as failed, skips as neither."""
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    tests = failures = errors = skipped = 0
    for suite in suites:
        tests += int(suite.get("tests", 0))
        failures += int(suite.get("failures", 0))
        errors += int(suite.get("errors", 0))
        skipped += int(suite.get("skipped", 0))
    return tests - failures - errors - skipped, failures + errors


# An Odoo 18 log entry's first line; continuation lines (tracebacks) follow it.
ENTRY = re.compile(
    r"^(?P<ts>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) (?P<pid>\d+) "
    r"(?P<level>DEBUG|INFO|WARNING|ERROR|CRITICAL|\?) (?P<db>\S+) (?P<logger>\S+): (?P<msg>.*)$"
)
# Odoo's closing line of a --test-enable run, logged by odoo.tests.result (INFO when all passed,
# WARNING when no test ran, ERROR when any failed).
RESULT = re.compile(
    r"(?P<failed>\d+) failed, (?P<errors>\d+) error\(s\) of (?P<tests>\d+) tests "
    r"when loading database '(?P<db>[^']*)'"
)
# "<logger of the test module>: skipped <test> : <reason>", one INFO line per skipped test.
SKIPPED = re.compile(r"^skipped \S")
GATED_LEVELS = {"WARNING", "ERROR", "CRITICAL"}
MAX_SHOWN_ENTRIES = 40
MAX_SHOWN_LINES = 25


def read_ignores(path):
    """Compiled patterns of the ignore file, and its problems: every pattern needs a ``#``
    comment line right above it saying why."""
    patterns, problems = [], []
    try:
        lines = pathlib.Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return patterns, problems
    previous = ""
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if line and not line.startswith("#"):
            if not previous.startswith("#"):
                problems.append(f"{path}:{number}: pattern without a '# why' comment line above")
            try:
                patterns.append(re.compile(line))
            except re.error as exc:
                problems.append(f"{path}:{number}: invalid regex: {exc}")
        previous = line
    return patterns, problems


def read_entries(path):
    """Yield [first_line, continuation_lines...] for each log entry."""
    entry = None
    with open(path, encoding="utf-8", errors="replace") as handle:
        for raw in handle:
            line = raw.rstrip("\n")
            if ENTRY.match(line):
                if entry is not None:
                    yield entry
                entry = [line]
            elif entry is not None:
                entry.append(line)
            else:
                entry = [line]
    if entry is not None:
        yield entry


def check_log(logfile, ignorefile, no_tests_expected=False):
    """Test counts and the log gate of an Odoo log: a dict of counts, the offending entries
    (every WARNING/ERROR/CRITICAL entry whose first line matches no pattern of the ignore
    file) and the ignore file's problems."""
    patterns, problems = read_ignores(ignorefile)
    if no_tests_expected:
        patterns.append(
            re.compile(r" WARNING \S+ odoo\.tests\.result: 0 failed, 0 error\(s\) of 0 tests ")
        )
    result, skipped, ignored, offending = None, 0, 0, []
    for entry in read_entries(logfile):
        head = ENTRY.match(entry[0])
        if head is None:
            continue
        if head["logger"] == "odoo.tests.result":
            result = RESULT.search(head["msg"]) or result
        if SKIPPED.match(head["msg"]) and head["level"] == "INFO":
            skipped += 1
        if head["level"] in GATED_LEVELS:
            if any(p.search(entry[0]) for p in patterns):
                ignored += 1
            else:
                offending.append(entry)
    counts = {
        "result_found": result is not None,
        "tests": int(result["tests"]) if result else 0,
        "failed": int(result["failed"]) if result else 0,
        "errors": int(result["errors"]) if result else 0,
        "skipped": skipped,
        "ignored": ignored,
    }
    return counts, offending, problems


def _print_offending(offending, ignorefile):
    err = sys.stderr
    print(
        f"wfmon: {len(offending)} log entr{'y' if len(offending) == 1 else 'ies'} at level "
        f"WARNING/ERROR/CRITICAL not covered by {ignorefile}:",
        file=err,
    )
    for entry in offending[:MAX_SHOWN_ENTRIES]:
        for line in entry[:MAX_SHOWN_LINES]:
            print(f"  | {line}", file=err)
        if len(entry) > MAX_SHOWN_LINES:
            print(f"  | ... ({len(entry) - MAX_SHOWN_LINES} more lines)", file=err)
    if len(offending) > MAX_SHOWN_ENTRIES:
        print(f"  ... and {len(offending) - MAX_SHOWN_ENTRIES} more", file=err)


def _tail(path, count=20, skip_prefix="Running as user 'root'"):
    try:
        lines = pathlib.Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    except FileNotFoundError:
        return []
    return [line for line in lines if not line.startswith(skip_prefix)][-count:]


def odoo_result(logfile, ignorefile, odoo_exit=0, modules_with_tests="", stdout_file=None):
    """The verdict on `make test`'s Odoo run: (passed, failed, problems). Prints the offending
    log entries and, when Odoo wrote no result, the end of its stdout on stderr, and one line
    of counts on stdout."""
    counts, offending, ignore_problems = check_log(
        logfile, ignorefile, no_tests_expected=not modules_with_tests
    )
    for problem in ignore_problems:
        print(f"wfmon: {problem}", file=sys.stderr)
    if offending:
        _print_offending(offending, ignorefile)
    tests, failed, errors, skipped = (counts[k] for k in ("tests", "failed", "errors", "skipped"))
    odoo_failed = failed + errors
    odoo_passed = max(tests - failed - errors - skipped, 0)
    print(
        f"wfmon: odoo tests: {tests} run, {failed} failed, {errors} error(s), {skipped} skipped;"
        f" log gate: {len(offending)} offending, {counts['ignored']} ignored",
        flush=True,
    )
    problems = []
    if not counts["result_found"]:
        problems.append("Odoo wrote no test result line (install failed or crashed?)")
        if stdout_file:
            for line in _tail(stdout_file):
                print(line, file=sys.stderr)
    if odoo_exit:
        problems.append(f"odoo exited with status {odoo_exit}")
    if odoo_failed:
        problems.append(f"{failed} Odoo test(s) failed and {errors} errored")
    if counts["result_found"] and tests == 0 and modules_with_tests:
        problems.append(
            f"no Odoo test ran although {modules_with_tests} ship tests"
            " (tests/__init__.py imports?)"
        )
    if offending:
        problems.append(f"{len(offending)} WARNING/ERROR/CRITICAL log entries (listed above)")
    if ignore_problems:
        problems.append(f"{ignorefile} is malformed (see above)")
    if problems:
        if (not odoo_failed and odoo_exit) or not counts["result_found"]:
            odoo_failed = max(odoo_failed, 1)
        print(f"wfmon: full Odoo log: {logfile}", file=sys.stderr)
    return odoo_passed, odoo_failed, problems


def log_gate(logfile, ignorefile):
    """The log gate alone (an Odoo run without tests): the problems, offending entries
    printed on stderr."""
    if not pathlib.Path(logfile).is_file():
        return [f"no log at {logfile}"]
    _counts, offending, ignore_problems = check_log(logfile, ignorefile)
    for problem in ignore_problems:
        print(f"wfmon: {problem}", file=sys.stderr)
    problems = []
    if offending:
        _print_offending(offending, ignorefile)
        problems.append(f"{len(offending)} WARNING/ERROR/CRITICAL log entries in {logfile}")
    if ignore_problems:
        problems.append(f"{ignorefile} is malformed (see above)")
    return problems


# --- benchmarks --------------------------------------------------------------------------------


def bench_results(parts, out, load_before, commit, dirty, names):
    """One JSON results file from the runner's parts: per benchmark its run record
    (<name>.run.json) and its figures (<name>.jsonl, written by benchmarks/benchlib.py)."""
    parts = pathlib.Path(parts)
    with open("/proc/loadavg", encoding="ascii") as handle:
        load_after = " ".join(handle.read().split()[:3])
    results = {
        "commit": commit,
        "commit_dirty": bool(dirty),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "loadavg_before": load_before,
            "loadavg_after": load_after,
        },
        "benchmarks": {},
    }
    failed = []
    for name in names:
        run = json.loads((parts / f"{name}.run.json").read_text())
        figures_file = parts / f"{name}.jsonl"
        lines = figures_file.read_text().splitlines() if figures_file.exists() else []
        run["figures"] = [json.loads(line) for line in lines]
        results["benchmarks"][name] = run
        if run["exit"]:
            failed.append(name)
    pathlib.Path(out).write_text(json.dumps(results, indent=2) + "\n")
    print(f"wfmon: results of {', '.join(names)} at {results['commit']} in {out}")
    for name, run in results["benchmarks"].items():
        for fig in run["figures"]:
            ratio = f"{fig['ratio']:.2f}x {fig['anchor']}" if fig.get("ratio") is not None else ""
            value = "-" if fig["value"] is None else f"{fig['value']:.4g}"
            print(f"  {name}: {fig['name']}: {value} {fig['unit']}  {ratio}")
    return failed


def bench_run_record(path, **record):
    """The runner's record of one benchmark run (<name>.run.json)."""
    record["exit"] = int(record["exit"])
    record["seconds"] = int(record["seconds"])
    pathlib.Path(path).write_text(json.dumps(record) + "\n")


# --- command line ------------------------------------------------------------------------------


def _parser():
    parser = argparse.ArgumentParser(prog="wfmon.py", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("modules")
    p.add_argument("--suite", action="store_true")
    p.add_argument("--with-tests", action="store_true")
    sub.add_parser("addons-path")
    sub.add_parser("check-odoo")
    sub.add_parser("odoo-pins")
    sub.add_parser("has-module").add_argument("name")
    sub.add_parser("chrome")
    sub.add_parser("port-free").add_argument("port", type=int)
    p = sub.add_parser("tcp-open")
    p.add_argument("host")
    p.add_argument("port", type=int)
    sub.add_parser("junit-counts").add_argument("file")
    p = sub.add_parser("odoo-result")
    p.add_argument("--log", required=True)
    p.add_argument("--ignore", required=True)
    p.add_argument("--result", required=True, help="file: '<passed> <failed>', then the problems")
    p.add_argument("--stdout", help="Odoo's stdout, whose end is shown when the log has no result")
    p.add_argument("--odoo-exit", type=int, default=0)
    p.add_argument("--modules-with-tests", default="")
    p = sub.add_parser("log-gate")
    p.add_argument("--log", required=True)
    p.add_argument("--ignore", required=True)
    p = sub.add_parser("bench-run")
    for name in ("file", "name", "module", "database", "args", "exit", "seconds", "log"):
        p.add_argument(f"--{name}", required=True)
    p = sub.add_parser("readme")
    p.add_argument("--check", action="store_true")
    p.add_argument("modules", nargs="*")
    p = sub.add_parser("bench-results")
    for name in ("parts", "out", "load_before", "commit", "dirty"):
        p.add_argument(name)
    p.add_argument("names", nargs="+")
    return parser


def _log_gate_passes(args):
    problems = log_gate(args.log, args.ignore)
    for problem in problems:
        print(f"wfmon: {problem}", file=sys.stderr)
    return not problems


# Commands that only answer yes (exit 0) or no (exit 1).
PROBES = {
    "log-gate": _log_gate_passes,
    "check-odoo": lambda args: check_odoo(),
    "has-module": lambda args: has_module(args.name),
    "port-free": lambda args: port_free(args.port),
    "tcp-open": lambda args: tcp_open(args.host, args.port),
}


def main(argv=None):
    args = _parser().parse_args(argv)
    command = args.command
    if command in PROBES:
        return 0 if PROBES[command](args) else 1
    if command == "modules":
        addons = _env_path("WFMON_ADDONS", REPO / "addons")
        for name in modules(addons, suite=args.suite, with_tests=args.with_tests):
            print(name)
    elif command == "addons-path":
        print(addons_path())
    elif command == "odoo-pins":
        print("\n".join(odoo_pins()))
    elif command == "chrome":
        found = chrome()
        if not found:
            return 1
        print(*found, sep="\t")
    elif command == "junit-counts":
        print(*junit_counts(args.file))
    elif command == "odoo-result":
        passed, failed, problems = odoo_result(
            args.log, args.ignore, args.odoo_exit, args.modules_with_tests, args.stdout
        )
        # Written last: no file means this command failed.
        pathlib.Path(args.result).write_text(f"{passed} {failed}\n{'; '.join(problems)}\n")
        return 1 if problems else 0
    elif command == "bench-run":
        fields = vars(args)
        path = fields.pop("file")
        fields.pop("command")
        bench_run_record(path, **fields)
    elif command == "readme":
        sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
        import wfmon_readme

        addons = _env_path("WFMON_ADDONS", REPO / "addons")
        stale = wfmon_readme.write_readmes(addons, args.modules or modules(addons), args.check)
        for name in stale:
            print(f"{addons / name / 'README.rst'}: {'out of date' if args.check else 'written'}")
        return 1 if args.check and stale else 0
    elif command == "bench-results":
        failed = bench_results(
            args.parts, args.out, args.load_before, args.commit, args.dirty, args.names
        )
        if failed:
            return f"wfmon: benchmark(s) failed: {', '.join(failed)} (see their logs)"
    return 0


if __name__ == "__main__":
    sys.exit(main())
