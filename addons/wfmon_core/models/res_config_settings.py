from odoo import api, fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    wfmon_calendar_id = fields.Many2one(related="company_id.wfmon_calendar_id", readonly=False)
    wfmon_at_risk_ratio = fields.Float(related="company_id.wfmon_at_risk_ratio", readonly=False)
    wfmon_priority_weight_value = fields.Float(
        related="company_id.wfmon_priority_weight_value", readonly=False
    )
    wfmon_priority_weight_tier = fields.Float(
        related="company_id.wfmon_priority_weight_tier", readonly=False
    )
    wfmon_priority_weight_sla = fields.Float(
        related="company_id.wfmon_priority_weight_sla", readonly=False
    )
    wfmon_priority_weight_promotion = fields.Float(
        related="company_id.wfmon_priority_weight_promotion", readonly=False
    )
    wfmon_priority_weight_velocity = fields.Float(
        related="company_id.wfmon_priority_weight_velocity", readonly=False
    )
    wfmon_priority_weight_severity = fields.Float(
        related="company_id.wfmon_priority_weight_severity", readonly=False
    )
    wfmon_priority_weight_recurrence = fields.Float(
        related="company_id.wfmon_priority_weight_recurrence", readonly=False
    )
    wfmon_priority_value_cap = fields.Float(
        related="company_id.wfmon_priority_value_cap", readonly=False
    )
    wfmon_scan_interval = fields.Integer(
        string="Scanner Cadence (minutes)",
        compute="_compute_wfmon_scan_interval",
        inverse="_inverse_wfmon_scan_interval",
        help="How often the SLA scanner and the monitors run.",
    )

    @api.depends("company_id")
    def _compute_wfmon_scan_interval(self):
        cron = self.env.ref("wfmon_core.ir_cron_wfmon_scan_sla", raise_if_not_found=False)
        minutes = 15
        if cron:
            # sudo: settings are reserved to administrators already; ir.cron
            # itself is readable only by the technical group.
            cron = cron.sudo()
            factor = {"minutes": 1, "hours": 60, "days": 1440, "weeks": 10080, "months": 43200}
            minutes = cron.interval_number * factor.get(cron.interval_type, 1)
        for settings in self:
            settings.wfmon_scan_interval = minutes

    def _inverse_wfmon_scan_interval(self):
        for settings in self:
            minutes = max(settings.wfmon_scan_interval, 1)
            for xmlid in (
                "wfmon_core.ir_cron_wfmon_scan_sla",
                "wfmon_core.ir_cron_wfmon_scan_rules",
            ):
                cron = self.env.ref(xmlid, raise_if_not_found=False)
                if cron:
                    # sudo: see _compute_wfmon_scan_interval
                    cron.sudo().write({"interval_number": minutes, "interval_type": "minutes"})
