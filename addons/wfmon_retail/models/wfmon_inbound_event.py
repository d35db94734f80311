from datetime import datetime, timezone

from odoo import models

from odoo.addons.wfmon_integration.models.wfmon_inbound_event import InboundError


class WfmonInboundEvent(models.Model):
    """A supplier's ETA (``supplier.eta``, e.g. from n8n asking the vendor)
    written onto the purchase order and its low-stock case; an ETA beyond the
    store's lead-time policy escalates the case to merchandising."""

    _inherit = "wfmon.inbound.event"

    def _inbound_handlers(self):
        return {**super()._inbound_handlers(), "supplier.eta": "_handle_supplier_eta"}

    def _handle_supplier_eta(self, data, env):
        """``data``: ``{"purchase_order": name or "id": id, "eta": ISO date or
        datetime, "note": optional text}``. Runs as the source's "Process As"
        user (who needs write access to purchase orders); the source must list
        purchase.order among its models."""
        eta = data.get("eta")
        try:
            eta = datetime.fromisoformat(eta) if isinstance(eta, str) else None
        except ValueError:
            eta = None
        if eta and eta.tzinfo:
            eta = eta.astimezone(timezone.utc).replace(tzinfo=None)
        if not isinstance(eta, datetime):
            raise InboundError(self.env._('"eta" must be an ISO date or datetime.'))
        order = self._find_record(
            env,
            "purchase.order",
            record_id=data.get("id"),
            reference=data.get("purchase_order"),
        )
        if order.state in ("done", "cancel"):
            raise InboundError(
                self.env._("Purchase order %s is closed: no ETA to record.", order.name)
            )
        note = data.get("note") if isinstance(data.get("note"), str) else ""
        return order._wfmon_retail_record_eta(eta, note[:500])
