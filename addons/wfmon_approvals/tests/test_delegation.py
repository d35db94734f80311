from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from odoo.addons.wfmon_core.tests.common import MONDAY_10

from .common import WfmonApprovalCase


@tagged("post_install", "-at_install")
class TestDelegation(WfmonApprovalCase):
    """An absent approver's requests go to their substitute for the dates of the
    absence; decisions say "on behalf of". Every test runs on Monday 23 November
    2026: the absences are dated around it."""

    @freeze_time(MONDAY_10)
    def test_substitute_decides_on_behalf(self):
        self.env["wfmon.approval.delegation"].with_user(self.store_manager).create(
            {
                "substitute_id": self.substitute.id,
                "date_from": date(2026, 11, 20),
                "date_to": date(2026, 11, 27),
            }
        )
        case = self._cases(amount=1500)
        self._guard(case)
        request = self._request(case)
        self.assertEqual(self._activities(request).user_id, self.substitute)
        assignment = request.assignment_ids
        self.assertEqual(assignment.on_behalf_of_id, self.store_manager)
        request.with_user(self.substitute).action_approve()
        line = request.decision_ids.filtered(lambda d: d.decision == "approve")
        self.assertEqual(
            (line.user_id, line.on_behalf_of_id), (self.substitute, self.store_manager)
        )
        # The absent approver still sees what was decided for them.
        self.assertTrue(request.with_user(self.store_manager).read(["state"]))

    @freeze_time(MONDAY_10)
    def test_no_delegation_outside_the_dates(self):
        self.env["wfmon.approval.delegation"].create(
            {
                "user_id": self.store_manager.id,
                "substitute_id": self.substitute.id,
                "date_from": date(2026, 12, 1),
                "date_to": date(2026, 12, 5),
            }
        )
        case = self._cases(amount=1500)
        self._guard(case)
        self.assertEqual(self._activities(self._request(case)).user_id, self.store_manager)

    @freeze_time(MONDAY_10)
    def test_delegation_rules(self):
        """An absence starts today unless told otherwise."""
        Delegation = self.env["wfmon.approval.delegation"]
        with self.assertRaises(ValidationError):
            Delegation.create(
                {
                    "user_id": self.backup.id,
                    "substitute_id": self.backup.id,
                    "date_to": date(2026, 12, 5),
                }
            )
        with self.assertRaises(ValidationError):
            Delegation.create(
                {
                    "user_id": self.backup.id,
                    "substitute_id": self.substitute.id,
                    "date_from": date(2026, 12, 5),
                    "date_to": date(2026, 12, 1),
                }
            )
        # Users delegate their own approvals only.
        with self.assertRaises(AccessError):
            Delegation.with_user(self.outsider).create(
                {
                    "user_id": self.store_manager.id,
                    "substitute_id": self.outsider.id,
                    "date_from": date(2026, 11, 1),
                    "date_to": date(2026, 12, 31),
                }
            )
        mine = Delegation.with_user(self.backup).create(
            {"substitute_id": self.substitute.id, "date_to": date(2026, 12, 31)}
        )
        self.assertEqual(mine.date_from, date(2026, 11, 23))
        self.assertEqual(Delegation.with_user(self.substitute).search([]), mine)
        with self.assertRaises(AccessError):
            mine.with_user(self.substitute).write({"date_to": date(2027, 12, 31)})
