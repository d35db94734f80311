from contextlib import contextmanager
from datetime import datetime
from unittest.mock import patch

from freezegun import freeze_time

from odoo.sql_db import Cursor
from odoo.tests import tagged
from odoo.tools import SQL

from ..models.lookup_cache import CHANGED_KEY, ROUTING, SCHEDULES, lookup_cached
from .common import MONDAY_10, WfmonCase, count_queries


@tagged("post_install", "-at_install")
class TestLookupCache(WfmonCase):
    """The configuration every detector call reads (the routing table, the
    calendars' working schedules) comes from the registry's cache: no query per
    call once warm; a change is seen by the next call, in the same transaction
    and in the next ones; nothing a rolled-back savepoint wrote stays in it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.store_team = cls.env["wfmon.team"].create(
            {"name": "Store A crew", "site_ids": [(4, cls.store_a.id)], "sequence": 5}
        )
        cls.other_type = cls.env["wfmon.case.type"].create(
            {"name": "Other condition", "code": "test.other", "domain": "general"}
        )

    def setUp(self):
        super().setUp()
        # What a test leaves in the registry's cache must not reach the next
        # one (its writes are rolled back).
        self.addCleanup(self.registry.clear_cache)

    def _next_transaction(self):
        """As a later transaction: the fixture is committed configuration, so
        the lookups are served from the registry's cache again."""
        self.env.cr.cache.pop(CHANGED_KEY, None)

    def _route(self, site):
        """The team of a case opened now by a detector at ``site``."""
        return self.Case._raise("test.condition", self._partners(1), site=site).team_id

    # ------------------------------------------------------------------
    # Routing
    # ------------------------------------------------------------------
    def test_routing_table_costs_no_query_once_warm(self):
        self._next_transaction()
        Case = self.Case.sudo()
        Case._routing_table()
        with count_queries(self.env, invalidate=False) as queries:
            table = Case._routing_table()
        self.assertEqual(queries.count, 0)
        self.assertEqual([team for team, _types in table[self.store_a.id]], [self.store_team])
        self.assertEqual(self._route(self.store_a), self.store_team)
        self.assertEqual(self._route(self.store_b), self.team, "the type's team elsewhere")

    def test_routing_follows_team_site_and_type_changes(self):
        self._next_transaction()
        self.assertEqual(self._route(self.store_a), self.store_team)
        self.store_team.type_ids = self.other_type
        self.assertEqual(self._route(self.store_a), self.team, "same transaction")
        self._next_transaction()
        self.assertEqual(self._route(self.store_a), self.team, "next transaction")
        self.other_type.active = False  # the team's only type archived: it serves all
        self._next_transaction()
        self.assertEqual(self._route(self.store_a), self.store_team)
        self.store_b.team_ids = self.store_team
        self._next_transaction()
        self.assertEqual(self._route(self.store_b), self.store_team, "a site given a team")
        self.store_b.active = False
        self._next_transaction()
        self.assertEqual(self._route(self.store_b), self.team, "an archived site routes nowhere")
        self.store_team.active = False
        self._next_transaction()
        self.assertEqual(self._route(self.store_a), self.team, "an archived team routes nothing")

    def test_routing_forgets_a_team_rolled_back(self):
        """A team created in a savepoint rolled back never routes afterwards:
        the transaction that wrote it reads the table from the database until
        it ends, and leaves nothing of it in the registry's cache."""
        self._next_transaction()
        self.assertEqual(self._route(self.store_b), self.team)  # warm
        with self.assertRaisesRegex(RuntimeError, "roll the savepoint back"):
            with self.env.cr.savepoint():
                ghost = self.env["wfmon.team"].create(
                    {"name": "Ghost", "site_ids": [(4, self.store_b.id)]}
                )
                self.assertFalse(lookup_cached(self.env, ROUTING))
                self.assertEqual(self._route(self.store_b), ghost)
                raise RuntimeError("roll the savepoint back")
        self.assertEqual(self._route(self.store_b), self.team, "same transaction")
        self._next_transaction()
        self.assertEqual(self._route(self.store_b), self.team, "next transaction")

    def test_a_user_reads_the_routing_table_with_their_rights(self):
        """The registry's table is the superuser's: a user's own create reads
        the teams with their rights, as before."""
        self._next_transaction()
        self.Case.sudo()._routing_table()  # warm
        with count_queries(self.env, invalidate=False) as queries:
            table = self.Case.with_user(self.manager)._routing_table()
        self.assertGreater(queries.count, 0)
        self.assertEqual([team for team, _types in table[self.store_a.id]], [self.store_team])

    # ------------------------------------------------------------------
    # Working schedules
    # ------------------------------------------------------------------
    def _schedule(self, calendar=None):
        calendar = (calendar or self.calendar).sudo()
        return calendar._wfmon_schedules(MONDAY_10)[calendar.id]

    def test_schedules_cost_no_query_once_warm(self):
        self._next_transaction()
        first = self._schedule()
        with count_queries(self.env, invalidate=False) as queries:
            second = self._schedule()
        self.assertEqual(queries.count, 0)
        self.assertEqual(second, first)
        self.assertIsNot(second, first, "each call gets a schedule of its own")
        self.assertEqual(len(second.attendances), 5)

    @freeze_time(MONDAY_10)
    def test_schedules_follow_attendances_leaves_and_calendars(self):
        self._next_transaction()
        self.assertEqual(self._schedule().leaves, ())
        holiday = self.env["resource.calendar.leaves"].create(
            {
                "name": "Public holiday",
                "calendar_id": self.calendar.id,
                "date_from": "2026-11-24 00:00:00",
                "date_to": "2026-11-24 23:59:59",
            }
        )
        span = (datetime(2026, 11, 24), datetime(2026, 11, 24, 23, 59, 59))
        self.assertEqual(self._schedule().leaves, (span,), "same transaction")
        self._next_transaction()
        self.assertEqual(self._schedule().leaves, (span,), "next transaction")
        holiday.unlink()
        self._next_transaction()
        self.assertEqual(self._schedule().leaves, ())
        self.calendar.attendance_ids[:1].hour_to = 12
        self._next_transaction()
        self.assertEqual(
            sorted(a.hour_to for a in self._schedule().attendances), [12, 17, 17, 17, 17]
        )
        self.calendar.tz = "Europe/Brussels"
        self._next_transaction()
        self.assertEqual(self._schedule().tz, "Europe/Brussels")
        # The case opened now counts in the calendar as it is now.
        self.assertEqual(
            self.Case._raise("test.condition", self._partners(1)).sla_calendar_id, self.calendar
        )

    def test_an_employee_leave_leaves_the_schedules_cached(self):
        """Only leaves of no one resource are in the schedules: an employee's
        time off does not clear the cache."""
        self._next_transaction()
        self._schedule()  # warm
        resource = self.env["resource.resource"].create(
            {"name": "Someone", "calendar_id": self.calendar.id}
        )
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Time off",
                "calendar_id": self.calendar.id,
                "resource_id": resource.id,
                "date_from": "2026-11-24 00:00:00",
                "date_to": "2026-11-24 23:59:59",
            }
        )
        self.assertTrue(lookup_cached(self.env, SCHEDULES))
        with count_queries(self.env, invalidate=False) as queries:
            self.assertEqual(self._schedule().leaves, ())
        self.assertEqual(queries.count, 0)

    # ------------------------------------------------------------------
    # SLA policies
    # ------------------------------------------------------------------
    def test_sla_targets_cost_no_query_once_warm(self):
        self._next_transaction()
        policy = self.policy.sudo()
        self.assertEqual(policy._wfmon_plan_spec("high"), (2, 8, ()))
        with count_queries(self.env) as queries:
            self.assertEqual(policy._wfmon_plan_spec("high"), (2, 8, ()))
        self.assertEqual(queries.count, 0)

    @freeze_time(MONDAY_10)
    def test_sla_targets_follow_policy_lines_and_steps(self):
        self._next_transaction()

        def opened(severity="medium"):
            return self.Case._raise("test.condition", self._partners(1), severity=severity)

        self.assertEqual(opened().resolution_hours, 16)  # warm
        medium = self.policy.line_ids.filtered(lambda line: line.severity == "medium")
        medium.resolution_hours = 20
        self.assertEqual(opened().resolution_hours, 20, "same transaction")
        self._next_transaction()
        self.assertEqual(opened().resolution_hours, 20, "next transaction")
        medium.unlink()  # the policy's first line (critical) stands in
        self._next_transaction()
        self.assertEqual(opened().resolution_hours, 4)
        step = self.env["wfmon.escalation.step"].create(
            {
                "policy_id": self.policy.id,
                "name": "Halfway",
                "trigger": "ratio",
                "ratio_percent": 50,
            }
        )
        self._next_transaction()
        steps = self.policy.sudo()._wfmon_plan_spec("high")[2]
        self.assertEqual([spec.key for spec in steps], step.ids)
        self.policy.line_ids.unlink()
        self._next_transaction()
        self.assertIsNone(self.policy.sudo()._wfmon_plan_spec("high"))
        self.assertFalse(opened().resolution_deadline, "no target: no deadline")

    # ------------------------------------------------------------------
    # The detector call
    # ------------------------------------------------------------------
    @freeze_time(MONDAY_10)
    def test_a_detector_call_reads_no_configuration_once_warm(self):
        """A second detector call opening one case reads neither the teams nor
        the calendars, and searches the open cases once."""
        self._next_transaction()
        detector = self.env["wfmon.detector"]
        # Warm: the first call declares the event types it publishes, the next
        # finds them missing from the registry's cache and has it filled again.
        for _warm in range(3):
            detector._detect("test.condition", self._partners(1), site=self.store_a)
            self._next_transaction()
        partner = self._partners(1)
        self.env.flush_all()
        with sql_text(self.env.cr) as queries:
            case = detector._detect("test.condition", partner, site=self.store_a)
            self.env.flush_all()
        self.assertEqual(case.team_id, self.store_team)
        for table in ("wfmon_team", "resource_calendar_attendance", "resource_calendar_leaves"):
            self.assertFalse([q for q in queries if f'FROM "{table}"' in q], table)
        searches = [q for q in queries if '"wfmon_case"."fingerprint" IN' in q]
        self.assertEqual(len(searches), 1, "one search of the open cases")


@contextmanager
def sql_text(cr):
    """The SQL text of the queries run on ``cr`` in the block (a list)."""
    queries = []
    execute = Cursor.execute

    def logged(self, query, params=None, log_exceptions=True):
        if self is cr:
            queries.append(str(query.code if isinstance(query, SQL) else query))
        return execute(self, query, params, log_exceptions)

    with patch.object(Cursor, "execute", logged):
        yield queries
