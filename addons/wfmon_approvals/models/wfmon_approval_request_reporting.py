from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.wfmon_core.models.wfmon_report_mixin import bucket_sql
from odoo.addons.wfmon_core.tools.buckets import Buckets

#: value bands of requests for reporting (in the request's currency); they
#: only group figures, nothing is decided on them (the matrix has its own
#: amount bands, per policy)
VALUE_BANDS = Buckets(
    codes=("v1", "v2", "v3", "v4"),
    labels=("Under 1,000", "1,000–10,000", "10,000–50,000", "50,000 and more"),
    bounds=(1000, 10000, 50000),
)


class WfmonApprovalRequest(models.Model):
    """Reporting on approval requests (kept apart from the engine): how long
    they wait (age buckets), their value band, and the bookkeeping fields
    kept out of custom group-by and measures."""

    _name = "wfmon.approval.request"
    _inherit = ["wfmon.approval.request", "wfmon.report.mixin"]

    # Waiting from the request until the decision (or now while pending).
    _wfmon_age_start = "date_requested"
    _wfmon_age_end = "date_decided"
    _wfmon_internal_fields = frozenset(
        {
            "next_check",
            "fingerprint",
            "snapshot",
            "level_sequence",
            "required_approvals",
            "action_name",
            "res_id",
            "remind_date",
        }
    )

    value_band = fields.Selection(
        VALUE_BANDS.selection,
        compute="_compute_value_band",
        search="_search_value_band",
        help="Amount of the request, in bands: under 1,000, 1,000–10,000, 10,000–50,000, "
        "50,000 and more (in the request's currency).",
    )

    @api.depends("amount")
    def _compute_value_band(self):
        for request in self:
            request.value_band = VALUE_BANDS.classify(request.amount or 0.0)

    def _search_value_band(self, operator, value):
        return self._wfmon_search_by_sql("value_band", operator, value)

    def _field_to_sql(self, alias, fname, query=None, flush=True):
        if fname != "value_band":
            return super()._field_to_sql(alias, fname, query, flush)
        amount = self._field_to_sql(alias, "amount", query, flush)
        return bucket_sql(VALUE_BANDS, SQL("COALESCE(%s, 0)", amount))
