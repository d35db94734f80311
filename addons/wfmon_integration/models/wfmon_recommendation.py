from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

REVIEW_THRESHOLD_PARAM = "wfmon_integration.review_threshold"


class WfmonRecommendation(models.Model):
    """Advice from an outside service (AI, n8n flow) about a case.

    Advisory only: nothing here executes an action.  A person accepts or
    dismisses it; low confidence routes the case to manual review.
    """

    _name = "wfmon.recommendation"
    _description = "Case Recommendation (advisory)"
    _order = "id desc"

    case_id = fields.Many2one("wfmon.case", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="case_id.company_id", store=True, index=True)
    source_id = fields.Many2one("wfmon.inbound.source", ondelete="set null", readonly=True)
    text = fields.Text(string="Recommendation", required=True, readonly=True)
    confidence = fields.Float(readonly=True, aggregator="avg", help="0 to 1, as sent.")
    confidence_percent = fields.Integer(
        string="Confidence (%)", compute="_compute_confidence_percent"
    )
    suggested_action = fields.Char(readonly=True, help="Label of the advised action; never run.")
    model_name = fields.Char(string="Advisor", readonly=True, help="Model or service that advised.")
    external_id = fields.Char(readonly=True)
    low_confidence = fields.Boolean(readonly=True)
    state = fields.Selection(
        [("new", "New"), ("accepted", "Accepted"), ("dismissed", "Dismissed")],
        default="new",
        required=True,
        readonly=True,
    )
    decided_by_id = fields.Many2one("res.users", readonly=True)
    decided_at = fields.Datetime(readonly=True)

    @api.depends("confidence")
    def _compute_confidence_percent(self):
        for rec in self:
            rec.confidence_percent = round(rec.confidence * 100)

    @api.model
    def submit(self, case, text, confidence, suggested_action=None, model=None, external_id=None):
        """JSON-RPC entry point for middleware (n8n): attach advice to a case.

        ``case`` is a case reference (``EXC-000012``) or id.  The caller must be
        a monitoring manager and see the case; the advice is only stored.

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
        return self._attach(
            found,
            self.env["wfmon.inbound.source"],
            text=str(text),
            confidence=float(confidence),
            suggested_action=suggested_action,
            model_name=model,
            external_id=external_id,
        ).id

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
    ):
        """Store the advice; below the review threshold flag the case for review."""
        if source:
            threshold = source.review_threshold
        else:
            # sudo: a system parameter (Settings) every caller must read.
            threshold = float(
                self.env["ir.config_parameter"].sudo().get_param(REVIEW_THRESHOLD_PARAM, "0.7")
            )
        low = confidence < (threshold or 0.0)
        # sudo: the case was found with the source user's rights; writing advice
        # is what an authenticated source is for, whatever that user's ACL.
        rec = self.sudo().create(
            {
                "case_id": case.id,
                "source_id": source.id or False,
                "text": text[:10000],
                "confidence": confidence,
                "suggested_action": str(suggested_action)[:200] if suggested_action else False,
                "model_name": str(model_name)[:100] if model_name else False,
                "external_id": str(external_id)[:100] if external_id else False,
                "low_confidence": low,
            }
        )
        if low:
            # sudo: flagging the case and giving its owner a to-do is part of
            # storing the advice; the source's user may not edit cases.
            case.sudo()._wfmon_route_to_review(rec)
        return rec.with_env(self.env)

    def _decide(self, state):
        self.write(
            {"state": state, "decided_by_id": self.env.uid, "decided_at": fields.Datetime.now()}
        )
        for rec in self:
            rec.case_id.message_post(
                body=self.env._(
                    "Recommendation %(state)s: %(text)s",
                    state=dict(self._fields["state"].selection)[state].lower(),
                    text=rec.text[:200],
                )
            )
        return True

    def action_accept(self):
        return self.filtered(lambda r: r.state == "new")._decide("accepted")

    def action_dismiss(self):
        return self.filtered(lambda r: r.state == "new")._decide("dismissed")
