"""Approval requests read at a glance: by age while they wait, by value band,
without bookkeeping fields in the pickers."""

from datetime import timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.wfmon_core.tests.common import MONDAY_10

from .common import WfmonApprovalCase


@tagged("post_install", "-at_install")
class TestApprovalReporting(WfmonApprovalCase):
    def _requests(self, amounts):
        cases = self.env["wfmon.case"]
        for amount in amounts:
            cases |= self._cases(amount=amount)
        self._guard(cases)
        return self.env["wfmon.approval.request"].search(
            [("res_model", "=", "wfmon.case"), ("res_id", "in", cases.ids)]
        )

    def test_pending_requests_by_age_and_value_band(self):
        with freeze_time(MONDAY_10 - timedelta(days=4)):
            old = self._requests([1500, 12000])
        with freeze_time(MONDAY_10 - timedelta(hours=2)):
            recent = self._requests([60000])
        Request = self.env["wfmon.approval.request"]
        mine = [("id", "in", (old | recent).ids)]
        with freeze_time(MONDAY_10):
            groups = Request.read_group(mine, ["__count"], ["age_bucket", "value_band"], lazy=False)
            self.assertEqual(
                {(g["age_bucket"], g["value_band"]): g["__count"] for g in groups},
                {("d3_7", "v2"): 1, ("d3_7", "v3"): 1, ("d0_1", "v4"): 1},
            )
            self.assertEqual(Request.search(mine + [("value_band", "=", "v4")]), recent)
            self.assertEqual(Request.search(mine + [("age_bucket", "in", ["d3_7"])]), old)

    def test_turnaround_by_value_band_and_age_stops_at_the_decision(self):
        with freeze_time(MONDAY_10):
            request = self._requests([1500])
        with freeze_time(MONDAY_10 + timedelta(hours=3)):
            request.with_user(self.store_manager).action_approve()
            request.with_user(self.finance_1).action_approve()
            request.with_user(self.finance_2).action_approve()
        self.assertEqual(request.state, "approved")
        with freeze_time(MONDAY_10 + timedelta(days=20)):
            [group] = self.env["wfmon.approval.request"].read_group(
                [("id", "=", request.id)],
                ["turnaround_hours:avg"],
                ["site_id", "value_band", "age_bucket"],
                lazy=False,
            )
        self.assertEqual(
            (group["value_band"], group["age_bucket"], group["turnaround_hours"]),
            ("v2", "d0_1", 3.0),
        )

    def test_pickers_offer_no_bookkeeping_fields(self):
        fields = self.env["wfmon.approval.request"].with_user(self.manager).fields_get()
        for name in ("next_check", "fingerprint", "level_sequence", "required_approvals"):
            self.assertFalse(fields[name].get("groupable"), name)
            self.assertFalse(fields[name].get("aggregator"), name)
        self.assertTrue(fields["value_band"]["groupable"])
        self.assertTrue(fields["age_bucket"]["groupable"])
        self.assertEqual(fields["turnaround_hours"]["aggregator"], "avg")
