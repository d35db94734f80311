from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.wfmon_core.tests.common import MONDAY_10

from .common import WfmonApprovalCase


@tagged("post_install", "-at_install")
class TestSegregationOfDuties(WfmonApprovalCase):
    """C9 / C15: segregation of duties enforced on the server, with real users;
    RPC bypass attempts raise AccessError; the decision log is append-only."""

    def _submit(self, user=None, amount=1500):
        case = self._cases(amount=amount)
        self._guard(case, user=user)
        return case, self._request(case)

    def test_requester_never_approves_own_request(self):
        # The requester is also the store's manager: routing skips them and
        # falls back on the level's backup approver.
        self.store.manager_id = self.requester
        _case, request = self._submit()
        self.assertEqual(self._activities(request).user_id, self.backup)
        with self.assertRaisesRegex(AccessError, "someone else must decide"):
            request.with_user(self.requester).action_approve(reason="me, myself")
        self.assertEqual(request.state, "pending")

    def test_one_person_never_decides_two_levels(self):
        self.finance_group.users |= self.store_manager
        _case, request = self._submit()
        request.with_user(self.store_manager).action_approve()
        self.assertEqual(
            self._activities(request).user_id,
            self.finance_1 | self.finance_2,
            "the level-1 approver is not routed level 2",
        )
        # Even if they were assigned again (e.g. by hand in the database), the
        # server refuses.
        request._engine().env["wfmon.approval.assignment"].create(
            {"request_id": request.id, "level_sequence": 2, "user_id": self.store_manager.id}
        )
        with self.assertRaisesRegex(AccessError, "never decides two levels"):
            request.with_user(self.store_manager).action_approve()

    def test_incompatible_group_members_are_not_approvers(self):
        self.policy.incompatible_group_ids = self.finance_group
        self.policy.level_ids[1].write(
            {"approver_kind": "users", "user_ids": [(6, 0, (self.finance_1 | self.backup).ids)]}
        )
        _case, request = self._submit()
        request.with_user(self.store_manager).action_approve()
        self.assertEqual(self._activities(request).user_id, self.backup)
        with self.assertRaisesRegex(AccessError, "incompatible"):
            request.with_user(self.finance_1).action_approve()

    def _admin_todos(self, request):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", request._name),
                ("res_id", "=", request.id),
                ("user_id", "=", self.admin.id),
            ]
        )

    def test_a_first_level_nobody_may_decide_goes_to_the_escalation_contact(self):
        self.store.manager_id = self.requester
        self.policy.level_ids[0].backup_user_id = False
        self.policy.escalation_user_id = self.manager
        case = self._cases(amount=1500)
        allowed, _response = self._guard(case)
        self.assertFalse(allowed, "the document waits: no error, nothing lost")
        request = self._request(case)
        self.assertEqual(request.state, "pending")
        self.assertEqual(self._activities(request).user_id, self.manager)
        self.assertIn("requester", self._admin_todos(request).note or "")
        self.assertIn("Store manager", self._admin_todos(request).summary)

    @freeze_time(MONDAY_10)
    def test_with_nobody_at_all_the_request_waits_and_an_administrator_is_told(self):
        self.store.manager_id = self.requester
        self.policy.level_ids[0].backup_user_id = False
        case = self._cases(amount=1500)
        allowed, _response = self._guard(case)
        self.assertFalse(allowed)
        request = self._request(case)
        self.assertEqual(request.state, "pending")
        self.assertFalse(request.assignment_ids.filtered(lambda a: a.state == "pending"))
        self.assertTrue(self._admin_todos(request), "an administrator is told at once")
        # Once the matrix names someone, the deadline hands the level over.
        self.policy.escalation_user_id = self.manager
        request._engine()._escalate(MONDAY_10)
        self.assertIn(self.manager, request.assignment_ids.user_id)

    def test_a_decision_given_is_never_rolled_back_by_a_later_level(self):
        """The demo's dead end: Finance is also the only approver of the next
        level, whom segregation of duties bars from it. Her approval stands,
        through the request and through the approval to-do's Mark Done."""
        self.finance_group.users = self.store_manager
        self.policy.escalation_user_id = self.manager
        for through_activity in (False, True):
            case = self._cases(amount=1500)
            self._guard(case)
            request = self._request(case)
            self.assertIn("Level 'Finance' will have nobody eligible", request.routing_warning)
            if through_activity:
                self._activities(request).with_user(self.store_manager).action_done()
            else:
                request.with_user(self.store_manager).action_approve()
            approvals = request.decision_ids.filtered(lambda d: d.decision == "approve")
            self.assertEqual(approvals.user_id, self.store_manager, "recorded, not rolled back")
            self.assertEqual(request.state, "pending")
            self.assertEqual(request.level_id.name, "Finance")
            self.assertEqual(self._activities(request).user_id, self.manager)
            self.assertTrue(self._admin_todos(request))

    def test_outsider_and_rpc_bypass_attempts(self):
        _case, request = self._submit()
        with self.assertRaises(AccessError):
            request.with_user(self.outsider).action_approve()
        # Direct writes of the state or the decisions, even with engine flags in
        # the context (which an RPC caller controls), are refused; so is sudo()
        # with them: superuser mode is not the engine.
        client_flags = {"wfmon_engine": True, "wfmon_approval_engine": True}
        for user in (self.requester, self.store_manager, self.manager, self.admin):
            as_user = request.with_user(user).with_context(**client_flags)
            with self.assertRaises(AccessError):
                as_user.write({"state": "approved"})
            with self.assertRaises(AccessError):
                as_user.write({"consumed": True})
        with self.assertRaises(AccessError):
            request.sudo().with_context(**client_flags).write({"state": "approved"})
        with self.assertRaises(AccessError):
            self.env["wfmon.approval.request"].with_user(self.requester).create(
                {
                    "res_model": "wfmon.case",
                    "res_id": 1,
                    "action_name": self.ACTION,
                    "policy_id": self.policy.id,
                    "requester_id": self.requester.id,
                    "company_id": self.company.id,
                    "state": "approved",
                }
            )
        with self.assertRaises(AccessError):
            self.env["wfmon.approval.assignment"].sudo().with_context(**client_flags).create(
                {"request_id": request.id, "user_id": self.requester.id}
            )
        for Decision in (
            self.env["wfmon.approval.decision"].with_user(self.requester),
            self.env["wfmon.approval.decision"].sudo().with_context(**client_flags),
        ):
            with self.assertRaises(AccessError):
                Decision.create({"request_id": request.id, "decision": "approve"})
        self.assertEqual(request.state, "pending")

    def test_decisions_are_append_only(self):
        _case, request = self._submit()
        request.with_user(self.store_manager).action_approve()
        line = request.decision_ids.filtered(lambda d: d.decision == "approve")
        for who in (self.requester, self.store_manager, self.admin):
            with self.assertRaises(AccessError):
                line.with_user(who).write({"reason": "rewritten"})
            with self.assertRaises(AccessError):
                line.with_user(who).unlink()
        with self.assertRaises(AccessError):
            line.sudo().write({"reason": "x"})
        with self.assertRaises(AccessError):
            line.sudo().unlink()

    def test_visibility_requester_approvers_managers(self):
        _case, request = self._submit()
        Request = self.env["wfmon.approval.request"].with_context(active_test=False).browse()
        ours = [("id", "not in", self.preexisting_requests.ids)]
        self.assertEqual(Request.with_user(self.requester).search(ours), request)
        self.assertEqual(Request.with_user(self.store_manager).search(ours), request)
        self.assertFalse(Request.with_user(self.finance_1).search(ours), "not their level yet")
        self.assertFalse(Request.with_user(self.outsider).search(ours))
        with self.assertRaises(AccessError):
            request.with_user(self.outsider).read(["state"])
        self.assertEqual(Request.with_user(self.manager).search(ours), request)
        # A requester comments on their request without write access.
        request.with_user(self.requester).message_post(body="Urgent please")
        # Only monitoring administrators delete requests.
        with self.assertRaises(AccessError):
            request.with_user(self.manager).unlink()

    def test_multi_company(self):
        company_2 = self.env["res.company"].create({"name": "Approvals Co 2"})
        _case, request = self._submit()
        both = self.manager
        both.company_ids = self.company | company_2
        Request = self.env["wfmon.approval.request"].with_user(both)
        ours = [("id", "not in", self.preexisting_requests.ids)]
        self.assertFalse(Request.with_context(allowed_company_ids=company_2.ids).search(ours))
        self.assertEqual(
            Request.with_context(allowed_company_ids=self.company.ids).search(ours), request
        )
        self.policy.company_id = company_2
        other = self._cases(amount=1500)
        allowed, _response = self._guard(other)
        self.assertEqual(allowed, other, "another company's policy does not apply")

    def test_configuration_is_for_administrators(self):
        with self.assertRaises(AccessError):
            self.policy.with_user(self.manager).write({"min_amount": 0})
        with self.assertRaises(AccessError):
            self.env["wfmon.approval.policy"].with_user(self.requester).create(
                {"name": "mine", "model_id": self.model_case.id, "action_name": self.ACTION}
            )
        self.policy.with_user(self.admin).write({"min_amount": 900})
        self.assertTrue(self.policy.with_user(self.requester).read(["name"]))

    def test_one_open_request_per_document_in_the_database(self):
        case, _request = self._submit()
        Request = self.env["wfmon.approval.request"]._engine()
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            Request.create(
                {
                    "res_model": "wfmon.case",
                    "res_id": case.id,
                    "action_name": self.ACTION,
                    "policy_id": self.policy.id,
                    "requester_id": self.requester.id,
                    "company_id": self.company.id,
                }
            )
            self.env.flush_all()
