from contextlib import contextmanager
from datetime import datetime
from unittest.mock import patch

from odoo.tests import TransactionCase, new_test_user
from odoo.tools import SQL

from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT

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


@contextmanager
def capture_events(env):
    """Record what the suite publishes through core's hook (a no-op in core)."""
    events = []
    publisher_cls = env.registry["wfmon.publisher"]
    original = publisher_cls._publish

    def _publish(self, event_type, records, payloads=None):
        events.append((event_type, records._name, tuple(records.ids)))
        return original(self, event_type, records, payloads)

    with patch.object(publisher_cls, "_publish", _publish):
        yield events


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
