from odoo import api, fields, models

ALLOW_PRIVATE_PARAM = "wfmon_integration.allow_private_destinations"
METRICS_TOKEN_PARAM = "wfmon_integration.metrics_token"


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    wfmon_allow_private_destinations = fields.Boolean(
        string="Allow private webhook destinations",
        config_parameter=ALLOW_PRIVATE_PARAM,
        help="Let webhooks reach loopback, private and link-local addresses and plain "
        "http:// URLs (development, internal networks). Off: such URLs are refused.",
    )
    wfmon_metrics_token = fields.Char(
        string="Metrics bearer token",
        config_parameter=METRICS_TOKEN_PARAM,
        help="Token Prometheus sends as 'Authorization: Bearer <token>' to /wfmon/metrics. "
        "Empty: the endpoint refuses every request.",
    )

    wfmon_review_threshold = fields.Float(
        string="Review threshold",
        default=0.7,
        config_parameter="wfmon_integration.review_threshold",
        help="Recommendations submitted over JSON-RPC with a lower confidence put their case "
        "up for manual review (inbound sources have their own threshold).",
    )

    @api.model
    def _wfmon_allow_private(self):
        # sudo: a system parameter every dispatcher and validator must read.
        value = self.env["ir.config_parameter"].sudo().get_param(ALLOW_PRIVATE_PARAM)
        return str(value).lower() in ("1", "true", "yes")
