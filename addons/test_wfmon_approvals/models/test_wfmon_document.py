from markupsafe import Markup

from odoo import fields, models


class TestWfmonDocument(models.Model):
    """A minimal guarded document: confirming it may need approval."""

    _name = "test.wfmon.document"
    _description = "Approval test document"
    _inherit = ["mail.thread", "wfmon.approval.mixin"]
    _wfmon_guarded_actions = {"action_confirm": "Confirm"}
    _wfmon_approval_site_field = "site_id"
    _wfmon_approval_case_type_field = "case_type_id"
    _wfmon_approval_snapshot_fields = ("partner_id",)
    _wfmon_guarded_states = {"action_confirm": ("state", ("confirmed",))}

    name = fields.Char(required=True)
    amount = fields.Monetary(currency_field="currency_id")
    currency_id = fields.Many2one(
        "res.currency", required=True, default=lambda self: self.env.company.currency_id
    )
    state = fields.Selection(
        [("draft", "Draft"), ("confirmed", "Confirmed")], default="draft", required=True
    )
    site_id = fields.Many2one("wfmon.site")
    case_type_id = fields.Many2one("wfmon.case.type")
    user_id = fields.Many2one("res.users", string="Salesperson")
    partner_id = fields.Many2one("res.partner")
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    confirm_count = fields.Integer(help="How many times the confirmation really ran.")
    confirmed_by_id = fields.Many2one("res.users")
    approved_under = fields.Char(help="The approval request the confirmation ran under.")
    held_count = fields.Integer(help="How many times the confirmation saw it held.")

    def _wfmon_approval_applicable(self, action_name):
        return self.filtered(lambda d: d.state == "draft")

    def _wfmon_approval_analysis(self, action_name):
        return {doc.id: Markup("<p>Amount to approve: <b>%s</b></p>") % doc.amount for doc in self}

    def action_confirm(self):
        allowed, response = self._wfmon_approval_guard("action_confirm")
        for doc in self._wfmon_approval_held("action_confirm", allowed):
            doc.held_count += 1
        consumed = allowed._wfmon_approval_consumed("action_confirm")
        for doc in allowed.filtered(lambda d: d.state == "draft"):
            doc.write(
                {
                    "state": "confirmed",
                    "confirm_count": doc.confirm_count + 1,
                    "confirmed_by_id": self.env.uid,
                    "approved_under": consumed[doc.id].name if doc.id in consumed else False,
                }
            )
        return response or True


class TestWfmonDocumentSecondGuard(models.Model):
    """A second module guarding the same action, as two modules both guard the
    confirmation of a purchase: its guard call runs first, the first module's
    call (reached through ``super``) must not go through the matrix again, and
    still sees the documents held (it counts them)."""

    _inherit = "test.wfmon.document"

    def action_confirm(self):
        allowed, response = self._wfmon_approval_guard("action_confirm")
        # Even when nothing is allowed: the other override sees the held ones.
        result = super(TestWfmonDocumentSecondGuard, allowed).action_confirm()
        return response or result
