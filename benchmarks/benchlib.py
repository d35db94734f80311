"""What every benchmark shares with the runner (``scripts/bench.sh``).

- :func:`record` appends one figure, with its anchor and their ratio, to the
  JSON-lines file named by ``WFMON_BENCH_RESULTS`` (the runner gathers those
  lines into one results file); without the variable it does nothing.
- :func:`loadavg` is the machine's load, printed beside each round.
- :func:`memory` is this process's memory (virtual size, resident, peaks), :func:`reset_peak`
  starts a new resident peak: what a step needs.
- :func:`backend_cpu` is the CPU time of the PostgreSQL backend serving a cursor (same
  machine only): beside this process's own, where a round's time went.
- :func:`steal` and :func:`cpu_speed`: what the host does to this machine (CPU taken by the
  hypervisor, and the CPU time of a fixed piece of work), printed beside a round.
- :func:`abba` orders interleaved rounds, :func:`rolled_back` runs one round in a savepoint
  rolled back after it.
- :func:`each_size` runs a benchmark's sizes one after the other, each in a savepoint
  rolled back after it.
- :func:`entry` starts a benchmark where it was started: fed to ``odoo shell`` or run as a
  script.

The runner puts this directory on ``PYTHONPATH``; a benchmark fed to
``odoo shell`` imports it like any module.
"""

import json
import math
import os
import shlex
import statistics
import sys
import time
from contextlib import contextmanager


def loadavg():
    """``/proc/loadavg``'s 1, 5 and 15 minute figures, as text ("" elsewhere)."""
    try:
        with open("/proc/loadavg", encoding="ascii") as handle:
            return " ".join(handle.read().split()[:3])
    except OSError:
        return ""


def memory():
    """This process's memory in MiB, from ``/proc/self/status`` (Linux; ``{}`` elsewhere):
    ``vms`` (virtual size: what ``limit_memory_hard``, Odoo's RLIMIT_AS, caps), ``rss``
    (resident), ``vms_peak`` and ``rss_peak`` (since the start, or since :func:`reset_peak`
    for the resident peak)."""
    names = {"VmSize": "vms", "VmRSS": "rss", "VmPeak": "vms_peak", "VmHWM": "rss_peak"}
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return {}
    found = {}
    for line in lines:
        key, _sep, value = line.partition(":")
        if key in names:
            found[names[key]] = round(int(value.split()[0]) / 1024, 1)
    return found


def reset_peak():
    """Start :func:`memory`'s ``rss_peak`` again from the current resident size (Linux: writes
    5 to ``/proc/self/clear_refs``); False where it cannot."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as handle:
            handle.write("5")
    except OSError:
        return False
    return True


def fmt_memory(mem=None):
    """``memory()`` as text: "VMS 812 MiB, RSS 401 MiB (peak 455)"."""
    mem = memory() if mem is None else mem
    if not mem:
        return "memory unknown"
    return f"VMS {mem['vms']:.0f} MiB, RSS {mem['rss']:.0f} MiB (peak {mem['rss_peak']:.0f})"


def backend_cpu(cr):
    """CPU seconds spent so far by the PostgreSQL backend serving ``cr`` (user + system,
    from ``/proc/<pid>/stat``), or None when the server is not on this machine or its
    process cannot be read. With this process's own CPU time, it splits a round's wall time
    into Odoo's work, PostgreSQL's work, and the rest (waiting: for the disk, for a core)."""
    cr.execute("SELECT pg_backend_pid()")
    pid = cr.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # after the command's name: state is field 3, utime 14 and stime 15 (1-based)
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def steal():
    """CPU seconds the hypervisor has taken from this machine's cores so far (``steal`` in
    ``/proc/stat``, all cores), or None where it cannot be read: on a shared host, work of
    other machines that slows this one without showing in its load."""
    try:
        with open("/proc/stat", encoding="ascii") as handle:
            fields = handle.readline().split()
    except OSError:
        return None
    if fields[:1] != ["cpu"] or len(fields) < 9:
        return None
    return int(fields[8]) / os.sysconf("SC_CLK_TCK")


def _fixed_work():
    table = {}
    for number in range(300000):
        table[number % 1000] = table.get(number % 1000, 0) + number
    return len(sorted(str(number) for number in range(100000)))


def cpu_speed(repeat=3):
    """CPU milliseconds of one fixed piece of pure-Python work (dict updates and a sort, about
    50 ms on a 2.3 GHz Xeon), the least of ``repeat`` tries. Printed beside a round: when it
    moves, the machine itself runs Python faster or slower (frequency, the host's other
    guests, shared caches), and every CPU time measured then moves with it."""
    best = None
    for _try in range(repeat):
        start = time.process_time()
        _fixed_work()
        used = 1000 * (time.process_time() - start)
        best = used if best is None else min(best, used)
    return best


def summary(values):
    """Median, minimum and maximum of per-round values."""
    values = list(values)
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "rounds": values,
    }


def record(benchmark, name, value, unit, anchor=None, anchor_value=None, ratio=None, **extra):
    """One figure of ``benchmark``.

    :param value: the figure (for interleaved rounds: the median of the rounds)
    :param anchor: what it is measured against, in the same run ("requests.Session", ...)
    :param anchor_value: the anchor's figure, in ``unit``
    :param ratio: figure / anchor; for interleaved rounds the median of the
        per-round ratios (pass ``summary(...)`` of them in ``extra`` as ``ratio_rounds``)
    :param extra: anything else worth keeping (``goal``, ``loadavg``, per-round values)
    """
    path = os.environ.get("WFMON_BENCH_RESULTS")
    if not path:
        return

    def finite(number):  # JSON has no NaN or infinity
        return number if not isinstance(number, float) or math.isfinite(number) else None

    value, anchor_value, ratio = finite(value), finite(anchor_value), finite(ratio)
    line = {
        "benchmark": benchmark,
        "name": name,
        "value": value,
        "unit": unit,
        "anchor": anchor,
        "anchor_value": anchor_value,
        "ratio": ratio,
        **extra,
    }
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(line, default=str) + "\n")


def abba(labels, rounds):
    """The order of the configurations ``labels`` (e.g. ``("off", "on")``), round by round:
    off, on | on, off | off, on | ... (ABBA): a drift of the machine or of the process over
    the run weighs on both alike, where off, on | off, on | ... always gives "on" the later
    slot."""
    labels = tuple(labels)
    return [labels if index % 2 == 0 else labels[::-1] for index in range(rounds)]


@contextmanager
def rolled_back(env):
    """The block inside a savepoint rolled back after it, so that the next round starts from
    the same database and the same transaction; what the rolled-back work queued for the
    next commit goes with it (Odoo keeps the commit hooks of a rolled-back savepoint: bus
    notifications, e-mails sent after commit), and the caches are emptied."""
    env.flush_all()
    savepoint = env.cr.savepoint()
    try:
        yield
    finally:
        env.flush_all()
        savepoint.close(rollback=True)
        env.cr.precommit.clear()
        env.cr.postcommit.clear()
        env.invalidate_all()


def scan_cursor(env, key):
    """The id cursor of scanner phase ``key`` (its ``wfmon.scan.mark``): 0 when no pass is in
    progress, so the next call starts a new one."""
    return env["wfmon.scan.mark"]._states([key])[key].cursor


def reset_scan_cursor(env, key):
    """Make the next call of scanner phase ``key`` start a new pass."""
    mark = env["wfmon.scan.mark"]
    mark._save(key, mark._states([key])[key], cursor=0)


def each_size(env, sizes, run_size, progress):
    """``[run_size(size), ...]`` for the comma-separated ``sizes``, each in a savepoint
    rolled back after it (the next size starts from the same database), the caches emptied;
    a size that fails ends the run, the sizes done before it are returned. The whole
    transaction is rolled back at the end, whatever happens."""
    results = []
    try:
        for size in (int(s) for s in sizes.split(",") if s.strip()):
            savepoint = env.cr.savepoint()
            try:
                results.append(run_size(size))
            except Exception as error:  # noqa: BLE001 - report the sizes that completed
                progress(f"{size}: failed ({error!r}); the sizes done before are reported")
                break
            finally:
                env.flush_all()
                savepoint.close(rollback=True)
                env.invalidate_all()
        return results
    finally:
        env.cr.rollback()
        print("(rolled back: the database is unchanged)")


def entry(name, parse_args, run, namespace):
    """Start the benchmark ``name`` (its module's ``globals()`` in ``namespace``): fed to
    ``odoo shell`` on stdin, which provides ``env``, with its options in
    ``WFMON_BENCH_ARGS``; or run as a script, ``python3 bench_<name>.py [options] -d DB``
    (the options it does not know go to Odoo's configuration)."""
    if "env" in namespace:
        args, unknown = parse_args(shlex.split(os.environ.get("WFMON_BENCH_ARGS", "")))
        if unknown:
            sys.exit(f"{name}: unknown option(s) in WFMON_BENCH_ARGS: {unknown}")
        run(namespace["env"], args)
        return
    if namespace.get("__name__") != "__main__":
        return
    args, odoo_args = parse_args(sys.argv[1:])
    os.environ["TZ"] = "UTC"
    time.tzset()
    import odoo
    from odoo import api
    from odoo.tools import config

    config.parse_config(odoo_args)
    odoo.service.server.load_server_wide_modules()
    registry = odoo.modules.registry.Registry(config["db_name"])
    with registry.cursor() as cr:
        run(api.Environment(cr, odoo.SUPERUSER_ID, {}), args)
