import logging
import threading
import time
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.wfmon_core.models.precompute import add_precomputed

from ..tools import backoff
from ..tools.sender import ERROR_EXCERPT, Job, Sender, active_secrets

_logger = logging.getLogger(__name__)

STATES = [
    ("pending", "Pending"),
    ("done", "Delivered"),
    ("failed", "Failed (retrying)"),
    ("dead", "Dead Letter"),
]
DUE_STATES = ("pending", "failed")
DISPATCH_BATCH = 50
# A dispatcher run sends batch after batch while deliveries are due, and starts
# no request after this many seconds (one under way runs into its timeout);
# then it records what was sent and hands back to ir.cron, which runs it again
# at once when some are left.  The claimed deliveries it did not send stay due.
RUN_SECONDS = 30


class WfmonWebhookDelivery(models.Model):
    """One event to one endpoint: the unit of retry and of the dead letter."""

    _name = "wfmon.webhook.delivery"
    # Created by the outbox's fan-out only: one INSERT per batch (wfmon_core's
    # wfmon_append_mixin.py); later state changes are ordinary writes.
    _inherit = ["wfmon.append.mixin"]
    _description = "Webhook Delivery"
    _order = "id desc"
    _rec_name = "event_id"

    event_id = fields.Many2one(
        "wfmon.event", required=True, ondelete="cascade", index=True, readonly=True
    )
    endpoint_id = fields.Many2one(
        "wfmon.webhook.endpoint", required=True, ondelete="cascade", index=True, readonly=True
    )
    # precompute: written with the INSERT of the fan-out, not by one UPDATE per field after it
    company_id = fields.Many2one(
        related="event_id.company_id", store=True, index=True, precompute=True
    )
    event_type = fields.Char(related="event_id.event_type", store=True, precompute=True)
    # Indexed by the partial indexes of init(): every index costs the
    # dispatcher an entry per delivery it records.
    state = fields.Selection(STATES, default="pending", required=True, readonly=True)
    attempt_count = fields.Integer(readonly=True)
    next_attempt_at = fields.Datetime(readonly=True, default=fields.Datetime.now)
    done_at = fields.Datetime(string="Delivered At", readonly=True)
    last_status_code = fields.Integer(readonly=True)
    last_error = fields.Char(readonly=True)
    attempt_ids = fields.One2many("wfmon.webhook.attempt", "delivery_id", readonly=True)

    _sql_constraints = [
        (
            "event_endpoint_uniq",
            "unique(event_id, endpoint_id)",
            "An event is delivered once per endpoint.",
        ),
    ]

    @api.model
    def _add_precomputed_values(self, vals_list):
        # The company and type of the batch's events, read once (see wfmon_core's
        # precompute.py).
        add_precomputed(self, vals_list)
        return super()._add_precomputed_values(vals_list)

    def init(self):
        # The dispatcher's claim query: due rows by time; and the few failed
        # and dead ones by state.  Delivered rows, the bulk of the table, are
        # in neither.  (Former indexes: the lease-based claim's, which also
        # covered a "sending" state, and full ones on state and next attempt.)
        for name in (
            "wfmon_webhook_delivery_due_idx",
            "wfmon_webhook_delivery__state_index",
            "wfmon_webhook_delivery__next_attempt_at_index",
        ):
            self.env.cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(name)))
        self.env.cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS wfmon_webhook_delivery_due_state_idx "
                "ON wfmon_webhook_delivery (next_attempt_at, id) "
                "WHERE state IN ('pending', 'failed')"
            )
        )
        self.env.cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS wfmon_webhook_delivery_failed_state_idx "
                "ON wfmon_webhook_delivery (state) WHERE state IN ('failed', 'dead')"
            )
        )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_requeue(self):
        """Send again now: dead letters and failed deliveries (bulk-safe)."""
        requeue = self.filtered(lambda d: d.state in ("dead", "failed"))
        if not requeue:
            raise UserError(self.env._("Only failed or dead deliveries can be re-queued."))
        inactive = requeue.endpoint_id.filtered(lambda e: not e.active)
        if inactive:
            raise UserError(
                self.env._(
                    "Reactivate these endpoints first: %s", ", ".join(inactive.mapped("name"))
                )
            )
        # sudo: fields of the delivery are engine-managed (readonly); the
        # rights were checked above by the ACL on the button (write access).
        requeue.check_access("write")
        requeue.sudo().write(
            {
                "state": "pending",
                "attempt_count": 0,
                "next_attempt_at": fields.Datetime.now(),
                "last_error": False,
            }
        )
        requeue._trigger_dispatch()
        return True

    # ------------------------------------------------------------------
    # Dispatch
    # ------------------------------------------------------------------
    @api.model
    def _trigger_dispatch(self, at=None):
        """Wake the dispatcher after commit (``ir.cron`` notifies the cron
        workers in a post-commit hook; a rollback drops the trigger too)."""
        cron = self._dispatch_cron()
        if not cron:
            return
        if at is None:
            # One immediate trigger per transaction is enough.
            data = self.env.cr.precommit.data
            if data.get("wfmon_dispatch_triggered"):
                return
            data["wfmon_dispatch_triggered"] = True
        cron._trigger(at)

    @api.model
    def _dispatch_cron(self):
        cron = self.env.ref(
            "wfmon_integration.ir_cron_wfmon_webhook_dispatch", raise_if_not_found=False
        )
        # sudo: any user publishing an event may wake the dispatcher.
        return cron.sudo() if cron else self.env["ir.cron"]

    @api.model
    def _claim(self, limit=DISPATCH_BATCH, now=None, ids=None):
        """Lock up to ``limit`` due deliveries for this transaction and return
        them as :class:`~..tools.sender.Job` values, with everything their
        requests need, plus ``{delivery id: (attempt_count, max_attempts,
        company_id)}`` for recording the results.

        ``FOR NO KEY UPDATE SKIP LOCKED``: the row locks are the claim.  They
        last until this transaction ends, so concurrent workers never claim the
        same row, a live worker's rows are never taken however long it takes,
        and a dead worker's rows are free again the moment its connection
        closes.  Nothing is written until the results are recorded.
        ``ids`` restricts the claim to these deliveries (sending them now).
        """
        now = now or fields.Datetime.now()
        self.flush_model()
        self.env["wfmon.event"].flush_model(["name", "payload"])
        self.env["wfmon.webhook.endpoint"].flush_model()
        # The secrets and custom headers are admin-only fields: the dispatcher
        # reads them in SQL because it signs and sends for everyone.
        self.env.cr.execute(
            SQL(
                """SELECT d.id, COALESCE(d.attempt_count, 0), d.company_id, d.endpoint_id,
                          ev.name, ev.payload,
                          e.url, e.timeout, e.max_attempts, e.parallel_requests,
                          e.secret, e.previous_secret, e.previous_secret_until,
                          e.custom_headers
                     FROM wfmon_webhook_delivery d
                     JOIN wfmon_webhook_endpoint e ON e.id = d.endpoint_id AND e.active
                     JOIN wfmon_event ev ON ev.id = d.event_id
                    WHERE d.state IN %(due)s AND d.next_attempt_at <= %(now)s %(only)s
                 ORDER BY d.next_attempt_at, d.id
                    LIMIT %(limit)s
                      FOR NO KEY UPDATE OF d SKIP LOCKED""",
                now=now,
                due=DUE_STATES,
                limit=limit,
                only=SQL("AND d.id IN %s", tuple(ids)) if ids else SQL(),
            )
        )
        jobs, books = [], {}
        for (
            delivery_id,
            attempt_count,
            company_id,
            endpoint_id,
            msg_id,
            payload,
            url,
            timeout,
            max_attempts,
            parallel,
            secret,
            previous_secret,
            previous_until,
            custom_headers,
        ) in self.env.cr.fetchall():
            jobs.append(
                Job(
                    key=delivery_id,
                    endpoint=endpoint_id,
                    url=url,
                    timeout=timeout,
                    secrets=tuple(active_secrets(secret, previous_secret, previous_until, now)),
                    custom_headers=custom_headers,
                    msg_id=msg_id,
                    body=(payload or "").encode("utf-8"),
                    parallel=parallel or 1,
                )
            )
            books[delivery_id] = (attempt_count, max_attempts, company_id)
        return jobs, books

    def _send_now(self):
        """Send these due deliveries at once, in this transaction, on the
        dispatcher's path: the same claim, signing, sender and bulk record.
        Return how many were attempted (a delivery another worker holds, or
        not due, is left to the dispatcher)."""
        jobs, books = self._claim(limit=len(self), ids=self.ids)
        if not jobs:
            return 0
        with Sender(self.env["res.config.settings"]._wfmon_allow_private()) as sender:
            results = sender.send(jobs)
        sent = [(job, result) for job, result in zip(jobs, results, strict=True) if result]
        if sent:
            self._record_results(sent, books)
        return len(sent)

    @api.model
    def _cron_dispatch(self, batch_size=DISPATCH_BATCH):
        """Scheduled action: send due deliveries, batch by batch, committing
        after each batch; return how many were attempted."""
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        sent, drained = self._dispatch_run(batch_size, auto_commit=auto_commit)
        remaining = 0 if drained else self._due_count()
        self.env["ir.cron"]._notify_progress(done=sent, remaining=remaining)
        return sent

    @api.model
    def _due_count(self):
        return self.search_count(
            [
                ("state", "in", DUE_STATES),
                ("next_attempt_at", "<=", fields.Datetime.now()),
                ("endpoint_id.active", "=", True),
            ]
        )

    @api.model
    def _dispatch_due(self, batch_size=DISPATCH_BATCH, auto_commit=False):
        """Send what is due now; return how many deliveries were attempted."""
        return self._dispatch_run(batch_size, auto_commit=auto_commit)[0]

    @api.model
    def _dispatch_run(self, batch_size=DISPATCH_BATCH, auto_commit=False, budget=RUN_SECONDS):
        """One dispatcher run: claim, send and record batch after batch until
        nothing due is left or ``budget`` seconds have passed, then check the
        health of the endpoints it sent to, once.

        Return ``(attempted, drained)``; ``drained`` is false when the run
        stopped with due deliveries possibly left.

        With ``auto_commit`` (the scheduled action) each batch is one
        transaction: the claim's row locks are held while its requests go out
        and are released by the commit that records the results.  Two
        transactions take turns, on this cursor and on a second one: while
        one batch is being sent, the previous one is recorded and committed
        and the next one claimed, so the database work hides behind the
        network.  A worker that dies loses only the bookkeeping of the
        batches it holds (at most two); their requests are sent again, under
        the same ``webhook-id`` (delivery is at least once).
        """
        allow_private = self.env["res.config.settings"]._wfmon_allow_private()
        deadline = time.monotonic() + budget
        with Sender(allow_private) as sender:
            if auto_commit:
                with self.env.registry.cursor() as cr:
                    lanes = (self, self.with_env(self.env(cr=cr)))
                    attempted, drained, endpoint_ids = self._run_batches(
                        lanes, sender, batch_size, deadline, auto_commit
                    )
            else:
                attempted, drained, endpoint_ids = self._run_batches(
                    (self,), sender, batch_size, deadline, auto_commit
                )
        if endpoint_ids:
            self.env["wfmon.webhook.endpoint"].browse(sorted(endpoint_ids))._check_health()
        return attempted, drained

    @api.model
    def _run_batches(self, lanes, sender, batch_size, deadline, auto_commit):
        """Claim, send and record batches, taking turns between ``lanes``
        (recordsets on different cursors): with two lanes, batch n + 1 is
        claimed while batch n is being sent and sent while batch n is being
        recorded.  Return ``(attempted, drained, endpoint ids)``."""

        def claim(lane):
            if auto_commit:
                # Each batch in a transaction of its own, READ COMMITTED: the
                # claim must see rows that other workers committed after this
                # worker's previous transaction began, and skip them instead
                # of failing on them (under REPEATABLE READ they raise a
                # serialization failure).
                lane.env.cr.commit()  # pylint: disable=invalid-commit
                lane.env.cr.execute(SQL("SET TRANSACTION ISOLATION LEVEL READ COMMITTED"))
            return lane._claim(batch_size)

        def end(lane):
            if auto_commit:
                lane.env.cr.commit()  # pylint: disable=invalid-commit

        attempted, endpoint_ids, turn = 0, set(), 0
        jobs, books = claim(lanes[0])
        sending = sender.submit(jobs, deadline) if jobs else None
        while True:
            lane = lanes[turn % len(lanes)]
            if sending is None:  # nothing was due
                end(lane)
                return attempted, True, endpoint_ids
            full = len(jobs) == batch_size
            following = lanes[(turn + 1) % len(lanes)]
            next_jobs = next_books = None
            if full and len(lanes) > 1 and time.monotonic() < deadline:
                next_jobs, next_books = claim(following)
            results = sending.result()
            sent = [(job, result) for job, result in zip(jobs, results, strict=True) if result]
            stopped = len(sent) < len(jobs) or time.monotonic() >= deadline
            sending = None
            if next_jobs and not stopped:
                sending = sender.submit(next_jobs, deadline)
            elif next_jobs is not None:
                end(following)  # not sent: the claim is released untouched
            if sent:
                lane._record_results(sent, books)
                attempted += len(sent)
                endpoint_ids.update(job.endpoint for job, _result in sent)
            end(lane)
            if stopped:
                return attempted, False, endpoint_ids
            if not full:
                return attempted, True, endpoint_ids
            turn += 1
            if len(lanes) > 1:
                if next_jobs is None:  # the budget ran out between two batches
                    return attempted, False, endpoint_ids
                jobs, books = next_jobs, next_books
            else:
                jobs, books = claim(lane)
                sending = sender.submit(jobs, deadline) if jobs else None

    @api.model
    def _record_results(self, sent, books):
        """Write the outcome of a batch (``[(job, result)]``): one UPDATE of the
        deliveries, one INSERT of their attempts, one set of cron triggers for
        the retries."""
        now = fields.Datetime.now()
        uid = self.env.uid
        updates, attempts, retry_times, gone = [], [], set(), {}
        for job, result in sent:
            attempt_count, max_attempts, company_id = books[job.key]
            attempt_no = attempt_count + 1
            outcome, delay = backoff.decide(
                result.status,
                attempt_no,
                max_attempts=max_attempts,
                retry_after=result.retry_after,
            )
            error = result.error
            if result.refused:
                error = self.env._("Destination refused: %s", error)
            error = (error or "")[:ERROR_EXCERPT] or None
            retry_at = None
            if outcome == backoff.DONE:
                state = "done"
            elif outcome == backoff.RETRY:
                state = "failed"
                retry_at = now + timedelta(seconds=delay)
                retry_times.add(retry_at)
            else:
                state = "dead"
                if outcome == backoff.GONE:
                    gone.setdefault(job.endpoint, result.status)
            updates.append(
                SQL(
                    "(%s, %s, %s, %s, %s, %s, %s)",
                    job.key,
                    state,
                    attempt_no,
                    result.status or 0,
                    error,
                    retry_at,
                    now if state == "done" else None,
                )
            )
            attempts.append(
                SQL(
                    "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    job.key,
                    job.endpoint,
                    company_id,
                    attempt_no,
                    result.status or 0,
                    result.latency_ms,
                    outcome == backoff.DONE,
                    outcome,
                    error,
                    retry_at,
                    result.request_headers,
                    result.response_excerpt,
                    uid,
                    now,
                    uid,
                    now,
                )
            )
        # Raw SQL for the bulk writes: the ORM would write the deliveries one
        # group of equal values at a time and recompute the attempts' stored
        # related company after inserting them.
        self.env.cr.execute(
            SQL(
                """UPDATE wfmon_webhook_delivery d
                      SET state = v.state::varchar,
                          attempt_count = v.attempt_count::int,
                          last_status_code = v.status::int,
                          last_error = v.error::varchar,
                          next_attempt_at = v.next_at::timestamp,
                          done_at = COALESCE(v.done_at::timestamp, d.done_at),
                          write_uid = %s,
                          write_date = %s
                     FROM (VALUES %s)
                       AS v(id, state, attempt_count, status, error, next_at, done_at)
                    WHERE d.id = v.id""",
                uid,
                now,
                SQL(", ").join(updates),
            )
        )
        self.env.cr.execute(
            SQL(
                """INSERT INTO wfmon_webhook_attempt
                       (delivery_id, endpoint_id, company_id, attempt_no, status_code,
                        latency_ms, success, outcome, error, retry_at,
                        request_headers, response_excerpt,
                        create_uid, create_date, write_uid, write_date)
                   VALUES %s""",
                SQL(", ").join(attempts),
            )
        )
        self.invalidate_model(
            [
                "state",
                "attempt_count",
                "last_status_code",
                "last_error",
                "next_attempt_at",
                "done_at",
                "attempt_ids",
                "write_uid",
                "write_date",
            ]
        )
        if retry_times:
            cron = self._dispatch_cron()
            if cron:
                cron._trigger_list(sorted(retry_times))
        if gone:
            endpoints = self.env["wfmon.webhook.endpoint"].browse(list(gone))
            for endpoint in endpoints:
                endpoint._deactivate_gone(gone[endpoint.id])
