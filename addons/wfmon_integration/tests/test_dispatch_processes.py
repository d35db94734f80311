"""C11 reliability, from outside: dispatchers in processes of their own
(``dispatch_worker.py``) on committed data, sending to a loopback sink.

- two workers at once deliver every event exactly once, without a failed
  claim, in at most one query per event;
- a worker killed with SIGKILL in the middle of a batch loses nothing: a worker
  started right after it delivers everything, and the only repeats are the
  requests of the dead worker's uncommitted batches (at most two: one being
  sent, one being recorded), under the same webhook-id.

Each process is bounded in time and killed at cleanup; the committed rows are
deleted again.
"""

import json
import logging
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections import Counter

from odoo import SUPERUSER_ID, api
from odoo.tests import TransactionCase, tagged
from odoo.tools import config

from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT

from .common import ALLOW_PRIVATE, Sink

_logger = logging.getLogger(__name__)
WORKER = os.path.join(os.path.dirname(__file__), "dispatch_worker.py")
# The worker connects like this process: Odoo's options of the same name.
OPTIONS = {
    "db_host": "--db_host",
    "db_port": "--db_port",
    "db_user": "--db_user",
    "db_password": "--db_password",
    "addons_path": "--addons-path",
    "data_dir": "--data-dir",
}
START_TIMEOUT = 180  # seconds for a worker to load the registry
RUN_TIMEOUT = 120  # seconds for a worker to deliver everything


class Worker:
    """One ``dispatch_worker.py`` process; its stdout is read by a thread."""

    def __init__(self, dbname, batch):
        args = [sys.executable, WORKER, f"--batch={batch}", "-d", dbname]
        for key, option in OPTIONS.items():
            if config.get(key):
                args.append(f"{option}={config[key]}")
        self.proc = subprocess.Popen(  # noqa: S603 (our own script, our own arguments)
            args,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines = queue.Queue()
        self.stderr = []
        threading.Thread(
            target=self._read, args=(self.proc.stdout, self.lines.put), daemon=True
        ).start()
        threading.Thread(
            target=self._read, args=(self.proc.stderr, self.stderr.append), daemon=True
        ).start()

    @staticmethod
    def _read(stream, sink):
        for line in stream:
            sink(line.rstrip("\n"))
        sink(None)  # end of output: the process is gone

    def line(self, timeout):
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            return None

    def go(self):
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(30)

    def problems(self):
        """Log lines at WARNING or above, and tracebacks."""
        return [
            line
            for line in self.stderr
            if line
            and any(word in line for word in (" WARNING ", " ERROR ", " CRITICAL ", "Traceback"))
        ]


@tagged("post_install", "-at_install")
class TestDispatchProcesses(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sink = Sink()
        cls.addClassCleanup(cls.sink.stop)

    def setUp(self):
        super().setUp()
        self.sink.requests.clear()
        self.sink.delay = 0

    def _committed_events(self, count):
        """An endpoint on the sink and ``count`` published events, committed so
        that other processes see them; deleted again at cleanup."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, DISABLED_MAIL_CONTEXT)
            params = env["ir.config_parameter"]
            allow_before = params.get_param(ALLOW_PRIVATE)
            params.set_param(ALLOW_PRIVATE, "True")
            endpoint = env["wfmon.webhook.endpoint"].create(
                {"name": "Process test", "url": self.sink.url, "timeout": 10}
            )
            partners = env["res.partner"].create([{"name": f"Proc {i}"} for i in range(count)])
            events = env["wfmon.publisher"]._publish("test.processes", partners)
            cron = env.ref("wfmon_integration.ir_cron_wfmon_webhook_dispatch")
            data = (endpoint.id, partners.ids, events.ids, cron.id, allow_before)
        self.addCleanup(self._cleanup, *data)
        return events.ids

    def _cleanup(self, endpoint_id, partner_ids, event_ids, cron_id, allow_before):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["wfmon.event"].browse(event_ids).unlink()
            env["wfmon.webhook.endpoint"].browse(endpoint_id).unlink()
            env["res.partner"].browse(partner_ids).unlink()
            env["ir.cron.trigger"].search([("cron_id", "=", cron_id)]).unlink()
            env["ir.config_parameter"].set_param(ALLOW_PRIVATE, allow_before or False)

    def _start(self, count, batch):
        workers = [Worker(self.env.cr.dbname, batch) for _i in range(count)]
        for worker in workers:
            self.addCleanup(worker.kill)
        for worker in workers:
            self.assertEqual(worker.line(START_TIMEOUT), "ready", worker.stderr[-20:])
        return workers

    def _finish(self, worker):
        line = worker.line(RUN_TIMEOUT)
        self.assertTrue(line, f"the worker did not finish: {worker.stderr[-20:]}")
        self.assertEqual(worker.proc.wait(30), 0, worker.stderr[-20:])
        self.assertFalse(worker.problems())
        return json.loads(line)

    def _states(self, event_ids):
        """{event name: (delivery state, attempt count)} as committed."""
        with self.registry.cursor() as cr:
            cr.execute(
                """SELECT e.name, d.state,
                          (SELECT count(*) FROM wfmon_webhook_attempt a WHERE a.delivery_id = d.id)
                     FROM wfmon_webhook_delivery d JOIN wfmon_event e ON e.id = d.event_id
                    WHERE e.id = ANY(%s)""",
                [event_ids],
            )
            return {name: (state, attempts) for name, state, attempts in cr.fetchall()}

    def _received(self):
        return [(r["headers"]["webhook-id"], r["body"]) for r in list(self.sink.requests)]

    def test_two_workers_deliver_each_event_once(self):
        event_ids = self._committed_events(120)
        self.sink.delay = 0.01
        workers = self._start(2, batch=20)
        for worker in workers:
            worker.go()
        reports = [self._finish(worker) for worker in workers]
        _logger.info("two workers: %s", reports)
        received = Counter(msg_id for msg_id, _body in self._received())
        states = self._states(event_ids)
        self.assertEqual(set(received), set(states))
        self.assertEqual(set(received.values()), {1}, "an event was delivered twice")
        self.assertEqual(set(states.values()), {("done", 1)})
        self.assertEqual(sum(r["sent"] for r in reports), 120)
        self.assertTrue(all(r["sent"] for r in reports), reports)
        # At most one query per delivered event, commits and health checks included.
        self.assertLessEqual(sum(r["queries"] for r in reports), 120)

    def test_killed_worker_loses_nothing(self):
        batch = 5
        event_ids = self._committed_events(30)
        self.sink.delay = 0.1
        (doomed,) = self._start(1, batch=batch)
        doomed.go()
        deadline = time.monotonic() + RUN_TIMEOUT
        # Kill it in the middle of its second batch.
        while len(self.sink.requests) < batch + 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        doomed.kill()
        sent_before = self._received()
        self.assertGreaterEqual(len(sent_before), batch + 2)
        committed = {
            name for name, (state, _n) in self._states(event_ids).items() if state == "done"
        }
        in_flight = {msg_id for msg_id, _body in sent_before} - committed
        self.assertTrue(in_flight)
        # A worker holds at most two batches: one being sent, one being recorded.
        self.assertLessEqual(len(in_flight), 2 * batch)
        # A worker started at once takes the dead worker's rows: no lease to wait for.
        self.sink.delay = 0
        (successor,) = self._start(1, batch=batch)
        successor.go()
        report = self._finish(successor)
        _logger.info(
            "killed worker: %s sent, %s committed, %s in flight; successor: %s",
            len(sent_before),
            len(committed),
            len(in_flight),
            report,
        )
        received = self._received()
        counts = Counter(msg_id for msg_id, _body in received)
        states = self._states(event_ids)
        self.assertEqual(set(counts), set(states), "an event was lost")
        self.assertEqual({m for m, n in counts.items() if n > 1}, in_flight)
        self.assertEqual(max(counts.values()), 2)
        for msg_id in in_flight:
            bodies = {body for m, body in received if m == msg_id}
            self.assertEqual(len(bodies), 1, "a repeat carries the same body")
        self.assertEqual(set(states.values()), {("done", 1)})
        self.assertEqual(report["sent"], len(states) - len(committed))
