from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from ..tools.envelope import build_envelope, new_event_id

RETENTION_PARAM = "wfmon_integration.retention_days"
# Written once by the outbox; nobody edits an event afterwards.
IMMUTABLE_FIELDS = {
    "name",
    "event_type",
    "type_id",
    "timestamp",
    "payload",
    "truncated",
    "res_model",
    "res_id",
    "reference",
    "company_id",
}


class WfmonEvent(models.Model):
    """Transactional outbox: one row per published event, written in the same
    transaction as the change that caused it (a rollback publishes nothing)."""

    _name = "wfmon.event"
    # Rows appended by the outbox only: one INSERT per batch (wfmon_core's wfmon_append_mixin.py).
    _inherit = ["wfmon.append.mixin"]
    _description = "Integration Event (outbox)"
    _order = "id desc"

    # Indexed by its unique constraint (name_uniq): no second index.
    name = fields.Char(string="Event ID", required=True, readonly=True, copy=False)
    event_type = fields.Char(string="Type", required=True, readonly=True, index=True)
    type_id = fields.Many2one("wfmon.event.type", string="Event Type", readonly=True, index=True)
    timestamp = fields.Datetime(required=True, readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    res_model = fields.Char(string="Source Model", readonly=True, index=True)
    res_id = fields.Many2oneReference(string="Source ID", model_field="res_model", readonly=True)
    reference = fields.Char(string="Source Reference", readonly=True)
    payload = fields.Text(
        readonly=True,
        help='The exact JSON body sent to endpoints: {"type", "timestamp", "data"}.',
    )
    truncated = fields.Boolean(
        readonly=True, help="The data exceeded the size limit and was reduced to its ids."
    )
    delivery_ids = fields.One2many("wfmon.webhook.delivery", "event_id", readonly=True)
    delivery_count = fields.Integer(compute="_compute_delivery_count")

    _sql_constraints = [
        ("name_uniq", "unique(name)", "Event ids are unique."),
    ]

    def init(self):
        # The plain index of ``name`` that earlier versions made, beside the unique
        # constraint's (Odoo keeps an index its field no longer asks for).
        self.env.cr.execute(SQL("DROP INDEX IF EXISTS wfmon_event__name_index"))

    @api.depends("name", "type_id", "reference")
    @api.depends_context("uid")
    def _compute_display_name(self):
        # The event id is the integrators' key: administrators read it; the
        # others read what happened to which document.
        technical = self.env.user.has_group("wfmon_core.group_wfmon_admin")
        for event in self:
            if technical or not event.type_id:
                event.display_name = event.name
            else:
                event.display_name = " — ".join(
                    filter(None, [event.type_id.sudo().name, event.reference])
                )

    def _compute_delivery_count(self):
        counts = dict(
            self.env["wfmon.webhook.delivery"]._read_group(
                [("event_id", "in", self.ids)], ["event_id"], ["__count"]
            )
        )
        for event in self:
            event.delivery_count = counts.get(event, 0)

    def write(self, vals):
        if IMMUTABLE_FIELDS.intersection(vals):
            raise AccessError(self.env._("Published events cannot be modified."))
        return super().write(vals)

    @api.model
    def _prepare_event_vals(self, event_type, type_rec, record, data, now):
        body, truncated = build_envelope(event_type, now, data)
        company = record["company_id"] if "company_id" in record._fields else False
        return {
            "name": new_event_id(),
            "event_type": event_type,
            "type_id": type_rec.id,
            "timestamp": now,
            "company_id": (company or self.env.company).id,
            "res_model": record._name,
            "res_id": record.id,
            "reference": (data.get("reference") if isinstance(data, dict) else None)
            or record.display_name,
            "payload": body,
            "truncated": truncated,
        }

    @api.model
    def _record_events(self, event_type, records, payloads):
        """Write one outbox row per record and fan it out to the endpoints.

        Two INSERTs per call whatever the number of records (events, then
        deliveries) plus the endpoint lookup.
        """
        if not records:
            return self.browse()
        now = fields.Datetime.now()
        type_rec = self.env["wfmon.event.type"]._ensure([event_type])[event_type]
        vals_list = [
            self._prepare_event_vals(event_type, type_rec, record, data, now)
            for record, data in zip(records, payloads, strict=True)
        ]
        # sudo: events are written on behalf of the system by whoever changed
        # the record (a cashier, a cron); nobody has create rights on the outbox.
        events = self.sudo().create(vals_list)
        events._fan_out()
        return events

    def _fan_out(self):
        """Create the deliveries of these events to the matching endpoints."""
        endpoints = self.env["wfmon.webhook.endpoint"]._wfmon_routes()
        if not endpoints:
            return self.env["wfmon.webhook.delivery"]
        vals_list = []
        for event in self:
            for endpoint_id, company_id, type_ids in endpoints:
                if company_id and company_id != event.company_id.id:
                    continue
                if type_ids is None or event.type_id.id in type_ids:
                    vals_list.append(
                        {
                            "event_id": event.id,
                            "endpoint_id": endpoint_id,
                            "next_attempt_at": event.timestamp,
                        }
                    )
        # sudo: deliveries are system data too (nobody has create rights on them).
        deliveries = self.env["wfmon.webhook.delivery"].sudo().create(vals_list)
        if deliveries:
            deliveries._trigger_dispatch()
        return deliveries

    def action_view_deliveries(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "wfmon_integration.wfmon_webhook_delivery_action"
        )
        action["domain"] = [("event_id", "=", self.id)]
        action["context"] = {}
        return action

    # ------------------------------------------------------------------
    # Retention
    # ------------------------------------------------------------------
    @api.model
    def _retention_days(self):
        # sudo: a system parameter read by the garbage collector.
        value = self.env["ir.config_parameter"].sudo().get_param(RETENTION_PARAM, "30")
        try:
            return max(int(value), 1)
        except ValueError:
            return 30

    @api.autovacuum
    def _gc_delivered_events(self):
        """Drop events older than the retention period once every delivery
        is done (dead letters keep their event until re-queued or deleted)."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """DELETE FROM wfmon_event e
                    WHERE e.timestamp < now() at time zone 'UTC' - make_interval(days => %s)
                      AND NOT EXISTS (SELECT 1 FROM wfmon_webhook_delivery d
                                       WHERE d.event_id = e.id AND d.state != 'done')""",
                self._retention_days(),
            )
        )
        self.invalidate_model()
        self.env["wfmon.webhook.delivery"].invalidate_model()

    # ------------------------------------------------------------------
    # Metrics (/wfmon/metrics)
    # ------------------------------------------------------------------
    @api.model
    def _metrics_families(self):
        """Prometheus metric families, each from one grouped query."""
        env = self.env
        cases = env["wfmon.case"]._read_group(
            [("is_open", "=", True)], ["type_id", "severity", "sla_status"], ["__count"]
        )
        families = [
            (
                "wfmon_cases_open",
                "gauge",
                "Open exception cases by type, severity and SLA status.",
                [
                    (
                        {
                            "type": case_type.code or "",
                            "severity": sev or "",
                            "sla_status": sla or "",
                        },
                        count,
                    )
                    for case_type, sev, sla, count in cases
                ],
            ),
            (
                "wfmon_webhook_deliveries",
                "gauge",
                "Webhook deliveries by endpoint and state.",
                [
                    ({"endpoint": endpoint.name or str(endpoint.id), "state": state}, count)
                    for endpoint, state, count in env["wfmon.webhook.delivery"]
                    .with_context(active_test=False)
                    ._read_group([], ["endpoint_id", "state"], ["__count"])
                ],
            ),
            (
                "wfmon_inbound_events",
                "gauge",
                "Inbound events by source and state.",
                [
                    ({"source": source.name or str(source.id), "state": state}, count)
                    for source, state, count in env["wfmon.inbound.event"]._read_group(
                        [], ["source_id", "state"], ["__count"]
                    )
                ],
            ),
            (
                "wfmon_inbound_rejections_24h",
                "gauge",
                "Refused inbound requests in the last 24 h by source and reason.",
                [
                    ({"source": source.name or str(source.id), "reason": reason}, count)
                    for source, reason, count in env["wfmon.inbound.rejection"]._read_group(
                        [("last_seen", ">=", fields.Datetime.now() - timedelta(hours=24))],
                        ["source_id", "reason"],
                        ["request_count:sum"],
                    )
                ],
            ),
        ]
        if "wfmon.approval.request" in env and "state" in env["wfmon.approval.request"]._fields:
            families.append(
                (
                    "wfmon_approval_requests",
                    "gauge",
                    "Approval requests by state.",
                    [
                        ({"state": state or ""}, count)
                        for state, count in env["wfmon.approval.request"]._read_group(
                            [], ["state"], ["__count"]
                        )
                    ],
                )
            )
        return families
