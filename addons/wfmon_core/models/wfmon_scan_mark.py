from collections import namedtuple
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

#: overlap of a scanner's watermark with the previous pass: covers the sessions
#: whose transaction start this database role may not see in pg_stat_activity
SCAN_MARK_MARGIN = timedelta(seconds=60)

#: a scanner phase's mark as read by :meth:`WfmonScanMark._states`
ScanState = namedtuple("ScanState", "mark_id cursor since pass_start")


class WfmonScanMark(models.Model):
    """A scanner's position: the id cursor of its pass in progress and where
    its pass over changed records starts from (its watermark).

    Technical state of the scheduled actions, kept out of the system
    parameters on purpose: writing a system parameter clears the registry
    caches of every worker, and a cursor moves on every call of a pass.
    """

    _name = "wfmon.scan.mark"
    _description = "Operations Monitor: scanner watermark"
    _log_access = False

    name = fields.Char(required=True, index=True, readonly=True)
    since = fields.Datetime(
        readonly=True,
        help="The scanner re-checks only the records whose inputs changed since this "
        "moment (empty: the next pass checks everything).",
    )
    pass_start = fields.Datetime(
        readonly=True, help="Start of the pass in progress: the next watermark once it completes."
    )
    cursor = fields.Integer(
        readonly=True,
        help="Last record id the pass in progress has read (0: the next call starts a new pass).",
    )

    _sql_constraints = [("name_uniq", "unique (name)", "One watermark per scanner.")]

    @api.model
    def _states(self, names, clock=False):
        """``{name: ScanState}`` of scanner phases ``names`` in one query (a
        phase never run has no mark yet: ``mark_id`` 0, cursor 0, no
        watermark), with :meth:`_clock` as ``None`` key when ``clock``."""
        self.flush_model()
        self.env.cr.execute(
            SQL(
                "SELECT phase.name, mark.id, mark.cursor, mark.since, mark.pass_start, %s "
                "FROM unnest(%s::varchar[]) AS phase(name) "
                "LEFT JOIN wfmon_scan_mark mark ON mark.name = phase.name",
                SQL("(%s)", self._oldest_transaction_sql()) if clock else SQL("NULL"),
                list(names),
            )
        )
        rows = self.env.cr.fetchall()
        states = {
            name: ScanState(mark_id or 0, cursor or 0, since, pass_start)
            for name, mark_id, cursor, since, pass_start, _oldest in rows
        }
        if clock:
            # The same subquery on every row: read it from the first.
            states[None] = self._clock_from(rows[0][5] if rows else None)
        return states

    @api.model
    def _save(self, name, state, **values):
        """Write ``values`` on the mark of phase ``name`` (read as ``state``),
        creating it on first use."""
        # sudo: technical state of the scheduled action, whoever runs it.
        Mark = self.sudo()
        if state.mark_id:
            Mark.browse(state.mark_id).write(values)
        else:
            Mark.create({"name": name, **values})

    @api.model
    def _adopt_system_parameters(self):
        """Move the scanners' cursors kept in system parameters by earlier
        versions (``*.scan_cursor.*``) into their marks, and delete the
        parameters: a pass in progress goes on where it was."""
        self.env.cr.execute(
            SQL(
                "SELECT key, value FROM ir_config_parameter WHERE key LIKE %s",
                "%.scan_cursor.%",
            )
        )
        rows = self.env.cr.fetchall()
        if not rows:
            return 0
        states = self._states([key for key, _value in rows])
        for key, value in rows:
            cursor = int(value) if (value or "").isdigit() else 0
            self._save(key, states[key], cursor=cursor)
        # sudo: the parameters are the scheduled actions' technical state too.
        self.env["ir.config_parameter"].sudo().search(
            [("key", "in", [key for key, _value in rows])]
        ).unlink()
        return len(rows)

    @api.model
    def _oldest_transaction_sql(self):
        """The start (UTC) of the oldest transaction of the other sessions on
        this database, NULL when there is none."""
        return SQL(
            "SELECT MIN(xact_start) AT TIME ZONE 'UTC' FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND xact_start IS NOT NULL"
        )

    @api.model
    def _clock_from(self, oldest):
        now = self.env.cr.now()
        return min(now, oldest or now) - SCAN_MARK_MARGIN

    @api.model
    def _clock(self):
        """The database moment from which a pass starting now sees every change:
        the start of the oldest transaction still running on this database
        (a change it commits later carries that start as its ``write_date``),
        or this transaction's start (``cr.now()``, the clock of ``write_date``),
        whichever is older, minus :data:`SCAN_MARK_MARGIN`."""
        self.env.cr.execute(self._oldest_transaction_sql())
        return self._clock_from(self.env.cr.fetchone()[0])
