from odoo import api, fields, models


class WfmonSecretReveal(models.TransientModel):
    """Shows a signing secret to an administrator.  The secret is read from
    its record at display time (as the current user, so the admin-only field
    rule applies) and is never stored in the wizard."""

    _name = "wfmon.secret.reveal"
    _description = "Show Webhook Secret"

    res_model = fields.Char(required=True, readonly=True)
    res_id = fields.Integer(required=True, readonly=True)
    secret = fields.Char(compute="_compute_secret")
    target_name = fields.Char(compute="_compute_secret")

    @api.depends("res_model", "res_id")
    def _compute_secret(self):
        for wizard in self:
            if wizard.res_model not in self.env or not isinstance(
                self.env[wizard.res_model], self.env.registry["wfmon.secret.mixin"]
            ):
                wizard.secret = wizard.target_name = False
                continue
            record = self.env[wizard.res_model].browse(wizard.res_id)
            record._wfmon_check_secret_admin()
            wizard.secret = record.secret
            wizard.target_name = record.display_name

    @api.model
    def _open_for(self, record):
        wizard = self.create({"res_model": record._name, "res_id": record.id})
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Signing secret"),
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }
