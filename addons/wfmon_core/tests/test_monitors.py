from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import MONDAY_10, WfmonCase, count_queries


@tagged("post_install", "-at_install")
class TestMonitors(WfmonCase):
    """C6: no-code monitors (wfmon.rule) and Automation Rules raising cases."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner_model = cls.env["ir.model"]._get("res.partner")
        cls.rule = cls.env["wfmon.rule"].create(
            {
                "name": "Follow-ups overdue",
                "model_id": cls.env["ir.model"]._get("mail.activity").id,
                "domain": "[('summary', 'ilike', 'follow up')]",
                "date_field_id": cls.env["ir.model.fields"]
                ._get("mail.activity", "date_deadline")
                .id,
                "delay_hours": 16,
                "type_id": cls.case_type.id,
                "severity": "high",
                "site_id": cls.store_a.id,
            }
        )

    @freeze_time(MONDAY_10)
    def test_rule_opens_then_resolves_when_cleared(self):
        # Mon 10:00 minus 16 working hours (9-17) = Thu 19 Nov 10:00.
        partner = self._partners(1)
        todo = self.env.ref("mail.mail_activity_data_todo").id
        old, fresh, other = (
            partner.activity_schedule(
                activity_type_id=todo, summary="Follow up offer", date_deadline=day
            )
            for day in ("2026-11-19", "2026-11-20", "2026-11-01")
        )
        other.summary = "Call back"
        self.rule.action_run_now()
        cases = self.rule.case_ids
        self.assertEqual(cases.mapped("res_id"), [old.id])
        self.assertEqual(
            (cases.severity, cases.site_id, cases.type_id), ("high", self.store_a, self.case_type)
        )
        self.assertEqual(self.rule.last_match_count, 1)
        self.assertEqual(self.rule.open_case_count, 1)
        # A second scan does not bump: the condition simply still holds.
        self.rule.action_run_now()
        self.assertEqual(cases.occurrence_count, 1)
        self.assertEqual(len(self.rule.case_ids), 1)
        # The record stops matching: the case resolves by itself, reason logged.
        old.summary = "Offer sent"
        self.env["wfmon.rule"]._cron_scan_rules()
        self.assertEqual(cases.state, "resolved")
        self.assertIn(
            "no longer matches",
            cases.log_ids.filtered(lambda line: line.action == "auto_resolve").reason,
        )
        self.assertTrue(fresh and other)

    def test_invalid_domain_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "invalid"):
            self.rule.domain = "[('no_such_field', '=', 1)]"

    def test_shipped_automation_rule_example(self):
        """The worked example: a company contact without email opens a
        master-data case; filling the email resolves it."""
        automation = self.env.ref("wfmon_core.automation_partner_missing_email")
        self.assertTrue(automation.active)
        self.assertEqual(automation.action_server_ids.state, "wfmon_case")
        company = self.env["res.partner"].create({"name": "ACME Wholesale", "is_company": True})
        case = self.Case.search([("res_model", "=", "res.partner"), ("res_id", "=", company.id)])
        self.assertEqual(case.type_id, self.env.ref("wfmon_core.case_type_master_data"))
        self.assertTrue(case.is_open)
        company.email = "orders@acme.example"
        self.assertEqual(case.state, "resolved")
        self.assertIn("now has an email", case.resolution_note)

    def test_admin_builds_a_monitor_from_automation_rules(self):
        """Any standard Automation Rule can raise a case, without code."""
        automation = (
            self.env["base.automation"]
            .with_user(self.admin)
            .create(
                {
                    "name": "Urgent contacts",
                    "model_id": self.partner_model.id,
                    "trigger": "on_create_or_write",
                    "filter_domain": "[('name', 'ilike', 'URGENT')]",
                    "action_server_ids": [
                        (
                            0,
                            0,
                            {
                                "name": "Open an urgent-contact case",
                                "model_id": self.partner_model.id,
                                "state": "wfmon_case",
                                "wfmon_case_type_id": self.case_type.id,
                                "wfmon_severity": "critical",
                                "wfmon_impact_field_id": self.env["ir.model.fields"]
                                ._get("res.partner", "color")
                                .id,
                            },
                        )
                    ],
                }
            )
        )
        self.assertEqual(automation.action_server_ids.wfmon_case_type_id, self.case_type)
        partner = self.env["res.partner"].create({"name": "URGENT supplier", "color": 7})
        case = self.Case.search([("res_model", "=", "res.partner"), ("res_id", "=", partner.id)])
        self.assertEqual((case.severity, case.impact_amount), ("critical", 7.0))
        self.assertEqual(case.type_id, self.case_type)

    @freeze_time(MONDAY_10)
    def test_rule_scan_queries_do_not_grow_with_volume(self):
        """C5: a monitor scan costs a bounded number of queries per batch."""
        todo = self.env.ref("mail.mail_activity_data_todo")
        Activity = self.env["mail.activity"]
        model_id = self.env["ir.model"]._get_id("res.partner")

        def make(count, summary):
            partners = self._partners(count)
            Activity.create(
                [
                    {
                        "res_model_id": model_id,
                        "res_id": partner.id,
                        "activity_type_id": todo.id,
                        "summary": summary,
                        "date_deadline": "2026-11-10",
                        "user_id": self.env.uid,
                    }
                    for partner in partners
                ]
            )

        def scan(rule):
            with count_queries(self.env) as queries:
                rule._scan()
            return queries.count

        small_rule = self.rule.copy({"domain": "[('summary', '=', 'small follow up')]"})
        large_rule = self.rule.copy({"domain": "[('summary', '=', 'large follow up')]"})
        make(20, "small follow up")
        make(200, "large follow up")
        first_small, first_large = scan(small_rule), scan(large_rule)
        self.assertEqual((small_rule.last_match_count, large_rule.last_match_count), (20, 200))
        # Opening: only the ORM's 100-row INSERT statements grow (case, log, message).
        self.assertLessEqual(first_large - first_small, 3 * 2 + 2)
        # Re-scanning open conditions costs the same whatever the volume.
        self.assertEqual(scan(small_rule), scan(large_rule))

    @freeze_time(MONDAY_10)
    def test_idle_rule_pass_never_reads_the_matching_records(self):
        """A monitor's pass with nothing new (core's due-driven scan) costs the
        same few queries with 20 or 60 matching records and their cases open:
        neither the records nor the cases are read. A record becomes due when
        the clock passes its date; each monitor keeps its own cases when two
        share a type; an archived record keeps its case, a deleted or cleared
        one has it resolved."""
        todo = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id("res.partner")
        rule = self.rule.copy({"name": "Watched", "domain": "[('summary', '=', 'watch')]"})
        twin = rule.copy({"name": "Watched (twin)"})

        def activities(count, deadline):
            return self.env["mail.activity"].create(
                [
                    {
                        "res_model_id": model_id,
                        "res_id": partner.id,
                        "activity_type_id": todo.id,
                        "summary": "watch",
                        "date_deadline": deadline,
                        "user_id": self.env.uid,
                    }
                    for partner in self._partners(count)
                ]
            )

        def idle_pass():
            with count_queries(self.env) as queries:
                rule._scan()
            return queries.count

        def open_cases(monitor):
            return monitor.case_ids.filtered("is_open")

        # Mon 10:00 minus 16 working hours (9-17) = Thu 19 Nov: due the 18th.
        watched = activities(20, "2026-11-18")
        rule._scan()
        small = idle_pass()
        watched |= activities(40, "2026-11-18")
        rule._scan()
        large = idle_pass()
        self.assertEqual(len(open_cases(rule)), 60)
        self.assertEqual(rule.last_match_count, 60)
        self.assertEqual(small, large, "the idle pass reads the open cases")
        # 11: among them one read of the scanner's marks (its cursors live in
        # wfmon.scan.mark, not in the registry cache, which a moving cursor would
        # clear in every worker).
        self.assertLessEqual(large, 11, "the idle pass costs a fixed handful of queries")
        # Same type, same records: the twin opens its own cases, and neither
        # monitor resolves the other's.
        twin._scan()
        rule._scan()
        self.assertEqual(len(open_cases(twin)), 60)
        self.assertEqual(len(open_cases(rule)), 60)
        # Due Friday: not on Monday; once the clock passes Friday 10:00 + 16 h.
        later = activities(1, "2026-11-20")
        rule._scan()
        self.assertNotIn(later.id, open_cases(rule).mapped("res_id"))
        with freeze_time("2026-11-24 10:00:00"):
            rule._scan()
        self.assertIn(later.id, open_cases(rule).mapped("res_id"))
        # Archived: kept; deleted or no longer matching: resolved.
        archived, deleted, cleared = watched[:3]
        archived.active = False
        deleted_id = deleted.id
        deleted.unlink()
        cleared.summary = "done"
        rule._scan()
        still = open_cases(rule).mapped("res_id")
        self.assertIn(archived.id, still)
        self.assertNotIn(deleted_id, still)
        self.assertNotIn(cleared.id, still)
        self.assertEqual(len(open_cases(twin)), 60, "the twin's cases are its own scan's")
