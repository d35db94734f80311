from collections import defaultdict

from odoo import api, fields, models, tools
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools.engine import with_flags
from ..tools.fingerprint import fingerprint as make_fingerprint
from .lookup_cache import ROUTING, lookup_cached
from .wfmon_append_mixin import add_followers, log_notes, note_body
from .wfmon_case import EVENT_DATA_KEY, FALLBACK_OWNERS_KEY


class WfmonCase(models.Model):
    """The detection API: how detectors open, bump and clear cases.

    ``_raise`` and ``_clear`` are the only way detectors (monitors, automation
    rules, the modules' detectors, inbound events) touch cases; routing gives a
    new case its team from the site and type.
    """

    # One concern of the model per file (its lifecycle is in the file named after it).
    _inherit = "wfmon.case"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Routing
    # ------------------------------------------------------------------
    @api.model
    def _routing_table(self):
        """``{site id: [(team, type ids), ...]}``: the active teams serving each
        site, in their order, with the ids of the case types they handle (empty:
        all), read once per batch.

        As superuser (the detection API opens cases as superuser) the table
        comes from the registry's cache (:meth:`_wfmon_routing_rows`): no query
        per detector call. A user's own create reads it with their rights."""
        Team = self.env["wfmon.team"]
        if self.env.su and lookup_cached(self.env, ROUTING):
            rows = self._wfmon_routing_rows(self.env.lang)
        else:
            rows = self._wfmon_read_routing()
        # One recordset for all the teams: reading one team's fields reads them all.
        teams = Team.browse([row[0] for row in rows])
        table = defaultdict(list)
        for team, (_team_id, site_ids, type_ids) in zip(teams, rows, strict=True):
            for site_id in site_ids:
                table[site_id].append((team, type_ids))
        return table

    @api.model
    @tools.ormcache("lang")
    def _wfmon_routing_rows(self, lang):
        """The rows of :meth:`_wfmon_read_routing` as superuser, kept in the
        registry's cache until a team, a site or a case type changes (see
        ``lookup_cache``). ``lang``: the teams are ordered by their translated
        name after their sequence."""
        return self.sudo().with_context(lang=lang)._wfmon_read_routing()

    @api.model
    def _wfmon_read_routing(self):
        """``((team id, site ids, type ids), ...)`` of the active teams in their
        order, in plain ids (what the registry's cache may keep)."""
        # Archived teams never route, whatever the caller's context says.
        teams = (
            self.env["wfmon.team"]
            .with_context(active_test=True)
            .search_fetch([], ["site_ids", "type_ids", "sequence", "company_id"])
        )
        return tuple(
            (team.id, tuple(team.site_ids.ids), frozenset(team.type_ids.ids)) for team in teams
        )

    @api.model
    def _route_team(self, case_type, site_id, teams_by_site):
        """The team serving ``site_id`` for ``case_type``, else the type's team."""
        for team, type_ids in teams_by_site.get(site_id or 0, []):
            if not type_ids or case_type.id in type_ids:
                return team
        return case_type.team_id

    # ------------------------------------------------------------------
    # Detection API
    # ------------------------------------------------------------------
    @api.model
    def _raise(
        self,
        type_code,
        records,
        severity=None,
        impact=None,
        details=None,
        summary=None,
        site=None,
        key=None,
        rule=None,
        currency=None,
        bump=True,
        owner=None,
        event_data=None,
        opened=None,
    ):
        """Open a case per record of ``records`` for condition ``type_code``.

        This is the one entry point every detector uses.  When an open case
        with the same fingerprint (type, record, optional ``key``) exists, it is
        bumped instead (occurrence count, last seen, latest impact/details).
        Batch-safe: the query count does not grow with ``len(records)`` except
        for the INSERT of new rows.

        ``severity``, ``impact``, ``details``, ``summary`` and ``site`` each take
        a single value for all records or a dict keyed by record id.  With
        ``bump=False`` (periodic scanners) an open case is left as it is.
        ``owner`` (a user, or a dict of users by record id) owns each case
        opened now that routing gives nobody (a team that assigns its lead
        gives it to the lead first): the case is "assigned" from its creation.

        ``event_data``: a dict the public event data of the cases opened now
        is put in (``{case id: data}``), when their ``case.opened`` event is
        written (not at all when nothing publishes events): a detector
        publishing its own event about the same cases reads it there instead
        of building it again.

        ``opened``: a set the ids of the records whose case is opened now (they
        had no open case) are added to: a detector tells its new cases from the
        bumped ones without searching the open cases again.

        :return: the opened or bumped cases, in the order of ``records``
        """
        Case = self.env["wfmon.case"]
        if not records:
            return Case
        case_type = self._get_type(type_code)
        if not case_type.active:
            # An archived type switches its detectors off; nothing is opened.
            return Case
        now = fields.Datetime.now()

        def pick(value, record):
            return value.get(record.id) if isinstance(value, dict) else value

        prints = {
            rec.id: make_fingerprint(case_type.code, rec._name, rec.id, key) for rec in records
        }
        # sudo: detectors run as whoever triggered them (a cashier confirming a
        # sale); deduplication must see every open case, not only their own.
        existing = Case.sudo().search_fetch(
            [("fingerprint", "in", list(prints.values())), ("is_open", "=", True)],
            ["fingerprint", "occurrence_count"],
        )
        by_print = {case.fingerprint: case for case in existing}
        if existing and bump:
            self.env.cr.execute(
                SQL(
                    "UPDATE wfmon_case SET occurrence_count = occurrence_count + 1, "
                    "last_seen = %s WHERE id IN %s",
                    now,
                    tuple(existing.ids),
                )
            )
            existing.invalidate_recordset(["occurrence_count", "last_seen"])
            updates = defaultdict(lambda: existing.browse())
            for rec in records:
                case = by_print.get(prints[rec.id])
                if not case:
                    continue
                vals = {}
                if impact is not None:
                    vals["impact_amount"] = pick(impact, rec) or 0.0
                if details is not None:
                    vals["details"] = pick(details, rec) or False
                if vals:
                    updates[tuple(sorted(vals.items()))] |= case
            for vals, cases in updates.items():
                cases._wfmon_engine().write(dict(vals))
        vals_list = []
        new_records = []
        for rec in records:
            if prints[rec.id] in by_print:
                continue
            site_value = pick(site, rec)
            vals_list.append(
                {
                    "type_id": case_type.id,
                    "summary": pick(summary, rec) or f"{case_type.name}: {rec.display_name}",
                    "severity": pick(severity, rec) or case_type.default_severity,
                    "impact_amount": pick(impact, rec) or 0.0,
                    "details": pick(details, rec) or False,
                    "site_id": site_value.id
                    if isinstance(site_value, models.BaseModel)
                    else site_value,
                    "res_model": rec._name,
                    "res_id": rec.id,
                    "source_name": rec.display_name,
                    "fingerprint": prints[rec.id],
                    "rule_id": rule.id if rule else False,
                    "company_id": self._record_company(rec).id,
                    **({"currency_id": currency.id} if currency else {}),
                }
            )
            new_records.append(rec)
        if opened is not None:
            opened.update(rec.id for rec in new_records)
        created = Case
        if vals_list:
            owners = {prints[rec.id]: pick(owner, rec) for rec in new_records} if owner else {}
            created = self._open_batch(
                vals_list, {fp: u.id for fp, u in owners.items() if u}, event_data
            )
        cases_by_print = {case.fingerprint: case for case in created | existing}
        ordered = Case.browse([cases_by_print[prints[rec.id]].id for rec in records])
        return ordered.with_env(self.env)

    @api.model
    def _open_batch(self, vals_list, owners, event_data=None):
        """Create the cases of ``vals_list`` for the detection API, with their
        creation message; ``owners``: ``{fingerprint: user id}`` for the cases
        routing gives nobody; ``event_data``: see :meth:`_raise`."""
        flags = {FALLBACK_OWNERS_KEY: owners}
        if event_data is not None:
            flags[EVENT_DATA_KEY] = event_data
        # sudo: the detection API opens cases on behalf of the system; the
        # triggering user may have no right on cases at all (e.g. a cashier).
        created = (
            with_flags(self.env["wfmon.case"].sudo(), **flags)
            ._wfmon_engine()
            .with_context(tracking_disable=True)
            .create(vals_list)
        )
        created._post_batch_open_messages()
        return created

    @api.model
    def _clear(self, type_code, records, reason, key=None):
        """Resolve the open cases of ``type_code`` on ``records`` whose
        condition no longer holds, logging ``reason``.  Types with
        ``auto_resolve`` off are left open (the log still says the condition
        cleared)."""
        Case = self.env["wfmon.case"]
        if not records:
            return Case
        case_type = self._get_type(type_code)
        prints = [make_fingerprint(case_type.code, rec._name, rec.id, key) for rec in records]
        # sudo: see _raise, detectors act for the system.
        cases = Case.sudo().search([("fingerprint", "in", prints), ("is_open", "=", True)])
        if not cases:
            return Case
        if not case_type.auto_resolve:
            cases._log_batch("note", reasons=reason, automated=True)
            return Case
        cases._auto_resolve(reason)
        return cases.with_env(self.env)

    @api.model
    def _get_type(self, type_code):
        """The case type of ``type_code`` (archived included), as superuser:
        case types are configuration every detector must read, even when
        triggered by a user outside the monitoring groups. Looked up in the
        registry's cache (``wfmon.case.type._wfmon_by_code``): no query per
        detector call."""
        case_type = self.env["wfmon.case.type"]._wfmon_by_code(type_code)
        if not case_type:
            raise UserError(self.env._("Unknown exception case type %s.", type_code))
        return case_type

    @api.model
    def _record_company(self, record):
        company = record["company_id"] if "company_id" in record._fields else False
        return company or self.env.company

    def _post_batch_open_messages(self):
        """Creation message and owner follow-up for a batch, in a few queries."""
        bodies = {
            case.id: note_body(self.env, self.env._("Case opened by the monitor: %s", case.summary))
            for case in self
        }
        # One INSERT for the batch's notes when nothing hooks mail.message's
        # create (wfmon_append_mixin.log_notes), else the mail module's own way.
        if log_notes(self, bodies) is None:
            self._message_log_batch(bodies=bodies)
        by_owner = defaultdict(list)
        for case in self:
            if case.user_id:
                by_owner[case.user_id.partner_id.id].append(case.id)
        for partner_id, case_ids in by_owner.items():
            # Two INSERTs per batch when nothing hooks mail.followers' create
            # (wfmon_append_mixin.add_followers), else _insert_followers.
            add_followers(self.browse(case_ids), partner_id)

    def _auto_resolve(self, reason):
        """Resolve because the detector reports the condition cleared."""
        self.filtered(lambda c: not c.resolution_note)._wfmon_engine().write(
            {"resolution_note": reason}
        )
        self._transition("resolved", reason=reason, automated=True)
