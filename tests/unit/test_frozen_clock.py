"""Tests pass on any date: no test reads the real clock outside a frozen one.

A static check (Python's ``ast``, no Odoo) of every test module of the suite
(``addons/*/tests`` and ``tests/unit``). A clock read is a call of
``fields.Datetime.now()``, ``datetime.now()`` / ``utcnow()`` / ``today()``,
``fields.Date.today()`` / ``context_today()``, ``date.today()``, ``time.time()``
and the like. It is allowed only where the clock is frozen:

- inside ``with freeze_time(...)``;
- in a function or class decorated with ``@freeze_time(...)`` (freezegun's or
  ``odoo.tests.freeze_time``, which freezes a test class from its set-up on), or a
  class that sets Odoo's ``freeze_time`` attribute;
- in a class whose ``setUp``/``setUpClass`` starts a freeze for all its tests
  (``freeze_time(...).start()``, ``self.startPatcher(freeze_time(...))``,
  ``self.enterContext(freeze_time(...))`` and the class variants);
- where a comment on the line (or just above it) says why it needs the real clock:
  ``# real clock: <reason>``. Only for readings compared with the server's own
  clock in the same run (the timestamp of a signed request to the live endpoint,
  the retry date a live response gives), which hold on any date.

``make test-future`` checks what this cannot see (the code under test reading the
clock for a test that does not freeze it); this check finds the obvious ones at once.
"""

import ast
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
MARKER = "# real clock:"

# (receiver's last name, method): calls that read the clock. ``now``/``today`` on any
# receiver named like a date class; ``time.time()`` and friends without an argument.
CLOCK_METHODS = {"now", "utcnow", "today", "context_today"}
CLOCK_RECEIVERS = {"datetime", "Datetime", "date", "Date"}
TIME_FUNCTIONS = {"time", "time_ns", "gmtime", "localtime"}
FREEZE_STARTERS = {
    "start",
    "startPatcher",
    "startClassPatcher",
    "enterContext",
    "enterClassContext",
}
SETUP_METHODS = {"setUp", "setUpClass", "setup_method", "setup_class"}


def _name(node):
    """Last name of a call's function or receiver: ``fields.Datetime`` -> ``Datetime``."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _is_freeze(node):
    """``freeze_time(...)`` (any spelling of the name's owner)."""
    return isinstance(node, ast.Call) and _name(node.func) == "freeze_time"


def _is_clock_read(call):
    func = call.func
    if isinstance(func, ast.Attribute):
        receiver = _name(func.value)
        if func.attr in CLOCK_METHODS and receiver in CLOCK_RECEIVERS:
            return True
        if receiver == "time" and func.attr in TIME_FUNCTIONS and not call.args:
            return True
    return False


def _starts_freeze(function):
    """Does this (setUp) function start a freeze that lasts for the test?"""
    names = set()  # names bound to freeze_time(...) objects: self.frozen = freeze_time(...)
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and _is_freeze(node.value):
            names.update(ast.unparse(target) for target in node.targets)
    for node in ast.walk(function):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in FREEZE_STARTERS:
            continue
        if node.func.attr == "start":
            owner = node.func.value
            if _is_freeze(owner) or ast.unparse(owner) in names:
                return True
        elif any(_is_freeze(arg) for arg in node.args):
            return True
    return False


def _frozen_class(cls):
    if any(_is_freeze(d) for d in cls.decorator_list):
        return True
    if any(  # Odoo's own spelling: ``freeze_time = "2026-11-23 10:00:00"`` in the class
        isinstance(item, ast.Assign)
        and any(_name(target) == "freeze_time" for target in item.targets)
        for item in cls.body
    ):
        return True
    return any(
        isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
        and item.name in SETUP_METHODS
        and _starts_freeze(item)
        for item in cls.body
    )


class _ClockReads(ast.NodeVisitor):
    def __init__(self, lines):
        self.lines = lines
        self.frozen = 0
        self.found = []  # (line, source of the call)

    def _visit_frozen(self, node, frozen):
        self.frozen += frozen
        self.generic_visit(node)
        self.frozen -= frozen

    def visit_ClassDef(self, node):
        self._visit_frozen(node, _frozen_class(node))

    def visit_FunctionDef(self, node):
        self._visit_frozen(node, any(_is_freeze(d) for d in node.decorator_list))

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_With(self, node):
        frozen = any(_is_freeze(item.context_expr) for item in node.items)
        for item in node.items:
            self.visit(item)
        self.frozen += frozen
        for statement in node.body:
            self.visit(statement)
        self.frozen -= frozen

    visit_AsyncWith = visit_With

    def _explained(self, node):
        """The marker on the call's lines or in the comment lines just above them."""
        said = self.lines[node.lineno - 1 : node.end_lineno]
        above = node.lineno - 2
        while above >= 0 and self.lines[above].lstrip().startswith("#"):
            said.append(self.lines[above])
            above -= 1
        return any(MARKER in line for line in said)

    def visit_Call(self, node):
        if not self.frozen and _is_clock_read(node) and not self._explained(node):
            self.found.append((node.lineno, ast.unparse(node)))
        self.generic_visit(node)


def clock_reads(source, filename="<test>"):
    """``[(line, call)]``: the clock reads of ``source`` outside a frozen clock."""
    visitor = _ClockReads(source.splitlines())
    visitor.visit(ast.parse(source, filename))
    return visitor.found


def suite_test_modules():
    paths = sorted(REPO_ROOT.glob("addons/*/tests/**/*.py"))
    paths += sorted((REPO_ROOT / "tests" / "unit").glob("*.py"))
    return [p for p in paths if p.name != Path(__file__).name]


def test_no_test_reads_the_real_clock():
    found = [
        f"{path.relative_to(REPO_ROOT)}:{line}: {call}"
        for path in suite_test_modules()
        for line, call in clock_reads(path.read_text(encoding="utf-8"), str(path))
    ]
    assert not found, (
        "these tests read the real clock: freeze it (freeze_time(MONDAY_10) from "
        "wfmon_core/tests/common.py, or pass now=), or say why on the line with "
        f"'{MARKER} <reason>':\n" + "\n".join(found)
    )


def test_the_check_sees_every_test_module():
    names = {str(p.relative_to(REPO_ROOT)) for p in suite_test_modules()}
    assert "addons/wfmon_core/tests/common.py" in names
    assert "tests/unit/test_sla_clock.py" in names
    assert len(names) > 50


@pytest.mark.parametrize(
    "source",
    [
        "fields.Datetime.now()",
        "x = fields.Date.today() - timedelta(days=1)",
        "datetime.now()",
        "datetime.datetime.utcnow()",
        "date.today()",
        "fields.Date.context_today(record)",
        "int(time.time())",
        "def helper():\n    return fields.Datetime.now()",
        "with capture_events(env):\n    fields.Datetime.now()",
        "with freeze_time(X):\n    pass\nfields.Datetime.now()",
        # a freeze started in a test (not in setUp) does not cover its class
        "class T:\n    def test_a(self):\n        freeze_time(X).start()\n"
        "    def test_b(self):\n        datetime.now()",
        "# real clock: said for another line\nx = 1\nfields.Datetime.now()",
    ],
)
def test_the_check_finds_a_clock_read(source):
    assert len(clock_reads(source)) == 1, source


@pytest.mark.parametrize(
    "source",
    [
        "with freeze_time(MONDAY_10):\n    fields.Datetime.now()",
        "with freeze_time(X), capture_events(env) as events:\n    date.today()",
        "@freeze_time(MONDAY_10)\ndef test_a():\n    datetime.now()",
        "@freeze_time(MONDAY_10)\nclass T:\n    def test_a(self):\n        datetime.now()",
        "class T(TransactionCase):\n    freeze_time = MONDAY_10\n"
        "    def test_a(self):\n        datetime.now()",
        "class T:\n    def setUp(self):\n        self.frozen = freeze_time(NOW)\n"
        "        self.frozen.start()\n    def test_a(self):\n        datetime.now()",
        "class T:\n    @classmethod\n    def setUpClass(cls):\n"
        "        cls.startClassPatcher(freeze_time(NOW))\n"
        "    def test_a(self):\n        datetime.now()",
        "class T:\n    def setUp(self):\n        self.enterContext(freeze_time(NOW))\n"
        "    def test_a(self):\n        datetime.now()",
        "ts = int(time.time())  # real clock: the endpoint checks it against its own",
        "# real clock: the endpoint checks it\n# against its own\nts = int(time.time())",
        "fields.Datetime.to_string(MONDAY_10)",
        "time.gmtime(0)",
        "record.now()",
    ],
)
def test_the_check_accepts_a_frozen_or_explained_read(source):
    assert clock_reads(source) == [], source
