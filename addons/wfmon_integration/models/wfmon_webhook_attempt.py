from odoo import fields, models
from odoo.tools import SQL

from ..tools.sender import ERROR_EXCERPT


class WfmonWebhookAttempt(models.Model):
    """One HTTP attempt of a delivery (append-only log line)."""

    _name = "wfmon.webhook.attempt"
    _description = "Webhook Delivery Attempt"
    _order = "id desc"

    delivery_id = fields.Many2one(
        "wfmon.webhook.delivery", required=True, ondelete="cascade", index=True, readonly=True
    )
    endpoint_id = fields.Many2one(
        "wfmon.webhook.endpoint", required=True, ondelete="cascade", readonly=True
    )  # indexed with id by init()
    company_id = fields.Many2one(related="delivery_id.company_id", store=True)
    attempt_no = fields.Integer(string="Attempt", readonly=True)
    status_code = fields.Integer(readonly=True, help="0 when no HTTP response came back.")
    latency_ms = fields.Integer(string="Latency (ms)", readonly=True)
    success = fields.Boolean(readonly=True)
    outcome = fields.Selection(
        [
            ("done", "Delivered"),
            ("retry", "Retry scheduled"),
            ("dead", "Dead letter"),
            ("gone", "Gone (endpoint disabled)"),
        ],
        readonly=True,
    )
    error = fields.Char(string="Error Excerpt", readonly=True, size=ERROR_EXCERPT)
    retry_at = fields.Datetime(readonly=True)
    # What was sent and what came back (the delivery log).
    request_headers = fields.Text(
        readonly=True,
        help="Headers of the request, one per line; the values of the endpoint's custom "
        "headers are not shown. Empty when nothing was sent (destination refused).",
    )
    request_body = fields.Text(
        related="delivery_id.event_id.payload",
        string="Request Body",
        help="The exact JSON body sent (the same on every attempt of the event).",
    )
    response_excerpt = fields.Text(
        readonly=True,
        help="The start of the response body (at most 1,000 bytes); empty without a response.",
    )
    event_type = fields.Char(related="delivery_id.event_type")
    webhook_id = fields.Char(
        related="delivery_id.event_id.name", string="Webhook ID", help="The event's id."
    )

    def init(self):
        # Health statistics read the latest attempts of each endpoint; the
        # (endpoint_id, id) index also serves every lookup by endpoint.
        self.env.cr.execute(SQL("DROP INDEX IF EXISTS wfmon_webhook_attempt__endpoint_id_index"))
        self.env.cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS wfmon_webhook_attempt_endpoint_id_id_idx "
                "ON wfmon_webhook_attempt (endpoint_id, id)"
            )
        )
