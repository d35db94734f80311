"""wfmon_core benchmark: query counts and timings of the detection API and the SLA scanner.

Run with `make bench` (it prepares the database and feeds this file to `odoo shell`).
Everything runs in one transaction that is rolled back at the end.  It reports, for growing
volumes, the number of SQL queries and the wall time, and the ratio of the largest to the
smallest volume per record; it asserts nothing: speed is read, not gated.
"""

import os
from datetime import datetime, timedelta

import benchlib
from freezegun import freeze_time

env = env(context=dict(env.context, tracking_disable=True))  # noqa: F821 - odoo shell global
Case = env["wfmon.case"]
calendar = env["resource.calendar"].create(
    {
        "name": "Bench 9-17",
        "tz": "UTC",
        "attendance_ids": [
            (
                0,
                0,
                {
                    "name": f"d{d}",
                    "dayofweek": str(d),
                    "hour_from": 9,
                    "hour_to": 17,
                    "day_period": "morning",
                },
            )
            for d in range(5)
        ],
    }
)
env.company.wfmon_calendar_id = calendar
case_type = env["wfmon.case.type"].create(
    {
        "name": "Bench",
        "code": "bench.condition",
        "sla_policy_id": env.ref("wfmon_core.sla_policy_standard").id,
    }
)
env.ref("wfmon_core.sla_policy_standard").escalation_step_ids.write({"action": "event"})
START = datetime(2026, 11, 23, 10, 0)


def measure(label, func):
    env.flush_all()
    env.invalidate_all()
    queries = env.cr.sql_log_count
    t0 = os.times()  # wall clock that freezegun does not freeze, and this process's CPU
    result = func()
    env.flush_all()
    t1 = os.times()
    cpu = (t1.user + t1.system) - (t0.user + t0.system)
    return label, env.cr.sql_log_count - queries, t1.elapsed - t0.elapsed, cpu, result


rows = []
for volume in (100, 1000, 5000):
    partners = env["res.partner"].create([{"name": f"bench {volume} {i}"} for i in range(volume)])
    with freeze_time(START):
        rows.append(
            (
                volume,
                *measure(
                    "raise (open)", lambda p=partners: Case._raise("bench.condition", p, impact=1.0)
                )[:4],
            )
        )
        rows.append(
            (
                volume,
                *measure(
                    "raise (bump)", lambda p=partners: Case._raise("bench.condition", p, impact=2.0)
                )[:4],
            )
        )
    # Everything goes at risk at once (Tue 15:00: 12 h of the 16 h medium target).
    with freeze_time(START + timedelta(days=1, hours=5)):

        def scan_all():
            done = 0
            while True:
                batch = Case._cron_scan_sla()
                done += batch
                if batch < 500:
                    return done

        rows.append((volume, *measure("SLA scan (all due)", scan_all)[:4]))
        rows.append((volume, *measure("SLA scan (nothing due)", Case._cron_scan_sla)[:4]))
    with freeze_time(START + timedelta(days=1, hours=6)):
        rows.append(
            (
                volume,
                *measure(
                    "clear (auto-resolve)",
                    lambda p=partners: Case._clear("bench.condition", p, reason="bench"),
                )[:4],
            )
        )

print(f"load {benchlib.loadavg()}; CPU: this Odoo process's, PostgreSQL's not included")
print(
    f"{'operation':<24}{'records':>8}{'queries':>9}{'q/record':>10}{'seconds':>9}{'ms/record':>11}"
    f"{'CPU ms/rec':>11}"
)
for volume, label, queries, seconds, cpu, *_ in rows:
    print(
        f"{label:<24}{volume:>8}{queries:>9}{queries / volume:>10.3f}{seconds:>9.2f}"
        f"{seconds * 1000 / volume:>11.2f}{cpu * 1000 / volume:>11.2f}"
    )
print()
for label in dict.fromkeys(r[1] for r in rows):
    mine = {r[0]: r for r in rows if r[1] == label}
    small, large = mine[100], mine[5000]
    ratio = (large[3] / 5000) / (small[3] / 100) if small[3] else float("nan")
    print(
        f"{label:<24} per-record time ratio 5000 vs 100: {ratio:.2f}x, "
        f"queries {small[2]} -> {large[2]}"
    )
    benchlib.record(
        "core",
        f"{label}, ms per record at 5000",
        large[3] * 1000 / 5000,
        "ms/record",
        anchor="the same at 100 records",
        anchor_value=small[3] * 1000 / 100,
        ratio=ratio,
        queries={"100": small[2], "5000": large[2]},
        cpu_ms_per_record={"100": small[4] * 1000 / 100, "5000": large[4] * 1000 / 5000},
        cpu_seconds=large[4] / 5000,
        loadavg=benchlib.loadavg(),
    )
env.cr.rollback()
