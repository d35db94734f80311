from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import WfmonCase


@tagged("post_install", "-at_install")
class TestAuditTrail(WfmonCase):
    """C7: every transition, assignment, escalation and override is logged
    with who, when and why; nobody edits or deletes the log."""

    def test_transitions_are_logged_with_who_and_when(self):
        case = self._open(site_id=self.store_a.id)
        case.with_user(self.user).action_assign_to_me()
        case.with_user(self.user).action_start()
        case.with_user(self.user).write({"resolution_note": "done"})
        case.with_user(self.user).action_resolve()
        logs = case.log_ids.sorted("id")
        self.assertEqual(logs.mapped("action"), ["open", "assign", "state", "state", "resolve"])
        self.assertEqual(logs[1:].mapped("user_id"), self.user)
        self.assertEqual(logs[-1].old_value, "in_progress")
        self.assertEqual(logs[-1].new_value, "resolved")
        self.assertTrue(all(logs.mapped("date")))
        self.assertFalse(any(logs.mapped("automated")))

    def test_log_cannot_be_edited_or_deleted(self):
        case = self._open(site_id=self.store_a.id)
        line = case.log_ids[:1]
        Log = self.env["wfmon.case.log"]
        self.assertTrue(line.with_user(self.user).read(["action"]), "users read the trail")
        for who in (self.user, self.manager, self.admin):
            with self.assertRaises(AccessError):
                line.with_user(who).write({"reason": "rewritten history"})
            with self.assertRaises(AccessError):
                line.with_user(who).unlink()
        with self.assertRaises(AccessError):
            Log.with_user(self.user).create({"case_id": case.id, "action": "note"})
        # Not even through sudo(), nor with the engine's context key as a client
        # sends it: only the engine creates lines.
        with self.assertRaises(AccessError):
            line.sudo().write({"reason": "x"})
        with self.assertRaises(AccessError):
            line.sudo().unlink()
        with self.assertRaises(AccessError):
            Log.sudo().with_context(wfmon_engine=True).create(
                {"case_id": case.id, "action": "note"}
            )
        self.assertEqual(line.action, "open")
