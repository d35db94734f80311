"""Read an Odoo 18 server log written by a `--test-enable --stop-after-init` run.

Prints shell-readable ``key=value`` lines on stdout (for scripts/run-tests.sh) and the offending
log entries on stderr:

- the test counts from Odoo's closing line, logged by ``odoo.tests.result``::

      <date> <time> <pid> INFO <db> odoo.tests.result: F failed, E error(s) of N tests
      when loading database '<db>'                              (one line in the log)

  (INFO when all passed, WARNING when no test ran, ERROR when any failed);
- skipped tests, one line each: ``<logger of the test module>: skipped <test> : <reason>``;
- the log gate: every entry at level WARNING, ERROR or CRITICAL whose first line matches no
  regular expression of the ignore file.

Usage: odoo_log_check.py LOGFILE IGNOREFILE [--no-tests-expected]
  --no-tests-expected: no addon ships tests, so Odoo's WARNING "... of 0 tests ..." is accepted.
"""

import re
import sys

ENTRY = re.compile(
    r"^(?P<ts>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) (?P<pid>\d+) "
    r"(?P<level>DEBUG|INFO|WARNING|ERROR|CRITICAL|\?) (?P<db>\S+) (?P<logger>\S+): (?P<msg>.*)$"
)
RESULT = re.compile(
    r"(?P<failed>\d+) failed, (?P<errors>\d+) error\(s\) of (?P<tests>\d+) tests "
    r"when loading database '(?P<db>[^']*)'"
)
SKIPPED = re.compile(r"^skipped \S")
GATED_LEVELS = {"WARNING", "ERROR", "CRITICAL"}
MAX_SHOWN_ENTRIES = 40
MAX_SHOWN_LINES = 25


def read_ignores(path):
    """Return compiled patterns; every pattern needs a `#` comment line right above it."""
    patterns, problems = [], []
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
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


def main(argv):
    logfile, ignorefile = argv[1], argv[2]
    patterns, problems = read_ignores(ignorefile)
    if "--no-tests-expected" in argv[3:]:
        patterns.append(
            re.compile(r" WARNING \S+ odoo\.tests\.result: 0 failed, 0 error\(s\) of 0 tests ")
        )
    result = None
    skipped = 0
    offending = []
    ignored = 0
    for entry in read_entries(logfile):
        head = ENTRY.match(entry[0])
        if head is None:
            continue
        if head["logger"] == "odoo.tests.result":
            found = RESULT.search(head["msg"])
            if found:
                result = found
        if SKIPPED.match(head["msg"]) and head["level"] == "INFO":
            skipped += 1
        if head["level"] in GATED_LEVELS:
            if any(p.search(entry[0]) for p in patterns):
                ignored += 1
            else:
                offending.append(entry)

    for problem in problems:
        print(f"wfmon: {problem}", file=sys.stderr)
    if offending:
        print(
            f"wfmon: {len(offending)} log entr{'y' if len(offending) == 1 else 'ies'} at level "
            f"WARNING/ERROR/CRITICAL not covered by {ignorefile}:",
            file=sys.stderr,
        )
        for entry in offending[:MAX_SHOWN_ENTRIES]:
            for line in entry[:MAX_SHOWN_LINES]:
                print(f"  | {line}", file=sys.stderr)
            if len(entry) > MAX_SHOWN_LINES:
                print(f"  | ... ({len(entry) - MAX_SHOWN_LINES} more lines)", file=sys.stderr)
        if len(offending) > MAX_SHOWN_ENTRIES:
            print(f"  ... and {len(offending) - MAX_SHOWN_ENTRIES} more", file=sys.stderr)

    print(f"result_found={1 if result else 0}")
    print(f"odoo_tests={result['tests'] if result else 0}")
    print(f"odoo_failed={result['failed'] if result else 0}")
    print(f"odoo_errors={result['errors'] if result else 0}")
    print(f"odoo_skipped={skipped}")
    print(f"gate_offending={len(offending)}")
    print(f"gate_ignored={ignored}")
    print(f"ignore_problems={len(problems)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
