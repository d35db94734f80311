#!/usr/bin/env python3
"""Delivery throughput of wfmon_integration next to Odoo's own webhook server action.

Runs inside one database transaction that is rolled back at the end: nothing is
kept.  A loopback sink (http.server, threaded, answers 204) receives both kinds
of request.  Reported: wall time, events per second for one worker, SQL queries
per event, and the ratio between the two paths.  These are measurements, not
pass/fail thresholds.

    python3 benchmarks/bench_delivery.py -d wfmon_bench --events 500 \\
        --addons-path /opt/odoo/addons,/opt/odoo/odoo/addons,addons \\
        --db_host 127.0.0.1 --db_port 5432 --db_user odoo --db_password odoo

The database needs ``wfmon_integration`` installed.  What the two paths do:

* **wfmon**: ``wfmon.publisher._publish`` writes N outbox events and N
  deliveries (the cost paid in the business transaction), then one dispatcher
  worker claims them in batches (``FOR NO KEY UPDATE SKIP LOCKED``) and sends
  each as a signed Standard Webhooks POST, recording an attempt per request.
* **Odoo**: a "Send Webhook Notification" server action run once per record
  (what an Automation Rule does): unsigned, synchronous in the business
  transaction, 1 s timeout, no retry, nothing recorded.
"""

import argparse
import logging
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Sink(BaseHTTPRequestHandler):
    count = 0

    def do_POST(self):  # noqa: N802 (http.server API)
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        type(self).count += 1
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        return


def _args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--batch", type=int, default=20, help="dispatcher batch size")
    known, odoo_args = parser.parse_known_args()
    return known, odoo_args


def main():
    args, odoo_args = _args()
    import odoo
    from odoo import SUPERUSER_ID, api
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(["-d", args.database, *odoo_args])
    logging.getLogger("odoo").setLevel(logging.WARNING)
    # Odoo's webhook action logs one INFO line per call; keep the report readable.
    logging.getLogger("odoo.addons.base.models.ir_actions").setLevel(logging.ERROR)

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"

    registry = Registry(args.database)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        if "wfmon.webhook.endpoint" not in env:
            sys.exit(f"wfmon_integration is not installed in {args.database}")
        env["ir.config_parameter"].set_param("wfmon_integration.allow_private_destinations", "True")
        # Only our endpoint receives: park the others for the run (rolled back).
        env["wfmon.webhook.endpoint"].search([]).write({"active": False})
        env["wfmon.webhook.endpoint"].create({"name": "bench sink", "url": url})
        partners = env["res.partner"].create(
            [{"name": f"Bench partner {i}"} for i in range(args.events)]
        )
        env.flush_all()
        n = args.events
        rows = []

        # --- wfmon: publish (in the business transaction) ---
        q0, t0 = cr.sql_log_count, time.perf_counter()
        env["wfmon.publisher"]._publish("bench.event", partners)
        env.flush_all()
        publish_s, publish_q = time.perf_counter() - t0, cr.sql_log_count - q0

        # --- wfmon: dispatch (one worker, after commit in real life) ---
        Delivery = env["wfmon.webhook.delivery"]
        _Sink.count = 0
        q0, t0 = cr.sql_log_count, time.perf_counter()
        sent = 0
        while True:
            batch = Delivery._dispatch_due(args.batch)
            if not batch:
                break
            sent += batch
        env.flush_all()
        dispatch_s, dispatch_q = time.perf_counter() - t0, cr.sql_log_count - q0
        received = _Sink.count
        done = Delivery.search_count([("state", "=", "done")])
        rows.append(("wfmon publish (outbox + deliveries)", publish_s, n, publish_q))
        rows.append(("wfmon dispatch (signed POST + attempt log)", dispatch_s, sent, dispatch_q))

        # --- Odoo: "Send Webhook Notification" server action, once per record ---
        action = env["ir.actions.server"].create(
            {
                "name": "bench webhook",
                "model_id": env.ref("base.model_res_partner").id,
                "state": "webhook",
                "webhook_url": url,
                "webhook_field_ids": [
                    (6, 0, env["ir.model.fields"]._get("res.partner", "name").ids)
                ],
            }
        )
        _Sink.count = 0
        q0, t0 = cr.sql_log_count, time.perf_counter()
        for partner in partners:
            action.with_context(active_model="res.partner", active_id=partner.id).run()
        odoo_s, odoo_q = time.perf_counter() - t0, cr.sql_log_count - q0
        odoo_received = _Sink.count
        rows.append(("odoo webhook server action (sync, unsigned)", odoo_s, n, odoo_q))
        cr.rollback()

    server.shutdown()
    print(f"events: {n}   dispatcher batch: {args.batch}   sink: {url}")
    print(f"{'path':46} {'seconds':>8} {'events/s':>9} {'queries/event':>14}")
    for label, seconds, count, queries in rows:
        rate = count / seconds if seconds else float("inf")
        per = queries / count if count else 0
        print(f"{label:46} {seconds:8.2f} {rate:9.0f} {per:14.1f}")
    wfmon_total = publish_s + dispatch_s
    print(f"received by the sink: wfmon {received} ({done} deliveries done), odoo {odoo_received}")
    print(
        f"wfmon publish + dispatch vs odoo action: {wfmon_total / odoo_s:.2f}x the time; "
        f"time added to the business transaction: {publish_s / odoo_s:.3f}x of odoo's"
    )


if __name__ == "__main__":
    main()
