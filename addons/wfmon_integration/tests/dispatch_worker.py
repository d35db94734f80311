"""A webhook dispatcher in a process of its own, for ``test_dispatch_processes``.

It loads the registry of a database, writes ``ready`` on stdout and waits for a
line on stdin; then it calls the scheduled action's method,
``wfmon.webhook.delivery._cron_dispatch``, with its commits, until a call
sends nothing, and writes one JSON line: ``{"sent": n, "queries": q}``.
Options other than ``--batch`` are Odoo's (``-d``, ``--db_host``, ...)::

    python3 dispatch_worker.py --batch 5 -d wfmon_test --db_host 127.0.0.1 ...
"""

import argparse
import json
import logging
import sys
import threading


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=20)
    args, odoo_args = parser.parse_known_args()

    import odoo
    from odoo import SUPERUSER_ID, api
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config([*odoo_args, "--log-level=warn"])
    odoo.netsvc.init_logger()
    logging.getLogger("odoo").setLevel(logging.WARNING)
    registry = Registry(odoo.tools.config["db_name"])
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    sys.stdin.readline()
    sent = 0
    # Odoo counts the queries of every cursor used by this thread here (the
    # dispatcher works with two).
    thread = threading.current_thread()
    thread.query_count, thread.query_time = 0, 0.0
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        deliveries = env["wfmon.webhook.delivery"]
        while True:
            done = deliveries._cron_dispatch(batch_size=args.batch)
            cr.commit()  # pylint: disable=invalid-commit  (ir.cron commits after each call)
            sent += done
            if not done:
                break
    sys.stdout.write(json.dumps({"sent": sent, "queries": thread.query_count}) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
