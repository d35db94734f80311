#!/usr/bin/env python3
"""Benchmark of the re-check scanners' idle pass against Odoo's own time-based automation rule.

The scanners: wfmon_distribution's master-data scanner (``sale.order._cron_wfmon_master_data``,
which opens a case on each open order whose master data is incomplete and re-checks the open
ones), its re-check cron (``_cron_wfmon_recheck``: fulfillment, credit, margin) and its
inbound-delay scanner. They read only the documents whose inputs changed since their previous
pass (core's ``_scan_due(..., changed=...)``); this measures what a pass costs when nothing
changed, with N open master-data cases.

The anchor, as in bench_scanner.py: a ``base.automation`` rule "Based on date field" (the
order date) over the same open orders, whose action schedules an activity; its idle pass is
its next run with nothing new (``last_run`` set to now).

For each size (``--sizes 10000``) it makes that many sale orders shipped to an address with
no street (a master-data gap), one line each: the first ``--batch`` through the ORM, the
others SQL copies of them and of their lines (``--fill orm``: all through the ORM, about 18
minutes for 100,000 here), put in the "sale" state with SQL (no pickings: what the scanner
reads is the order, its lines and their products; confirming 100,000 orders through the ORM
would take hours). The scanner's first pass opens their cases; it is compared, per order,
with the rule's first pass (its ``last_run`` empty: every order gets its activity) on the
first ``--anchor-first`` orders, in ``--anchor-rounds`` rounds rolled back after each, after an
unmeasured warm-up, as in bench_scanner.py (the rule handles one record at a time, so its cost
per order does not depend on how many there are), and one more round after each call of the
scanner's first pass (``--no-pair``: not), each call compared with the round right after it.
Then ``--rounds`` interleaved idle rounds: the rule, the master-data scanner, the re-check
cron, the inbound-delay scanner.

The scanners are called as their cron calls them: call after call until the pass is complete,
each followed by what the cron's commit does to the process (the writes and precommit hooks
flushed, the record cache emptied: :func:`end_call`; ``--keep-cache`` keeps the cache between
calls, for comparison: it then grows with the orders, and 100,000 orders exceed Odoo's
``limit_memory_hard``). This process's memory (virtual size, resident, the resident peak of
each first-pass call) is printed after each step.

The whole run is one transaction (rolled back at the end), whose database clock never moves:
between passes the script moves the transaction's clock (``cr.now()``, the ``write_date`` of
what it writes and the watermark a pass takes) one hour forward, as the test helper
``transaction_clock`` does; without it every record written in the run would count as
changed since any pass. Read the CPU ratios on a shared machine.

Needs a database with wfmon_distribution (no demo data); ``make bench BENCH=recheck`` makes it
(the distribution benchmark's database).
"""

import argparse
import statistics
import sys
from datetime import timedelta

import bench_distribution as dist
import bench_scanner
import benchlib

MASTER_KEY = "wfmon_distribution.scan_cursor.master_data"


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000", help="comma-separated numbers of open orders")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved idle rounds")
    parser.add_argument("--batch", type=int, default=500, help="orders created per ORM call")
    parser.add_argument(
        "--anchor-first",
        type=int,
        default=1000,
        help="orders of the rule's first pass (the anchor of the scanner's, per order)",
    )
    parser.add_argument(
        "--anchor-rounds", type=int, default=3, help="rounds of the rule's first pass"
    )
    parser.add_argument(
        "--no-pair",
        dest="pair",
        action="store_false",
        help="do not run a rule round after each call of the scanner's first pass (by "
        "default they are: the anchor then spans the pass's own minutes)",
    )
    parser.add_argument(
        "--fill",
        choices=("sql", "orm"),
        default="sql",
        help="sql: one ORM batch of orders, the rest SQL copies of them; orm: every order "
        "through the ORM (see make_orders)",
    )
    parser.add_argument(
        "--keep-cache",
        action="store_true",
        help="keep the record cache between the scanner's calls (one transaction without "
        "the cron's commits: the cache grows with the orders; for comparison)",
    )
    parser.add_argument(
        "--no-analyze",
        dest="analyze",
        action="store_false",
        help="do not refresh the planner's statistics before each measure",
    )
    return parser.parse_known_args(argv)


def progress(message):
    print(f"bench_recheck: {message}", file=sys.stderr, flush=True)


class Clock:
    """The transaction's clock, moved one hour forward at each :meth:`tick`."""

    def __init__(self, env):
        self.env = env
        self.now = env.cr.now()

    def tick(self):
        self.env.flush_all()
        self.now += timedelta(hours=1)
        self.env.cr._now = self.now


def create_orders_orm(env, warehouse, partner, product, count, batch, size):
    """``count`` draft sale orders for ``partner``, one line of ``product`` each, through the
    ORM in batches of ``batch`` (``size``: the benchmark's size, for the progress lines);
    their ids."""
    ids = []
    for start in range(0, count, batch):
        ids += (
            env["sale.order"]
            .create(
                [
                    {
                        "partner_id": partner.id,
                        "warehouse_id": warehouse.id,
                        "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": 1})],
                    }
                    for _i in range(min(batch, count - start))
                ]
            )
            .ids
        )
        env.flush_all()
        env.invalidate_all()
        progress(
            f"{size}: {len(ids)} orders created (load {benchlib.loadavg()}; "
            f"{benchlib.fmt_memory()})"
        )
    return ids


def copy_orders_sql(env, template_ids, count):
    """``count`` copies, with SQL, of the orders ``template_ids`` (in turn) and of their lines:
    every column of ``sale_order`` and ``sale_order_line`` as the ORM wrote it, but the ids, the
    copy's name (its template's, with a number: distinct) and the line's order. Their
    followers and chatter are not copied (the scanners read neither). Their ids."""
    if count <= 0:
        return []
    cr = env.cr
    cr.execute("SELECT nextval('sale_order_id_seq') FROM generate_series(1, %s)", (count,))
    ids = [row[0] for row in cr.fetchall()]
    templates = [template_ids[index % len(template_ids)] for index in range(count)]
    order_cols = dist._columns(cr, "sale_order", {"id", "name"})
    cr.execute(
        f"""
        INSERT INTO sale_order (id, name, {", ".join(order_cols)})
        SELECT copy.id, t.name || '-' || lpad(copy.n::text, 6, '0'),
               {", ".join("t." + col for col in order_cols)}
          FROM unnest(%s::int[], %s::int[]) WITH ORDINALITY AS copy(id, template_id, n)
          JOIN sale_order t ON t.id = copy.template_id
        """,
        (ids, templates),
    )
    # The table's statistics may say it is empty (the rows of earlier runs were rolled back):
    # the lines' foreign-key checks would then scan it for each line.
    cr.execute("ANALYZE sale_order")
    line_cols = dist._columns(cr, "sale_order_line", {"id", "order_id"})
    cr.execute(
        f"""
        WITH l AS MATERIALIZED (SELECT * FROM sale_order_line WHERE order_id = ANY(%s))
        INSERT INTO sale_order_line (order_id, {", ".join(line_cols)})
        SELECT copy.id, {", ".join("l." + col for col in line_cols)}
          FROM unnest(%s::int[], %s::int[]) AS copy(id, template_id)
          JOIN l ON l.order_id = copy.template_id
         ORDER BY copy.id, l.id
        """,
        (list(template_ids), ids, templates),
    )
    return ids


def make_orders(env, warehouse, size, args):
    """``size`` open sale orders shipped to an address without street (a master-data gap), one
    line each (a product, quantity 1), in the state "sale" (set with SQL, without pickings).

    ``--fill sql`` (the default): the first ``--batch`` orders through the ORM, the others
    copies of them with SQL (:func:`copy_orders_sql`; 100,000 in well under a minute, where the
    ORM takes about 18 minutes here); ``--fill orm``: every order through the ORM. The scanners
    read the same columns either way. Their ids, ascending."""
    partner = env["res.partner"].create({"name": "Bench: no street", "is_company": True})
    product = env["product.product"].create(
        {"name": "Bench: recheck product", "type": "consu", "list_price": 10.0}
    )
    made = size if args.fill == "orm" else min(size, args.batch)
    ids = create_orders_orm(env, warehouse, partner, product, made, args.batch, size)
    ids += copy_orders_sql(env, ids, size - made)
    progress(f"{size}: {size - made} orders copied with SQL ({benchlib.fmt_memory()})")
    env.cr.execute(
        "UPDATE sale_order SET state = 'sale', date_order = now() at time zone 'UTC' "
        "- interval '1 day' WHERE id = ANY(%s)",
        (ids,),
    )
    env.invalidate_all()
    progress(f"{size}: orders in state sale ({benchlib.fmt_memory()})")
    return sorted(ids)


def rule_domain(order_ids):
    """The rule's filter: open orders among ``order_ids`` (sorted; an id range)."""
    return repr(
        [
            ("state", "=", "sale"),
            ("delivery_status", "!=", "full"),
            ("id", ">=", order_ids[0]),
            ("id", "<=", order_ids[-1]),
        ]
    )


def make_rule(env, order_ids):
    model = env["ir.model"]._get("sale.order")
    rule = env["base.automation"].create(
        {
            "name": "Bench: open order to check",
            "model_id": model.id,
            "trigger": "on_time",
            "trg_date_range": 0,
            "trg_date_range_type": "hour",
            "filter_domain": rule_domain(order_ids),
        }
    )
    rule.trg_date_id = env["ir.model.fields"]._get("sale.order", "date_order")
    # Its activities go to the administrator, notified by e-mail (Odoo's default), as in
    # bench_scanner.py.
    env.ref("base.user_admin").notification_type = "email"
    env["ir.actions.server"].create(
        {
            "name": "Open order: schedule an activity",
            "model_id": model.id,
            "base_automation_id": rule.id,
            "usage": "base_automation",
            "state": "next_activity",
            "activity_type_id": env.ref("mail.mail_activity_data_todo").id,
            "activity_summary": "Check the order's master data",
            "activity_user_type": "specific",
            "activity_user_id": env.ref("base.user_admin").id,
        }
    )
    env.cr.execute(
        "UPDATE base_automation SET last_run = now() at time zone 'UTC' WHERE id = %s",
        (rule.id,),
    )
    env.invalidate_all()
    return rule


def measured(env, func):
    """(seconds, queries, cpu seconds) of ``func()``."""
    seconds, queries = dist.measure(env, func)
    return seconds, queries, dist.LAST_CPU[0]


#: run-wide switches, set from the command line by run()
OPTIONS = {"keep_cache": False}
#: memory after each call of the last first_pass: (call, benchlib.memory()), its resident
#: peak being the call's
CALL_MEMORY = []
#: (seconds, CPU seconds) of each call of the last first_pass (not with --keep-cache)
CALLS = []
#: the PostgreSQL backend's CPU seconds of each of those calls (None: not readable)
CALLS_PG = []


def end_call(env):
    """What the cron's commit after each scanner call does to this process's memory, without
    committing (the run is rolled back): the pending writes and the precommit hooks flushed,
    then the record cache emptied and the post-commit hooks dropped (a commit runs them; a
    rollback, at the end, would drop them). With ``--keep-cache`` nothing is emptied: the
    cache grows over the calls of a pass, as in a single transaction."""
    env.cr.flush()
    if not OPTIONS["keep_cache"]:
        env.invalidate_all()
        env.cr.postcommit.clear()


def master_pass(env, record=False):
    """The master-data scanner as its cron calls it, until its pass is complete: one call
    after the other, each followed by what its commit does (:func:`end_call`). ``record``:
    each call's memory goes to :data:`CALL_MEMORY`."""
    Order = env["sale.order"]
    calls = 0
    while True:
        if record:
            benchlib.reset_peak()
        Order._cron_wfmon_master_data()
        end_call(env)
        calls += 1
        if record:
            CALL_MEMORY.append((calls, benchlib.memory()))
            progress(f"master data, first pass: call {calls} ({benchlib.fmt_memory()})")
        if not benchlib.scan_cursor(env, MASTER_KEY):
            return calls


def first_pass(env, between=None):
    """The master-data scanner's first pass (every order read, the cases opened), call after
    call as in :func:`master_pass`, each measured on its own (a call's flush and cache
    emptying included, as in its commit), the planner's statistics refreshed before each
    call as autovacuum would between two cron runs (not measured); (seconds, queries, cpu
    seconds) of the pass. Each call's (seconds, CPU seconds) goes to :data:`CALLS`. After
    each call, not measured, ``between()`` runs (a rule round). With ``--keep-cache`` the
    pass is measured as a whole (measuring a call empties the cache before it), the
    statistics refreshed once before it, nothing between the calls."""
    Order = env["sale.order"]
    CALL_MEMORY.clear()
    CALLS.clear()
    CALLS_PG.clear()
    if OPTIONS["keep_cache"]:
        dist.analyze(env)
        return measured(env, lambda: master_pass(env, record=True))
    total = [0.0, 0, 0.0]

    def call():
        Order._cron_wfmon_master_data()
        end_call(env)

    while True:
        dist.analyze(env)
        benchlib.reset_peak()
        (seconds, queries, cpu), host = bench_scanner.host_split(env, lambda: measured(env, call))
        CALL_MEMORY.append((len(CALL_MEMORY) + 1, benchlib.memory()))
        CALLS.append((seconds, cpu))
        CALLS_PG.append(host["pg_cpu"])
        total = [total[0] + seconds, total[1] + queries, total[2] + cpu]
        progress(
            f"master data, first pass: call {len(CALL_MEMORY)}: {seconds:.1f}s "
            f"({cpu:.1f}s CPU), {queries} queries ({benchlib.fmt_memory()})"
        )
        if between is not None:
            between()
        if not benchlib.scan_cursor(env, MASTER_KEY):
            return tuple(total)


def rule_scoped(env, rule, ids, func):
    """``func()`` with the rule's first pass (``last_run`` empty) scoped to ``ids``, in a
    savepoint rolled back after it (bench_scanner.in_savepoint)."""
    rule.write({"filter_domain": rule_domain(ids), "last_run": False})
    env.flush_all()
    return bench_scanner.in_savepoint(env, func)


def rule_round(env, rule, sample, label):
    """One measured round of the rule's first pass on ``sample``, rolled back: seconds, CPU
    seconds (this process's, PostgreSQL's) and queries per order, the time spent waiting,
    and what the host did meanwhile (bench_scanner.measured_round)."""
    dist.analyze(env)
    return bench_scanner.measured_round(
        env,
        lambda: rule_scoped(
            env, rule, sample, lambda: measured(env, lambda: env["base.automation"]._check())
        ),
        len(sample),
        label,
        "order",
        progress,
    )


def rule_idle(env, rule, order_ids):
    """The rule as its first pass leaves it: over every order, ``last_run`` now."""
    rule.write({"filter_domain": rule_domain(order_ids)})
    env.cr.execute(
        "UPDATE base_automation SET last_run = now() at time zone 'UTC' WHERE id = %s",
        (rule.id,),
    )
    env.invalidate_all()


def rule_first_pass(env, rule, order_ids, args):
    """The rule's first pass (``last_run`` empty) on the first ``--anchor-first`` orders:
    an unmeasured warm-up on a few, then ``--anchor-rounds`` rounds, each rolled back
    (bench_scanner.in_savepoint); the rule is put back as it was (its idle state) after.
    Returns the sample's size and every round (:func:`rule_round`); the scanner's first
    pass adds its own rounds between its calls."""
    sample = order_ids[: args.anchor_first] if args.anchor_first else order_ids
    rule_scoped(env, rule, sample[: bench_scanner.WARM_UP], lambda: env["base.automation"]._check())
    rounds = [
        rule_round(env, rule, sample, "before") for _index in range(max(args.anchor_rounds, 1))
    ]
    rule_idle(env, rule, order_ids)
    return {"sample": len(sample), "ids": sample, "rounds": rounds}


def count_open(env, order_ids):
    return env["wfmon.case"].search_count(
        [
            ("res_model", "=", "sale.order"),
            ("res_id", "in", order_ids),
            ("type_id.code", "=", "distribution.master_data_gap"),
            ("is_open", "=", True),
        ]
    )


def run_size(env, warehouse, size, args):
    clock = Clock(env)
    orders = make_orders(env, warehouse, size, args)
    rule = make_rule(env, orders)
    progress(f"{size}: rule made ({benchlib.fmt_memory()})")
    anchor = rule_first_pass(env, rule, orders, args)
    scanners = {
        "master data": lambda: master_pass(env),
        "re-check (fulfillment, credit, margin)": lambda: env["sale.order"]._cron_wfmon_recheck(),
        "inbound delay": lambda: env["purchase.order"]._cron_wfmon_inbound_delay(),
    }
    clock.tick()
    opened_after = []

    def between():
        opened_after.append(count_open(env, orders))
        anchor["rounds"].append(rule_round(env, rule, anchor["ids"], "between"))

    seconds, queries, cpu = first_pass(env, between if args.pair else None)
    if args.pair and not OPTIONS["keep_cache"]:
        rule_idle(env, rule, orders)
    opened = count_open(env, orders)
    progress(
        f"{size}: master-data first pass: {opened} cases, {seconds:.1f}s ({cpu:.1f}s CPU), "
        f"{queries} queries (load {benchlib.loadavg()})"
    )
    first = {
        "seconds": seconds,
        "queries": queries,
        "cpu": cpu,
        "opened": opened,
        "calls": [mem for _call, mem in CALL_MEMORY],
        "call_times": list(CALLS),
        "pg_cpu": None if not CALLS_PG or None in CALLS_PG else sum(CALLS_PG),
        "opened_after_call": opened_after,
        "anchor": {key: value for key, value in anchor.items() if key != "ids"},
    }
    # A pass for what the first pass wrote (within the watermark's margin), then idle.
    clock.tick()
    for scan in scanners.values():
        scan()
    rounds = {"rule": [], **{name: [] for name in scanners}}
    loads = []
    for index in range(args.rounds):
        clock.tick()
        dist.analyze(env)
        rounds["rule"].append(measured(env, lambda: env["base.automation"]._check()))
        for name, scan in scanners.items():
            dist.analyze(env)
            rounds[name].append(measured(env, scan))
        loads.append(benchlib.loadavg())
        progress(
            f"{size}: idle round {index + 1}/{args.rounds}: "
            + ", ".join(
                f"{name} {values[-1][0]:.3f}s {values[-1][1]} q" for name, values in rounds.items()
            )
            + f" (load {loads[-1]}; {benchlib.fmt_memory()})"
        )
    assert count_open(env, orders) == opened, "an idle pass changed the open cases"
    return {"size": size, "open": opened, "first": first, "idle": rounds, "load": loads}


def ratio(values, anchors):
    ratios = [v / a for v, a in zip(values, anchors, strict=True) if a]
    return (statistics.median(ratios) if ratios else None), (
        benchlib.summary(ratios) if ratios else None
    )


def report(results):
    print("\nRe-check scanners, idle pass, vs a base.automation time rule scheduling an activity")
    print(
        f"{'size':>7} {'scanner':<40} {'time':>9} {'CPU':>8} {'queries':>8}  "
        "ratio time | CPU | queries (goal <= 1.00)"
    )
    for res in results:
        rule = res["idle"]["rule"]
        rule_t = statistics.median(s for s, _q, _c in rule)
        rule_q = statistics.median(q for _s, q, _c in rule)
        rule_c = statistics.median(c for _s, _q, c in rule)
        print(
            f"{res['size']:7d} {'base.automation rule (anchor)':<40} {rule_t:8.3f}s "
            f"{rule_c:7.3f}s {rule_q:8.0f}"
        )
        for name, values in res["idle"].items():
            if name == "rule":
                continue
            scan_t = statistics.median(s for s, _q, _c in values)
            scan_q = statistics.median(q for _s, q, _c in values)
            scan_c = statistics.median(c for _s, _q, c in values)
            t_ratio, t_rounds = ratio([s for s, _q, _c in values], [s for s, _q, _c in rule])
            c_ratio, _c_rounds = ratio([c for _s, _q, c in values], [c for _s, _q, c in rule])
            q_ratio, _q_rounds = ratio([q for _s, q, _c in values], [q for _s, q, _c in rule])
            print(
                f"{res['size']:7d} {name:<40} {scan_t:8.3f}s {scan_c:7.3f}s {scan_q:8.0f}  "
                f"{t_ratio:5.3f}x | {c_ratio:5.3f}x | {q_ratio:5.3f}x"
            )
            benchlib.record(
                "recheck",
                f"{name} scanner, idle pass, {res['size']} open master-data cases",
                scan_t,
                "s",
                anchor="base.automation time rule scheduling an activity, idle pass, same orders",
                anchor_value=rule_t,
                ratio=t_ratio,
                ratio_rounds=t_rounds,
                queries=scan_q,
                anchor_queries=rule_q,
                queries_ratio=q_ratio,
                cpu_seconds=scan_c,
                anchor_cpu_seconds=rule_c,
                cpu_ratio=c_ratio,
                goal="<= 1.00",
                open_cases=res["open"],
                loadavg_rounds=res["load"],
            )
        first = res["first"]
        calls = first["calls"]
        print(
            f"{res['size']:7d} master-data first pass: {first['opened']} cases, "
            f"{first['seconds']:.1f}s, {first['cpu']:.1f}s CPU, {first['queries']} queries, "
            f"{len(calls)} call(s)"
            + (
                f"; resident peak of a call {max(m['rss_peak'] for m in calls):.0f} MiB, "
                f"virtual size after the last {calls[-1]['vms']:.0f} MiB"
                if calls and calls[-1]
                else ""
            )
        )
        benchlib.record(
            "recheck",
            f"master data scanner, first pass, {res['size']} orders (cases opened)",
            first["seconds"],
            "s",
            queries=first["queries"],
            cpu_seconds=first["cpu"],
            opened=first["opened"],
            memory_per_call_mib=calls,
            keep_cache=OPTIONS["keep_cache"],
        )
        anchor = first["anchor"]
        rule_rounds = anchor["rounds"]
        size = res["size"]
        per_order = first["seconds"] / size
        cpu_per_order = first["cpu"] / size
        rule_t = statistics.median(r["seconds"] for r in rule_rounds)
        rule_c = statistics.median(r["cpu_seconds"] for r in rule_rounds)
        rule_q = statistics.median(r["queries"] for r in rule_rounds)
        t_ratios = [per_order / r["seconds"] for r in rule_rounds if r["seconds"]]
        paired = bench_scanner.paired_ratios(
            {"calls": first["call_times"], "opened_after_call": first["opened_after_call"]},
            rule_rounds,
            size,
        )
        rounds_text = ", ".join(f"{1000 * r['seconds']:.2f}" for r in rule_rounds)
        print(
            f"{size:7d} master-data first pass per order: {1000 * per_order:.2f} ms "
            f"({1000 * cpu_per_order:.2f} ms CPU) against the rule's first pass on "
            f"{anchor['sample']} orders {1000 * rule_t:.2f} ms ({1000 * rule_c:.2f} ms CPU; "
            f"rounds {rounds_text}): "
            f"{per_order / rule_t:.3f}x, CPU {cpu_per_order / rule_c:.3f}x (goal <= 0.10)"
        )
        busy = bench_scanner.work_ratio(
            {
                "cpu": cpu_per_order,
                "pg_cpu": None if first["pg_cpu"] is None else first["pg_cpu"] / size,
            },
            rule_rounds,
        )
        if busy:
            print(
                f"{size:7d} work done (Odoo's CPU + PostgreSQL's, no waiting): scanner "
                f"{1000 * busy['scanner']:.2f} ms per order, rule {1000 * busy['rule']:.2f} ms: "
                f"{busy['ratio']:.3f}x"
            )
        if paired:
            print(
                f"{size:7d} each call against the rule round right after it ({len(paired)} "
                "calls of at least a tenth of the orders): "
                + ", ".join(f"{p['ratio']:.3f}x (CPU {p['cpu_ratio']:.3f}x)" for p in paired)
            )
        benchlib.record(
            "recheck",
            f"master data scanner, first pass, {size} open orders (per order)",
            per_order,
            "s",
            anchor=(
                f"base.automation time rule scheduling an activity (first pass on "
                f"{anchor['sample']} orders, median of {len(rule_rounds)} rounds)"
            ),
            anchor_value=rule_t,
            ratio=per_order / rule_t,
            ratio_rounds=benchlib.summary(t_ratios) if t_ratios else None,
            queries=first["queries"] / size,
            anchor_queries=rule_q,
            queries_ratio=(first["queries"] / size) / rule_q if rule_q else None,
            cpu_seconds=cpu_per_order,
            anchor_cpu_seconds=rule_c,
            cpu_ratio=cpu_per_order / rule_c if rule_c else None,
            goal="<= 0.10",
            anchor_rounds=rule_rounds,
            calls=first["call_times"],
            opened_after_call=first["opened_after_call"],
            **({"work_ratio": busy} if busy else {}),
            **(
                {
                    "paired_ratio_rounds": benchlib.summary(p["ratio"] for p in paired),
                    "paired_cpu_ratio_rounds": benchlib.summary(p["cpu_ratio"] for p in paired),
                }
                if paired
                else {}
            ),
        )


def run(env, args):
    dist.OPTIONS["analyze"] = args.analyze
    OPTIONS["keep_cache"] = args.keep_cache
    env = env(context=dict(env.context, tracking_disable=True))
    warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
    results = benchlib.each_size(
        env, args.sizes, lambda size: run_size(env, warehouse, size, args), progress
    )
    report(results)


benchlib.entry("bench_recheck", parse_args, run, globals())
