from odoo import api, models


class WfmonPublisher(models.AbstractModel):
    _inherit = "wfmon.publisher"

    @api.model
    def _event_descriptions(self):
        # The approvals engine publishes these; wfmon_integration (which it does
        # not depend on) registers them on first use, under these words.
        return {
            **super()._event_descriptions(),
            "approval.requested": self.env._("Approval requested"),
            "approval.level_approved": self.env._("Approval level given, next level asked"),
            "approval.approved": self.env._("Approval given: the action runs"),
            "approval.rejected": self.env._("Approval refused"),
            "approval.cancelled": self.env._("Approval request cancelled"),
            "approval.expired": self.env._("Approval request expired"),
            "approval.reminded": self.env._("Approvers reminded"),
            "approval.escalated": self.env._("Approval escalated"),
        }
