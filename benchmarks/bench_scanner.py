#!/usr/bin/env python3
"""Benchmark of a scheduled scanner against Odoo's own time-based automation rule.

The anchor is what an Odoo user builds without this suite: a ``base.automation`` rule "Based
on date field" on the picking's scheduled date, delayed by the warehouse's SLA window, over the
open deliveries, whose action schedules an activity. The scanner is wfmon_distribution's
late-picking scanner (D2, ``stock.picking._cron_wfmon_picking_sla``), which opens a case per
late picking (chatter, follower, audit line, analysis lines, priority raised) through core's
due-driven scanner (``wfmon.detector._scan_due``).

For each size (``--sizes 10000,100000``) it creates that many late pickings (SQL copies of one
picking confirmed through the ORM, see bench_distribution.py) and measures, with the machine's
load printed beside each round:

- the first pass: the rule's first run (its ``last_run`` empty: every late picking gets its
  activity) and the scanner called as its cron calls it until a full pass is done (every late
  picking gets its case). Each first pass but the scanner's last runs inside a savepoint that
  is rolled back, so the rounds (``--first-rounds``, interleaved rule, scanner, rule, ...)
  start alike. The rule handles one record at a time: its first pass is measured on the first
  ``--anchor-first`` pickings (default 2,000; 0: all) and compared per picking (its cost per
  picking does not depend on how many there are: 1,000 and 2,000 cost the same within 2 % in
  one process; the report says when this applies). The last round's cases stay open for the
  idle pass;
- the idle pass: with the cases open and the rule's last run set to now, the next run of each
  with nothing new (``--rounds`` interleaved rounds).

The rule's anchor measures the same thing on every run: the same pickings (the first
``--anchor-first`` by id), an activity for the administrator, who is notified by e-mail (set
explicitly: Odoo's default, and most of the rule's cost: the notification's rendering, its
message, notification and mail rows), after an unmeasured warm-up round on a few pickings
(the first activity of a process compiles templates and fills caches), ``--anchor-rounds``
rounds (default 3), each in a savepoint rolled back together with the commit hooks it
queued (Odoo keeps those of a rolled-back savepoint: the activities' bus notifications and
e-mails would otherwise run in the scanner's first commit, counted in its time); with
``--commit``, after the set-up is committed and the database vacuumed (autovacuum would
otherwise work on the new pickings during the first rounds). Its cost per
picking still moves with what else the machine does: in one process, eight rounds on the
same 1,000 pickings spent 10.6-11.4 ms of Odoo's CPU and 3.8-4.1 ms of PostgreSQL's per
picking, and between 0.1 and 7 ms waiting (for a core: the machine's other work). So each
round reports that split (Odoo's CPU, the PostgreSQL backend's, waiting), the hypervisor's
steal and the CPU time of a fixed piece of Python work (benchlib), and with ``--commit`` a
rule round runs after each call of the committed pass (``--no-pair``: not): the anchor is
the median of all the rounds, before, between and after, and each call is also compared
with the round right after it (``paired_ratios``: what the machine does for a few minutes
moves both alike).

The warehouse has a supervisor (its site's manager, an Inventory user), who owns the cases,
as in the demo (``--no-supervisor``: none, the cases stay in the queue without an owner).

With ``--commit`` the scanner's first pass is also run as its scheduled action runs it: a
commit after each call (``ir.cron`` commits after every call, and a pass of N pickings takes
N / 10,000 calls), on pickings committed before. It writes for good, so it runs only on a
throw-away copy of the database: ``scripts/bench.sh`` makes one (``createdb -T``) when the
options say ``--commit``, names it in ``WFMON_BENCH_THROWAWAY_DB``, and drops it afterwards;
the benchmark refuses any other database. The pickings are committed first; the first-pass
rounds then all run in savepoints (the pass without commits, as above), the committed pass
comes after them, and about half of the rule's ``--anchor-rounds`` after it; the committed
pass is compared with the median of all the rule's rounds. Its cases are the idle state. One
size per run (a committed size would stay under the next one).

Figures: the median time and queries of each, their ratio scanner / rule (the median of the
per-round ratios), and how the idle pass grows from the smallest size to the largest (per open
picking). Everything happens in one transaction that is rolled back.

Needs a database with wfmon_distribution and base_automation installed (no demo data); ``make
bench BENCH=scanner`` makes it. Options in ``WFMON_BENCH_ARGS`` (``odoo shell``) or next to
Odoo's own options when run standalone, as bench_distribution.py.
"""

import argparse
import os
import statistics
import sys
import time
from types import SimpleNamespace

import bench_distribution as dist
import benchlib

SCAN_KEY = dist.SCAN_KEY
WARM_UP = 50  # pickings of the rule's unmeasured warm-up round
OPEN_STATES = ("confirmed", "waiting", "assigned")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000", help="comma-separated numbers of late pickings")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved idle rounds")
    parser.add_argument(
        "--first-rounds",
        type=int,
        default=1,
        help="interleaved first-pass rounds (with --commit, 0: the committed pass only)",
    )
    parser.add_argument(
        "--anchor-first",
        type=int,
        default=2000,
        help="pickings the rule's first pass is measured on (0: all of them)",
    )
    parser.add_argument(
        "--anchor-rounds",
        type=int,
        default=3,
        help="rounds of the rule's first pass (with --commit, about half of them after the "
        "committed pass); their median per picking is the committed pass's anchor",
    )
    parser.add_argument(
        "--no-pair",
        dest="pair",
        action="store_false",
        help="with --commit, do not run a rule round after each of the committed pass's "
        "calls (by default they are: the anchor then spans the pass's own minutes)",
    )
    parser.add_argument("--batch-size", type=int, default=500, help="the scanner's batch size")
    parser.add_argument("--partners", type=int, default=100, help="customers of the pickings")
    dist.add_supervisor_option(parser)
    parser.add_argument(
        "--commit",
        action="store_true",
        help="also run the scanner's first pass with a commit after each call, as its "
        "scheduled action does (throw-away copy of the database only: see scripts/bench.sh)",
    )
    parser.add_argument(
        "--no-analyze",
        dest="analyze",
        action="store_false",
        help="do not refresh the planner's statistics before each measure",
    )
    return parser.parse_known_args(argv)


def progress(message):
    print(f"bench_scanner: {message}", file=sys.stderr, flush=True)


def rule_domain(pickings):
    """The rule's filter: open deliveries among ``pickings`` (an id range: a list of 100,000
    ids in the filter would cost the rule its evaluation on every run)."""
    return [
        ("state", "in", list(OPEN_STATES)),
        ("picking_type_code", "in", ["outgoing", "internal"]),
        ("id", ">=", min(pickings.ids)),
        ("id", "<=", max(pickings.ids)),
    ]


def make_rule(env, warehouse, pickings):
    """The anchor: a time-based automation rule scheduling an activity on late pickings."""
    hours = warehouse._wfmon_setting("wfmon_picking_sla_hours")
    model = env["ir.model"]._get("stock.picking")
    date_field = env["ir.model.fields"]._get("stock.picking", "scheduled_date")
    rule = env["base.automation"].create(
        {
            "name": "Bench: late delivery",
            "model_id": model.id,
            "trigger": "on_time",
            "trg_date_range": int(round(hours)),
            "trg_date_range_type": "hour",
            "filter_domain": repr(rule_domain(pickings)),
        }
    )
    rule.trg_date_id = date_field
    # Its activities go to the administrator, notified by e-mail (Odoo's default; a
    # database where someone switched it to the inbox would measure a cheaper rule).
    admin = env.ref("base.user_admin")
    admin.notification_type = "email"
    env["ir.actions.server"].create(
        {
            "name": "Late delivery: schedule an activity",
            "model_id": model.id,
            "base_automation_id": rule.id,
            "usage": "base_automation",
            "state": "next_activity",
            "activity_type_id": env.ref("mail.mail_activity_data_todo").id,
            "activity_summary": "Late delivery",
            "activity_user_type": "specific",
            "activity_user_id": env.ref("base.user_admin").id,
        }
    )
    return rule


def set_rule_scope(rule, pickings):
    """Point the rule at ``pickings`` (the whole set, or the first-pass sample)."""
    rule.filter_domain = repr(rule_domain(pickings))


def run_rule(env, rule):
    return dist.measure(env, lambda: env["base.automation"]._check())


def run_scanner(
    env, batch_size, cpu=None, commit=False, calls_out=None, after_call=None, pg_out=None
):
    """The scanner as its cron calls it, until the pass is complete: (seconds, queries, calls).
    With ``cpu`` (a list), appends the CPU seconds this Odoo process spent (PostgreSQL's
    not included): on a shared machine, what the wall time would be without the others.
    With ``commit``, commits after each call, as ``ir.cron`` does (the commit is measured);
    ``calls_out`` (a list) gets each call's (seconds, CPU seconds), ``pg_out`` (a list) its
    PostgreSQL backend's CPU seconds (see host_split); ``after_call()``, not
    measured, runs after each call (the committed pass's paired rule rounds)."""
    Picking = env["stock.picking"].with_context(tracking_disable=False)
    seconds = queries = calls = cpu_seconds = 0

    def call():
        Picking._cron_wfmon_picking_sla(batch_size=batch_size)
        if commit:
            env.flush_all()
            env.cr.commit()

    while True:
        cpu_start = time.process_time()
        (call_seconds, call_queries), host = host_split(env, lambda: dist.measure(env, call))
        if pg_out is not None:
            pg_out.append(host["pg_cpu"])
        if calls_out is not None:
            calls_out.append((call_seconds, time.process_time() - cpu_start))
        cpu_seconds += time.process_time() - cpu_start
        seconds += call_seconds
        queries += call_queries
        calls += 1
        if after_call is not None:
            after_call()
        if not benchlib.scan_cursor(env, SCAN_KEY):
            if cpu is not None:
                cpu.append(cpu_seconds)
            return seconds, queries, calls


def count_outcomes(env, pickings):
    cases = env["wfmon.case"].search_count(
        [
            ("res_model", "=", "stock.picking"),
            ("res_id", "in", pickings.ids),
            ("type_id.code", "=", "distribution.picking_late"),
            ("is_open", "=", True),
        ]
    )
    activities = env["mail.activity"].search_count(
        [("res_model", "=", "stock.picking"), ("res_id", "in", pickings.ids)]
    )
    return cases, activities


def in_savepoint(env, func):
    """``func()`` inside a savepoint that is rolled back afterwards.

    What the rolled-back work queued for the next commit goes with it: Odoo keeps the commit
    hooks of a rolled-back savepoint (the rule's bus notifications of the activities, the
    e-mails it sends after commit), and they would run in the committed pass's first commit,
    counted in the scanner's time. With ``--commit`` nothing else is pending at that point
    (``committed_setup``); without it, nothing is ever committed."""
    with benchlib.rolled_back(env):
        return func()


def host_split(env, func):
    """``(func(), host)``: ``host["pg_cpu"]`` is the CPU seconds the PostgreSQL backend spent
    meanwhile (None if it runs elsewhere), ``host["steal"]`` the seconds the hypervisor took
    from this machine's cores. With this process's own CPU time they split a round's wall time
    into Odoo's work, PostgreSQL's, and waiting (for a core, for the disk)."""
    pg_before, steal_before = benchlib.backend_cpu(env.cr), benchlib.steal()
    result = func()
    pg_after, steal_after = benchlib.backend_cpu(env.cr), benchlib.steal()
    return result, {
        "pg_cpu": None if pg_before is None or pg_after is None else pg_after - pg_before,
        "steal": None
        if steal_before is None or steal_after is None
        else steal_after - steal_before,
    }


def measured_round(env, run, per, label, unit, say):
    """One measured round of the rule's first pass: ``run()`` runs it (rolled back) and gives
    its (seconds, queries, CPU seconds of this process); the round's figures per ``unit``
    (one of the ``per`` records), where its time went (see host_split) and the CPU time of a
    fixed piece of work just before it (benchlib.cpu_speed). ``say`` prints the line."""
    speed = benchlib.cpu_speed()
    (seconds, queries, cpu), host = host_split(env, run)
    pg_cpu = host["pg_cpu"]
    result = {
        "when": label,
        "seconds": seconds / per,
        "cpu_seconds": cpu / per,
        "queries": queries / per,
        "load": benchlib.loadavg(),
        "pg_cpu_seconds": None if pg_cpu is None else pg_cpu / per,
        "wait_seconds": (seconds - cpu - (pg_cpu or 0)) / per,
        "steal_seconds": host["steal"],
        "cpu_speed_ms": speed,
    }
    say(
        f"rule round ({label}) on {per} {unit}s: {seconds:.1f}s, {queries} queries, "
        f"{1000 * seconds / per:.2f} ms per {unit} = Odoo {1000 * cpu / per:.2f} + PostgreSQL "
        + ("?" if pg_cpu is None else f"{1000 * pg_cpu / per:.2f}")
        + f" + waiting {1000 * result['wait_seconds']:.2f} ms (fixed work {speed:.1f} ms CPU; "
        f"steal {host['steal'] or 0:.1f}s; load {result['load']})"
    )
    return result


def warm_up(env, rule, sample):
    """The rule once on a few pickings, rolled back and not measured: the first activity of
    a process compiles the notification's templates and fills Odoo's caches, which the first
    measured round would otherwise pay alone."""
    set_rule_scope(rule, sample[:WARM_UP])
    in_savepoint(env, lambda: run_rule(env, rule))


def check_throwaway(env):
    throwaway = os.environ.get("WFMON_BENCH_THROWAWAY_DB")
    if not throwaway or throwaway != env.cr.dbname:
        raise RuntimeError(
            f"--commit writes for good: only on the throw-away copy scripts/bench.sh makes "
            f"(WFMON_BENCH_THROWAWAY_DB), not on {env.cr.dbname}"
        )


def committed_setup(env):
    """Commit the pickings, the rule and the supervisor (throw-away copy only), then vacuum
    and analyze the database (not measured): autovacuum would otherwise start on the
    committed set-up during the first measured rounds, and take CPU from them (at 100,000 the
    first rule round cost 26 ms per picking, the next one 20 ms)."""
    from odoo import sql_db  # here: Odoo is loaded by then (odoo shell, or entry())

    check_throwaway(env)
    env.flush_all()
    env.cr.commit()
    start = time.perf_counter()
    with sql_db.db_connect(env.cr.dbname).cursor() as cr:
        cr._cnx.autocommit = True  # VACUUM runs outside a transaction
        cr.execute("VACUUM (ANALYZE)")
    progress(f"set-up committed and vacuumed in {time.perf_counter() - start:.1f}s (not measured)")


def run_size(env, warehouse, size, args):
    fill = SimpleNamespace(pickings=size, fill="sql", partners=args.partners, fill_batch=1000)
    pickings = dist.make_late_pickings(env, warehouse, fill)
    # Spread the copies' scheduled dates over six weeks before LATE_DATE (all of them late),
    # as real pickings' dates are: nothing is computed once for a date they share.
    env.cr.execute(
        "UPDATE stock_picking SET scheduled_date = scheduled_date - (id %% 4001) * interval "
        "'15 minutes' WHERE id = ANY(%s)",
        (pickings.ids,),
    )
    env.invalidate_all()
    sample = pickings[: args.anchor_first] if args.anchor_first else pickings
    rule = make_rule(env, warehouse, pickings)
    result = {"size": len(pickings), "sample": len(sample), "first": {}, "idle": {}, "load": {}}
    loads = {"first": [], "idle": []}

    if args.commit:
        # The committed pass runs on these pickings: commit them (and the set-up) now, so
        # that nothing the set-up left pending runs in the scanner's first commit.
        committed_setup(env)
    # First pass, in savepoints rolled back after each round.
    first = {"rule": [], "scanner": []}
    cpu = []  # the scanner's CPU seconds per first pass
    rule_cpu = []  # the rule's CPU seconds per picking, per first pass
    anchor = []  # every rule round: the anchor of the committed pass
    # Scanner rounds without commits (--commit --first-rounds 0: none, the committed pass
    # only); rule rounds: at least one beside each of them, and --anchor-rounds in all,
    # with --commit about half of them after the committed pass.
    rounds = max(args.first_rounds, 0 if args.commit else 1)
    anchor_rounds = max(args.anchor_rounds, rounds, 1)
    before = max((anchor_rounds + 1) // 2 if args.commit else anchor_rounds, rounds)
    after = anchor_rounds - before
    warm_up(env, rule, sample)

    def rule_round(label):
        set_rule_scope(rule, sample)
        dist.analyze(env)

        def run():
            seconds, queries = in_savepoint(env, lambda: run_rule(env, rule))
            return seconds, queries, dist.LAST_CPU[0]

        anchor.append(
            measured_round(
                env, run, len(sample), label, "picking", lambda text: progress(f"{size}: {text}")
            )
        )
        last = anchor[-1]
        per = len(sample)
        return last["seconds"] * per, last["queries"] * per, last["cpu_seconds"] * per

    for index in range(before):
        seconds, queries, used = rule_round("before" if args.commit else "interleaved")
        if index >= rounds:
            continue
        first["rule"].append((seconds / len(sample), queries / len(sample)))
        rule_cpu.append(used / len(sample))
        benchlib.reset_scan_cursor(env, SCAN_KEY)
        dist.analyze(env)

        def scanner_first():
            seconds, queries, calls = run_scanner(env, args.batch_size, cpu)
            opened, _activities = count_outcomes(env, pickings)
            return seconds, queries, calls, opened

        # The last round's cases stay: they are the idle state measured below (with
        # --commit, the committed pass's cases are).
        last = index == rounds - 1 and not args.commit
        seconds, queries, calls, opened = (
            scanner_first() if last else in_savepoint(env, scanner_first)
        )
        first["scanner"].append((seconds / len(pickings), queries / len(pickings)))
        loads["first"].append(benchlib.loadavg())
        progress(
            f"{size}: first pass {index + 1}/{rounds} scanner: {opened} cases in "
            f"{calls} call(s), {seconds:.1f}s ({cpu[-1]:.1f}s CPU of this process), "
            f"{queries} queries (load {benchlib.loadavg()})"
        )
    if args.commit:
        result["committed"] = committed_first_pass(
            env, pickings, args, between=(lambda: rule_round("between")) if args.pair else None
        )
    for _index in range(after):
        rule_round("after")
    result["anchor"] = anchor
    result["first"] = first
    result["cpu"] = [seconds / len(pickings) for seconds in cpu]
    result["rule_cpu"] = rule_cpu

    # Idle pass: the scanner's cases are open; the rule ran at "now" (what its first run
    # leaves behind: its next run looks only at the dates that passed since; the rule
    # does not read the activities it made, so they need not be there).
    set_rule_scope(rule, pickings)
    env.cr.execute(
        "UPDATE base_automation SET last_run = now() at time zone 'UTC' WHERE id = %s",
        (rule.id,),
    )
    env.invalidate_all()
    cases, activities = count_outcomes(env, pickings)
    progress(f"{size}: idle state: {cases} open cases, {activities} activities")
    idle = {"rule": [], "scanner": []}
    for index in range(args.rounds):
        dist.analyze(env)
        idle["rule"].append(run_rule(env, rule))
        dist.analyze(env)
        seconds, queries, _calls = run_scanner(env, args.batch_size)
        idle["scanner"].append((seconds, queries))
        loads["idle"].append(benchlib.loadavg())
        progress(
            f"{size}: idle round {index + 1}/{args.rounds}: rule {idle['rule'][-1][0]:.3f}s "
            f"{idle['rule'][-1][1]} queries, scanner {seconds:.3f}s {queries} queries "
            f"(load {benchlib.loadavg()})"
        )
    after = count_outcomes(env, pickings)
    assert after == (cases, activities), f"an idle pass changed something: {after}"
    result["idle"] = idle
    result["open"] = cases
    result["load"] = loads
    return result


def committed_first_pass(env, pickings, args, between=None):
    """The scanner's first pass with a commit after each call, as its scheduled action
    runs it, on the pickings committed first (throw-away copy of the database only).
    ``between()`` (a rule round, rolled back) runs after each call, not measured; the cases
    open after each call are counted (not measured) to compare each call with its round."""
    check_throwaway(env)
    benchlib.reset_scan_cursor(env, SCAN_KEY)
    env.flush_all()
    env.cr.commit()
    # What autovacuum does soon after so many new rows; the cron never analyzes.
    dist.analyze(env)
    env.cr.commit()
    cpu, calls, opened_after, calls_pg = [], [], [], []

    def after_call():
        opened_after.append(count_outcomes(env, pickings)[0])
        if between is not None:
            between()

    seconds, queries, ncalls = run_scanner(
        env,
        args.batch_size,
        cpu,
        commit=True,
        calls_out=calls,
        after_call=after_call,
        pg_out=calls_pg,
    )
    opened, _activities = count_outcomes(env, pickings)
    progress(
        f"{len(pickings)}: first pass with a commit per call: {opened} cases in {ncalls} "
        f"call(s), {seconds:.1f}s ({cpu[-1]:.1f}s CPU of this process), {queries} queries "
        f"(load {benchlib.loadavg()}); per call (s wall / s CPU): "
        + ", ".join(f"{wall:.1f}/{used:.1f}" for wall, used in calls)
    )
    return {
        "seconds": seconds / len(pickings),
        "queries": queries / len(pickings),
        "cpu": cpu[-1] / len(pickings),
        "calls": calls,
        "opened_after_call": opened_after,
        # PostgreSQL's CPU seconds per picking (None: the server is not on this machine)
        "pg_cpu": None if None in calls_pg else sum(calls_pg) / len(pickings),
        "opened": opened,
        "load": benchlib.loadavg(),
    }


def ratio_summary(scanner, rule):
    """Median of the per-round ratios scanner / rule, and their summary."""
    ratios = [s / r for s, r in zip(scanner, rule, strict=True) if r]
    return (statistics.median(ratios) if ratios else None), (
        benchlib.summary(ratios) if ratios else None
    )


def paired_ratios(done, rounds, size):
    """Each call of the committed pass against the rule round run right after it: the call's
    time per case it opened over the round's time per picking (and the same for CPU), for
    the calls that opened at least a tenth of the pickings (the last call, which only finds
    the pass done, has nothing to divide by). What the machine does for a few minutes moves
    both alike: the spread of these ratios is the scanner's own."""
    between = [r for r in rounds if r.get("when") == "between"]
    opened = done.get("opened_after_call") or []
    if len(between) != len(done["calls"]) or len(opened) != len(done["calls"]):
        return []
    paired, before = [], 0
    for (wall, cpu), after, rule in zip(done["calls"], opened, between, strict=True):
        made, before = after - before, after
        if made >= size / 10 and rule["seconds"] and rule["cpu_seconds"]:
            paired.append(
                {
                    "opened": made,
                    "ratio": wall / made / rule["seconds"],
                    "cpu_ratio": cpu / made / rule["cpu_seconds"],
                }
            )
    return paired


def work_ratio(done, rounds):
    """The work each side did, without the waiting: Odoo's CPU plus PostgreSQL's per picking,
    the scanner's committed pass against the median of the rule's rounds (None when
    PostgreSQL's CPU could not be read)."""
    works = [
        r["cpu_seconds"] + r["pg_cpu_seconds"]
        for r in rounds
        if r.get("pg_cpu_seconds") is not None
    ]
    if done.get("pg_cpu") is None or not works:
        return None
    scanner, rule = done["cpu"] + done["pg_cpu"], statistics.median(works)
    return {"scanner": scanner, "rule": rule, "ratio": scanner / rule if rule else None}


def report(results):
    print("\nLate-picking scanner (D2) vs a base.automation time rule scheduling an activity")
    print(f"{'size':>7} {'pass':>6} {'scanner':>22} {'rule':>22}  ratio time | queries (goal)")
    for res in results:
        size = res["size"]
        for kind, unit in (("first", "per picking"), ("idle", "per pass")):
            scan, rule = res[kind]["scanner"], res[kind]["rule"]
            if not scan:  # --commit --first-rounds 0: reported below
                continue
            t_ratio, t_rounds = ratio_summary([s for s, _q in scan], [r for r, _q in rule])
            q_ratio, _ = ratio_summary([q for _s, q in scan], [q for _t, q in rule])
            scan_t = statistics.median(s for s, _q in scan)
            scan_q = statistics.median(q for _s, q in scan)
            rule_t = statistics.median(r for r, _q in rule)
            rule_q = statistics.median(q for _t, q in rule)
            if kind == "first":
                shown = (
                    f"{1000 * scan_t:8.2f} ms {scan_q:7.2f} q",
                    f"{1000 * rule_t:8.2f} ms {rule_q:7.2f} q",
                )
                goal = "<= 0.10"
            else:
                shown = (f"{scan_t:8.3f} s {scan_q:8.0f} q", f"{rule_t:8.3f} s {rule_q:8.0f} q")
                goal = "<= 1.00"
            cpu = statistics.median(res["cpu"]) if kind == "first" and res.get("cpu") else None
            rule_cpu = (
                statistics.median(res["rule_cpu"])
                if kind == "first" and res.get("rule_cpu")
                else None
            )
            print(
                f"{size:7d} {kind:>6} {shown[0]:>22} {shown[1]:>22}  {t_ratio:5.3f}x | "
                f"{q_ratio:5.3f}x ({goal}) {unit}"
                + (
                    f"; rule measured on {res['sample']} pickings"
                    if kind == "first" and res["sample"] != size
                    else ""
                )
                + (f"; scanner CPU {1000 * cpu:.2f} ms per picking" if cpu is not None else "")
                + (
                    f", rule CPU {1000 * rule_cpu:.2f} ms ({cpu / rule_cpu:.3f}x)"
                    if cpu is not None and rule_cpu
                    else ""
                )
            )
            label = f"late-picking scanner, {kind} pass, {size} open late pickings"
            benchlib.record(
                "scanner",
                label + (" (per picking)" if kind == "first" else ""),
                scan_t,
                "s",
                anchor="base.automation time rule scheduling an activity"
                + (f" (first pass on {res['sample']} pickings)" if kind == "first" else ""),
                anchor_value=rule_t,
                ratio=t_ratio,
                ratio_rounds=t_rounds,
                queries=scan_q,
                anchor_queries=rule_q,
                queries_ratio=q_ratio,
                goal=goal,
                open_cases=res["open"],
                loadavg_rounds=res["load"][kind],
                rule_sample=res["sample"] if kind == "first" else res["size"],
                **({"cpu_seconds": cpu} if cpu is not None else {}),
                **(
                    {
                        "anchor_cpu_seconds": rule_cpu,
                        "cpu_ratio": cpu / rule_cpu,
                    }
                    if cpu is not None and rule_cpu
                    else {}
                ),
            )
    for res in results:
        done = res.get("committed")
        if not done:
            continue
        # The anchor: the median of every rule round, before, between the calls of (see
        # paired_ratios) and after the committed pass.
        rounds = res["anchor"]
        rule_t = statistics.median(r["seconds"] for r in rounds)
        rule_q = statistics.median(r["queries"] for r in rounds)
        rule_cpu = statistics.median(r["cpu_seconds"] for r in rounds)
        print(
            f"{res['size']:7d} rule's first pass, {len(rounds)} rounds on {res['sample']} "
            f"pickings: median {1000 * rule_t:.2f} ms per picking (range "
            f"{1000 * min(r['seconds'] for r in rounds):.2f}-"
            f"{1000 * max(r['seconds'] for r in rounds):.2f}), CPU {1000 * rule_cpu:.2f} ms "
            f"(range {1000 * min(r['cpu_seconds'] for r in rounds):.2f}-"
            f"{1000 * max(r['cpu_seconds'] for r in rounds):.2f}); rounds: "
            + ", ".join(
                f"{r['when']} {1000 * r['seconds']:.2f}/{1000 * r['cpu_seconds']:.2f} ms "
                f"(load {r['load']})"
                for r in rounds
            )
        )
        scanned = res["first"]["scanner"]
        unsaved = statistics.median(s for s, _q in scanned) if scanned else None
        per_call = ", ".join(f"{wall:.1f}" for wall, _cpu in done["calls"])
        print(
            f"{res['size']:7d} first pass with a commit per call (as the cron): "
            f"{1000 * done['seconds']:.2f} ms {done['queries']:.2f} q per picking, "
            f"CPU {1000 * done['cpu']:.2f} ms"
            + (
                f" + PostgreSQL {1000 * done['pg_cpu']:.2f} ms"
                if done.get("pg_cpu") is not None
                else ""
            )
            + f"; {done['seconds'] / rule_t:.3f}x the rule"
            + (f", CPU {done['cpu'] / rule_cpu:.3f}x" if rule_cpu else "")
            + (f"; {done['seconds'] / unsaved:.2f}x the pass without commits" if unsaved else "")
            + f"; {len(done['calls'])} calls of {per_call} s"
        )
        paired = paired_ratios(done, rounds, res["size"])
        busy = work_ratio(done, rounds)
        if busy:
            print(
                f"{res['size']:7d} work done (Odoo's CPU + PostgreSQL's, no waiting): scanner "
                f"{1000 * busy['scanner']:.2f} ms per picking, rule {1000 * busy['rule']:.2f} ms "
                f"(median of {len(rounds)} rounds): {busy['ratio']:.3f}x"
            )
        if paired:
            print(
                f"{res['size']:7d} each call against the rule round right after it "
                f"({len(paired)} calls of at least a tenth of the pickings): "
                + ", ".join(f"{p['ratio']:.3f}x (CPU {p['cpu_ratio']:.3f}x)" for p in paired)
            )
        benchlib.record(
            "scanner",
            f"late-picking scanner, first pass committed per call, {res['size']} open late "
            "pickings (per picking)",
            done["seconds"],
            "s",
            anchor="base.automation time rule scheduling an activity"
            f" (first pass on {res['sample']} pickings, median of {len(rounds)} rounds)",
            anchor_value=rule_t,
            ratio=done["seconds"] / rule_t,
            # The committed pass against each rule round: the spread the anchor leaves.
            ratio_rounds=benchlib.summary([done["seconds"] / r["seconds"] for r in rounds]),
            cpu_ratio_rounds=benchlib.summary([done["cpu"] / r["cpu_seconds"] for r in rounds]),
            anchor_rounds=rounds,
            anchor_spread=benchlib.summary([r["seconds"] for r in rounds]),
            anchor_cpu_spread=benchlib.summary([r["cpu_seconds"] for r in rounds]),
            queries=done["queries"],
            anchor_queries=rule_q,
            queries_ratio=done["queries"] / rule_q if rule_q else None,
            goal="<= 0.10",
            uncommitted_seconds=unsaved,
            calls=done["calls"],
            opened_after_call=done.get("opened_after_call"),
            **(
                {
                    "paired_ratio_rounds": benchlib.summary(p["ratio"] for p in paired),
                    "paired_cpu_ratio_rounds": benchlib.summary(p["cpu_ratio"] for p in paired),
                }
                if paired
                else {}
            ),
            loadavg=done["load"],
            cpu_seconds=done["cpu"],
            pg_cpu_seconds=done.get("pg_cpu"),
            **({"work_ratio": busy} if busy else {}),
            **(
                {"anchor_cpu_seconds": rule_cpu, "cpu_ratio": done["cpu"] / rule_cpu}
                if rule_cpu
                else {}
            ),
        )
    if len(results) > 1:
        small, large = results[0], results[-1]
        grow_s = [
            statistics.median(s for s, _q in res["idle"]["scanner"]) for res in (small, large)
        ]
        grow_r = [statistics.median(r for r, _q in res["idle"]["rule"]) for res in (small, large)]
        factor = large["size"] / small["size"]
        print(
            f"idle pass from {small['size']} to {large['size']} open pickings ({factor:.0f}x): "
            f"scanner {grow_s[1] / grow_s[0]:.1f}x, rule {grow_r[1] / grow_r[0]:.1f}x "
            "(linear growth would be the size factor or less)"
        )
        benchlib.record(
            "scanner",
            f"idle pass growth {small['size']} -> {large['size']} open late pickings",
            grow_s[1] / grow_s[0],
            "x",
            anchor="the same growth of the base.automation rule",
            anchor_value=grow_r[1] / grow_r[0],
            ratio=(grow_s[1] / grow_s[0]) / (grow_r[1] / grow_r[0]),
            size_factor=factor,
        )


def run(env, args):
    dist.OPTIONS["analyze"] = args.analyze
    env = env(context=dict(env.context, tracking_disable=True))
    warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
    if args.supervisor:
        dist.make_supervisor(env, warehouse)
    if args.commit:
        sizes = [s for s in args.sizes.split(",") if s.strip()]
        if len(sizes) != 1:
            sys.exit("bench_scanner: --commit measures one size per run")
        # Commits for good: no savepoint to roll back; the copy is dropped afterwards.
        report([run_size(env, warehouse, int(sizes[0]), args)])
        return
    results = benchlib.each_size(
        env, args.sizes, lambda size: run_size(env, warehouse, size, args), progress
    )
    report(results)


benchlib.entry("bench_scanner", parse_args, run, globals())
