import math
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.wfmon_core.models.wfmon_detector import detectors_off
from odoo.addons.wfmon_core.tools.anomaly import Policy, outliers, scan_rates, scan_values

ANOMALY = "retail.anomaly"
#: POS order states that count as sales
SOLD_STATES = ("paid", "done", "invoiced")


class WfmonRetailAnomaly(models.AbstractModel):
    """Anomalies: stores and cashiers far from their peers.

    Once a day, per company, over the rolling window of the settings:

    * **return rate**: refund orders out of sale orders, per cashier and per
      store;
    * **price deviations**: lines sold with a discount or below the product's
      sales price, out of the lines sold, per cashier and per store;
    * **stock adjustments**: the value of inventory adjustments and scraps of a
      store, per 100 of its POS sales (its logarithm, as amounts span orders
      of magnitude), per store.

    The database aggregates (two grouped queries, whatever the number of
    orders and lines); the verdicts come from core's robust statistics
    (``wfmon_core/tools/anomaly.py``: leave-one-out median and MAD, minimum
    samples, exact binomial tail for rates). A flagged subject gets a
    ``retail.anomaly`` case on the cashier (``res.users``) or the store
    (``wfmon.retail.store``) with the evidence; a subject judged normal again
    has its case resolved. Subjects with too small a sample are left as they
    are.
    """

    _name = "wfmon.retail.anomaly"
    _description = "Retail: anomaly scan"

    @api.model
    def _cron_wfmon_anomalies(self):
        if detectors_off(self.env):
            return
        for company in self.env["res.company"].sudo().search([]):
            self.sudo().with_company(company)._scan_company(company)

    @api.model
    def _scan_company(self, company, now=None):
        """Scan one company; returns the findings judged (all statuses)."""
        now = now or fields.Datetime.now()
        days = max(1, company.wfmon_retail_anomaly_days)
        since = now - timedelta(days=days)
        window = self.env._("the last %s days", days)
        policy = Policy(
            threshold=company.wfmon_retail_anomaly_threshold,
            min_sample=max(1, company.wfmon_retail_anomaly_min_sample),
        )
        sales = self._pos_figures(company, since, now)
        adjustments = self._adjustment_figures(company, since, now)
        configs = self.env["pos.config"].browse({row["config"] for row in sales})
        store_of_config = {config.id: config.wfmon_retail_store_id.id for config in configs.sudo()}
        cashier, store = (
            defaultdict(lambda: defaultdict(float)),
            defaultdict(lambda: defaultdict(float)),
        )
        home = defaultdict(lambda: defaultdict(float))
        for row in sales:
            store_id = store_of_config.get(row["config"])
            for key in ("sales", "refunds", "lines", "deviated", "amount"):
                cashier[row["user"]][key] += row[key]
                if store_id:
                    store[store_id][key] += row[key]
            if store_id:
                home[row["user"]][store_id] += row["sales"]
        findings = []
        labels = {"cashier": {}, "store": {}}
        users = self.env["res.users"].browse(list(cashier))
        stores = self.env["wfmon.retail.store"].browse(list(set(store) | set(adjustments)))
        labels["cashier"] = {user.id: user.name for user in users}
        labels["store"] = {s.id: s.name for s in stores}
        for kind, figures in (("cashier", cashier), ("store", store)):
            findings += self._tag(
                kind,
                scan_rates(
                    {k: (int(v["refunds"]), int(v["sales"])) for k, v in figures.items()},
                    metric="return_rate",
                    metric_label=self.env._("return rate"),
                    labels=labels[kind],
                    window=window,
                    policy=policy,
                ),
            )
            findings += self._tag(
                kind,
                scan_rates(
                    {k: (int(v["deviated"]), int(v["lines"])) for k, v in figures.items()},
                    metric="price_deviation_rate",
                    metric_label=self.env._("share of lines below the sales price"),
                    labels=labels[kind],
                    window=window,
                    policy=policy,
                ),
            )
        adjustment_figures = {}
        for store_id in set(store) | set(adjustments):
            value, _count = adjustments.get(store_id, (0.0, 0))
            sold = store.get(store_id, {}).get("amount", 0.0)
            per_100 = value / sold * 100.0 if sold > 0 else 0.0
            adjustment_figures[store_id] = (
                math.log1p(per_100),
                int(store.get(store_id, {}).get("sales", 0)),
            )
        findings += self._tag(
            "store",
            scan_values(
                adjustment_figures,
                metric="adjustment_value",
                metric_label=self.env._("log(1 + adjustments per 100 sold)"),
                labels=labels["store"],
                window=window,
                policy=policy,
            ),
        )
        self._report(findings, home, stores)
        return findings

    @api.model
    def _tag(self, kind, findings):
        return [(kind, finding) for finding in findings]

    @api.model
    def _pos_figures(self, company, since, until):
        """Per cashier and shop over the window: sale orders, refund orders,
        lines sold, lines sold with a discount or below the sales price, and
        the amount sold. One grouped query."""
        tolerance = company.wfmon_retail_price_tolerance / 100.0
        self.env["pos.order.line"].flush_model()
        self.env["pos.order"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT o.user_id, o.config_id,
                       count(DISTINCT o.id) FILTER (WHERE l.qty > 0),
                       count(DISTINCT o.id) FILTER (WHERE l.qty < 0),
                       count(*) FILTER (WHERE l.qty > 0),
                       count(*) FILTER (WHERE l.qty > 0 AND (
                           l.discount > 0 OR l.price_unit < t.list_price * %(floor)s)),
                       coalesce(sum(l.price_subtotal) FILTER (WHERE l.qty > 0), 0)
                  FROM pos_order_line l
                  JOIN pos_order o ON o.id = l.order_id
                  JOIN product_product p ON p.id = l.product_id
                  JOIN product_template t ON t.id = p.product_tmpl_id
                 WHERE o.company_id = %(company)s
                   AND o.state IN %(states)s
                   AND o.date_order >= %(since)s AND o.date_order < %(until)s
                 GROUP BY o.user_id, o.config_id
                """,
                floor=1.0 - tolerance,
                company=company.id,
                states=SOLD_STATES,
                since=since,
                until=until,
            )
        )
        return [
            {
                "user": user,
                "config": config,
                "sales": sales,
                "refunds": refunds,
                "lines": lines,
                "deviated": deviated,
                "amount": float(amount),
            }
            for user, config, sales, refunds, lines, deviated, amount in self.env.cr.fetchall()
        ]

    @api.model
    def _adjustment_figures(self, company, since, until):
        """``{store id: (value, count)}``: the valued inventory adjustments and
        scraps of each store over the window. One grouped query."""
        self.env["stock.valuation.layer"].flush_model()
        self.env["stock.move"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT s.id, coalesce(sum(abs(v.value)), 0), count(*)
                  FROM stock_valuation_layer v
                  JOIN stock_move m ON m.id = v.stock_move_id
                  JOIN stock_location ls ON ls.id = m.location_id
                  JOIN stock_location ld ON ld.id = m.location_dest_id
                  JOIN wfmon_retail_store s
                    ON s.warehouse_id = coalesce(ls.warehouse_id, ld.warehouse_id)
                 WHERE v.company_id = %(company)s
                   AND (m.is_inventory OR m.scrap_id IS NOT NULL)
                   AND v.create_date >= %(since)s AND v.create_date < %(until)s
                 GROUP BY s.id
                """,
                company=company.id,
                since=since,
                until=until,
            )
        )
        return {store: (float(value), count) for store, value, count in self.env.cr.fetchall()}

    @api.model
    def _report(self, findings, home, stores):
        """Open or refresh the cases of flagged subjects, with their evidence;
        resolve those of subjects judged normal on every metric."""
        flagged = defaultdict(list)
        judged = defaultdict(set)
        for kind, finding in findings:
            if finding.status in ("outlier", "normal", "not_significant", "few_events"):
                judged[kind].add(finding.subject)
        ranked = outliers([finding for _kind, finding in findings])
        order = {id(finding): rank for rank, finding in enumerate(ranked)}
        for kind, finding in sorted(
            ((k, f) for k, f in findings if f.flagged), key=lambda kf: order[id(kf[1])]
        ):
            flagged[(kind, finding.subject)].append(finding)
        detector = self.env["wfmon.detector"]
        store_by_id = {store.id: store for store in stores}
        for kind, model in (("cashier", "res.users"), ("store", "wfmon.retail.store")):
            subjects = list(dict.fromkeys(s for (k, s) in flagged if k == kind))
            records = self.env[model].browse(subjects)
            if records:
                details, payloads, sites, severity = {}, {}, {}, {}
                for record in records:
                    own = flagged[(kind, record.id)]
                    details[record.id] = "\n".join(f.sentence for f in own)
                    payloads[record.id] = {
                        "subject": kind,
                        "findings": [f.as_dict() for f in own],
                    }
                    if kind == "cashier":
                        shops = home.get(record.id) or {}
                        best = max(shops, key=shops.get) if shops else None
                        store = store_by_id.get(best) if best else None
                    else:
                        store = store_by_id.get(record.id)
                    sites[record.id] = store.site_id if store else False
                    strongest = max(abs(f.score) for f in own)
                    severity[record.id] = "high" if strongest >= 2 * own[0].threshold else "medium"
                detector._detect(
                    ANOMALY,
                    records,
                    payloads=payloads,
                    details=details,
                    severity=severity,
                    site=sites,
                )
            normal = self.env[model].browse(sorted(judged[kind] - set(subjects)))
            if normal:
                detector._resolve(
                    ANOMALY,
                    normal,
                    self.env._("Back within the range of its peers at the last anomaly scan."),
                )
