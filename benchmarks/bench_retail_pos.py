#!/usr/bin/env python3
"""Benchmark of the retail till detectors (price overrides, refunds, cash) and the anomaly scan.

1. **Till**: syncs N POS orders through ``pos.order.sync_from_ui`` (what the POS front end
   calls, in batches of B orders as the front end sends them) into a fresh session, then
   counts the cash and closes the session as the closing screen does
   (``post_closing_cash_details``, ``close_session_from_ui``). Once with the retail detectors
   switched off (the server flag ``DETECTORS_OFF`` of wfmon_core: what Odoo does without
   this module's overrides; a client's context cannot set it) and once on, in R interleaved
   rounds. 5 % of the orders carry a discount above the store's
   limit and 2 % are refunds of earlier orders, one in four of them beyond what was sold, and
   the cash is counted 40 short: the detectors open their cases and sign-offs (the cash
   difference is signed off by the company's Finance controller; ``--no-finance``: nobody
   in Finance, the sign-off falls back to the administrators). Reports the
   wall time, the CPU time of this process (PostgreSQL's not included) and the queries of
   the syncs (per batch) and of the closing, and the ratios on/off (goal: at most 1.10): the
   median of the per-round ratios, with their range.
   Steady rounds: an unmeasured warm-up runs both configurations first and goes through
   every path of the detectors (a discount above the limit and its sign-off, a refund
   beyond what was sold, the cash short at closing and its sign-off routed to Finance with
   its notification: caches filled, templates compiled); the rounds then run in the order
   off, on, on, off, off, on, ... (ABBA: a drift over the run weighs on both alike), each in
   a savepoint rolled back after it with the caches emptied, so that every round starts
   from the same database and no configuration pays for the rows of the rounds before (nor,
   after a full garbage collection before each, for the memory of the rounds before).
   The company's stock is moved at closing (``point_of_sale_update_stock_quantities =
   'closing'``): each order is cheaper for Odoo, so the detectors' share is larger than
   with a picking per order, the stricter case for the ratio. ``--profile DIR``: the rounds
   under cProfile (CPU time), the functions the detectors cost most printed.
2. **Anomaly scan**: inserts L POS order lines (default 200,000, in orders of 4 lines, 40
   cashiers, 8 shops) with SQL, copying rows of one order made through the ORM, after a first
   tenth of them, and runs the scan of one company (``wfmon.retail.anomaly._scan_company``)
   after each insert. Reports its time and queries; the queries of the aggregation (two
   grouped queries) are reported apart, at a tenth and at the full volume: the same count.
   The other queries open or refresh the cases of the flagged subjects (their number, not
   the lines', sets them).

Everything happens in one transaction that is rolled back. Through ``odoo shell`` (what
``scripts/bench.sh retail_pos`` does), options in ``WFMON_BENCH_ARGS``, e.g.
``--orders 300 --batch 50 --rounds 6 --warmup 50 --lines 200000``.
"""

import argparse
import copy
import cProfile
import gc
import os
import pstats
import statistics
import time
from datetime import timedelta
from itertools import count

import benchlib

UUIDS = count(1)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=300, help="orders per round (0: skip)")
    parser.add_argument("--batch", type=int, default=50, help="orders per sync_from_ui call")
    parser.add_argument(
        "--rounds", type=int, default=6, help="interleaved off/on rounds (ABBA order)"
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=50,
        help="orders of the unmeasured warm-up, in each configuration (every detector path)",
    )
    parser.add_argument("--lines", type=int, default=200000, help="lines of the scan (0: skip)")
    parser.add_argument(
        "--no-finance",
        action="store_true",
        help="no Finance controller: the cash sign-off falls back to the administrators",
    )
    parser.add_argument(
        "--profile",
        metavar="DIR",
        help="run the rounds under cProfile (CPU time): DIR/retail_pos-on.prof and -off.prof, "
        "and the functions whose cumulative time differs most printed (times then inflated)",
    )
    return parser.parse_known_args(argv)


def progress(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message} (load {benchlib.loadavg()})", flush=True)


class Counter:
    def __init__(self, env):
        self.cr = env.cr

    def __enter__(self):
        self.queries = self.cr.sql_log_count
        self.start = time.perf_counter()
        self.cpu_start = time.process_time()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start
        self.cpu = time.process_time() - self.cpu_start
        self.queries = self.cr.sql_log_count - self.queries


def setup(env, finance=True):
    """A store with a till, a POS user, two products with stock; with ``finance``, a
    Finance controller (who signs off cash differences, as in a real company; without
    one the sign-off goes to the administrators, told by e-mail)."""
    company = env.company
    company.point_of_sale_update_stock_quantities = "closing"
    warehouse = env["stock.warehouse"].create({"name": "Bench Store", "code": "BNCH"})
    env["wfmon.retail.store"].create({"warehouse_id": warehouse.id, "store_type": "standard"})
    manager = env["res.users"].create(
        {
            "name": "Bench Store Manager",
            "login": "bench_store_manager",
            "email": "bench.manager@example.com",
            "groups_id": [(6, 0, [env.ref("base.group_user").id])],
        }
    )
    warehouse.wfmon_site_id.manager_id = manager
    if finance:
        env["res.users"].create(
            {
                "name": "Bench Finance Controller",
                "login": "bench_finance",
                "email": "bench.finance@example.com",
                "groups_id": [
                    (
                        6,
                        0,
                        [
                            env.ref("base.group_user").id,
                            env.ref("wfmon_retail.group_wfmon_retail_finance").id,
                        ],
                    )
                ],
            }
        )
    cashier = env["res.users"].create(
        {
            "name": "Bench Cashier",
            "login": "bench_cashier",
            "email": "bench.cashier@example.com",
            "groups_id": [
                (6, 0, [env.ref("base.group_user").id, env.ref("point_of_sale.group_pos_user").id])
            ],
        }
    )
    template = env["account.journal"].search(
        [("type", "=", "cash"), ("company_id", "=", company.id)], limit=1
    )
    journal = env["account.journal"].create(
        {
            "name": "Bench cash",
            "code": "BNCH",
            "type": "cash",
            "profit_account_id": template.profit_account_id.id,
            "loss_account_id": template.loss_account_id.id,
        }
    )
    method = env["pos.payment.method"].create({"name": "Bench cash", "journal_id": journal.id})
    config = env["pos.config"].create(
        {
            "name": "Bench till",
            "picking_type_id": warehouse.pos_type_id.id,
            "payment_method_ids": [(6, 0, method.ids)],
            "cash_control": True,
        }
    )
    products = env["product.product"].create(
        [
            {
                "name": f"Bench product {i}",
                "is_storable": True,
                "list_price": 10.0 + i,
                "standard_price": 5.0,
                "available_in_pos": True,
                "taxes_id": [(5, 0, 0)],
            }
            for i in range(2)
        ]
    )
    for product in products:
        env["stock.quant"]._update_available_quantity(product, warehouse.lot_stock_id, 10**6)
    return config, method, cashier, products


def payload(session, method, cashier, product, qty=1, discount=0.0, refund_of=None):
    uuid = f"bench-{next(UUIDS):07d}"
    price = product.lst_price
    subtotal = round(price * qty * (1 - discount / 100.0), 2)
    line = {
        "product_id": product.id,
        "qty": qty,
        "price_unit": price,
        "discount": discount,
        "price_subtotal": subtotal,
        "price_subtotal_incl": subtotal,
        "tax_ids": [(6, 0, [])],
        "pack_lot_ids": [],
    }
    if refund_of:
        line["refunded_orderline_id"] = refund_of
    now = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
    return {
        "uuid": uuid,
        "name": f"Order {uuid}",
        "session_id": session.id,
        "sequence_number": 1,
        "user_id": cashier.id,
        "partner_id": False,
        "pricelist_id": session.config_id.pricelist_id.id,
        "fiscal_position_id": False,
        "date_order": now,
        "amount_total": subtotal,
        "amount_tax": 0.0,
        "amount_paid": subtotal,
        "amount_return": 0.0,
        "to_invoice": False,
        "last_order_preparation_change": "{}",
        "lines": [(0, 0, line)],
        "payment_ids": [(0, 0, {"amount": subtotal, "name": now, "payment_method_id": method.id})],
    }


def till_round(env, config, method, cashier, products, orders, batch, context, over_every=200):
    """One session: sync ``orders`` in batches, close it. Returns the figures.

    Every 50th order is a refund; every ``over_every``-th order (a multiple of 50) a
    refund beyond what was sold."""
    user_env = env(user=cashier.id, context=dict(env.context, **context))
    config = config.with_env(user_env)
    config.open_ui()
    session = config.current_session_id
    session.set_opening_control(0.0, None)
    Order = user_env["pos.order"]
    sync_seconds = 0.0
    sync_cpu = 0.0
    sync_queries = []
    lines = []  # (line id, product) of the sales, for refunds
    done = 0
    while done < orders:
        size = min(batch, orders - done)
        payloads = []
        for i in range(size):
            n = done + i
            product = products[n % 2]
            if n % 50 == 49 and lines:  # 2 %: a refund, one in four beyond the sale
                line_id, sold_product = lines[(n * 7) % len(lines)]
                payloads.append(
                    payload(
                        session,
                        method,
                        cashier,
                        sold_product,
                        qty=-3 if n % over_every == over_every - 1 else -1,
                        refund_of=line_id,
                    )
                )
            elif n % 20 == 7:  # 5 %: a discount above the store's limit
                payloads.append(payload(session, method, cashier, product, discount=35.0))
            else:
                payloads.append(payload(session, method, cashier, product, qty=2))
        with Counter(env) as measured:
            result = Order.sync_from_ui(copy.deepcopy(payloads))
            env.flush_all()
        sync_seconds += measured.seconds
        sync_cpu += measured.cpu
        sync_queries.append(measured.queries)
        by_id = {vals["id"]: vals for vals in result["pos.order.line"]}
        for vals in by_id.values():
            if vals["qty"] > 0:
                lines.append((vals["id"], env["product.product"].browse(vals["product_id"])))
        done += size
    session.invalidate_recordset()
    expected = session.cash_register_balance_end
    with Counter(env) as closing:
        session.post_closing_cash_details(expected - 40.0)
        session.invalidate_recordset()
        outcome = session.close_session_from_ui()
        env.flush_all()
    if not outcome.get("successful"):
        raise RuntimeError(f"closing failed: {outcome}")
    return {
        "sync_seconds": sync_seconds,
        "sync_cpu": sync_cpu,
        "close_cpu": closing.cpu,
        "sync_queries_per_batch": statistics.median(sync_queries),
        "sync_queries_max_batch": max(sync_queries),
        "close_seconds": closing.seconds,
        "close_queries": closing.queries,
    }


def print_profiles(profiles, directory, top=30):
    """Dump the two profiles and print the functions whose cumulative time on differs most
    from off (what the detectors add, by function; nested calls count in each caller)."""
    os.makedirs(directory, exist_ok=True)
    tables = {}
    for name, profile in profiles.items():
        path = os.path.join(directory, f"retail_pos-{name}.prof")
        profile.dump_stats(path)
        stats = pstats.Stats(profile).stats
        tables[name] = {
            f"{os.path.basename(file)}:{line}({func})": (calls, cumulative)
            for (file, line, func), (_cc, calls, _tt, cumulative, _callers) in stats.items()
        }
        print(f"profile of the rounds {name}: {path}")
    rows = sorted(
        (
            (tables["on"].get(key, (0, 0))[1] - tables["off"].get(key, (0, 0))[1], key)
            for key in set(tables["on"]) | set(tables["off"])
        ),
        reverse=True,
    )
    print("cumulative CPU seconds, on minus off (profiled, so inflated):")
    for delta, key in rows[:top]:
        calls = (tables["on"].get(key, (0, 0))[0], tables["off"].get(key, (0, 0))[0])
        print(f"  {delta:+8.3f} s  calls {calls[0]}/{calls[1]}  {key}")


def run_till(env, args, detectors_off):
    config, method, cashier, products = setup(env, finance=not args.no_finance)
    contexts = {"off": detectors_off, "on": {}}
    # Warm-up, not measured: both configurations, every path of the detectors (a
    # discount above the limit, a refund beyond the sale within the first 50 orders,
    # the cash short at closing and its sign-off routed to Finance).
    warmup = max(args.warmup, 50) if args.warmup else 0
    for name in ("on", "off") if warmup else ():
        till_round(env, config, method, cashier, products, warmup, args.batch, contexts[name], 50)
    env.flush_all()
    env.invalidate_all()
    # What the warm-up left in memory stays out of the collector's passes, and each round
    # starts after a full collection: no round pays for the garbage of the one before.
    gc.collect()
    gc.freeze()
    results = {"off": [], "on": []}
    # CPU time of this process (the figure the ratio is read on), not the wall clock.
    profiles = (
        {name: cProfile.Profile(time.process_time) for name in ("off", "on")}
        if args.profile
        else {}
    )
    cases = []
    case_domain = [("type_id.code", "like", "retail.%")]
    for r, order in enumerate(benchlib.abba(("off", "on"), args.rounds)):
        for name in order:
            # Each round from the same database: a savepoint rolled back after it.
            gc.collect()
            with benchlib.rolled_back(env):
                before = env["wfmon.case"].search_count(case_domain)
                if profiles:
                    profiles[name].enable()
                try:
                    figures = till_round(
                        env,
                        config,
                        method,
                        cashier,
                        products,
                        args.orders,
                        args.batch,
                        contexts[name],
                    )
                finally:
                    if profiles:
                        profiles[name].disable()
                if name == "on":
                    cases.append(env["wfmon.case"].search_count(case_domain) - before)
            figures["load"] = benchlib.loadavg()
            results[name].append(figures)
            progress(
                f"round {r + 1} {name}: sync {figures['sync_seconds']:.2f} s "
                f"(CPU {figures['sync_cpu']:.2f} s, {figures['sync_queries_per_batch']:.0f} "
                f"queries per batch of {args.batch}), close {figures['close_seconds']:.2f} s "
                f"(CPU {figures['close_cpu']:.2f} s, {figures['close_queries']} queries)"
            )

    gc.unfreeze()
    if profiles:
        print_profiles(profiles, args.profile)

    def per_round(name, keys):
        return [sum(f[k] for k in keys) for f in results[name]]

    def ratios(keys):
        off, on = per_round("off", keys), per_round("on", keys)
        return [b / a for a, b in zip(off, on, strict=True) if a]

    phases = {
        "sync": (["sync_seconds"], ["sync_cpu"]),
        "close": (["close_seconds"], ["close_cpu"]),
        "sync_and_close": (["sync_seconds", "close_seconds"], ["sync_cpu", "close_cpu"]),
    }
    for phase, (wall, cpu) in phases.items():
        wall_ratios, cpu_ratios = ratios(wall), ratios(cpu)
        ratio = statistics.median(wall_ratios)
        cpu_ratio = statistics.median(cpu_ratios) if cpu_ratios else None
        off_median = statistics.median(per_round("off", wall))
        print(
            f"{phase.replace('_', ' ')}: off median {off_median:.2f} s, "
            f"on median {statistics.median(per_round('on', wall)):.2f} s, ratio on/off (median "
            f"of rounds) {ratio:.3f} ({min(wall_ratios):.3f}-{max(wall_ratios):.3f}), CPU "
            + (
                f"{cpu_ratio:.3f} ({min(cpu_ratios):.3f}-{max(cpu_ratios):.3f})"
                if cpu_ratios
                else "-"
            )
            + (" (goal <= 1.10)" if phase == "sync_and_close" else "")
        )
        benchlib.record(
            "retail_pos",
            f"till_{phase}_time",
            statistics.median(per_round("on", wall)),
            "s",
            anchor="detectors off (same run, interleaved)",
            anchor_value=statistics.median(per_round("off", wall)),
            ratio=ratio,
            goal="<= 1.10",
            orders=args.orders,
            batch=args.batch,
            ratio_rounds=benchlib.summary(wall_ratios),
            cpu_seconds=statistics.median(per_round("on", cpu)),
            anchor_cpu_seconds=statistics.median(per_round("off", cpu)),
            cpu_ratio=cpu_ratio,
            cpu_ratio_rounds=benchlib.summary(cpu_ratios) if cpu_ratios else None,
            rounds=args.rounds,
            order="ABBA",
            warmup_orders=warmup,
            round_loads=[[f["load"] for f in results[n]] for n in ("off", "on")],
        )
    for name in ("off", "on"):
        per_batch = statistics.median(f["sync_queries_per_batch"] for f in results[name])
        worst = max(f["sync_queries_max_batch"] for f in results[name])
        closing = statistics.median(f["close_queries"] for f in results[name])
        print(
            f"queries per batch of {args.batch} ({name}): median {per_batch:.0f}, max {worst}; "
            f"closing: {closing:.0f}"
        )
    extra = statistics.median(
        f_on["sync_queries_per_batch"] - f_off["sync_queries_per_batch"]
        for f_off, f_on in zip(results["off"], results["on"], strict=True)
    )
    benchlib.record(
        "retail_pos",
        "till_sync_queries_per_batch",
        statistics.median(f["sync_queries_per_batch"] for f in results["on"]),
        "queries",
        anchor="detectors off",
        anchor_value=statistics.median(f["sync_queries_per_batch"] for f in results["off"]),
        extra_per_batch=extra,
        batch=args.batch,
        retail_cases_opened=sum(cases),
        retail_cases_per_round=cases,
        close_queries=statistics.median(f["close_queries"] for f in results["on"]),
        anchor_close_queries=statistics.median(f["close_queries"] for f in results["off"]),
    )


def insert_lines(env, session, cashiers, configs_sessions, total):
    """``total`` lines in orders of 4, copied with SQL from one ORM order."""
    cr = env.cr
    template = env["pos.order"].search([("session_id", "=", session.id)], limit=1)
    line = template.lines[:1]
    per_order = 4
    orders = total // per_order
    cr.execute("SELECT max(id) FROM pos_order")
    start = cr.fetchone()[0]
    users = [u.id for u in cashiers]
    sess = [s for _c, s in configs_sessions]
    cr.execute(
        """
        INSERT INTO pos_order (company_id, session_id, config_id, name, pos_reference, user_id,
                               state, date_order, amount_tax, amount_total, amount_paid,
                               amount_return, pricelist_id, currency_rate, sequence_number)
        SELECT o.company_id, (%(sessions)s)[1 + g %% %(nsess)s],
               (%(configs)s)[1 + g %% %(nsess)s], 'BENCH/' || g, 'BENCH/' || g,
               (%(users)s)[1 + (g / 7) %% %(nusers)s], 'paid',
               now() - ((g %% 20) || ' days')::interval, 0, 40, 40, 0, o.pricelist_id,
               o.currency_rate, g
          FROM pos_order o, generate_series(1, %(orders)s) g
         WHERE o.id = %(template)s
        """,
        {
            "sessions": sess,
            "configs": [c for c, _s in configs_sessions],
            "nsess": len(sess),
            "users": users,
            "nusers": len(users),
            "orders": orders,
            "template": template.id,
        },
    )
    cr.execute(
        """
        INSERT INTO pos_order_line (order_id, name, product_id, qty, price_unit, discount,
                                    price_subtotal, price_subtotal_incl, full_product_name)
        SELECT o.id, l.name, l.product_id,
               CASE WHEN k = 4 AND o.id %% 13 = 0 THEN -1 ELSE 1 END,
               l.price_unit, CASE WHEN o.id %% 17 = 0 THEN 15 ELSE 0 END,
               l.price_unit, l.price_unit, l.full_product_name
          FROM pos_order o, pos_order_line l, generate_series(1, 4) k
         WHERE o.id > %(start)s AND l.id = %(line)s
        """,
        {"start": start, "line": line.id},
    )
    cr.execute("ANALYZE pos_order")
    cr.execute("ANALYZE pos_order_line")
    return orders * per_order


def run_scan(env, args):
    from odoo import fields

    config, method, cashier, products = setup(env)
    env = env(user=cashier.id)
    config.with_env(env).open_ui()
    session = config.with_env(env).current_session_id
    session.set_opening_control(0.0, None)
    env["pos.order"].sync_from_ui([payload(session, method, cashier, products[0])])
    env = env(user=1)
    cashiers = env["res.users"].create(
        [{"name": f"Bench till {i}", "login": f"bench_till_{i}"} for i in range(40)]
    )
    # Eight stores with a till each; the inserted orders all hang on the one open
    # session (the scan groups by the order's shop, never reads the session).
    shops = [(config.id, session.id)]
    for i in range(7):
        warehouse = env["stock.warehouse"].create({"name": f"Bench Store {i}", "code": f"BS{i}"})
        env["wfmon.retail.store"].create({"warehouse_id": warehouse.id})
        shop = env["pos.config"].create(
            {"name": f"Bench till {i}", "picking_type_id": warehouse.pos_type_id.id}
        )
        shops.append((shop.id, session.id))
    scan = env["wfmon.retail.anomaly"]
    company = env.company
    figures = {}
    since = fields.Datetime.now() - timedelta(days=company.wfmon_retail_anomaly_days)
    until = fields.Datetime.now()
    for share, label in ((10, "tenth"), (1, "all")):
        lines = insert_lines(env, session, cashiers, shops, args.lines // share)
        env.invalidate_all()
        # What grows with the data: the two grouped queries.
        with Counter(env) as aggregate:
            scan._pos_figures(company, since, until)
            scan._adjustment_figures(company, since, until)
        env.invalidate_all()
        with Counter(env) as measured:
            findings = scan._scan_company(company)
            env.flush_all()
        flagged = sum(1 for _kind, finding in findings if finding.flagged)
        figures[label] = (lines, measured, aggregate, len(findings), flagged)
        progress(
            f"anomaly scan with {lines} more inserted lines: {measured.seconds:.2f} s, "
            f"{measured.queries} queries ({aggregate.queries} for the aggregation, "
            f"{aggregate.seconds:.2f} s), {len(findings)} findings, {flagged} flagged"
        )
    lines, measured, aggregate, findings, flagged = figures["all"]
    total = figures["all"][0] + figures["tenth"][0]
    benchlib.record(
        "retail_pos",
        "anomaly_scan_time",
        measured.seconds,
        "s",
        anchor=None,
        lines=total,
        queries=measured.queries,
        aggregation_queries=aggregate.queries,
        aggregation_queries_at_a_tenth=figures["tenth"][2].queries,
        aggregation_seconds=aggregate.seconds,
        findings=findings,
        flagged=flagged,
        note="queries beyond the aggregation open or refresh the cases of flagged subjects",
    )


def run(env, args):
    from odoo.addons.wfmon_core.models.wfmon_detector import DETECTORS_OFF

    env = env(context=dict(env.context, tracking_disable=True))
    try:
        if args.orders and args.rounds:
            run_till(env, args, DETECTORS_OFF)
            env.cr.rollback()
        if args.lines:
            run_scan(env, args)
    finally:
        env.cr.rollback()
        print("(rolled back: the database is unchanged)")


benchlib.entry("bench_retail_pos", parse_args, run, globals())
