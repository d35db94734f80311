from odoo import api, models

from odoo.addons.wfmon_integration.models.wfmon_inbound_event import InboundError, _is_record_id


class WfmonInboundEvent(models.Model):
    _inherit = "wfmon.inbound.event"

    @api.model
    def _inbound_handlers(self):
        return {
            **super()._inbound_handlers(),
            "helpdesk.classification": "_handle_helpdesk_classification",
        }

    def _handle_helpdesk_classification(self, data, env):
        """``helpdesk.classification``: a classifier's category for a ticket.

        data: ``ticket`` (number, e.g. HT00012) or ``ticket_id``; ``category``
        (name or full name) or ``category_id``; ``confidence`` (0..1); optional
        ``model``, ``external_id``, ``reason``. Stored as a recommendation of kind
        "category" on the ticket's case: under the source's review threshold the
        case goes to manual review, above it the ticket shows the category as a
        proposal that an agent accepts or dismisses, with a reason. The ticket
        itself is never changed here.
        """
        ticket = self._find_record(
            env, "helpdesk.ticket", data.get("ticket_id"), data.get("ticket")
        )
        Category = env["helpdesk.ticket.category"]
        if data.get("category_id") is not None:
            if not _is_record_id(data["category_id"]):
                raise InboundError(
                    self.env._('"category_id" must be a positive integer record id.')
                )
            category = Category.search([("id", "=", data["category_id"])])
        elif isinstance(data.get("category"), str) and data["category"].strip():
            name = data["category"].strip()
            category = Category.search([("complete_name", "=", name)]) or Category.search(
                [("name", "=", name)]
            )
        else:
            raise InboundError(self.env._('Give the category as "category" or "category_id".'))
        if len(category) != 1:
            raise InboundError(
                self.env._(
                    "Category %s matches %s categories visible to the source's user.",
                    data.get("category") or data.get("category_id"),
                    len(category),
                )
            )
        confidence = data.get("confidence")
        if isinstance(confidence, bool) or not isinstance(confidence, int | float):
            raise InboundError(self.env._('"confidence" must be a number from 0 to 1.'))
        if not 0 <= confidence <= 1:
            raise InboundError(self.env._('"confidence" must be a number from 0 to 1.'))
        # sudo: the link from ticket to case is the engine's; the source's user
        # found the ticket with its own rights above.
        case = ticket.sudo().wfmon_case_id.with_env(env)
        if not case:
            raise InboundError(self.env._("Ticket %s has no case.", ticket.number))
        reason = data.get("reason")
        text = self.env._("Category: %s", category.complete_name)
        if isinstance(reason, str) and reason.strip():
            text = f"{text}\n{reason.strip()[:2000]}"
        rec = env["wfmon.recommendation"]._attach(
            case,
            self.source_id,
            text=text,
            confidence=float(confidence),
            suggested_action=self.env._("Set the ticket category to %s", category.complete_name),
            model_name=data.get("model"),
            external_id=data.get("external_id"),
            inbound_event=self,
            kind="category",
            proposed_value=category.complete_name,
            inputs_ref=f"helpdesk.ticket,{ticket.id}",
            extra_vals={"helpdesk_category_id": category.id},
        )
        return rec
