import importlib.util
import json
import re
import unittest
from collections import namedtuple
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from unittest.mock import patch

from odoo.modules.module import get_module_path
from odoo.tests import HttpCase, TransactionCase, new_test_user
from odoo.tests.common import _find_executable as _find_chrome
from odoo.tools import SQL, mute_logger

from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT

from ..models import wfmon_append_mixin, wfmon_case

# Monday 23 November 2026, 10:00 UTC: the reference "now" of the tests.
MONDAY_10 = datetime(2026, 11, 23, 10, 0, 0)


def make_weekday_calendar(env, name, hour_from=9, hour_to=17, tz="UTC"):
    """A Monday-Friday working-hours calendar, the fixture every wfmon test
    suite counts SLA and approval deadlines in."""
    return env["resource.calendar"].create(
        {
            "name": name,
            "tz": tz,
            "attendance_ids": [
                (
                    0,
                    0,
                    {
                        "name": f"Day {day}",
                        "dayofweek": str(day),
                        "hour_from": hour_from,
                        "hour_to": hour_to,
                        "day_period": "morning",
                    },
                )
                for day in range(5)
            ],
        }
    )


#: one publication seen by :func:`capture_events`: the event type, the model and ids
#: of the records, and the data of each record (the payloads the publisher was given,
#: else what the records' ``_wfmon_event_data`` returned when published)
PublishedEvent = namedtuple("PublishedEvent", ["type", "model", "ids", "data"])


@contextmanager
def capture_events(env, data=True):
    """Record what the suite publishes through core's hook (a no-op in core), as a
    list of :class:`PublishedEvent`; ``event[:3]`` is ``(type, model, ids)``.

    With ``data=False`` the records' event data is not read (nothing is added to
    the queries a block counts); payloads given to the publisher are kept."""
    events = []
    publisher_cls = env.registry["wfmon.publisher"]
    original = publisher_cls._publish

    def _publish(self, event_type, records, payloads=None):
        found = payloads() if callable(payloads) else payloads
        if found is None and data and hasattr(records, "_wfmon_event_data"):
            found = records._wfmon_event_data()
        events.append(PublishedEvent(event_type, records._name, tuple(records.ids), found))
        return original(self, event_type, records, found if found is not None else payloads)

    with patch.object(publisher_cls, "_publish", _publish):
        yield events


@contextmanager
def transaction_clock(env, when):
    """Move the clock of the test's transaction (``cr.now()``: the ``write_date``
    of what the block writes, and the watermark a scanner takes) to ``when``.

    A test runs in one database transaction, whose clock never moves: without
    this, every record of the test is written "at the same moment" as any pass
    of a scanner that re-checks what changed since its previous pass. Use
    moments after the class fixture was written (``env.cr.now()`` plus some
    hours)::

        start = self.env.cr.now()
        with transaction_clock(self.env, start + timedelta(hours=1)):
            scan()
    """
    env.flush_all()
    cr = env.cr
    before = cr._now
    cr._now = when
    try:
        yield
        env.flush_all()
    finally:
        cr._now = before


def run_migration(env, module, version, step="post"):
    """Run ``module``'s ``<step>-migration.py`` script of ``version`` on this
    database, as an upgrade from the version before it would."""
    path = Path(get_module_path(module), "migrations", version, f"{step}-migration.py")
    spec = importlib.util.spec_from_file_location(f"{module}_{step}_{version}", path)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    script.migrate(env.cr, "18.0.1.0.0")


class QueryCount:
    """What :func:`count_queries` counted (``count``, set when the block ends)."""

    count = 0


@contextmanager
def count_queries(env, invalidate=True):
    """Count the SQL queries of the block on ``env``'s cursor (or on a cursor)::

        with count_queries(self.env) as queries:
            records.action()
        self.assertLess(queries.count, 20)

    With an environment, pending writes are flushed before (they are not the
    block's) and after (they are), and the cache is emptied first unless
    ``invalidate`` is false, so that reads are counted as a cold request pays them.
    """
    cr = getattr(env, "cr", env)
    if cr is not env:
        env.flush_all()
        if invalidate:
            env.invalidate_all()
    counted = QueryCount()
    before = cr.sql_log_count
    yield counted
    if cr is not env:
        env.flush_all()
    counted.count = cr.sql_log_count - before


def table_rows(records, exclude=("id",)):
    """The rows of ``records`` as stored (every column but ``exclude``), in the
    order of ``records``: what two ways of writing rows are compared on."""
    env = records.env
    env.flush_all()
    env.cr.execute(
        SQL("SELECT * FROM %s WHERE id IN %s", SQL.identifier(records._table), tuple(records.ids))
    )
    columns = [column.name for column in env.cr.description]
    by_id = {row[columns.index("id")]: row for row in env.cr.fetchall()}
    return [
        {
            name: value
            for name, value in zip(columns, by_id[id_], strict=True)
            if name not in exclude
        }
        for id_ in records.ids
    ]


@contextmanager
def orm_create():
    """The block writes append-only engine rows, chatter notes and cases through
    the ORM's own create and _create, as before the bulk insert
    (wfmon_append_mixin.py): the reference the fast path's rows are compared with."""
    with (
        patch.object(wfmon_append_mixin, "fits", return_value=False),
        patch.object(wfmon_append_mixin, "log_notes_allowed", return_value=False),
        patch.object(wfmon_case, "create_columns", return_value=None),
    ):
        yield


class WfmonCase(TransactionCase):
    """Shared fixture: a 9-17 Mon-Fri UTC calendar, an SLA policy with a
    ladder, a team with a lead, two stores and users for each role."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, **DISABLED_MAIL_CONTEXT))
        cls.company = cls.env.company
        cls.calendar = make_weekday_calendar(cls.env, "Test 9-17 UTC")
        cls.company.wfmon_calendar_id = cls.calendar
        cls.company.wfmon_at_risk_ratio = 0.75
        cls.user = new_test_user(
            cls.env, login="wf_clerk", name="Store Clerk", groups="wfmon_core.group_wfmon_user"
        )
        cls.other_user = new_test_user(
            cls.env, login="wf_other", name="Other Clerk", groups="wfmon_core.group_wfmon_user"
        )
        cls.lead = new_test_user(
            cls.env, login="wf_lead", name="Team Lead", groups="wfmon_core.group_wfmon_user"
        )
        cls.escalation_contact = new_test_user(
            cls.env,
            login="wf_regional",
            name="Regional Manager",
            groups="wfmon_core.group_wfmon_manager",
        )
        cls.manager = new_test_user(
            cls.env, login="wf_manager", name="Ops Manager", groups="wfmon_core.group_wfmon_manager"
        )
        cls.admin = new_test_user(
            cls.env,
            login="wf_admin",
            name="Monitor Admin",
            groups="wfmon_core.group_wfmon_admin,base.group_system",
        )
        cls.store_a = cls.env["wfmon.site"].create(
            {
                "name": "Store A",
                "code": "A01",
                "kind": "store",
                "region": "North",
                "user_ids": [(4, cls.user.id)],
            }
        )
        cls.store_b = cls.env["wfmon.site"].create(
            {
                "name": "Store B",
                "code": "B01",
                "kind": "store",
                "region": "South",
                "user_ids": [(4, cls.other_user.id)],
            }
        )
        cls.policy = cls.env["wfmon.sla.policy"].create(
            {
                "name": "Test policy",
                "line_ids": [
                    (0, 0, {"severity": "critical", "response_hours": 1, "resolution_hours": 4}),
                    (0, 0, {"severity": "high", "response_hours": 2, "resolution_hours": 8}),
                    (0, 0, {"severity": "medium", "response_hours": 4, "resolution_hours": 16}),
                    (0, 0, {"severity": "low", "response_hours": 0, "resolution_hours": 40}),
                ],
            }
        )
        cls.team = cls.env["wfmon.team"].create(
            {
                "name": "Store Ops",
                "lead_id": cls.lead.id,
                "member_ids": [(4, cls.lead.id)],
                "escalation_user_id": cls.escalation_contact.id,
            }
        )
        cls.case_type = cls.env["wfmon.case.type"].create(
            {
                "name": "Test condition",
                "code": "test.condition",
                "domain": "general",
                "default_severity": "medium",
                "sla_policy_id": cls.policy.id,
                "team_id": cls.team.id,
            }
        )
        cls.Case = cls.env["wfmon.case"]
        # Keep pre-existing cases (demo data) out of the scanners' way: the
        # tests count queries and firings of their own cases only.
        cls.env.cr.execute(SQL("UPDATE wfmon_case SET sla_next_check = NULL"))
        cls.env["wfmon.case"].invalidate_model(["sla_next_check"])

    @classmethod
    def _partners(cls, count, **vals):
        return cls.env["res.partner"].create(
            [{"name": f"Source {i}", **vals} for i in range(count)]
        )

    def _open(self, **vals):
        values = {"type_id": self.case_type.id, "summary": "Something is off"}
        values.update(vals)
        return self.Case.create(values)


# ----------------------------------------------------------------------
# Adversarial JSON-RPC harness
# ----------------------------------------------------------------------
#: what a refusal looks like over JSON-RPC; any other error is a crash
REFUSALS = frozenset(
    {
        "odoo.exceptions.AccessError",
        "odoo.exceptions.AccessDenied",
        "odoo.exceptions.UserError",
        "odoo.exceptions.ValidationError",
        "odoo.exceptions.MissingError",
        "odoo.exceptions.RedirectWarning",
    }
)
#: Odoo's own context switches that change what a search or a create sees,
#: and switches nobody reads, sent with every attack besides the suite's keys
OTHER_CONTEXT_KEYS = {
    "active_test": False,
    "tracking_disable": True,
    "mail_notrack": True,
    "mail_create_nolog": True,
    "install_mode": True,
    "import_file": True,
    "skip_approval": True,
    "no_approval": True,
    "bypass_approval": True,
    "wfmon_sudo": True,
    "wfmon_admin": True,
    "wfmon_bypass": True,
    "wfmon_skip_guard": True,
    # keys the suite read before its controls moved to server flags
    "wfmon_distribution_disable": True,
    "wfmon_keep_deadlines": True,
    "wfmon_reason": "forged reason",
    "wfmon_automated": True,
    "wfmon_site_sync": True,
    "wfmon_approval_engine": True,
    "wfmon_batch": True,
    "wfmon_approval_resume": 1,
}
RpcOutcome = namedtuple("RpcOutcome", ["result", "error", "message"])

_KEY_PATTERNS = (
    re.compile(r"context\.get\(\s*[\"'](\w+)[\"']"),
    re.compile(r"context\[\s*[\"'](\w+)[\"']"),
    re.compile(r"\b[A-Z_]*KEY\s*=\s*[\"'](\w+)[\"']"),
    re.compile(r"\bflag\([^,()]+,\s*[\"'](\w+)[\"']"),
    re.compile(r"\bwith_flags\([^()]*?\b(\w+)\s*="),
)
_WITH_CONTEXT = re.compile(
    r"(?:with_context|context=dict)\(((?:[^()]|\((?:[^()]|\([^()]*\))*\))*)\)", re.S
)
_KWARG = re.compile(r"(?:^|,)\s*(\w+)\s*=(?!=)")


def suite_context_keys(env, prefix="wfmon_"):
    """Every context key the non-test code of the installed wfmon modules
    reads or sets (models, controllers, wizards, tools), found in the sources:
    a key added tomorrow is attacked without anyone listing it."""
    keys = set()
    modules = (
        env["ir.module.module"]
        .sudo()
        .search([("state", "=", "installed"), ("name", "=like", f"{prefix}%")])
    )
    for module in modules:
        path = get_module_path(module.name)
        if not path:
            continue
        for source in Path(path).rglob("*.py"):
            if "tests" in source.relative_to(path).parts:
                continue
            text = source.read_text(encoding="utf-8")
            for pattern in _KEY_PATTERNS:
                keys.update(pattern.findall(text))
            for block in _WITH_CONTEXT.findall(text):
                keys.update(_KWARG.findall(block))
    return {key for key in keys if key.startswith(prefix)}


def view_spec(env, model, view_type="form"):
    """The ``web_read`` specification the web client sends to open ``model``'s
    ``view_type`` view: every field of the view, the display name of linked
    records, and the fields of the sub-lists (as the user ``env`` sees them)."""
    models = env[model].get_views([(False, view_type)])["models"]

    def spec(name, depth=0):
        result = {}
        for fname, field in models[name]["fields"].items():
            if field["type"] in ("many2one", "reference"):
                result[fname] = {"fields": {"display_name": {}}}
            elif field["type"] in ("one2many", "many2many"):
                co_model = field["relation"]
                nested = spec(co_model, depth + 1) if co_model in models and depth < 2 else {}
                result[fname] = {"fields": nested or {"display_name": {}}, "limit": 40}
            else:
                result[fname] = {}
        return result

    return spec(model)


class WfmonRpcCase(HttpCase):
    """Attacks over the real JSON-RPC endpoint (``/web/dataset/call_kw``),
    logged in as each role: the reusable harness of the adversarial suites.

    ``ROLES`` maps a role to the groups of its user; a role whose groups are
    not installed is left out (a module adds its roles by extending the dict).
    ``rpc()`` returns the result or the error name without raising, and
    refuses to call a crash (any error that is not an Odoo refusal) a refusal.
    ``table_digest()`` fingerprints whole rows, so that "nothing changed" is
    asserted on every column, the audit trail's included.
    """

    ROLES = {
        "portal": "base.group_portal",
        "internal": "base.group_user",
        "wfmon_user": "wfmon_core.group_wfmon_user",
        "wfmon_manager": "wfmon_core.group_wfmon_manager",
        "admin": "base.group_system,wfmon_core.group_wfmon_admin",
    }
    #: tables of the audit trail (those of installed models are checked)
    AUDIT_MODELS = ("wfmon.case.log", "wfmon.approval.decision")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, **DISABLED_MAIL_CONTEXT))
        cls.role_users = {}
        for role, groups in cls.ROLES.items():
            if not all(cls.env.ref(xmlid, raise_if_not_found=False) for xmlid in groups.split(",")):
                continue
            cls.role_users[role] = new_test_user(
                cls.env, login=f"rpc_{role}", name=f"RPC {role}", groups=groups
            )
        cls.attack_context = {
            **{key: True for key in suite_context_keys(cls.env)},
            **OTHER_CONTEXT_KEYS,
        }

    def setUp(self):
        super().setUp()
        self._rpc_role = None

    # ------------------------------------------------------------------
    def rpc(self, role, model, method, *args, context=None, **kwargs):
        """Call ``model.method(*args, **kwargs)`` as ``role`` through
        ``/web/dataset/call_kw``; never raises on a JSON-RPC error."""
        if self._rpc_role != role:
            user = self.role_users[role]
            self.authenticate(user.login, user.login)
            self._rpc_role = role
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {
                "model": model,
                "method": method,
                "args": list(args),
                "kwargs": {**kwargs, "context": dict(context or {})},
            },
        }
        # The server logs every refusal as a warning; refusals are the point here.
        with mute_logger("odoo.http"):
            response = self.url_open(
                f"/web/dataset/call_kw/{model}/{method}",
                data=json.dumps(payload),
                headers={"Content-Type": "application/json"},
            )
        self.assertLess(response.status_code, 500, f"{role} {model}.{method}: server error")
        body = response.json()
        self.env.invalidate_all()
        if "error" in body:
            data = body["error"].get("data") or {}
            name, message = data.get("name", "?"), data.get("message", "")
            self.assertIn(
                name, REFUSALS, f"{role} {model}.{method} crashed instead of refusing: {message}"
            )
            return RpcOutcome(None, name, message)
        return RpcOutcome(body.get("result"), None, "")

    def open_view(self, role, records, view_type="form"):
        """Read ``records`` as the web client does to show them in their
        ``view_type`` view, as ``role`` over JSON-RPC: the outcome of opening them."""
        spec = view_spec(self.env(user=self.role_users[role]), records._name, view_type)
        return self.rpc(role, records._name, "web_read", records.ids, specification=spec)

    def assertRefused(self, outcome, msg=""):
        self.assertTrue(outcome.error, f"accepted, should be refused: {msg}")
        return outcome

    # ------------------------------------------------------------------
    def table_digest(self, model, ids=None):
        """``(rows, md5 of every column of every row)`` of ``model``'s table,
        or of the rows ``ids``."""
        Model = self.env[model]
        self.env.flush_all()
        where = SQL("WHERE t.id IN %s", tuple(ids)) if ids else SQL("")
        self.env.cr.execute(
            SQL(
                "SELECT count(*), md5(string_agg(t::text, ',' ORDER BY t.id)) FROM %s t %s",
                SQL.identifier(Model._table),
                where,
            )
        )
        return self.env.cr.fetchone()

    def trail_digest(self):
        """Digest of the whole audit trail (case log, approval decisions)."""
        return {model: self.table_digest(model) for model in self.AUDIT_MODELS if model in self.env}

    @contextmanager
    def assertUnchanged(self, records, msg=""):
        """The rows of ``records`` and the audit trail are the same after the block."""
        before = (self.table_digest(records._name, records.ids), self.trail_digest())
        yield
        after = (self.table_digest(records._name, records.ids), self.trail_digest())
        self.assertEqual(before[0], after[0], f"{records} changed: {msg}")
        self.assertEqual(before[1], after[1], f"the audit trail changed: {msg}")

    @staticmethod
    def forged_value(record, fname):
        """A value of ``record.fname`` that differs from the current one."""
        field = record._fields[fname]
        current = record[fname]
        if field.type == "selection":
            values = [v for v, _label in field._description_selection(record.env)]
            return next((v for v in reversed(values) if v != current), values[0])
        if field.type in ("integer", "float", "monetary"):
            return (current or 0) + 7
        if field.type == "boolean":
            return not current
        if field.type == "datetime":
            return "2001-02-03 04:05:06"
        if field.type == "date":
            return "2001-02-03"
        if field.type == "many2one":
            other = (
                record.env[field.comodel_name].sudo().search([("id", "!=", current.id)], limit=1)
            )
            return other.id or False
        if field.type in ("one2many", "many2many"):
            return [(5, 0, 0)]
        if field.type in ("char", "text", "html"):
            return f"forged {fname}"
        if field.type == "many2one_reference":
            return (current or 0) + 1
        return False


class WfmonTourCase(HttpCase):
    """A role's journey through the demo, as an Odoo tour in headless Chromium.

    The tour logs in as the role's demo user (the demo's passwords equal the
    logins) and fails on any JS error or console error; a console warning
    lands in the server log, whose gate fails ``make test`` on it. Odoo skips a
    browser test when no browser starts: here that is a failure, so that a
    machine without Chromium cannot pass the journeys by skipping them.
    Needs the demo data (``make test`` installs it).
    """

    #: seconds a whole journey may take (two shared cores, many screens)
    tour_timeout = 600

    def demo_user(self, xmlid):
        """The demo user ``xmlid``; the test is skipped on a database without demo data."""
        user = self.env.ref(xmlid, raise_if_not_found=False)
        if not user:
            self.skipTest(f"no demo data ({xmlid})")
        return user

    def start_journey(self, tour, user, url="/odoo"):
        """Run the tour ``tour`` from ``url`` logged in as ``user``."""
        if not _find_chrome():
            self.fail(
                "no Chrome or Chromium for the tours: install Debian's chromium "
                "(scripts/run-tests.sh does it as root)"
            )
        try:
            self.start_tour(url, tour, login=user.login, timeout=self.tour_timeout)
        except unittest.SkipTest as exc:
            self.fail(f"the browser did not run the tour {tour}: {exc}")
