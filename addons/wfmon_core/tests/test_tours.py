"""The store clerk's journey in the browser, as the demo's clerk."""

from odoo.tests import tagged

from .common import WfmonTourCase


@tagged("post_install", "-at_install")
class TestClerkJourney(WfmonTourCase):
    def test_clerk_reports_and_resolves(self):
        clerk = self.demo_user("wfmon_core.demo_user_clerk")
        self.start_journey("wfmon_clerk_tour", clerk)
        reported = self.env["wfmon.case"].search(
            [("summary", "=", "Freezer door at the checkout does not close")]
        )
        self.assertEqual(reported.site_id, self.env.ref("wfmon_core.demo_site_store_1"))
        self.assertEqual(reported.type_id, self.env.ref("wfmon_core.case_type_manual"))
        self.assertEqual(reported.create_uid, clerk)
        resolved = self.env.ref("wfmon_core.demo_case_assigned")
        self.assertEqual(resolved.state, "resolved")
        self.assertEqual(resolved.root_cause_id, self.env.ref("wfmon_core.root_cause_process"))
