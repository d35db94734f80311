from odoo import models

#: retail cases whose source is a store's reordering rule or purchase
RULE = "stock.warehouse.orderpoint"
PURCHASE = "purchase.order"


class WfmonCase(models.Model):
    """Retail inputs of the advisory priority score: whether a promotion runs
    on the product at the store (share of its promotions' stores for a
    purchase) and how fast it sells there (units a day), for the low-stock
    cases on a store's reordering rule and the late-vendor cases on a store's
    purchase. The case's business impact stays the value at risk.

    A fixed number of queries per batch (whatever the number of cases): the
    rules and purchases at once, then the detector's promotion lookup (one
    query plus one per promotion rule) and velocity (two aggregates per store).
    """

    _inherit = "wfmon.case"  # pylint: disable=consider-merging-classes-inherited

    def _wfmon_priority_inputs(self):
        result = super()._wfmon_priority_inputs()
        # sudo: the score is stored for everyone who sees the case; it reads
        # stock rules, purchases, promotions and sales figures for it.
        cases = self.sudo().filtered(lambda c: c.res_model in (RULE, PURCHASE) and c.res_id)
        if not cases:
            return result
        rule_ids = {c.res_id for c in cases if c.res_model == RULE}
        order_ids = {c.res_id for c in cases if c.res_model == PURCHASE}
        rules = self.env[RULE].sudo().browse(rule_ids).exists()
        orders = self.env[PURCHASE].sudo().browse(order_ids).exists()
        warehouses = rules.warehouse_id | orders.picking_type_id.warehouse_id
        detector = self.env["wfmon.retail.detector"]
        stores = detector._stores(warehouses)
        if not stores:
            return result
        store_set = self.env["wfmon.retail.store"].sudo().browse([s.id for s in stores.values()])
        products = rules.product_id | orders.order_line.product_id
        promoted = detector._promoted(products, store_set)
        velocity = detector._velocity(products, store_set)

        def inputs(product_ids, store):
            per_day = [velocity.get((pid, store.id), 0.0) for pid in product_ids]
            on_promotion = [bool(promoted.get((pid, store.id))) for pid in product_ids]
            if not product_ids:
                return {}
            return {
                # A purchase of several products: the share of them on promotion.
                "promotion": on_promotion[0]
                if len(on_promotion) == 1
                else sum(on_promotion) / len(on_promotion),
                "velocity": max(per_day),
            }

        by_rule = {rule.id: rule for rule in rules}
        by_order = {order.id: order for order in orders}
        for case in cases:
            if case.res_model == RULE and case.res_id in by_rule:
                rule = by_rule[case.res_id]
                store = stores.get(rule.warehouse_id.id)
                found = inputs([rule.product_id.id], store) if store else {}
            elif case.res_model == PURCHASE and case.res_id in by_order:
                order = by_order[case.res_id]
                store = stores.get(order.picking_type_id.warehouse_id.id)
                found = inputs(order.order_line.product_id.ids, store) if store else {}
            else:
                found = {}
            if found:
                result.setdefault(case.id, {}).update(found)
        return result
