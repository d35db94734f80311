#!/usr/bin/env python3
"""Webhook dispatch on the real path, next to a plain requests.Session and Odoo's own action.

Run it with ``make bench BENCH=delivery`` (options in ``WFMON_BENCH_ARGS``, e.g.
``--events 2000 --rounds 5``): the runner prepares a database with
``wfmon_integration`` (no demo data) and feeds this file to ``odoo shell``.

The receiver is ``benchmarks/sink.py``, an HTTP/1.1 keep-alive server on loopback in a
process of its own; it counts requests and distinct ``webhook-id`` values per URL path, so
every path below counts only its own requests.  In each round, in an order that rotates from
round to round (interleaved rounds), on records that are not in the ORM's cache:

* **wfmon dispatch**: N events are published and committed; then the scheduled action's
  method ``wfmon.webhook.delivery._cron_dispatch`` runs as ``ir.cron`` runs it, committing
  after each batch, until they are all sent: claim with row locks, signed Standard Webhooks
  POSTs, attempts and delivery states written back.  Once with the endpoint's default of one
  request at a time, once with ``--parallel`` requests at a time.
* **requests.Session**: a plain session POSTs N bodies of the same events (published while the
  bench endpoint is archived, so nothing dispatches them) with the same headers (signed
  beforehand, outside the timing) to the same sink, one after the other: the anchor.
* **Odoo action**: Odoo's "Send Webhook Notification" server action run once per record
  (what an Automation Rule does): synchronous in the business transaction, unsigned, one new
  connection per request, nothing recorded, never retried.

It reports per round (with the machine's load), then the median and the range of the per-round
ratios.  The rows it commits are deleted at the end; other endpoints are parked (archived) for
the run and restored.  Measurements, not pass/fail thresholds.
"""

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time

import benchlib
import requests

BENCH = "delivery"
ALLOW_PRIVATE = "wfmon_integration.allow_private_destinations"
PATHS = ("wfmon", "session", "odoo", "wfmon_parallel")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000, help="events per path and round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=100, help="events of the unmeasured round")
    parser.add_argument("--batch", type=int, default=0, help="dispatcher batch (0: its default)")
    parser.add_argument(
        "--parallel", type=int, default=4, help="parallel requests of the second wfmon path"
    )
    return parser.parse_known_args(argv)


class SinkProcess:
    def __init__(self):
        here = os.path.dirname(os.path.abspath(benchlib.__file__))
        self.proc = subprocess.Popen(  # noqa: S603 (our own script)
            [sys.executable, os.path.join(here, "sink.py")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.base = f"http://127.0.0.1:{int(self.proc.stdout.readline())}"

    def stats(self):
        return requests.get(f"{self.base}/stats", timeout=10).json()

    def stop(self):
        self.proc.stdin.close()
        self.proc.wait(10)


class Bench:
    def __init__(self, env, args):
        self.env = env(context=dict(env.context, tracking_disable=True))
        self.cr = self.env.cr
        self.args = args
        self.sink = SinkProcess()
        self.partner_ids = []
        self.event_ids = []

    # -- setup / teardown --------------------------------------------------------------------
    def setup(self):
        env = self.env
        params = env["ir.config_parameter"]
        self.allow_before = params.get_param(ALLOW_PRIVATE)
        params.set_param(ALLOW_PRIVATE, "True")
        endpoints = env["wfmon.webhook.endpoint"]
        self.parked = endpoints.search([])
        self.parked.write({"active": False})
        self.endpoint = endpoints.create(
            {"name": "bench sink", "url": f"{self.sink.base}/setup", "timeout": 10}
        )
        self.action = env["ir.actions.server"].create(
            {
                "name": "bench webhook",
                "model_id": env.ref("base.model_res_partner").id,
                "state": "webhook",
                "webhook_url": f"{self.sink.base}/setup",
                "webhook_field_ids": [
                    (6, 0, env["ir.model.fields"]._get("res.partner", "name").ids)
                ],
            }
        )
        self.cr.commit()  # pylint: disable=invalid-commit

    def teardown(self):
        env = self.env
        self.cr.rollback()
        env["wfmon.event"].browse(self.event_ids).unlink()
        env["res.partner"].browse(self.partner_ids).unlink()
        self.action.unlink()
        self.endpoint.unlink()
        self.parked.write({"active": True})
        env["ir.config_parameter"].set_param(ALLOW_PRIVATE, self.allow_before or False)
        cron = env.ref("wfmon_integration.ir_cron_wfmon_webhook_dispatch")
        env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]).unlink()
        self.cr.commit()  # pylint: disable=invalid-commit
        self.sink.stop()

    def partners(self, count, tag):
        partners = self.env["res.partner"].create(
            [{"name": f"bench {tag} {i}"} for i in range(count)]
        )
        self.partner_ids += partners.ids
        self.cr.commit()  # pylint: disable=invalid-commit
        return partners

    # -- the paths ---------------------------------------------------------------------------
    def publish(self, partners):
        """Publish one event per partner (the cost paid in the business transaction)."""
        env = self.env
        env.invalidate_all()
        q0, t0 = self.cr.sql_log_count, time.perf_counter()
        events = env["wfmon.publisher"]._publish("bench.event", partners)
        env.flush_all()
        seconds, queries = time.perf_counter() - t0, self.cr.sql_log_count - q0
        self.event_ids += events.ids
        self.cr.commit()  # pylint: disable=invalid-commit
        return events, seconds, queries

    def wfmon(self, partners, tag, parallel):
        path = f"/{tag}/wfmon{parallel}"
        self.endpoint.write({"url": self.sink.base + path, "parallel_requests": parallel})
        self.cr.commit()  # pylint: disable=invalid-commit
        events, pub_s, pub_q = self.publish(partners)
        deliveries = self.env["wfmon.webhook.delivery"]
        self.env.invalidate_all()
        batch = {"batch_size": self.args.batch} if self.args.batch else {}
        # The dispatcher works with two cursors: count the queries of both, as
        # Odoo does per thread.
        thread = threading.current_thread()
        thread.query_count, thread.query_time = 0, 0.0
        t0 = time.perf_counter()
        sent = 0
        while sent < len(events):
            # What ir.cron does: call the scheduled action's method, commit.
            done = deliveries._cron_dispatch(**batch)
            self.cr.commit()  # pylint: disable=invalid-commit
            sent += done
            if not done:
                break
        seconds, queries = time.perf_counter() - t0, thread.query_count
        del thread.query_count, thread.query_time
        stats = self.sink.stats()
        done = deliveries.search_count([("event_id", "in", events.ids), ("state", "=", "done")])
        return {
            "seconds": seconds,
            "queries": queries,
            "sent": sent,
            "received": stats["requests"].get(path, 0),
            "distinct": stats["distinct_ids"].get(path, 0),
            "connections": stats["connections"],
            "done": done,
            "events": events,
            "publish": (pub_s, pub_q),
        }

    def session(self, events, tag):
        """The same POSTs from a plain requests.Session, one after the other."""
        from odoo.addons.wfmon_integration.tools.signing import build_headers

        path = f"/{tag}/session"
        url = self.sink.base + path
        secret = self.endpoint.sudo().secret
        now = int(time.time())
        posts = [
            (
                event.payload.encode(),
                build_headers([secret], event.name, now, event.payload.encode()),
            )
            for event in events
        ]
        t0 = time.perf_counter()
        with requests.Session() as session:
            session.trust_env = False
            for body, headers in posts:
                response = session.post(url, data=body, headers=headers, timeout=10)
                response.raise_for_status()
        seconds = time.perf_counter() - t0
        stats = self.sink.stats()
        return {
            "seconds": seconds,
            "received": stats["requests"].get(path, 0),
            "connections": stats["connections"],
        }

    def odoo(self, partners, tag):
        """Odoo's own action once per record, on records read from the database."""
        path = f"/{tag}/odoo"
        self.action.webhook_url = self.sink.base + path
        self.cr.commit()  # pylint: disable=invalid-commit
        self.env.invalidate_all()
        action = self.env["ir.actions.server"].browse(self.action.id)
        q0, t0 = self.cr.sql_log_count, time.perf_counter()
        for partner_id in partners.ids:
            action.with_context(active_model="res.partner", active_id=partner_id).run()
        self.cr.commit()  # pylint: disable=invalid-commit  (the business transaction ends)
        seconds, queries = time.perf_counter() - t0, self.cr.sql_log_count - q0
        stats = self.sink.stats()
        return {"seconds": seconds, "queries": queries, "received": stats["requests"].get(path, 0)}

    # -- rounds ------------------------------------------------------------------------------
    def session_events(self, count, tag):
        """Events like the dispatched ones, published while the bench endpoint is archived
        (so nothing dispatches them): the bodies the session posts."""
        self.endpoint.active = False
        events, _s, _q = self.publish(self.partners(count, f"{tag} session"))
        self.endpoint.active = True
        self.cr.commit()  # pylint: disable=invalid-commit
        return events

    def run_round(self, index, count):
        tag = f"r{index}"
        load = benchlib.loadavg()
        partners = {p: self.partners(count, f"{tag} {p}") for p in ("wfmon", "wfmon_parallel")}
        partners["odoo"] = self.partners(count, f"{tag} odoo")
        session_events = self.session_events(count, tag)
        order = PATHS[index % len(PATHS) :] + PATHS[: index % len(PATHS)]
        result = {"load": load, "order": order}
        for path in order:
            if path == "wfmon":
                result[path] = self.wfmon(partners[path], tag, 1)
            elif path == "wfmon_parallel":
                result[path] = self.wfmon(partners[path], tag, self.args.parallel)
            elif path == "odoo":
                result[path] = self.odoo(partners[path], tag)
            else:
                result[path] = self.session(session_events, tag)
        return result


def _rate(count, seconds):
    return count / seconds if seconds else float("inf")


def report(results, args):
    n = args.events
    print(
        f"events per path and round: {n}; rounds: {len(results)}; dispatcher batch: "
        f"{args.batch or 'default'}; parallel: 1 and {args.parallel}"
    )
    print(
        f"{'round':>5} {'load (1 5 15 min)':>18} {'wfmon/s':>8} {'q/ev':>5} {'conn':>4} "
        f"{f'wfmon x{args.parallel}/s':>11} {'session/s':>9} {'odoo/s':>7} "
        f"{'wfmon/session':>13} {'parallel/session':>16} {'wfmon/odoo':>10}"
    )
    rows = []
    for index, r in enumerate(results, 1):
        w, wp, s, o = r["wfmon"], r["wfmon_parallel"], r["session"], r["odoo"]
        row = {
            "load": r["load"],
            "wfmon_rate": _rate(w["sent"], w["seconds"]),
            "wfmon_parallel_rate": _rate(wp["sent"], wp["seconds"]),
            "session_rate": _rate(s["received"], s["seconds"]),
            "odoo_rate": _rate(n, o["seconds"]),
            "wfmon_q": w["queries"] / max(w["sent"], 1),
            "wfmon_parallel_q": wp["queries"] / max(wp["sent"], 1),
            "odoo_q": o["queries"] / n,
            "publish_rate": _rate(n, w["publish"][0]),
            "publish_q": w["publish"][1] / n,
            "publish_vs_odoo": w["publish"][0] / o["seconds"],
            "connections": w["connections"],
            "own": (w["received"], w["distinct"], w["done"], wp["received"], wp["distinct"]),
        }
        row["ratio"] = row["wfmon_rate"] / row["session_rate"]
        row["ratio_parallel"] = row["wfmon_parallel_rate"] / row["session_rate"]
        row["ratio_odoo"] = row["wfmon_rate"] / row["odoo_rate"]
        rows.append(row)
        print(
            f"{index:>5} {row['load']:>18} {row['wfmon_rate']:8.0f} {row['wfmon_q']:5.2f} "
            f"{row['connections']:>4} {row['wfmon_parallel_rate']:11.0f} "
            f"{row['session_rate']:9.0f} {row['odoo_rate']:7.0f} {row['ratio']:12.2f}x "
            f"{row['ratio_parallel']:15.2f}x {row['ratio_odoo']:9.2f}x"
        )
        received, distinct, done, received_p, distinct_p = row["own"]
        if not (received == distinct == done == n and received_p == distinct_p == n):
            print(
                f"      own deliveries: wfmon {received} requests / {distinct} ids / {done} "
                f"done, parallel {received_p} / {distinct_p} (expected {n} each)"
            )

    def med(key):
        return statistics.median(row[key] for row in rows)

    def rng(key):
        values = [row[key] for row in rows]
        return f"{min(values):.2f}-{max(values):.2f}"

    loads = [row["load"] for row in rows]
    print("medians of the rounds (range):")
    lines = [
        ("wfmon dispatch, one worker, real path", "wfmon_rate", "events/s", "requests.Session",
         "session_rate", "ratio", 0.8, ">="),
        (f"wfmon dispatch, {args.parallel} parallel requests", "wfmon_parallel_rate",
         "events/s", "requests.Session", "session_rate", "ratio_parallel", None, None),
        ("wfmon dispatch vs Odoo's webhook action", "wfmon_rate", "events/s",
         "Odoo 'Send Webhook Notification'", "odoo_rate", "ratio_odoo", None, None),
    ]  # fmt: skip
    for label, key, unit, anchor, anchor_key, ratio_key, goal, sense in lines:
        print(
            f"  {label}: {med(key):.0f} {unit} vs {anchor} {med(anchor_key):.0f}: "
            f"{med(ratio_key):.2f}x (per-round ratios {rng(ratio_key)})"
            + (f"   goal {sense} {goal}x" if goal else "")
        )
        benchlib.record(
            BENCH,
            label,
            med(key),
            unit,
            anchor=anchor,
            anchor_value=med(anchor_key),
            ratio=med(ratio_key),
            ratio_rounds=benchlib.summary(row[ratio_key] for row in rows),
            goal=f"{sense} {goal}" if goal else None,
            loadavg=loads,
        )
    queries = med("wfmon_q")
    print(
        f"  queries per delivered event (commits and health check included): {queries:.2f} "
        f"(parallel {med('wfmon_parallel_q'):.2f}); Odoo's action {med('odoo_q'):.2f}   "
        "goal <= 1"
    )
    benchlib.record(
        BENCH,
        "queries per delivered event, real path",
        queries,
        "queries/event",
        anchor="Odoo 'Send Webhook Notification'",
        anchor_value=med("odoo_q"),
        ratio=queries / med("odoo_q"),
        goal="<= 1 query/event",
        rounds=[row["wfmon_q"] for row in rows],
        loadavg=loads,
    )
    print(
        f"  publish (outbox + deliveries, in the business transaction): "
        f"{med('publish_rate'):.0f} events/s, {med('publish_q'):.2f} queries/event; its time is "
        f"{med('publish_vs_odoo'):.3f}x of Odoo's action (range {rng('publish_vs_odoo')})"
    )
    benchlib.record(
        BENCH,
        "publish: time added to the business transaction",
        med("publish_rate"),
        "events/s",
        anchor="Odoo 'Send Webhook Notification' (time)",
        anchor_value=med("odoo_rate"),
        ratio=med("publish_vs_odoo"),
        ratio_rounds=benchlib.summary(row["publish_vs_odoo"] for row in rows),
        queries_per_event=med("publish_q"),
        loadavg=loads,
    )
    print(
        "  connections the one-at-a-time dispatcher opened per round (keep-alive): "
        + ", ".join(str(row["connections"]) for row in rows)
    )


def run(env, args):
    bench = Bench(env, args)
    bench.setup()
    try:
        if args.warmup:
            bench.run_round(0, args.warmup)
        results = []
        for index in range(1, args.rounds + 1):
            results.append(bench.run_round(index, args.events))
            r = results[-1]
            print(
                f"bench_delivery: round {index}/{args.rounds} load {r['load']}: "
                + ", ".join(f"{p} {r[p]['seconds']:.2f}s" for p in PATHS),
                file=sys.stderr,
                flush=True,
            )
        report(results, args)
    finally:
        bench.teardown()
        print("(the rows committed by the benchmark were deleted)")


benchlib.entry("bench_delivery", parse_args, run, globals())
