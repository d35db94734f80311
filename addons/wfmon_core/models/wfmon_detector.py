from datetime import date, datetime

import babel.dates
import pytz

from odoo import api, models
from odoo.osv.expression import normalize_domain
from odoo.tools import SQL
from odoo.tools.misc import babel_locale_parse, get_lang

from ..tools.engine import flag, server_flag, with_flags
from ..tools.fingerprint import fingerprint

#: records a scanner handles per batch
SCAN_BATCH = 500
# Context switches of the detectors. Only server flags count (tools/engine.py): a
# client sending {"wfmon_detectors_off": true} or {"wfmon_scanner": true} changes
# nothing.
DETECTORS_OFF_KEY = "wfmon_detectors_off"
SCANNER_KEY = "wfmon_scanner"
#: context of server code that runs without the detectors and approval guards of
#: the suite's modules (the benchmarks' baseline: what Odoo does without them)
DETECTORS_OFF = {DETECTORS_OFF_KEY: server_flag(True)}


def detectors_off(env):
    """Whether server code switched the detectors off for this environment."""
    return bool(flag(env.context, DETECTORS_OFF_KEY))


def as_scanner(records):
    """``records`` as a periodic scanner: open cases are refreshed, not bumped."""
    return with_flags(records, **{SCANNER_KEY: True})


def is_scanner(env):
    """Whether the detectors run for a periodic scanner (see :func:`as_scanner`)."""
    return bool(flag(env.context, SCANNER_KEY))


def changed_since(since, *paths, terms=()):
    """The domain "any of ``paths`` was written since ``since``, or any of
    ``terms`` holds" (a term: a leaf, or a domain list), for a scanner's
    ``changed`` (see ``wfmon.detector._scan_due``)::

        changed_since(since, "write_date", "partner_id.write_date",
                      terms=[("product_id", "in", moved_products)])
    """
    parts = [[(path, ">=", since)] for path in paths] + [
        normalize_domain(term) if isinstance(term, list) else [term] for term in terms
    ]
    return ["|"] * (len(parts) - 1) + [item for part in parts for item in part]


def datetime_formatter(env):
    """``format(value)``: what ``odoo.tools.format_datetime(env, value)`` gives
    (the user's time zone and language, "medium" format), for the many dates of
    one batch: the language, its locale and the time zone are looked up once,
    where ``format_datetime`` looks them up on every call (most of its cost)."""
    try:
        zone = pytz.timezone(env.user.tz or "UTC")
    except pytz.UnknownTimeZoneError:
        zone = pytz.utc  # what format_datetime falls back to
    locale = babel_locale_parse(get_lang(env).code)

    def format_value(value):
        if not value:
            return ""
        moment = pytz.utc.localize(value, is_dst=False).astimezone(zone)
        return babel.dates.format_datetime(moment, "medium", locale=locale)

    return format_value


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


class WfmonDetector(models.AbstractModel):
    """What every detector of the suite's modules is built on.

    A detector computes its signal for a whole batch of documents, then calls
    :meth:`_detect` (open or bump one case per document and publish the
    business event of the cases opened now) and :meth:`_resolve` (resolve the
    cases whose signal cleared); a scheduled detector walks its documents with
    :meth:`_scan`. Each costs a fixed number of queries per batch.

    The business event of a case type has the type's code as its name: a case
    of ``distribution.picking_late`` publishes ``distribution.picking_late``
    with the case, the document and the detector's own payload.

    Modules use it as it is (``self.env["wfmon.detector"]``) or derive their
    own (``_name = "x.detector"``, ``_inherit = "wfmon.detector"``) to add
    to what a detection writes.
    """

    _name = "wfmon.detector"
    _description = "Operations Monitor: detectors"

    #: prefix of the system parameters holding the scanners' id cursors
    _scan_prefix = "wfmon"

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
    def _detect(self, type_code, records, payloads=None, **options):
        """Open (or bump) one case of ``type_code`` per record.

        Takes the arguments of :meth:`_detect_opened`.

        :return: the cases, in the order of ``records``
        """
        return self._detect_opened(type_code, records, payloads, **options)[0]

    @api.model
    def _detect_opened(
        self,
        type_code,
        records,
        payloads=None,
        details=None,
        severity=None,
        impact=None,
        summary=None,
        site=None,
        bump=True,
        owner=None,
    ):
        """Open (or bump) one case of ``type_code`` per record, and say which
        records had no open case before.

        :param payloads: ``{record id: dict}`` business data of the event
            published for each newly opened case
        :param details, severity, impact, summary, site: as for
            ``wfmon.case._raise``: one value, or a dict by record id
        :param bump: ``False`` for periodic scanners: an open case is left as it is
        :param owner: as for ``wfmon.case._raise``: who owns a case opened now
            that routing gives nobody (a user, or a dict of users by record id)
        :return: ``(cases, opened)``: the cases in the order of ``records``, and
            the records whose case was opened now (both empty when the case type
            is archived: its detector is switched off)
        """
        Case = self.env["wfmon.case"]
        if not records:
            return Case, records
        # The case.opened events' data of the new cases, for this detector's own
        # event, and the ids of the records whose case is opened now.
        event_data = {}
        new_ids = set()
        cases = Case._raise(
            type_code,
            records,
            severity=severity,
            impact=impact,
            details=details,
            summary=summary,
            site=site,
            bump=bump,
            owner=owner,
            event_data=event_data,
            opened=new_ids,
        )
        if len(cases) != len(records):
            # Core opens nothing for an archived case type: the administrator
            # switched this detector off.
            return Case, records.browse()
        opened = records.filtered(lambda rec: rec.id in new_ids)
        if opened:
            self._publish(
                type_code,
                opened,
                dict(zip(records.ids, cases, strict=True)),
                payloads,
                event_data=event_data,
            )
        return cases, opened

    @api.model
    def _publish(self, type_code, records, case_of, payloads, event_data=None):
        """Publish the business event ``type_code`` for the cases just opened on
        ``records`` (``case_of``: ``{record id: case}``); ``event_data``: the
        cases' public event data already built (``{case id: data}``, see
        ``wfmon.case._raise``), the others' is built here."""
        cases = self.env["wfmon.case"].browse([case_of[rec.id].id for rec in records])

        def data():
            # Built only when the events are written (not by core's no-op publisher).
            case_data = dict(event_data or {})
            missing = cases.filtered(lambda case: case.id not in case_data)
            if missing:
                case_data.update(zip(missing.ids, missing.sudo()._wfmon_event_data(), strict=True))
            # The case data is JSON already (what case.opened carries): only the
            # document and the detector's payload are converted.
            return [
                {
                    "case": case_data[case_of[rec.id].id],
                    **_jsonable(
                        {
                            "document": {
                                "model": rec._name,
                                "id": rec.id,
                                "name": rec.display_name,
                            },
                            **((payloads or {}).get(rec.id) or {}),
                        }
                    ),
                }
                for rec in records
            ]

        self.env["wfmon.publisher"]._publish(type_code, records, data)

    @api.model
    def _resolve(self, type_code, records, reason):
        """Auto-resolve the open cases of ``type_code`` on ``records``."""
        if not records:
            return self.env["wfmon.case"]
        return self.env["wfmon.case"]._clear(type_code, records, reason)

    @api.model
    def _resolve_released(self, type_codes, records, released):
        """Resolve the hold cases (``type_codes``: one code or several) of
        documents that ran under an approval, naming the request, its policy
        and its approvers: the decision trail.

        :param released: ``{record id: approval request}``, as given by the
            approvals' ``_wfmon_approval_consumed`` (usually one document: the
            resumed one)
        """
        if isinstance(type_codes, str):
            type_codes = (type_codes,)
        for record in records:
            # sudo: the decision trail of the request the document ran under.
            request = released[record.id].sudo()
            approvers = request.decision_ids.filtered(
                lambda d: d.decision in ("approve", "auto")
            ).user_id
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
    def _scan_due(
        self,
        name,
        type_code,
        model,
        domain,
        process,
        reason,
        keep=None,
        recheck=None,
        batch_size=SCAN_BATCH,
        max_batches=20,
        progress=None,
        changed=None,
        case_domain=None,
        resolve=None,
    ):
        """A scanner that reads only what is due: the records whose signal holds
        and that have no open case yet, and the open cases whose signal cleared.

        ``domain`` is the signal, on stored (preferably indexed) fields of
        ``model``: a record matching it must have an open case of ``type_code``.
        Dates that move with the clock go into it as thresholds computed for
        this call (``("scheduled_date", "<=", now - window)``): a record becomes
        due when the threshold passes its stored date, as with Odoo's time-based
        automation rules and core's ``sla_next_check``. Each call:

        1. opens: ``process(records)`` on the records matching ``domain`` with
           no open case of ``type_code`` (one anti-join query per batch, by
           increasing id, at most ``max_batches`` batches per call; the id
           cursor is kept in the scanner mark (``wfmon.scan.mark``)
           ``<_scan_prefix>.scan_cursor.<name>`` and the cron framework is told
           what remains, so it runs the job again at once). ``process`` opens
           the cases (``_detect`` / ``_detect_opened`` with ``bump=False``); a
           record it leaves without a case is offered again on the next pass;
        2. resolves, with ``reason``, the open cases of ``type_code`` on
           ``model`` whose record no longer matches ``keep`` (default:
           ``domain``; one anti-join query per batch of cases, at most
           ``max_batches`` batches per call from a cursor of their own,
           ``...scan_cursor.<name>.resolve``: what a call holds does not grow
           with the cases to resolve);
        3. only with ``recheck``: calls ``recheck(records)`` on the records of
           the other open cases, by batches with a cursor of their own
           (``...scan_cursor.<name>.recheck``). This is for signals that depend
           on data the domain cannot see change (a partner's address, stock
           reservations): its cost grows with the open cases, so prefer storing
           the signal's inputs and putting them in the domain.

        With ``changed``, phases 1 and 3 read only the records whose inputs
        changed since the previous complete pass: ``changed(since)`` is the
        domain of those records (``("partner_id.write_date", ">=", since)``,
        time thresholds crossed since: ``"&", ("date", ">=", since), ("date",
        "<", now)``). The watermark ``since`` is kept per phase in
        ``wfmon.scan.mark`` (see :meth:`_scan_batches`); a first pass (no
        watermark) checks every record. So an idle pass costs a fixed handful
        of queries even with ``recheck``.

        Without ``recheck``, open cases whose signal still holds are not read:
        with nothing due a call costs a fixed handful of queries whatever the
        number of open records and cases. An archived case type (the detector
        switched off) opens nothing; its open cases are still resolved.

        :param model: a recordset of the model (its environment is the scanner's)
        :param domain: the signal, or ``None`` for a scanner that opens nothing
            (it resolves and re-checks the cases its hot-path detector opened)
        :param keep: domain of the records whose open case stays open
        :param changed: ``changed(since)``, the domain of the records whose
            inputs changed since ``since`` (a naive UTC datetime)
        :param progress: a dict the call adds its ``done`` and ``remaining``
            counts to, for a cron that runs several scans and tells the cron
            framework once; without it the call tells it
        :param case_domain: a domain on ``wfmon.case`` narrowing which open cases of
            ``type_code`` are this scanner's, when several scanners share a
            type (core's monitors: ``[("rule_id", "=", rule.id)]``)
        :param resolve: ``resolve(cases)`` resolves the open cases (``sudo``)
            whose record left ``keep``, deleted records included (default: with
            ``reason``, and "The document was deleted." for the cases whose
            record is gone); ``False``: the
            scanner resolves nothing (no query)
        :return: the number of records given to ``process`` and ``recheck``
        """
        # sudo: scanners run as the cron user and must see every open case.
        Case = self.env["wfmon.case"].sudo()
        case_type = Case._get_type(type_code)

        def has_open_case():
            # NOT EXISTS / EXISTS on the partial index of open cases: an anti-join,
            # where NOT IN (subquery) turns quadratic once its rows outgrow work_mem.
            Case.flush_model(["type_id", "res_model", "res_id", "is_open"])
            if case_domain:
                query = Case._search(
                    [
                        ("type_id", "=", case_type.id),
                        ("res_model", "=", model._name),
                        ("is_open", "=", True),
                        *case_domain,
                    ]
                )
                query.add_where(
                    SQL(
                        "%s = %s",
                        SQL.identifier(query.table, "res_id"),
                        SQL.identifier(model._table, "id"),
                    )
                )
                return SQL("EXISTS %s", query.subselect(SQL("1")))
            return SQL(
                "EXISTS (SELECT 1 FROM wfmon_case open_case WHERE open_case.type_id = %s "
                "AND open_case.res_model = %s AND open_case.res_id = %s AND open_case.is_open)",
                case_type.id,
                model._name,
                SQL.identifier(model._table, "id"),
            )

        keep = domain if keep is None else keep
        done = remaining = 0
        # Records phase 1 just gave to ``process``: phase 3 does not read them again.
        opened = set()
        key = f"{self._scan_prefix}.scan_cursor.{name}"
        # The marks of every phase (and the scan clock), in one query.
        states = self.env["wfmon.scan.mark"]._states(
            [key, f"{key}.resolve", f"{key}.recheck"], clock=changed is not None
        )
        clock = states.get(None)
        if domain is not None and case_type.active:
            found, remaining = self._scan_batches(
                key,
                model,
                domain,
                process,
                batch_size,
                max_batches,
                where=lambda: SQL("NOT %s", has_open_case()),
                changed=changed,
                seen=opened,
                state=states[key],
                clock=clock,
            )
            done += found

        def resolve_records(found):
            records = model.browse(found.mapped("res_id")).exists()
            self._resolve(type_code, records, reason)
            # A record deleted while its case was open (cancelled and deleted
            # between two passes): its case would come back on every pass.
            present = set(records.ids)
            gone = found.filtered(lambda case: case.res_id not in present)
            if gone:
                gone._auto_resolve(self.env._("The document was deleted."))

        resolve = resolve_records if resolve is None else resolve

        def left_signal():
            kept = model._search(keep)
            kept.add_where(SQL("%s = wfmon_case.res_id", SQL.identifier(model._table, "id")))
            return SQL("NOT EXISTS %s", kept.subselect(SQL("1")))

        # Cases whose record left the signal (done, cancelled, rescheduled...), by
        # batches from a cursor of their own, as opening: what one call holds in
        # memory does not grow with the cases to resolve.
        resolved = 0
        if resolve is not False:
            resolved, left = self._scan_batches(
                f"{key}.resolve",
                Case,
                [
                    ("type_id", "=", case_type.id),
                    ("res_model", "=", model._name),
                    ("res_id", "!=", False),
                    ("is_open", "=", True),
                    *(case_domain or []),
                ],
                resolve,
                batch_size,
                max_batches,
                where=left_signal,
                state=states[f"{key}.resolve"],
            )
            remaining += left
        if recheck is not None:
            found, left = self._scan_batches(
                f"{key}.recheck",
                model,
                keep,
                recheck,
                batch_size,
                max_batches,
                where=has_open_case,
                changed=changed,
                skip=opened,
                state=states[f"{key}.recheck"],
                clock=clock,
            )
            done += found
            remaining += left
        if progress is None:
            self.env["ir.cron"]._notify_progress(done=done + resolved, remaining=remaining)
        else:
            progress["done"] = progress.get("done", 0) + done + resolved
            progress["remaining"] = progress.get("remaining", 0) + remaining
        return done

    @api.model
    def _scan_batches(
        self,
        key,
        model,
        domain,
        process,
        batch_size,
        max_batches,
        where=None,
        changed=None,
        seen=None,
        skip=(),
        state=None,
        clock=None,
    ):
        """``process`` over the records matching ``domain`` (and the SQL
        condition ``where()``, if given) by increasing id, from the cursor kept
        in the scanner mark ``key`` (``wfmon.scan.mark``), at most
        ``max_batches`` batches; ``(records processed, records left)``.

        With ``changed``, only the records matching ``changed(since)`` too,
        ``since`` being the watermark of ``key`` (``wfmon.scan.mark``): the
        database clock (:meth:`wfmon.scan.mark._clock`) at the first call of
        the previous complete pass. The mark of a pass is taken at its first
        call and becomes the watermark when its last call ends, so a pass spread
        over several calls misses no change made meanwhile.

        ``seen``: a set the ids given to ``process`` are added to; ``skip``:
        ids not to give it (already read in this call). ``state`` and
        ``clock``: the mark of ``key`` and the scan clock, when the caller read
        them already (:meth:`wfmon.scan.mark._states`)."""
        Mark = self.env["wfmon.scan.mark"]
        if state is None:
            states = Mark._states([key], clock=changed is not None)
            state, clock = states[key], states.get(None)
        cursor = state.cursor
        start = since = None
        if changed is not None:
            since = state.since
            # A new pass takes its mark now; a pass in progress kept it.
            start = state.pass_start if cursor else clock
            if since:
                domain = [*domain, *changed(since)]

        def query(after, limit=None):
            found = model._search(
                [*domain, ("id", ">", after)], order="id" if limit else None, limit=limit
            )
            if where is not None:
                found.add_where(where())
            return found

        done = remaining = 0
        for _batch in range(max_batches):
            found = model.browse(list(query(cursor, batch_size)))
            records = found.filtered(lambda rec: rec.id not in skip) if skip else found
            if records:
                process(records)
                done += len(records)
                if seen is not None:
                    seen.update(records.ids)
            if len(found) < batch_size:
                cursor = 0
                break
            cursor = found[-1].id
        else:
            remaining = len(query(cursor))
        values = {"cursor": cursor} if cursor != state.cursor else {}
        if changed is not None:
            if not cursor:
                # A pass in progress before its mark was kept (start unknown)
                # leaves the watermark where it was: the next pass goes on from it.
                values.update(since=start or since, pass_start=False)
            elif not state.cursor:
                values["pass_start"] = start
        if values:
            Mark._save(key, state, **values)
        return done, remaining

    @api.model
    def _scan(self, name, model, domain, process, batch_size=SCAN_BATCH, max_batches=20):
        """Run ``process(records)`` over the records of ``model`` matching
        ``domain``, in batches of ``batch_size`` by increasing id.

        Each call handles at most ``max_batches`` batches; the id cursor is kept
        in the scanner mark ``<_scan_prefix>.scan_cursor.<name>``, and the
        cron framework is told how much remains, so it runs the job again at once
        and the next call goes on from there. The query count of a batch does not
        depend on the data volume.

        :param model: a model (recordset) the records are searched on
        :return: the number of records processed
        """
        Mark = self.env["wfmon.scan.mark"]
        key = f"{self._scan_prefix}.scan_cursor.{name}"
        state = Mark._states([key])[key]
        cursor = state.cursor
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
        if cursor != state.cursor:
            Mark._save(key, state, cursor=cursor)
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return done
