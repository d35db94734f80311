from odoo import api, models

#: context key (a server flag) of the sale orders released under an approval
RELEASED_KEY = "wfmon_dist_released"


class WfmonDistributionDetector(models.AbstractModel):
    """Core's detector (``wfmon.detector``) with the distribution analysis lines.

    ``_detect`` and ``_detect_opened`` take ``lines``: ``{record id:
    [wfmon.distribution.line values]}``, the analysis lines of the cases opened
    or bumped (with ``refresh``, also of the open cases a scanner leaves as they
    are; default: ``bump``). Everything else is core's.
    """

    _name = "wfmon.distribution.detector"
    _inherit = "wfmon.detector"
    _description = "Operations Monitor: distribution detectors"
    _scan_prefix = "wfmon_distribution"

    @api.model
    def _detect_opened(
        self, type_code, records, payloads=None, lines=None, refresh=None, **options
    ):
        if options.get("site") and "owner" not in options:
            options["owner"] = self._supervisors(records, options["site"])
        cases, opened = super()._detect_opened(type_code, records, payloads, **options)
        if not cases or lines is None:
            return cases, opened
        case_of = dict(zip(records.ids, cases, strict=True))
        bump = options.get("bump", True)
        targets = records if (bump if refresh is None else refresh) else opened
        self._replace_lines(
            cases.browse([case_of[rec_id].id for rec_id in targets.ids]),
            {case_of[rec_id].id: lines.get(rec_id, []) for rec_id in targets.ids},
            new=targets is opened,
        )
        return cases, opened

    @api.model
    def _supervisors(self, records, site):
        """``{record id: user}``: the supervisor of each record's warehouse (the
        manager of its site), who owns the new cases nobody else owns (core's
        routing gives them to a team's lead first): a case of a warehouse always
        reaches a person, even where no team serves the warehouse. ``site``:
        one site, or a dict of sites (records or ids) by record id."""
        site_of = {rec.id: site.get(rec.id) if isinstance(site, dict) else site for rec in records}
        site_ids = {s.id if isinstance(s, models.BaseModel) else s for s in site_of.values()}
        site_ids.discard(False)
        site_ids.discard(None)
        if not site_ids:
            return {}
        # sudo: the engine routes cases; the user running the detector may not
        # read the sites' managers.
        managers = {
            s.id: s.manager_id for s in self.env["wfmon.site"].sudo().browse(sorted(site_ids))
        }
        result = {}
        for rec_id, value in site_of.items():
            manager = managers.get(value.id if isinstance(value, models.BaseModel) else value)
            if manager:
                result[rec_id] = manager
        return result

    @api.model
    def _replace_lines(self, cases, lines_by_case, new=False):
        """Replace the analysis lines of ``cases``; ``new``: the cases were
        opened just now and have none yet (nothing to look for)."""
        # sudo: analysis lines are written by the engine only; users read them.
        Line = self.env["wfmon.distribution.line"].sudo()
        if not cases:
            return Line
        if not new:
            Line.search([("case_id", "in", cases.ids)]).unlink()
        vals_list = [
            {**vals, "case_id": case_id, "sequence": index}
            for case_id, lines in lines_by_case.items()
            for index, vals in enumerate(lines)
        ]
        return Line.create(vals_list)

    @api.model
    def _sites(self, warehouses):
        """``{warehouse id: site id}``, creating missing sites."""
        return warehouses._wfmon_site_map()
