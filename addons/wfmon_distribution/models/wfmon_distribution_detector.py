from datetime import date, datetime

from odoo import api, models

from odoo.addons.wfmon_core.tools.engine import flag, server_flag, with_flags
from odoo.addons.wfmon_core.tools.fingerprint import fingerprint

SCAN_BATCH = 500
# Context switches of the detectors. Only server flags count (core's
# tools/engine.py): a client sending {"wfmon_distribution_disable": true} or
# {"wfmon_scanner": true} changes nothing.
DISABLE_KEY = "wfmon_distribution_disable"
SCANNER_KEY = "wfmon_scanner"
RELEASED_KEY = "wfmon_dist_released"
#: context of server code that runs without the detectors and approval guards
#: (the benchmark's baseline: what Odoo does without this module)
DETECTORS_OFF = {DISABLE_KEY: server_flag(True)}


def detectors_off(env):
    """Whether server code switched the detectors off for this environment."""
    return bool(flag(env.context, DISABLE_KEY))


def as_scanner(records):
    """``records`` as a periodic scanner: open cases are refreshed, not bumped."""
    return with_flags(records, **{SCANNER_KEY: True})


def is_scanner(env):
    return bool(flag(env.context, SCANNER_KEY))


def _jsonable(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _jsonable(val) for key, val in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(val) for val in value]
    if isinstance(value, models.BaseModel):
        return value.ids
    return value


class WfmonDistributionDetector(models.AbstractModel):
    """Shared plumbing of the distribution detectors.

    Every detector computes its signal for a whole batch of documents, then calls
    :meth:`_detect` (open or bump the cases, refresh their analysis lines,
    publish the business event of the newly opened ones) and :meth:`_resolve`
    (auto-resolve the cases whose signal cleared).  Both cost a fixed number of
    queries per batch.
    """

    _name = "wfmon.distribution.detector"
    _description = "Operations Monitor: distribution detectors"

    @api.model
    def _open_cases(self, type_code, records):
        """``{record id: open case}`` of ``type_code`` on ``records`` (one query)."""
        if not records:
            return {}
        prints = {fingerprint(type_code, records._name, rec_id): rec_id for rec_id in records.ids}
        # sudo: a detector runs as whoever triggered it and must see every open
        # case of its documents to deduplicate and resolve them.
        cases = (
            self.env["wfmon.case"]
            .sudo()
            .search_fetch(
                [("fingerprint", "in", list(prints)), ("is_open", "=", True)], ["fingerprint"]
            )
        )
        return {prints[case.fingerprint]: case for case in cases}

    @api.model
    def _detect(
        self,
        type_code,
        records,
        payloads,
        details=None,
        lines=None,
        severity=None,
        impact=None,
        summary=None,
        site=None,
        bump=True,
        refresh=None,
        return_new=False,
    ):
        """Open (or bump) one case of ``type_code`` per record.

        :param payloads: ``{record id: dict}`` business data of the event published
            for each newly opened case (``distribution.*``)
        :param lines: ``{record id: [wfmon.distribution.line values]}``: the analysis
            lines of the cases opened or bumped (with ``refresh``, also of the open
            cases a scanner leaves as they are; default: ``bump``)
        :return: the cases, in the order of ``records`` (with ``return_new``: a
            pair of the cases and the records whose case was opened now)
        """
        if not records:
            return (self.env["wfmon.case"], records) if return_new else self.env["wfmon.case"]
        before = self._open_cases(type_code, records)
        cases = self.env["wfmon.case"]._raise(
            type_code,
            records,
            severity=severity,
            impact=impact,
            details=details,
            summary=summary,
            site=site,
            bump=bump,
        )
        if len(cases) != len(records):
            # Core opens nothing for an archived case type: the administrator
            # switched this detector off.
            empty = self.env["wfmon.case"]
            return (empty, records.browse()) if return_new else empty
        case_of = dict(zip(records.ids, cases, strict=True))
        new_records = records.filtered(lambda rec: rec.id not in before)
        if lines is not None:
            refresh = bump if refresh is None else refresh
            targets = records if refresh else new_records
            self._replace_lines(
                cases.browse([case_of[rec_id].id for rec_id in targets.ids]),
                {case_of[rec_id].id: lines.get(rec_id, []) for rec_id in targets.ids},
            )
        if new_records:
            self._publish(type_code, new_records, case_of, payloads)
        return (cases, new_records) if return_new else cases

    @api.model
    def _replace_lines(self, cases, lines_by_case):
        # sudo: analysis lines are written by the engine only; users read them.
        Line = self.env["wfmon.distribution.line"].sudo()
        if not cases:
            return Line
        Line.search([("case_id", "in", cases.ids)]).unlink()
        vals_list = [
            {**vals, "case_id": case_id, "sequence": index}
            for case_id, lines in lines_by_case.items()
            for index, vals in enumerate(lines)
        ]
        return Line.create(vals_list)

    @api.model
    def _publish(self, type_code, records, case_of, payloads):
        cases = self.env["wfmon.case"].browse([case_of[rec.id].id for rec in records])
        case_data = dict(zip(cases.ids, cases.sudo()._wfmon_event_data(), strict=True))
        data = [
            _jsonable(
                {
                    "case": case_data[case_of[rec.id].id],
                    "document": {"model": rec._name, "id": rec.id, "name": rec.display_name},
                    **(payloads.get(rec.id) or {}),
                }
            )
            for rec in records
        ]
        # The event is named after the case type: one scheme for both.
        self.env["wfmon.publisher"]._publish(type_code, records, data)

    @api.model
    def _resolve(self, type_code, records, reason):
        """Auto-resolve the open cases of ``type_code`` on ``records``."""
        if not records:
            return self.env["wfmon.case"]
        return self.env["wfmon.case"]._clear(type_code, records, reason)

    @api.model
    def _resolve_released(self, type_codes, records, released):
        """Resolve the hold cases (``type_codes``) of documents that ran under an
        approval, naming the request and its approvers: the decision trail.

        :param released: ``{record id: approval request}``, as given by
            ``_wfmon_approval_consumed`` (usually one document: the resumed one)
        """
        for record in records:
            # sudo: the decision trail of the request the document ran under.
            request = released[record.id].sudo()
            approvers = request.decision_ids.filtered(lambda d: d.decision == "approve").user_id
            reason = self.env._(
                "Released under approval %(request)s (%(policy)s), approved by %(who)s.",
                request=request.name,
                policy=request.policy_id.name,
                who=", ".join(approvers.mapped("name")) or self.env._("the system"),
            )
            for type_code in type_codes:
                self._resolve(type_code, record, reason)

    @api.model
    def _open_case_batch(self, type_code, model, after_id=0, limit=SCAN_BATCH):
        """Open cases of ``type_code`` on ``model`` after ``after_id`` (scanners
        re-checking whether their signal cleared), oldest id first."""
        # sudo: scanners run as the cron user and must see every open case.
        return (
            self.env["wfmon.case"]
            .sudo()
            .search_fetch(
                [
                    ("type_id.code", "=", type_code),
                    ("res_model", "=", model),
                    ("is_open", "=", True),
                    ("id", ">", after_id),
                ],
                ["res_id", "company_id"],
                order="id",
                limit=limit,
            )
        )

    @api.model
    def _sites(self, warehouses):
        """``{warehouse id: site id}``, creating missing sites."""
        warehouses._wfmon_ensure_site()
        return {wh.id: wh.wfmon_site_id.id for wh in warehouses}

    @api.model
    def _scan(self, name, model, domain, process, batch_size=SCAN_BATCH, max_batches=20):
        """Run ``process(records)`` over the records of ``model`` matching
        ``domain``, in batches of ``batch_size`` by increasing id.

        Each call handles at most ``max_batches`` batches; the id cursor is kept
        in a system parameter, and the cron framework is told how much remains,
        so it runs the job again at once and the next call goes on from there.
        The query count of a batch does not depend on the data volume.

        :param model: a model (recordset) the records are searched on
        :return: the number of records processed
        """
        # sudo: the cursor is technical state of the scheduled action.
        params = self.env["ir.config_parameter"].sudo()
        key = f"wfmon_distribution.scan_cursor.{name}"
        cursor = int(params.get_param(key) or 0)
        done = 0
        for _batch in range(max_batches):
            records = model.search([*domain, ("id", ">", cursor)], order="id", limit=batch_size)
            if records:
                process(records)
                done += len(records)
            if len(records) < batch_size:
                cursor = 0
                break
            cursor = records[-1].id
        remaining = model.search_count([*domain, ("id", ">", cursor)]) if cursor else 0
        params.set_param(key, str(cursor))
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return done
