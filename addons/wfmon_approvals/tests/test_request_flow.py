from lxml import etree

from odoo.exceptions import UserError
from odoo.tests import Form, tagged
from odoo.tools.safe_eval import safe_eval

from odoo.addons.wfmon_core.tests.common import capture_events

from .common import WfmonApprovalCase


@tagged("post_install", "-at_install")
class TestRequestFlow(WfmonApprovalCase):
    """C9/C10: approvals are activities on the approvers' to-do lists; sequential
    levels; any/all/N; reasons; decisions logged; events; the action resumes."""

    def _submit(self, amount=1500):
        case = self._cases(amount=amount)
        self._guard(case)
        return case, self._request(case)

    def test_each_approver_of_the_current_level_gets_an_activity(self):
        case, request = self._submit()
        activity_type = self.env.ref("wfmon_approvals.mail_activity_type_wfmon_approval")
        activities = self._activities(request)
        self.assertEqual(activities.user_id, self.store_manager, "level 1: the store's manager")
        self.assertEqual(activities.activity_type_id, activity_type)
        self.assertIn(case.display_name, activities.summary)
        self.assertTrue(request.with_user(self.store_manager).is_my_approval)
        my = (
            self.env["wfmon.approval.request"]
            .with_user(self.store_manager)
            .search([("is_my_approval", "=", True)])
        )
        self.assertEqual(my, request)
        self.assertFalse(
            self.env["wfmon.approval.request"]
            .with_user(self.finance_1)
            .search([("is_my_approval", "=", True)])
        )

    def test_two_levels_all_mode_then_the_action_resumes_as_requester(self):
        case, request = self._submit()
        with capture_events(self.env) as events:
            # Level 1 approved from the activity on the store manager's to-do list.
            activity = self._activities(request).with_user(self.store_manager)
            activity.action_feedback(feedback="<p>Fine with me</p>")
            self.assertEqual(request.level_sequence, 2)
            self.assertEqual(self._activities(request).user_id, self.finance_1 | self.finance_2)
            self.assertEqual(request.required_approvals, 2)
            # Level 2 is "all": one approval is not enough.
            request.with_user(self.finance_1).action_approve()
            self.assertEqual(request.state, "pending")
            self.assertEqual(self._activities(request).user_id, self.finance_2)
            self.assertEqual(case.state, "new")
            request.with_user(self.finance_2).action_approve(reason="ok")
        self.assertEqual(request.state, "approved")
        self.assertFalse(self._activities(request), "no to-do left once decided")
        self.assertEqual(case.state, "in_progress", "the guarded action ran by itself")
        self.assertTrue(request.consumed)
        started = case.log_ids.filtered(lambda log: log.new_value == "in_progress")
        self.assertEqual(started.user_id, self.requester, "it ran as the requester")
        decisions = request.decision_ids.sorted("id")
        self.assertEqual(
            decisions.mapped("decision"), ["submit", "approve", "approve", "approve", "resume"]
        )
        self.assertEqual(decisions[1].reason, "Fine with me")
        self.assertEqual(decisions[1].user_id, self.store_manager)
        self.assertEqual(decisions[1:4].mapped("level_sequence"), [1, 2, 2])
        kinds = [e[0] for e in events if e[1] == "wfmon.approval.request"]
        self.assertEqual(
            kinds, ["approval.level_approved", "approval.level_approved", "approval.approved"]
        )
        payload = [e for e in events if e[0] == "approval.approved"][0].data[0]
        self.assertEqual(payload["reference"], request.name)
        self.assertEqual(payload["source"]["model"], "wfmon.case")
        self.assertEqual(payload["requester"], "ap_requester")

    def test_any_mode_closes_the_other_activities(self):
        self.policy.level_ids[1].mode = "any"
        _case, request = self._submit()
        request.with_user(self.store_manager).action_approve()
        self.assertEqual(len(self._activities(request)), 2)
        request.with_user(self.finance_2).action_approve()
        self.assertEqual(request.state, "approved")
        self.assertFalse(self._activities(request))
        self.assertEqual(
            request.assignment_ids.filtered(lambda a: a.user_id == self.finance_1).state,
            "cancelled",
        )

    def test_n_mode(self):
        third = self.finance_group.users = self.finance_1 | self.finance_2 | self.backup
        self.assertTrue(third)
        self.policy.level_ids[1].write({"mode": "n", "min_approvals": 2})
        _case, request = self._submit()
        request.with_user(self.store_manager).action_approve()
        self.assertEqual(request.required_approvals, 2)
        request.with_user(self.backup).action_approve()
        self.assertEqual(request.state, "pending")
        request.with_user(self.finance_1).action_approve()
        self.assertEqual(request.state, "approved")

    def test_reject_needs_a_reason_and_stops_everything(self):
        case, request = self._submit()
        with self.assertRaisesRegex(UserError, "Give a reason to reject"):
            request.with_user(self.store_manager).action_reject()
        with capture_events(self.env) as events:
            request.with_user(self.store_manager).action_reject(reason="Margin too low")
        self.assertEqual(request.state, "rejected")
        self.assertFalse(self._activities(request))
        self.assertEqual(case.state, "new", "a rejected action never runs")
        self.assertEqual([e[0] for e in events], ["approval.rejected"])
        last = request.decision_ids.sorted("id")[-1]
        self.assertEqual((last.decision, last.reason), ("reject", "Margin too low"))
        with self.assertRaisesRegex(UserError, "already rejected"):
            request.with_user(self.finance_1).action_approve()

    def test_reason_required_on_approve_when_the_policy_says(self):
        self.policy.reason_required_on_approve = True
        _case, request = self._submit()
        with self.assertRaisesRegex(UserError, "requires a reason to approve"):
            request.with_user(self.store_manager).action_approve()
        # From the activity: marking done without feedback is refused too.
        with self.assertRaisesRegex(UserError, "requires a reason to approve"):
            self._activities(request).with_user(self.store_manager).action_done()
        request.with_user(self.store_manager).action_approve(reason="Seasonal clearance")
        self.assertEqual(request.level_sequence, 2)

    def test_decide_wizard(self):
        _case, request = self._submit()
        action = (
            request.with_user(self.store_manager)
            .with_context(wfmon_decision="reject")
            .action_open_decide_wizard()
        )
        self.assertEqual(action["res_model"], "wfmon.approval.decide")
        wizard_env = (
            self.env["wfmon.approval.decide"]
            .with_user(self.store_manager)
            .with_context(**action["context"])
        )
        with Form(wizard_env) as form:
            self.assertEqual(form.decision, "reject")
            self.assertTrue(form.reason_required)
            form.reason = "Not this week"
        form.record.action_confirm()
        self.assertEqual(request.state, "rejected")

    def test_approve_dialog_does_not_ask_the_decision_again(self):
        _case, request = self._submit()
        approver = request.with_user(self.store_manager)
        action = approver.with_context(wfmon_decision="approve").action_open_decide_wizard()
        self.assertEqual(action["name"], "Approve")
        Wizard = self.env["wfmon.approval.decide"].with_user(self.store_manager)
        arch = etree.fromstring(Wizard.get_views([(False, "form")])["views"]["form"]["arch"])
        self.assertEqual(arch.xpath("//field[@name='decision']/@invisible"), ["1"])
        wizard = Wizard.with_context(**action["context"]).create({})
        shown = [
            button.get("string")
            for button in arch.xpath("//footer/button[@type='object']")
            if not safe_eval(button.get("invisible", "False"), {"decision": wizard.decision})
        ]
        self.assertEqual(shown, ["Approve"], "one button, the decision already made")
        wizard.action_confirm()
        self.assertEqual(request.level_sequence, 2)

    def test_approval_todo_offers_approve_reject_discard(self):
        _case, request = self._submit()
        activity = self._activities(request).with_user(self.store_manager)
        self.assertTrue(activity.wfmon_is_approval)
        Activity = self.env["mail.activity"].with_user(self.store_manager)
        view = self.env.ref("mail.mail_activity_view_form_popup")
        arch = etree.fromstring(Activity.get_views([(view.id, "form")])["views"]["form"]["arch"])
        values = {
            "id": activity.id,
            "chaining_type": activity.chaining_type,
            "wfmon_is_approval": True,
        }
        shown = [
            button.get("string")
            for button in arch.xpath("//footer/button")
            if not safe_eval(button.get("invisible", "False"), values)
        ]
        self.assertEqual(shown, ["Approve", "Reject", "Discard"])

    def test_requester_withdraws(self):
        _case, request = self._submit()
        request.with_user(self.requester).action_cancel()
        self.assertEqual(request.state, "cancelled")
        self.assertFalse(self._activities(request))

    def test_requested_event_and_audit(self):
        case = self._cases(amount=1500)
        with capture_events(self.env) as events:
            self._guard(case)
        request = self._request(case)
        self.assertEqual([e[0] for e in events], ["approval.requested"])
        self.assertEqual(events[0].data[0]["approvers"], ["ap_store_mgr"])
        submit = request.decision_ids
        self.assertEqual((submit.decision, submit.user_id), ("submit", self.requester))
        self.assertTrue(request.deadline)

    def test_reject_from_the_activity_and_no_silent_cancel(self):
        _case, request = self._submit()
        activity = self._activities(request).with_user(self.store_manager)
        with self.assertRaisesRegex(UserError, "approve or reject the request instead"):
            activity.unlink()
        self.assertTrue(activity.wfmon_is_approval)
        popup = (
            self.env["mail.activity"]
            .with_user(self.store_manager)
            .get_views([(self.env.ref("mail.mail_activity_view_form_popup").id, "form")])
        )
        arch = popup["views"]["form"]["arch"]
        self.assertIn('name="action_wfmon_reject"', arch, "Reject is on the to-do's form")
        self.assertIn('name="action_wfmon_approve"', arch)
        action = activity.action_wfmon_reject()
        self.assertEqual(action["context"]["default_decision"], "reject")
        wizard = (
            self.env["wfmon.approval.decide"]
            .with_user(self.store_manager)
            .create({"request_id": request.id, "decision": "reject", "reason": "Duplicate"})
        )
        wizard.action_confirm()
        self.assertEqual(request.state, "rejected")
        self.assertFalse(self._activities(request))

    def test_approver_without_access_to_the_document_opens_the_request(self):
        _case, request = self._submit()
        # The store manager has no right on exception cases at all.
        self.assertFalse(self.env["wfmon.case"].with_user(self.store_manager).has_access("read"))
        as_approver = request.with_user(self.store_manager)
        spec = {
            name: {}
            for name in (
                "name",
                "state",
                "amount",
                "waiting_for",
                "explanation",
                "is_my_approval",
                "source_name",
            )
        }
        spec["source_ref"] = {"fields": {"display_name": {}}}
        spec["policy_id"] = {"fields": {"display_name": {}}}
        spec["decision_ids"] = {
            "fields": {"decision": {}, "user_id": {"fields": {"display_name": {}}}}
        }
        values = as_approver.web_read(spec)[0]
        self.assertTrue(values["is_my_approval"])
        action = as_approver.with_context(wfmon_decision="approve").action_open_decide_wizard()
        self.assertEqual(action["context"]["default_request_id"], request.id)
        as_approver.action_approve()
        self.assertEqual(request.level_sequence, 2)
