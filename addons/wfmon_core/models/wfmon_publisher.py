from odoo import api, models


class WfmonPublisher(models.AbstractModel):
    """The one place every wfmon event goes through.

    Core only defines the hook: publishing is a no-op here, so wfmon_core works
    alone.  ``wfmon_integration`` overrides :meth:`_publish` to write the events
    to its transactional outbox (same transaction as the change that caused them).
    """

    _name = "wfmon.publisher"
    _description = "Operations Monitor event publisher"

    @api.model
    def _publish(self, event_type, records, payloads=None):
        """Publish one event of ``event_type`` per record of ``records``.

        :param str event_type: dotted event name, e.g. ``case.opened``
        :param records: recordset the events are about (any model)
        :param payloads: optional list of dicts (one per record, same order)
            holding the event data, or a function returning that list, called
            only when the events are written (core publishes nothing, so
            detectors do not build data nobody reads); defaults to
            ``records._wfmon_event_data()`` when the model provides it.
        :return: whatever the implementation returns (``None`` in core)
        """
        return None

    @api.model
    def _resolve_payloads(self, records, payloads):
        """The event data of ``records``: ``payloads`` (called when it is a
        function), else :meth:`_event_payloads`."""
        if callable(payloads):
            payloads = payloads()
        return self._event_payloads(records) if payloads is None else payloads

    @api.model
    def _event_descriptions(self):
        """``{event code: description}`` of the events a module publishes
        without declaring them as data (it does not depend on the module that
        stores event types): the registry names them with these words instead
        of their code. Modules extend the dict."""
        return {}

    @api.model
    def _event_payloads(self, records):
        if hasattr(records, "_wfmon_event_data"):
            return records._wfmon_event_data()
        return [{"model": rec._name, "id": rec.id} for rec in records]
