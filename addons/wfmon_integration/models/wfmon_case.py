from odoo import fields, models


class WfmonCase(models.Model):
    _inherit = "wfmon.case"

    recommendation_ids = fields.One2many("wfmon.recommendation", "case_id", readonly=True)
    recommendation_count = fields.Integer(compute="_compute_recommendation_count")
    summary_recommendation_ids = fields.One2many(
        "wfmon.recommendation",
        "case_id",
        string="Outside Summaries",
        domain=[("kind", "=", "summary")],
        readonly=True,
    )
    needs_review = fields.Boolean(
        string="Manual Review",
        copy=False,
        index=True,
        help="Set when advice arrived with low confidence: a person must decide.",
    )

    def _compute_recommendation_count(self):
        counts = dict(
            self.env["wfmon.recommendation"]._read_group(
                [("case_id", "in", self.ids)], ["case_id"], ["__count"]
            )
        )
        for case in self:
            case.recommendation_count = counts.get(case, 0)

    def _wfmon_digest_events(self):
        """Advice and what people decided on it belong to the case's story."""
        result = super()._wfmon_digest_events()
        if not self.ids:
            return result
        recommendations = self.env["wfmon.recommendation"].search(
            [("case_id", "in", self.ids)], order="create_date, id"
        )
        kinds = dict(recommendations._fields["kind"]._description_selection(self.env))
        for rec in recommendations:
            label = self.env._(
                "%(kind)s from %(origin)s (%(pct)s%%)",
                kind=kinds.get(rec.kind, rec.kind),
                origin=rec.source_label or rec.model_name or "-",
                pct=rec.confidence_percent,
            )
            events = result[rec.case_id.id]
            events.append(
                {
                    "date": rec.create_date,
                    "kind": f"advice.{rec.kind}",
                    "label": label,
                    "automated": True,
                    "new": rec.proposed_value or None,
                    # A summary's text is shown in full beside the digest, not in it.
                    "text": None if rec.kind == "summary" else rec.text,
                    "opens": f"advice-{rec.id}",
                    "open_label": self.env._("Decide on: %s", label),
                }
            )
            if rec.state != "new":
                events.append(
                    {
                        "date": rec.decided_at or rec.write_date,
                        "kind": "advice.decision",
                        "label": label,
                        "author": rec.decided_by_id.name or None,
                        "decision": dict(rec._fields["state"]._description_selection(self.env))[
                            rec.state
                        ].lower(),
                        "text": rec.decision_reason or None,
                        "closes": f"advice-{rec.id}",
                    }
                )
        return result

    def _wfmon_route_to_review(self, recommendation):
        """Flag for manual review and give the owner (or team lead) a to-do."""
        for case in self:
            case.needs_review = True
            user = case.user_id or case.team_id.lead_id
            case.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Review low-confidence recommendation"),
                note=self.env._(
                    "Confidence %(pct)s%%: %(text)s",
                    pct=round(recommendation.confidence * 100),
                    text=recommendation.text[:500],
                ),
                user_id=user.id or self.env.ref("base.user_admin").id,
            )

    def _wfmon_recommendation_accepted(self, recommendations):
        """Hook: a person has just accepted ``recommendations`` (on the cases of
        ``self``). Runs with that person's rights, outside the engine: a module
        applies what it proposed (a ticket category...) as that person would by
        hand, through the same checks and guards. Core applies nothing; raise
        ``UserError`` to refuse, which undoes the acceptance. Call ``super()``."""
        return True

    def action_view_recommendations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "wfmon_integration.wfmon_recommendation_action"
        )
        action["domain"] = [("case_id", "=", self.id)]
        action["context"] = {"default_case_id": self.id}
        return action

    def action_review_done(self):
        self.write({"needs_review": False})
        return True
