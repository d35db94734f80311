from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from odoo.addons.wfmon_core.models.wfmon_engine_mixin import ALL_FIELDS

REVIEW_THRESHOLD_PARAM = "wfmon_integration.review_threshold"
KINDS = [
    ("advice", "Advice"),
    ("category", "Category"),
    ("summary", "Summary"),
    ("priority", "Priority"),
]
REASON_MAX = 2000


class WfmonRecommendation(models.Model):
    """Advice from an outside service (AI, n8n flow) about a case.

    Advisory only, and stored apart from actions: nothing here executes an
    action, and every field is the engine's (nobody edits advice or its
    decision over RPC). A person accepts or dismisses it with a reason; low
    confidence routes the case to manual review. Once accepted, the case's
    ``_wfmon_recommendation_accepted`` hook lets a module apply what the
    person accepted, with that person's own rights.
    """

    _name = "wfmon.recommendation"
    _inherit = ["wfmon.engine.mixin"]
    _description = "Case Recommendation (advisory)"
    _order = "id desc"
    _wfmon_engine_fields = ALL_FIELDS
    _wfmon_engine_create = True

    case_id = fields.Many2one("wfmon.case", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="case_id.company_id", store=True, index=True)
    source_id = fields.Many2one(
        "wfmon.inbound.source", string="Inbound Source", ondelete="set null", readonly=True
    )
    source_label = fields.Char(
        string="Source",
        readonly=True,
        index=True,
        help="Who sent the advice: the inbound source's name, or the API user's name "
        "for JSON-RPC submissions. The acceptance rate is reported per source.",
    )
    kind = fields.Selection(
        KINDS,
        default="advice",
        required=True,
        readonly=True,
        help="Advice: free text. Category: a classification (the value proposes it). "
        "Summary: a summary of the history, shown next to the digest, never in its place. "
        "Priority: an opinion on urgency.",
    )
    text = fields.Text(string="Recommendation", required=True, readonly=True)
    proposed_value = fields.Char(
        readonly=True,
        help="The value proposed (a category code...). Applied only when a person "
        "accepts, by the module that owns it, with that person's rights.",
    )
    confidence = fields.Float(readonly=True, aggregator="avg", help="0 to 1, as sent.")
    confidence_percent = fields.Integer(
        string="Confidence (%)", compute="_compute_confidence_percent"
    )
    suggested_action = fields.Char(readonly=True, help="Label of the advised action; never run.")
    model_name = fields.Char(string="Advisor", readonly=True, help="Model or service that advised.")
    inputs_ref = fields.Char(
        string="Inputs",
        readonly=True,
        help="What the advisor read, as it says (an event id, a record and its version...).",
    )
    advised_at = fields.Datetime(
        readonly=True, help="When the advisor produced it, as it says; Received is when it came."
    )
    external_id = fields.Char(readonly=True)
    low_confidence = fields.Boolean(readonly=True)
    state = fields.Selection(
        [("new", "Proposed"), ("accepted", "Accepted"), ("dismissed", "Dismissed")],
        default="new",
        required=True,
        readonly=True,
        index=True,
    )
    decided_by_id = fields.Many2one("res.users", readonly=True)
    decided_at = fields.Datetime(readonly=True)
    decision_reason = fields.Text(readonly=True)

    @api.depends("confidence")
    def _compute_confidence_percent(self):
        for rec in self:
            rec.confidence_percent = round(rec.confidence * 100)

    @api.model
    def submit(
        self,
        case,
        text,
        confidence,
        suggested_action=None,
        model=None,
        external_id=None,
        kind=None,
        value=None,
        inputs=None,
    ):
        """JSON-RPC entry point for middleware (n8n): attach advice to a case.

        ``case`` is a case reference (``EXC-000012``) or id.  The caller must be
        a monitoring manager and see the case; the advice is only stored.
        ``kind``: advice (default), category, summary or priority; ``value``:
        the value it proposes; ``inputs``: what the advisor read.

        :return: the id of the recommendation
        """
        if not self.env.user.has_group("wfmon_core.group_wfmon_manager"):
            raise AccessError(self.env._("Only monitoring managers can submit recommendations."))
        Case = self.env["wfmon.case"]
        domain = [("id", "=", case)] if isinstance(case, int) else [("name", "=", str(case))]
        found = Case.search(domain, limit=1)
        if not found:
            raise UserError(self.env._("No case %s.", case))
        valid = (
            text
            and not isinstance(confidence, bool)
            and isinstance(confidence, int | float)
            and 0 <= confidence <= 1
        )
        if not valid:
            raise UserError(self.env._("Give a text and a confidence from 0 to 1."))
        self._check_kind(kind)
        return self._attach(
            found,
            self.env["wfmon.inbound.source"],
            text=str(text),
            confidence=float(confidence),
            suggested_action=suggested_action,
            model_name=model,
            external_id=external_id,
            kind=kind,
            proposed_value=value,
            inputs_ref=inputs,
            source_label=self.env.user.name,
        ).id

    @api.model
    def _check_kind(self, kind):
        known = [code for code, _label in self._fields["kind"]._description_selection(self.env)]
        if kind is not None and kind not in known:
            raise UserError(
                self.env._(
                    "Unknown kind of recommendation %(kind)s; known: %(known)s.",
                    kind=kind,
                    known=", ".join(known),
                )
            )

    @api.model
    def _attach(
        self,
        case,
        source,
        text,
        confidence,
        suggested_action=None,
        model_name=None,
        external_id=None,
        inbound_event=None,
        kind=None,
        proposed_value=None,
        inputs_ref=None,
        advised_at=None,
        source_label=None,
        extra_vals=None,
    ):
        """Store the advice; below the review threshold flag the case for review.

        ``extra_vals``: values of fields a module adds to recommendations (a
        typed proposal such as a ticket category), stored in the same engine
        create. Server code only: this method is private, no client reaches it.
        """
        if source:
            threshold = source.review_threshold
        else:
            # sudo: a system parameter (Settings) every caller must read.
            threshold = float(
                self.env["ir.config_parameter"].sudo().get_param(REVIEW_THRESHOLD_PARAM, "0.7")
            )
        low = confidence < (threshold or 0.0)
        self._check_kind(kind)
        if not inputs_ref and inbound_event:
            inputs_ref = f"wfmon.inbound.event,{inbound_event.id}"
        # sudo: the case was found with the source user's rights; writing advice
        # is what an authenticated source is for, whatever that user's ACL. The
        # engine creates advice: no client creates or edits it directly.
        rec = (
            self.sudo()
            ._wfmon_engine()
            .create(
                {
                    "kind": kind or "advice",
                    "proposed_value": str(proposed_value)[:200] if proposed_value else False,
                    "inputs_ref": str(inputs_ref)[:500] if inputs_ref else False,
                    "advised_at": advised_at or False,
                    "source_label": (source.name if source else source_label) or False,
                    "case_id": case.id,
                    "source_id": source.id or False,
                    "text": text[:10000],
                    "confidence": confidence,
                    "suggested_action": str(suggested_action)[:200] if suggested_action else False,
                    "model_name": str(model_name)[:100] if model_name else False,
                    "external_id": str(external_id)[:100] if external_id else False,
                    "low_confidence": low,
                    **(extra_vals or {}),
                }
            )
        )
        if low:
            # sudo: flagging the case and giving its owner a to-do is part of
            # storing the advice; the source's user may not edit cases.
            case.sudo()._wfmon_route_to_review(rec)
        return rec.with_env(self.env)

    def _decide(self, state, reason):
        """Record a person's decision with its reason; then let the module
        owning what was proposed apply an acceptance, as that person."""
        reason = (reason or "").strip() if isinstance(reason, str) else ""
        if not reason:
            raise UserError(self.env._("Give the reason for your decision."))
        todo = self.filtered(lambda r: r.state == "new")
        if not todo:
            return True
        # The rows are read with the caller's rights first: only advice the
        # caller sees is decided.
        todo.check_access("write")
        todo._wfmon_engine().write(
            {
                "state": state,
                "decided_by_id": self.env.uid,
                "decided_at": fields.Datetime.now(),
                "decision_reason": reason[:REASON_MAX],
            }
        )
        label = dict(self._fields["state"]._description_selection(self.env))[state]
        for rec in todo:
            rec.case_id.message_post(
                body=self.env._(
                    "Recommendation %(state)s (%(origin)s, %(pct)s%%): %(text)s Reason: %(reason)s",
                    state=label.lower(),
                    origin=rec.source_label or rec.model_name or "-",
                    pct=rec.confidence_percent,
                    text=rec.text[:200],
                    reason=reason[:500],
                )
            )
        if state == "accepted":
            # With the accepting person's rights, outside the engine: whatever
            # a module applies goes through every check and guard that person
            # meets (approvals included).
            todo.case_id.with_env(self.env)._wfmon_recommendation_accepted(todo)
        return True

    def _decision_dialog(self, decision):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Accept Recommendation")
            if decision == "accepted"
            else self.env._("Dismiss Recommendation"),
            "res_model": "wfmon.recommendation.decide",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_recommendation_ids": self.ids,
                "default_decision": decision,
            },
        }

    def action_accept(self, reason=None):
        """Accept with a reason (RPC), or open the dialog that asks for it."""
        if reason is None:
            return self._decision_dialog("accepted")
        return self._decide("accepted", reason)

    def action_dismiss(self, reason=None):
        """Dismiss with a reason (RPC), or open the dialog that asks for it."""
        if reason is None:
            return self._decision_dialog("dismissed")
        return self._decide("dismissed", reason)


class WfmonRecommendationReport(models.Model):
    """Acceptance of advice per source, kind and advisor (a database view)."""

    _name = "wfmon.recommendation.report"
    _description = "Recommendation Acceptance"
    _auto = False
    _order = "received desc"

    recommendation_id = fields.Many2one("wfmon.recommendation", readonly=True)
    case_id = fields.Many2one("wfmon.case", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    source_label = fields.Char(string="Source", readonly=True)
    model_name = fields.Char(string="Advisor", readonly=True)
    kind = fields.Selection(KINDS, readonly=True)
    state = fields.Selection(
        [("new", "Proposed"), ("accepted", "Accepted"), ("dismissed", "Dismissed")],
        readonly=True,
    )
    low_confidence = fields.Boolean(readonly=True)
    received = fields.Datetime(readonly=True)
    decided_at = fields.Datetime(readonly=True)
    confidence = fields.Float(readonly=True, aggregator="avg")
    acceptance_rate = fields.Float(
        string="Accepted (%)",
        readonly=True,
        aggregator="avg",
        help="Share of the decided recommendations that were accepted; undecided "
        "ones do not count.",
    )
    recommendation_count = fields.Integer(string="Recommendations", readonly=True)
    decided_count = fields.Integer(string="Decided", readonly=True)
    accepted_count = fields.Integer(string="Accepted", readonly=True)
    dismissed_count = fields.Integer(string="Dismissed", readonly=True)

    @property
    def _table_query(self):
        return SQL(
            """SELECT r.id, r.id AS recommendation_id, r.case_id, r.company_id,
                      COALESCE(r.source_label, r.model_name, 'Unnamed') AS source_label,
                      r.model_name, r.kind, r.state, r.low_confidence,
                      r.create_date AS received, r.decided_at,
                      r.confidence * 100 AS confidence,
                      CASE r.state WHEN 'accepted' THEN 100.0
                                   WHEN 'dismissed' THEN 0.0 END AS acceptance_rate,
                      1 AS recommendation_count,
                      CASE WHEN r.state != 'new' THEN 1 ELSE 0 END AS decided_count,
                      CASE WHEN r.state = 'accepted' THEN 1 ELSE 0 END AS accepted_count,
                      CASE WHEN r.state = 'dismissed' THEN 1 ELSE 0 END AS dismissed_count
                 FROM wfmon_recommendation r"""
        )
