from odoo import fields, models


class WfmonRootCause(models.Model):
    _name = "wfmon.root.cause"
    _description = "Root-cause Category"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    code = fields.Char()
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True)
