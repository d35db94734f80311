from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

#: overlap of a scanner's watermark with the previous pass: covers the sessions
#: whose transaction start this database role may not see in pg_stat_activity
SCAN_MARK_MARGIN = timedelta(seconds=60)


class WfmonScanMark(models.Model):
    """Where a scanner's pass over changed records starts from (its watermark).

    Technical state of the scheduled actions, kept out of the system
    parameters on purpose: writing a system parameter clears the registry
    caches of every worker, and a watermark moves on every pass.
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

    _sql_constraints = [("name_uniq", "unique (name)", "One watermark per scanner.")]

    @api.model
    def _read(self, name):
        """``(mark, since, pass_start, clock)`` of scanner phase ``name`` in one
        query: its mark (created empty on first use), the mark's values and
        :meth:`_clock`."""
        self.flush_model()
        self.env.cr.execute(
            SQL(
                "SELECT mark.id, mark.since, mark.pass_start, (%s) FROM (SELECT 1) AS one "
                "LEFT JOIN wfmon_scan_mark mark ON mark.name = %s",
                self._oldest_transaction_sql(),
                name,
            )
        )
        mark_id, since, pass_start, oldest = self.env.cr.fetchone()
        # sudo: technical state of the scheduled action, whoever runs it.
        Mark = self.sudo()
        mark = Mark.browse(mark_id) if mark_id else Mark.create({"name": name})
        return mark, since, pass_start, self._clock_from(oldest)

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
