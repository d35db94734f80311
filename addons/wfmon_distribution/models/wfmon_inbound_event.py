from odoo import models

from odoo.addons.wfmon_integration.models.wfmon_inbound_event import InboundError


class WfmonInboundEvent(models.Model):
    """Carrier exceptions: carrier events arriving on a verified inbound source open, bump or
    resolve the logistics case of the picking they name."""

    _inherit = "wfmon.inbound.event"

    def _inbound_handlers(self):
        return {
            **super()._inbound_handlers(),
            "carrier.shipment_exception": "_handle_carrier_event",
            "carrier.delivered": "_handle_carrier_event",
        }

    def _handle_carrier_event(self, data, env):
        """Runs as the source's "Process As" user, who needs read access to
        pickings; the source must list stock.picking among its models."""
        if "stock.picking" not in self.source_id.allowed_model_ids.mapped("model"):
            raise InboundError(
                self.env._("Model %s is not allowed for this source.", "stock.picking")
            )
        if self.event_type == "carrier.delivered":
            data = {**data, "status": "delivered"}
        return env["stock.picking"]._wfmon_carrier_event(data)
