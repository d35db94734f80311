"""Explainable priority score of cases, batched over the ORM.

The arithmetic is :mod:`..tools.priority` (plain Python, unit-tested); this file
gathers its inputs for a whole batch of cases with a fixed number of queries,
stores the score and each factor's contribution, and says how other modules
add inputs (:meth:`WfmonCase._wfmon_priority_inputs`).
"""

from collections import defaultdict

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.models import NewId

from ..tools.priority import PriorityInput, priority
from .wfmon_case import PROTECTED_FIELDS

#: what the score reads on the case itself (the hook adds the rest)
PRIORITY_DEPENDS = (
    "severity",
    "impact_amount",
    "sla_status",
    "sla_progress",
    "occurrence_count",
    "company_id",
    "res_model",
    "res_id",
)


class WfmonCase(models.Model):
    _inherit = "wfmon.case"
    # The score is computed, never typed in: nobody writes it over RPC either.
    _wfmon_engine_fields = frozenset(PROTECTED_FIELDS | {"priority_score", "priority_factors"})

    priority_score = fields.Float(
        compute="_compute_priority",
        store=True,
        precompute=True,
        readonly=True,
        aggregator="avg",
        help="Advisory ranking from 0 to 100 (value at risk, customer tier, SLA exposure, "
        "promotion impact, sales velocity, severity, recurrence, weighted in Settings). "
        "It orders queues; it decides nothing.",
    )
    priority_factors = fields.Json(
        compute="_compute_priority",
        store=True,
        precompute=True,
        readonly=True,
        help="Each factor's level and points, as the score was computed.",
    )
    priority_explanation = fields.Html(
        string="Why This Priority",
        compute="_compute_priority_explanation",
        sanitize=False,
    )

    # ------------------------------------------------------------------
    # Hook
    # ------------------------------------------------------------------
    def _wfmon_priority_inputs(self):
        """Inputs of the score that the case does not hold, for the whole batch.

        Also called on the new (in-memory) cases of a ``create``, before
        their INSERT, so that the row is written with its score: ``case.id``
        is then a new id, and the case holds its create values (its source
        ``res_model``/``res_id``, company, severity...), not its relations.

        :return: ``{case.id: {key: value}}`` with the optional keys
            ``promotion`` (bool, or a share 0..1), ``velocity`` (units a day),
            ``tier`` (a ``res.partner.wfmon_tier`` code) and ``impact_amount``
            (value at risk, replacing the case's business impact).

        Core fills ``tier`` from the customer of the source document (its
        ``partner_id``). A module extends it by calling ``super()`` and setting
        keys of its own cases, reading its data for the batch at once (never
        per case); it never writes. When its inputs change it calls
        :meth:`_wfmon_priority_refresh` on the cases concerned.
        """
        result = defaultdict(dict)
        by_model = defaultdict(set)
        for case in self:
            if case.res_model and case.res_id:
                by_model[case.res_model].add(case.res_id)
        for model, ids in by_model.items():
            if model not in self.env:
                continue
            field = self.env[model]._fields.get("partner_id")
            if not field or field.type != "many2one" or field.comodel_name != "res.partner":
                continue
            # sudo: the score is stored for everyone who sees the case; it
            # reads one selection of the source's customer, whatever the
            # reader's rights on the source document.
            docs = self.env[model].sudo().browse(ids).exists()
            tiers = {
                doc.id: doc.partner_id.commercial_partner_id.wfmon_tier
                for doc in docs
                if doc.partner_id
            }
            for case in self:
                tier = case.res_model == model and tiers.get(case.res_id)
                if tier:
                    result[case.id]["tier"] = tier
        return result

    def _wfmon_priority_refresh(self):
        """Recompute and store the score of these cases now (batched)."""
        if not self:
            return
        for fname in ("priority_score", "priority_factors"):
            self.env.add_to_compute(self._fields[fname], self)
        self.flush_recordset(["priority_score", "priority_factors"])

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.model
    def _add_precomputed_values(self, vals_list):
        """The score of a batch of new cases from their create values, so that
        their INSERT carries it (no second UPDATE of every new case at flush):
        in-memory cases holding only what the score reads, scored at once
        (the hook included)."""
        todo = [
            vals
            for vals in vals_list
            if "priority_score" not in vals or "priority_factors" not in vals
        ]
        if todo:
            probes = self.browse([NewId() for _vals in todo])
            for fname in ("sla_start", *PRIORITY_DEPENDS):
                field = self._fields[fname]
                self.env.cache.update(
                    probes,
                    field,
                    [field.convert_to_cache(vals.get(fname, False), self) for vals in todo],
                )
            results = probes._wfmon_priority_results()
            # The cases of one score share its factors (the cache copies them for
            # each case, and a record reads a copy): one dict per distinct score.
            factors = {}
            for probe, vals in zip(probes, todo, strict=True):
                found = results[probe.id]
                if found not in factors:
                    factors[found] = found.as_dict()
                vals.setdefault("priority_score", found.score)
                vals.setdefault("priority_factors", factors[found])
        return super()._add_precomputed_values(vals_list)

    def _wfmon_priority_results(self):
        """``{case.id: score}`` (``tools.priority.priority``'s result) of these
        cases, stored or new."""
        # sudo: the weights are company settings every score reads, whichever
        # companies the user who triggers a recompute may open.
        companies = self.company_id.sudo()
        configs = {company.id: company._wfmon_priority_config() for company in companies}
        extra = self._wfmon_priority_inputs() if self else {}
        results = {}
        # The cases of a batch mostly share their inputs (a scanner's: severity,
        # customer tier, no SLA consumed yet): each distinct input is scored once.
        scores = {}
        for case in self:
            known = extra.get(case.id, {})
            data = PriorityInput(
                severity=case.severity or None,
                impact_amount=known.get("impact_amount", case.impact_amount or None),
                tier=known.get("tier"),
                sla_ratio=(case.sla_progress / 100.0) if case.sla_start else None,
                sla_status=case.sla_status or None,
                promotion=known.get("promotion"),
                velocity=known.get("velocity"),
                occurrences=case.occurrence_count or None,
            )
            company_id = case.company_id.id if case.company_id.id in configs else None
            key = (company_id, data)
            try:
                hash(key)
            except TypeError:  # an input a module gave in a form that is not hashable
                key = ("case", case.id)
            if key not in scores:
                config = (
                    configs[company_id]
                    if company_id
                    else self.env.company.sudo()._wfmon_priority_config()
                )
                scores[key] = priority(data, config)
            results[case.id] = scores[key]
        return results

    @api.depends(*PRIORITY_DEPENDS)
    def _compute_priority(self):
        results = self._wfmon_priority_results()
        for case in self:
            found = results[case.id]
            case.priority_score = found.score
            case.priority_factors = found.as_dict()

    @api.depends("priority_factors")
    def _compute_priority_explanation(self):
        for case in self:
            case.priority_explanation = self._wfmon_priority_html(case.priority_factors)

    def _wfmon_priority_html(self, factors):
        """The stored factors as a table: what each one is and what it adds."""
        if not factors:
            return False
        rows = [f for f in factors.get("factors", []) if f.get("weight")]
        if not rows:
            return Markup("<p>%s</p>") % self.env._(
                "No priority weights are set: every case scores 0."
            )
        rows.sort(key=lambda f: -f["points"])
        labels = {
            "value": self.env._("Value at risk"),
            "tier": self.env._("Customer tier"),
            "sla": self.env._("SLA exposure"),
            "promotion": self.env._("Promotion impact"),
            "velocity": self.env._("Sales velocity"),
            "severity": self.env._("Severity"),
            "recurrence": self.env._("Recurrence"),
        }
        body = Markup("").join(
            Markup(
                "<tr><td>%s</td><td>%s</td><td class='text-end'>%s</td>"
                "<td class='text-end'>%s</td></tr>"
            )
            % (
                labels.get(f["factor"], f["label"]),
                f["detail"],
                f"{f['points']:.2f}",
                f"{f['share']:.0f}",
            )
            for f in rows
        )
        head = Markup(
            "<table class='table table-sm o_wfmon_priority'><thead><tr>"
            "<th>%s</th><th>%s</th><th class='text-end'>%s</th><th class='text-end'>%s</th>"
            "</tr></thead><tbody>"
        ) % (
            self.env._("Factor"),
            self.env._("Input"),
            self.env._("Points"),
            self.env._("Out of"),
        )
        total = Markup(
            "<tr class='fw-bold'><td colspan='2'>%s</td><td class='text-end'>%s</td>"
            "<td class='text-end'>100</td></tr>"
        ) % (
            self.env._("Score"),
            escape(f"{factors.get('score', 0):.2f}"),
        )
        return head + body + total + Markup("</tbody></table>")
