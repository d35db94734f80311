#!/usr/bin/env python3
"""Benchmark of the distribution detectors on the hot paths and in the scanners.

Confirms N sale orders and validates their pickings twice in one run: once with the
detectors switched off (context ``wfmon_distribution_disable``, i.e. what Odoo does without
this module's overrides) and once with them on, then prints times, query counts and the
ratio. Optionally creates M late pickings and times the late-picking scanner. Everything
happens in one transaction that is rolled back: the database is left as it was.

Needs a database with wfmon_distribution installed::

    python3 benchmarks/bench_distribution.py \\
        -d wfdist --db_host 127.0.0.1 --db_user odoo --db_password odoo \\
        --addons-path /opt/odoo/addons,/opt/odoo/odoo/addons,addons --orders 1000 --pickings 10000

Half of the orders miss stock (fulfillment cases), every picking is short-picked by one unit
(pick-shortage cases and backorders): the detectors do their full work.
"""

import argparse
import time

import odoo
from odoo import api
from odoo.tools import config

NO_MONITOR = {"wfmon_distribution_disable": True, "tracking_disable": True}


def measure(env, func):
    env.flush_all()
    env.invalidate_all()
    queries = env.cr.sql_log_count
    start = time.perf_counter()
    func()
    env.flush_all()
    return time.perf_counter() - start, env.cr.sql_log_count - queries


def make_orders(env, warehouse, products, count, tag):
    partner = env["res.partner"].create({"name": f"Bench customer {tag}"})
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
    for move in orders.picking_ids.move_ids:
        move.quantity = max(move.product_uom_qty - 1, 0)
        move.picked = True
    return orders.picking_ids


def run(env, orders_count, pickings_count):
    warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
    Product = env["product.product"]
    in_stock = Product.create({"name": "Bench stocked", "is_storable": True, "type": "consu"})
    short = Product.create({"name": "Bench short", "is_storable": True, "type": "consu"})
    env["stock.quant"]._update_available_quantity(
        in_stock, warehouse.lot_stock_id, orders_count * 10
    )
    env["stock.quant"]._update_available_quantity(short, warehouse.lot_stock_id, orders_count)
    products = (in_stock, short)
    # Warm-up (not measured): fills the registry's and ORM caches for both runs.
    warm = make_orders(env, warehouse, products, 5, "warm-up")
    warm.action_confirm()
    short_pick(warm).with_context(skip_backorder=True).button_validate()
    # A-B-B-A: each configuration runs once early and once late, so that cache
    # warming and table growth weigh the same on both; the two runs are averaged.
    configs = {"without": NO_MONITOR, "with": {"tracking_disable": True}}
    results = {}
    for run_index, label in enumerate(("without", "with", "with", "without")):
        ctx = configs[label]
        orders = make_orders(env, warehouse, products, orders_count, f"{label}{run_index}")
        orders = orders.with_context(**ctx)
        for step, func in (
            ("confirm", lambda o=orders: o.action_confirm()),
            (
                "validate",
                lambda o=orders, c=ctx: (
                    short_pick(o).with_context(skip_backorder=True, **c).button_validate()
                ),
            ),
        ):
            seconds, queries = measure(env, func)
            old_seconds, old_queries = results.get((label, step), (0.0, 0))
            results[(label, step)] = (old_seconds + seconds / 2, old_queries + queries / 2)
    print(f"{orders_count} sale orders, one line each; half short of stock; all short-picked")
    for step in ("confirm", "validate"):
        (t0, q0), (t1, q1) = results[("without", step)], results[("with", step)]
        print(
            f"{step:>9}: without {t0:7.2f}s {q0:7.0f} queries | with {t1:7.2f}s {q1:7.0f} queries"
            f" | ratio {t1 / t0:5.2f}x time, {q1 / max(q0, 1):5.2f}x queries"
        )
    total0 = sum(results[("without", s)][0] for s in ("confirm", "validate"))
    total1 = sum(results[("with", s)][0] for s in ("confirm", "validate"))
    print(f"    total: ratio {total1 / total0:5.2f}x (goal <= 1.10x)")
    if pickings_count:
        customers = env.ref("stock.stock_location_customers")
        past = odoo.fields.Datetime.now().replace(year=2020)
        pickings = env["stock.picking"].create(
            [
                {
                    "picking_type_id": warehouse.out_type_id.id,
                    "scheduled_date": past,
                    "move_ids": [
                        (
                            0,
                            0,
                            {
                                "name": "bench",
                                "product_id": short.id,
                                "product_uom_qty": 1,
                                "product_uom": short.uom_id.id,
                                "location_id": warehouse.lot_stock_id.id,
                                "location_dest_id": customers.id,
                            },
                        )
                    ],
                }
                for _i in range(pickings_count)
            ]
        )
        pickings.with_context(**NO_MONITOR).action_confirm()
        pickings.write({"scheduled_date": past})
        scanner = env["stock.picking"].with_context(tracking_disable=True)
        calls, elapsed, queries = 0, 0.0, 0
        while True:
            seconds, count = measure(env, scanner._cron_wfmon_picking_sla)
            calls, elapsed, queries = calls + 1, elapsed + seconds, queries + count
            cursor = env["ir.config_parameter"].get_param(
                "wfmon_distribution.scan_cursor.picking_sla"
            )
            if not cursor or cursor == "0":
                break
        print(
            f"  scanner: {pickings_count} late pickings in {calls} call(s), {elapsed:.2f}s, "
            f"{queries} queries ({queries / pickings_count:.3f} per picking)"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--pickings", type=int, default=0)
    args, odoo_args = parser.parse_known_args()
    config.parse_config(odoo_args)
    odoo.service.server.load_server_wide_modules()
    registry = odoo.modules.registry.Registry(config["db_name"])
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        try:
            run(env, args.orders, args.pickings)
        finally:
            cr.rollback()


if __name__ == "__main__":
    main()
