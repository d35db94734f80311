from odoo import models


class WfmonCase(models.Model):
    """Reporting on cases (kept apart from the engine): their age buckets and
    the engine fields kept out of custom group-by and measures."""

    _name = "wfmon.case"
    _inherit = ["wfmon.case", "wfmon.report.mixin"]

    # Open from the first detection until resolved (or now).
    _wfmon_age_start = "first_seen"
    _wfmon_age_end = "resolved_at"
    _wfmon_internal_fields = frozenset(
        {
            "fingerprint",
            "severity_rank",
            "priority_score",
            "sla_next_check",
            "sla_start",
            "at_risk_date",
            "paused_since",
            "response_hours",
            "resolution_hours",
            "sla_calendar_id",
            "escalated_step_ids",
            "res_model",
            "res_id",
        }
    )
