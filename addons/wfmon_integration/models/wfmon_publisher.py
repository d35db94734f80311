from odoo import api, models


class WfmonPublisher(models.AbstractModel):
    _inherit = "wfmon.publisher"

    @api.model
    def _publish(self, event_type, records, payloads=None):
        """Write the events to the outbox, in the caller's transaction."""
        super()._publish(event_type, records, payloads=payloads)
        if not records:
            return self.env["wfmon.event"]
        payloads = self._resolve_payloads(records, payloads)
        return self.env["wfmon.event"]._record_events(event_type, records, payloads)
