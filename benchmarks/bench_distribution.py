#!/usr/bin/env python3
"""Benchmark of the distribution detectors on the hot paths and in the scanners.

Confirms N sale orders and validates their pickings with the detectors switched off (the server
flag ``DETECTORS_OFF`` of wfmon_core's detectors, i.e. what Odoo does without this module's
overrides; only server code such as this script can set it, a client's context cannot) and on,
in R interleaved rounds in the order off, on | on, off | off, on ... (ABBA: a drift over the
run weighs on both alike), each round on fresh orders and products, in a savepoint rolled back
after it (every round starts from the same database), after an unmeasured warm-up of both
configurations (``--warmup`` orders each, every detector path). It prints, per phase, the
minimum and the median wall time and the query counts of both configurations, and the ratios
on/off of the minima, of the medians and the median of the per-round ratios with their range,
wall and CPU time of this process, and the machine's load beside each round. ``--profile DIR``
writes each measured phase's cProfile statistics (CPU time) to DIR, to compare "on" and "off".
Optionally it then creates M late pickings and runs the late-picking scanner over them through
the ORM (time, queries, queries per batch). Everything happens in one transaction that is
rolled back: the database is left as it was.

Needs a database with wfmon_distribution installed (without demo data). Either through
``odoo shell`` (what ``make bench-distribution`` does), options in ``WFMON_BENCH_ARGS``::

    WFMON_BENCH_ARGS="--orders 1000 --rounds 3 --pickings 100000" env TZ=UTC \\
        python3 -m odoo shell -d wfmon_bench_dist --db_host 127.0.0.1 --db_port 5432 \\
        --db_user odoo --db_password odoo --no-http --log-level=warn \\
        --addons-path /opt/odoo/addons,/opt/odoo/odoo/addons,addons \\
        < benchmarks/bench_distribution.py

or standalone, the options next to Odoo's own::

    python3 benchmarks/bench_distribution.py \\
        -d wfmon_bench_dist --db_host 127.0.0.1 --db_user odoo --db_password odoo \\
        --addons-path /opt/odoo/addons,/opt/odoo/odoo/addons,addons --orders 1000 --rounds 3

Half of the orders miss stock (fulfillment cases), every picking is short-picked by one unit
before it is validated (pick-shortage cases and backorders): the detectors do their full
work. Setting the picked quantities is not measured, only ``button_validate``.

The late pickings are made from one picking created and confirmed through the ORM, copied
row for row with SQL (``--fill sql``, the default: 100,000 pickings in about 25 s) or all
created and confirmed through the ORM in batches (``--fill orm``: about 17 ms per picking, half
an hour for 100,000; the scanner's query counts are the same either way). The scanner
is called as its cron calls it (at most 20 batches per call, the cursor kept in a system
parameter) until a full pass is done; ``--passes 2`` adds a pass with the cases open (nothing
due: the scanner reads none of them). The comparison with Odoo's own time-based automation
rule is bench_scanner.py.

Before each measure the planner's statistics are refreshed with ANALYZE inside the transaction
(``--no-analyze``: they are not), see ``analyze()``.

The warehouse has a supervisor (its site's manager, an Inventory user notified by e-mail), who
owns its cases as in the demo (``--no-supervisor``: none, the cases stay in the queue without an
owner).
"""

import argparse
import gc
import statistics
import sys
import time
from contextlib import ExitStack, contextmanager
from datetime import datetime

import benchlib

# Filled by load_switches() once Odoo is importable: the "off" context holds core's
# DETECTORS_OFF, a server flag (an object no JSON-RPC client can send).
NO_MONITOR = {"tracking_disable": True}
CONFIGS = {"off": NO_MONITOR, "on": {"tracking_disable": True}}
PHASES = ("confirm", "validate")
SCAN_KEY = "wfmon_distribution.scan_cursor.picking_sla"
OPTIONS = {"analyze": True}  # run-wide switches, set from the command line by run()
LATE_DATE = datetime(2020, 1, 6, 10, 0)  # a Monday, long past: every picking is late


def load_switches():
    """Put the detectors' server-side off switch into the "off" context."""
    from odoo.addons.wfmon_core.models.wfmon_detector import DETECTORS_OFF

    NO_MONITOR.update(DETECTORS_OFF)


def add_supervisor_option(parser):
    """``--no-supervisor`` (see :func:`make_supervisor`), shared with bench_scanner."""
    parser.add_argument(
        "--no-supervisor",
        dest="supervisor",
        action="store_false",
        help="leave the warehouse without a supervisor (its site without a manager): the "
        "cases then open in the queue with no owner",
    )


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1000, help="sale orders per round")
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds per configuration (off and on)"
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=50,
        help="orders per configuration of the unmeasured warm-up (0: none)",
    )
    parser.add_argument(
        "--profile",
        metavar="DIR",
        help="write each measured phase's cProfile statistics to DIR (<config>-<round>-"
        "<phase>.prof; slows the phases down: read the profiles, not the times)",
    )
    parser.add_argument(
        "--exceptions",
        choices=("all", "none"),
        default="all",
        help="all: half the orders short of stock and every picking short-picked (every "
        "detector works); none: everything in stock and picked in full (the checks alone)",
    )
    parser.add_argument("--pickings", type=int, default=0, help="late pickings for the scanner")
    parser.add_argument(
        "--fill",
        choices=("sql", "orm"),
        default="sql",
        help="how the late pickings are created (see above)",
    )
    parser.add_argument(
        "--fill-batch", type=int, default=1000, help="pickings per create() with --fill orm"
    )
    parser.add_argument(
        "--batch-size", type=int, default=500, help="batch size passed to the scanner"
    )
    parser.add_argument("--partners", type=int, default=100, help="customers of late pickings")
    parser.add_argument(
        "--passes",
        type=int,
        default=1,
        help="full scanner passes (the first opens the cases, the next find them open)",
    )
    add_supervisor_option(parser)
    parser.add_argument(
        "--no-analyze",
        dest="analyze",
        action="store_false",
        help="do not refresh the planner's statistics before each measure (see analyze())",
    )
    return parser.parse_known_args(argv)


# ---------------------------------------------------------------------------------------------
# measuring


#: CPU seconds of this process during the last :func:`measure` (PostgreSQL's not included)
LAST_CPU = [0.0]


def measure(env, func):
    """(seconds, queries) of ``func()``, flushes included, caches emptied first. The CPU time
    this process spent meanwhile is left in ``LAST_CPU[0]``: on a machine shared with other
    work, wall times swing with the load; the CPU time much less."""
    env.flush_all()
    env.invalidate_all()
    gc.collect()
    queries = env.cr.sql_log_count
    cpu = time.process_time()
    start = time.perf_counter()
    func()
    env.flush_all()
    LAST_CPU[0] = time.process_time() - cpu
    return time.perf_counter() - start, env.cr.sql_log_count - queries


def analyze(env):
    """Refresh the planner's statistics of the database's tables (not measured).

    Everything the benchmark creates stays uncommitted, so autovacuum never analyzes it; worse,
    after an earlier run was rolled back and vacuumed, the statistics say the big tables are
    empty, and the planner picks plans that only suit empty tables: the rounds then slow down
    one after the other. ANALYZE inside the transaction sees its own rows; the statistics it
    writes are rolled back with the rest.
    """
    if not OPTIONS["analyze"]:
        return
    env.flush_all()
    env.cr.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
        "AND tableowner = current_user ORDER BY tablename"
    )
    tables = ", ".join('"{}"'.format(name.replace('"', '""')) for (name,) in env.cr.fetchall())
    if tables:
        env.cr.execute(f"ANALYZE {tables}")


def progress(message):
    """A progress line on stderr (the report itself goes to stdout)."""
    print(f"bench_distribution: {message}", file=sys.stderr, flush=True)


@contextmanager
def wrapped(cls, name, make_wrapper):
    """Replace method ``name`` of the registry class ``cls`` for the duration of the block."""
    original = getattr(cls, name)
    setattr(cls, name, make_wrapper(original))
    try:
        yield
    finally:
        setattr(cls, name, original)


def fmt_queries(values):
    low, mid, high = min(values), statistics.median(values), max(values)
    if low == high:
        return f"{low:7d}"
    return f"{mid:7.0f} ({low}-{high})"


# ---------------------------------------------------------------------------------------------
# confirm and validate, detectors off vs on


def make_products(env, warehouse, count, tag):
    """One product with plenty of stock, one with stock for a third of its demand."""
    Product = env["product.product"]
    in_stock = Product.create(
        {"name": f"Bench stocked {tag}", "is_storable": True, "type": "consu"}
    )
    short = Product.create({"name": f"Bench short {tag}", "is_storable": True, "type": "consu"})
    Quant = env["stock.quant"]
    Quant._update_available_quantity(in_stock, warehouse.lot_stock_id, count * 10)
    quiet = OPTIONS.get("exceptions") == "none"
    Quant._update_available_quantity(short, warehouse.lot_stock_id, count * (10 if quiet else 1))
    return in_stock, short


def make_orders(env, warehouse, count, tag):
    products = make_products(env, warehouse, count, tag)
    partner_vals = {"name": f"Bench customer {tag}"}
    if OPTIONS.get("exceptions") == "none":
        # Complete master data too, so that D7 has nothing to report either.
        partner_vals.update(
            street="1 Bench Road", city="Benchville", country_id=env.ref("base.us").id
        )
    partner = env["res.partner"].create(partner_vals)
    return env["sale.order"].create(
        [
            {
                "partner_id": partner.id,
                "warehouse_id": warehouse.id,
                "order_line": [
                    (0, 0, {"product_id": products[i % 2].id, "product_uom_qty": 3}),
                ],
            }
            for i in range(count)
        ]
    )


def short_pick(orders):
    """Pick one unit less than the demand of every move (not measured)."""
    missing = 0 if OPTIONS.get("exceptions") == "none" else 1
    for move in orders.picking_ids.move_ids:
        move.quantity = max(move.product_uom_qty - missing, 0)
        move.picked = True
    return orders.picking_ids


def run_round(env, warehouse, count, label, tag, profile=None):
    """Confirm ``count`` fresh orders, short-pick and validate their pickings.

    The round runs in a savepoint rolled back after it, with the commit hooks it queued and
    the caches emptied: every round starts from the same database and the same transaction
    (without it, the transaction grows round after round, and the later rounds read bigger
    tables). Before each measure the heap is collected and what survives is frozen
    (``gc.freeze``): the collector's full passes then skip the objects of the earlier
    rounds and of the set-up, which would otherwise cost more in each round than in the one
    before. ``profile``: a directory where each phase's cProfile statistics are written
    (``<tag>-<phase>.prof``, in CPU time of this process; the profiler slows the phase down,
    its times are not figures)."""
    load_switches()
    ctx = CONFIGS[label]
    try:
        with benchlib.rolled_back(env):
            orders = make_orders(env, warehouse, count, tag).with_context(**ctx)
            analyze(env)
            result = {"confirm": measure_phase(env, orders.action_confirm, profile, tag, "confirm")}
            cpu = {"confirm": LAST_CPU[0]}
            pickings = short_pick(orders).with_context(skip_backorder=True, **ctx)
            analyze(env)
            result["validate"] = measure_phase(
                env, pickings.button_validate, profile, tag, "validate"
            )
            cpu["validate"] = LAST_CPU[0]
            result["cases"] = env["wfmon.case"].search_count(
                [("res_model", "in", ("sale.order", "stock.picking"))]
            )
    finally:
        gc.unfreeze()
    result["total"] = tuple(map(sum, zip(result["confirm"], result["validate"], strict=True)))
    cpu["total"] = cpu["confirm"] + cpu["validate"]
    result["cpu"] = cpu
    return result


def measure_phase(env, func, profile, tag, phase):
    """:func:`measure` of one phase, the surviving heap frozen first (see :func:`run_round`),
    under cProfile when ``profile`` names a directory."""
    env.flush_all()
    gc.collect()
    gc.freeze()
    if not profile:
        return measure(env, func)
    import cProfile
    import os

    # The CPU time of this process, as the figures: PostgreSQL's time stays out.
    profiler = cProfile.Profile(time.process_time)
    try:
        return measure(env, lambda: profiler.runcall(func))
    finally:
        os.makedirs(profile, exist_ok=True)
        name = "".join(c if c.isalnum() else "-" for c in tag)
        profiler.dump_stats(os.path.join(profile, f"{name}-{phase}.prof"))


def schedule(rounds):
    """The order of the configurations, round by round: off, on | on, off | off, on | ...
    (ABBA): a drift of the machine or of the process over the run weighs on both alike,
    where off, on | off, on | ... always gives "on" the later slot."""
    return benchlib.abba(CONFIGS, rounds)


def warm_up(env, warehouse, count):
    """Not measured, rolled back: both configurations once on ``count`` orders with every
    detector path (a fulfillment case on confirm, a pick-shortage case and a backorder on
    validate, the cases' owner, followers, chatter and events, the owner's e-mail
    notification rendered, the templates compiled): the registry's, the ORM's and QWeb's
    caches and PostgreSQL's own are then as warm for the first measured round as for the
    last."""
    cases = {
        label: run_round(env, warehouse, max(count, 2), label, f"warm-up {label}")["cases"]
        for label in CONFIGS
    }
    progress(
        f"warm-up done (load {benchlib.loadavg()}; cases opened: "
        + ", ".join(f"{label} {n}" for label, n in cases.items())
        + ")"
    )


def run_orders(env, warehouse, count, rounds, warmup):
    if warmup:
        warm_up(env, warehouse, warmup)
    samples = {label: [] for label in CONFIGS}
    loads = []
    for index, labels in enumerate(schedule(rounds)):
        for label in labels:
            sample = run_round(
                env, warehouse, count, label, f"{label} {index}", OPTIONS.get("profile")
            )
            sample["load"] = benchlib.loadavg()
            samples[label].append(sample)
            progress(
                f"round {index + 1}/{rounds} {label} (load {sample['load']}): "
                + ", ".join(
                    f"{phase} {sample[phase][0]:.2f}s (CPU {sample['cpu'][phase]:.2f}s)"
                    for phase in PHASES
                )
                + f", {sample['cases']} cases"
            )
        loads.append(samples[labels[-1]][-1]["load"])
    scenario = (
        "everything in stock and picked in full (no case opens)"
        if OPTIONS.get("exceptions") == "none"
        else "half short of stock; every picking short-picked by one unit"
    )
    print(
        f"{count} sale orders per round, one line each; {scenario}. {rounds} round(s) per "
        "configuration, in the order off, on | on, off | off, on ... (ABBA), each rolled "
        f"back after it; warm-up {warmup} orders per configuration; off = the server flag "
        "wfmon_detectors_off."
    )
    print(f"{'phase':>9} {'':>3} {'min s':>8} {'median s':>9}  queries (median (min-max))")
    for phase in (*PHASES, "total"):
        for label in CONFIGS:
            seconds = [sample[phase][0] for sample in samples[label]]
            queries = [sample[phase][1] for sample in samples[label]]
            print(
                f"{phase:>9} {label:>3} {min(seconds):8.2f} {statistics.median(seconds):9.2f}  "
                f"{fmt_queries(queries)}"
            )
    print(
        "ratio on/off: time of the minima, of the medians, median of the per-round ratios "
        "(round i on / round i off) with their range; CPU the same; queries of the medians"
    )
    for phase in (*PHASES, "total"):
        (t_off, q_off), (t_on, q_on) = (
            (
                [sample[phase][0] for sample in samples[label]],
                [sample[phase][1] for sample in samples[label]],
            )
            for label in CONFIGS
        )
        rounds_ratio = [on / off for on, off in zip(t_on, t_off, strict=True)]
        paired = statistics.median(rounds_ratio)
        c_off, c_on = ([sample["cpu"][phase] for sample in samples[label]] for label in CONFIGS)
        cpu_rounds = [on / off for on, off in zip(c_on, c_off, strict=True) if off]
        cpu_paired = statistics.median(cpu_rounds) if cpu_rounds else None
        print(
            f"{phase:>9}: min {min(t_on) / min(t_off):5.2f}x | median "
            f"{statistics.median(t_on) / statistics.median(t_off):5.2f}x | per round "
            f"{paired:5.2f}x ({min(rounds_ratio):.2f}-{max(rounds_ratio):.2f}) | queries "
            f"{statistics.median(q_on) / max(statistics.median(q_off), 1):5.2f}x"
            + (
                f" | CPU per round {cpu_paired:5.2f}x ({min(cpu_rounds):.2f}-{max(cpu_rounds):.2f})"
                if cpu_paired is not None
                else ""
            )
            + ("   (goal <= 1.10x)" if phase == "total" else "")
        )
        benchlib.record(
            "distribution",
            f"{phase}, detectors on ({OPTIONS.get('exceptions')}: {count} orders)",
            statistics.median(t_on),
            "s",
            anchor="detectors off",
            anchor_value=statistics.median(t_off),
            ratio=paired,
            ratio_rounds=benchlib.summary(rounds_ratio),
            queries_ratio=statistics.median(q_on) / max(statistics.median(q_off), 1),
            goal="<= 1.10" if phase == "total" else None,
            cpu_seconds=statistics.median(c_on),
            anchor_cpu_seconds=statistics.median(c_off),
            cpu_ratio=cpu_paired,
            cpu_ratio_rounds=benchlib.summary(cpu_rounds) if cpu_rounds else None,
            queries=statistics.median(q_on),
            anchor_queries=statistics.median(q_off),
            order=[",".join(labels) for labels in schedule(rounds)],
            loadavg_rounds=loads,
            warmup_orders=warmup,
        )
    print("per round, confirm + validate seconds (CPU seconds of this process), load after it:")
    for index, labels in enumerate(schedule(rounds)):
        print(
            f"  round {index + 1}: "
            + " | ".join(
                f"{label} {samples[label][index]['confirm'][0]:.2f} + "
                f"{samples[label][index]['validate'][0]:.2f} "
                f"({samples[label][index]['cpu']['confirm']:.2f} + "
                f"{samples[label][index]['cpu']['validate']:.2f})"
                for label in labels
            )
            + f"  on/off {samples['on'][index]['total'][0] / samples['off'][index]['total'][0]:.2f}"
            + f"  (load {loads[index]})"
        )


# ---------------------------------------------------------------------------------------------
# late pickings and the late-picking scanner


def picking_vals(warehouse, product, partner):
    customers = warehouse.env.ref("stock.stock_location_customers")
    return {
        "picking_type_id": warehouse.out_type_id.id,
        "partner_id": partner.id,
        "scheduled_date": LATE_DATE,
        "move_ids": [
            (
                0,
                0,
                {
                    "name": "bench",
                    "product_id": product.id,
                    "product_uom_qty": 1,
                    "product_uom": product.uom_id.id,
                    "location_id": warehouse.lot_stock_id.id,
                    "location_dest_id": customers.id,
                },
            )
        ],
    }


def create_pickings_orm(env, warehouse, product, partners, count, batch):
    load_switches()
    Picking = env["stock.picking"].with_context(**NO_MONITOR)
    ids = []
    for start in range(0, count, batch):
        pickings = Picking.create(
            [
                picking_vals(warehouse, product, partners[i % len(partners)])
                for i in range(start, min(start + batch, count))
            ]
        )
        pickings.action_confirm()
        pickings.write({"scheduled_date": LATE_DATE})
        ids += pickings.ids
        env.flush_all()
        env.invalidate_all()
    return env["stock.picking"].browse(ids)


def _columns(cr, table, skip):
    cr.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = %s ORDER BY ordinal_position",
        (table,),
    )
    return [name for (name,) in cr.fetchall() if name not in skip]


def create_pickings_sql(env, warehouse, product, partners, count):
    """One picking and its move through the ORM, then ``count`` copies of their rows."""
    template = create_pickings_orm(env, warehouse, product, partners[:1], 1, 1)
    move = template.move_ids
    assert len(move) == 1 and template.state == "confirmed", template.state
    env.flush_all()
    cr = env.cr
    picking_cols = _columns(cr, "stock_picking", {"id", "name", "partner_id"})
    cr.execute(
        f"""
        INSERT INTO stock_picking (name, partner_id, {", ".join(picking_cols)})
        SELECT t.name || '-' || lpad(n::text, 6, '0'), (%s::int[])[1 + n %% %s],
               {", ".join("t." + col for col in picking_cols)}
          FROM stock_picking t, generate_series(1, %s) n
         WHERE t.id = %s
        RETURNING id
        """,
        (partners.ids, len(partners), count - 1, template.id),
    )
    ids = sorted(row[0] for row in cr.fetchall())
    move_cols = _columns(cr, "stock_move", {"id", "picking_id", "reference", "partner_id"})
    cr.execute(
        f"""
        INSERT INTO stock_move (picking_id, reference, partner_id, {", ".join(move_cols)})
        SELECT p.id, p.name, p.partner_id, {", ".join("m." + col for col in move_cols)}
          FROM stock_picking p, stock_move m
         WHERE p.id = ANY(%s) AND m.id = %s
        """,
        (ids, move.id),
    )
    env.invalidate_all()
    return env["stock.picking"].browse([template.id, *ids])


def make_late_pickings(env, warehouse, args):
    product = env["product.product"].create(
        {"name": "Bench late", "is_storable": True, "type": "consu"}
    )
    partners = env["res.partner"].create(
        [{"name": f"Bench late customer {i}"} for i in range(max(args.partners, 1))]
    )
    start = time.perf_counter()
    if args.fill == "orm":
        pickings = create_pickings_orm(
            env, warehouse, product, partners, args.pickings, args.fill_batch
        )
    else:
        pickings = create_pickings_sql(env, warehouse, product, partners, args.pickings)
    env.flush_all()
    open_late = env["stock.picking"].search_count(
        [
            ("id", "in", pickings.ids),
            ("state", "=", "confirmed"),
            ("scheduled_date", "<", datetime(2021, 1, 1)),
        ]
    )
    print(
        f"\n{len(pickings)} late pickings ({open_late} open and late) created with --fill "
        f"{args.fill} in {time.perf_counter() - start:.1f}s (not measured)"
    )
    return pickings


def _scanner_probes(env, stats):
    """Wrappers recording, per scanner call, the queries and time of each batch."""
    Picking = type(env["stock.picking"])
    Detector = type(env["wfmon.distribution.detector"])

    def check_late(original):
        def wrapper(self, thresholds, now):
            queries, start = self.env.cr.sql_log_count, time.perf_counter()
            result = original(self, thresholds, now)
            self.env.flush_all()  # the batch's own writes count for the batch
            stats["batches"].append(
                (len(self), self.env.cr.sql_log_count - queries, time.perf_counter() - start)
            )
            return result

        return wrapper

    def scan(original):
        def wrapper(self, *args, **kwargs):
            queries, start = self.env.cr.sql_log_count, time.perf_counter()
            result = original(self, *args, **kwargs)
            stats["scan"] = (self.env.cr.sql_log_count - queries, time.perf_counter() - start)
            return result

        return wrapper

    return [
        wrapped(Picking, "_wfmon_check_late", check_late),
        wrapped(Detector, "_scan_due", scan),
    ]


def run_scanner(env, warehouse, args):
    pickings = make_late_pickings(env, warehouse, args)
    benchlib.reset_scan_cursor(env, SCAN_KEY)
    # As the cron runs it: superuser, no tracking_disable.
    scanner = env["stock.picking"].with_context(tracking_disable=False)
    for pass_index in range(1, args.passes + 1):
        calls = []
        while True:  # one full pass: calls until the scan cursor wraps
            stats = {"batches": [], "scan": (0, 0.0)}
            analyze(env)  # as autovacuum would between two cron runs
            with ExitStack() as stack:
                for probe in _scanner_probes(env, stats):
                    stack.enter_context(probe)
                seconds, queries = measure(
                    env, lambda: scanner._cron_wfmon_picking_sla(batch_size=args.batch_size)
                )
            calls.append((seconds, queries, stats))
            progress(
                f"scanner pass {pass_index} call {len(calls)}: "
                f"{sum(b[0] for b in stats['batches'])} pickings, {seconds:.1f}s, {queries} queries"
            )
            if not benchlib.scan_cursor(env, SCAN_KEY):
                break
        report_scanner_pass(pass_index, pickings, calls, args)
    cases = env["wfmon.case"].search_count(
        [
            ("res_model", "=", "stock.picking"),
            ("res_id", "in", pickings.ids),
            ("type_id.code", "=", "distribution.picking_late"),
        ]
    )
    print(f"  late-picking cases on them: {cases}")


def report_scanner_pass(pass_index, pickings, calls, args):
    batches = [batch for _s, _q, stats in calls for batch in stats["batches"]]
    seconds = sum(call[0] for call in calls)
    queries = sum(call[1] for call in calls)
    done = sum(size for size, _q, _s in batches)
    print(
        f"  scanner pass {pass_index} ({'cases opened' if pass_index == 1 else 'cases open'}): "
        f"{len(pickings)} late pickings, batch size {args.batch_size}: {len(calls)} call(s), "
        f"{done} pickings processed in {len(batches)} batch(es), {seconds:.2f}s, {queries} "
        f"queries ({queries / max(len(pickings), 1):.3f} per picking, "
        f"{1000 * seconds / max(len(pickings), 1):.2f} ms per picking)"
    )
    for index, (call_seconds, call_queries, stats) in enumerate(calls, 1):
        scan_queries, scan_seconds = stats["scan"]
        batch_queries = sum(q for _n, q, _s in stats["batches"])
        print(
            f"    call {index:2d}: {sum(n for n, _q, _s in stats['batches']):6d} pickings in "
            f"{len(stats['batches']):2d} batch(es), {call_seconds:7.2f}s, {call_queries:6d} "
            f"queries = scan {scan_queries} ({batch_queries} in the batches, {scan_seconds:.2f}s; "
            f"the rest finds the due pickings and the cases to resolve) + thresholds "
            f"{call_queries - scan_queries} ({call_seconds - scan_seconds:.2f}s)"
        )
    if batches:
        per_batch = [q for _n, q, _s in batches]
        print(
            "  queries per batch (_wfmon_check_late, flushed): "
            f"min {min(per_batch)}, median {statistics.median(per_batch):.0f}, "
            f"max {max(per_batch)}; seconds per batch: median "
            f"{statistics.median(s for _n, _q, s in batches):.2f}"
        )
        by_size = {}
        for size, count, _s in batches:
            by_size.setdefault(size, []).append(count)
        print(
            "  by batch size: "
            + ", ".join(
                f"{size} pickings -> {statistics.median(counts):.0f} queries ({len(counts)}x)"
                for size, counts in sorted(by_size.items())
            )
        )


# ---------------------------------------------------------------------------------------------


def make_supervisor(env, warehouse):
    """As in the demo: the warehouse's supervisor (its site's manager, an Inventory user
    notified by e-mail, Odoo's default) owns the cases of its documents."""
    supervisor = env["res.users"].create(
        {
            "name": "Bench supervisor",
            "login": f"bench_supervisor_{warehouse.id}_{int(time.time())}",
            "email": "bench.supervisor@example.com",
            "groups_id": [
                (4, env.ref("wfmon_core.group_wfmon_user").id),
                (4, env.ref("stock.group_stock_user").id),
            ],
        }
    )
    warehouse._wfmon_site_map()
    warehouse.wfmon_site_id.manager_id = supervisor
    progress(f"warehouse supervisor: {supervisor.name} (its site's manager)")
    return supervisor


def run(env, args):
    OPTIONS["analyze"] = args.analyze
    OPTIONS["exceptions"] = args.exceptions
    OPTIONS["profile"] = args.profile
    if args.exceptions == "none":
        # The bench products carry no taxes: not a master-data gap in this scenario.
        env.company.wfmon_dist_require_tax = False
    env = env(context=dict(env.context, tracking_disable=True))
    warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
    try:
        if args.supervisor:
            make_supervisor(env, warehouse)
        if args.orders and args.rounds:
            run_orders(env, warehouse, args.orders, args.rounds, args.warmup)
        if args.pickings:
            run_scanner(env, warehouse, args)
    finally:
        env.cr.rollback()
        print("(rolled back: the database is unchanged)")


benchlib.entry("bench_distribution", parse_args, run, globals())
