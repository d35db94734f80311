from freezegun import freeze_time
from markupsafe import Markup

from odoo.tests import tagged

from odoo.addons.wfmon_core.tests.common import MONDAY_10

from .common import WfmonApprovalCase


@tagged("post_install", "-at_install")
class TestApprovalDigest(WfmonApprovalCase):
    """C16: an approver reads the request's history as a digest; the case about
    the same document shows who decided what on it."""

    def test_request_digest_for_the_next_approver(self):
        with freeze_time(MONDAY_10):
            case = self._cases(amount=2500.0)
            self._guard(case)
            request = self._request(case)
        with freeze_time("2026-11-23 11:00:00"):
            request.with_user(self.store_manager).message_post(
                body=Markup("<p>Checked the margin with the buyer.</p>"), message_type="comment"
            )
            request.with_user(self.store_manager).action_approve(reason="Seasonal clearance")
        with freeze_time("2026-11-23 12:00:00"):
            request.with_user(self.finance_1).action_approve()
            html = request.with_user(self.finance_2).digest_html
            digest = request._wfmon_digest()[request.id]
            self.assertEqual(html, request.with_user(self.finance_2).digest_html)
        self.assertEqual(request.state, "pending", "level 2 waits for both")
        for text in (
            "Requested",
            "2,500.00",
            "Sam StoreManager: approved",
            "Seasonal clearance",
            "Checked the margin with the buyer.",
            "Level 2: waiting for",
        ):
            self.assertIn(text, html)
        self.assertEqual(
            [(d.author, d.decision) for d in digest.decisions],
            [("Sam StoreManager", "approved"), ("Fiona Finance", "approved")],
        )
        self.assertEqual([i.key for i in digest.still_open], [f"approval-{request.id}"])
        self.assertTrue(digest.deadlines, "the decision deadline is listed")
        # The case (the guarded document here) shows the same decisions.
        case_digest = case._wfmon_digest()[case.id]
        self.assertIn(
            ("Fiona Finance", "approved"), [(d.author, d.decision) for d in case_digest.decisions]
        )
        with freeze_time("2026-11-23 13:00:00"):
            request.with_user(self.finance_2).action_approve()
            digest = request._wfmon_digest()[request.id]
        self.assertEqual(request.state, "approved")
        self.assertFalse(digest.still_open, "nothing left to decide")
