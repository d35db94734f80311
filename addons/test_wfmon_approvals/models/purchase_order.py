from odoo import models


class PurchaseOrder(models.Model):
    _name = "purchase.order"
    _inherit = ["purchase.order", "wfmon.approval.mixin"]
    _wfmon_guarded_actions = {"button_confirm": "Confirm Order"}

    def _wfmon_approval_applicable(self, action_name):
        return self.filtered(lambda po: po.state in ("draft", "sent"))

    def button_confirm(self):
        allowed, response = self._wfmon_approval_guard("button_confirm")
        result = super(PurchaseOrder, allowed).button_confirm() if allowed else True
        return response or result
