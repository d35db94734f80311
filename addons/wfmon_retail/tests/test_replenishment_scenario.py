import json
from datetime import datetime, timedelta, timezone

from freezegun import freeze_time

from odoo.tests import new_test_user, tagged

from odoo.addons.wfmon_core.tests.common import (
    MONDAY_10,
    capture_events,
    count_queries,
    run_migration,
)

from .common import RetailCase

LOW_STOCK = "retail.low_stock"


@tagged("post_install", "-at_install")
class TestReplenishmentScenario(RetailCase):
    """The seed 000 scenario, end to end, on real records."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.beverages = cls.env["product.category"].create({"name": "Test Beverages"})
        cls.juice.categ_id = cls.beverages
        # A substitute from a vendor that delivers within the policy.
        cls.apple = cls.env["product.product"].create(
            {
                "name": "Apple Juice",
                "type": "consu",
                "is_storable": True,
                "categ_id": cls.beverages.id,
                "list_price": 4.0,
                "standard_price": 2.2,
                "seller_ids": [(0, 0, {"partner_id": cls.vendor.id, "price": 2.2, "delay": 1})],
            }
        )
        cls.rule = cls.env["stock.warehouse.orderpoint"].create(
            {
                "warehouse_id": cls.wh_flagship.id,
                "location_id": cls.wh_flagship.lot_stock_id.id,
                "product_id": cls.juice.id,
                "product_min_qty": 20,
                "product_max_qty": 60,
                "trigger": "manual",
            }
        )
        cls.inbound_robot = new_test_user(
            cls.env,
            login="wfr_n8n",
            name="n8n robot",
            groups="purchase.group_purchase_user,wfmon_core.group_wfmon_user",
        )
        cls.source = cls.env["wfmon.inbound.source"].create(
            {
                "name": "n8n supplier follow-up",
                "user_id": cls.inbound_robot.id,
                "allowed_model_ids": [(6, 0, cls.env.ref("purchase.model_purchase_order").ids)],
            }
        )

    def _sell(self, product, warehouse, qty):
        """A confirmed and delivered sale from the store."""
        customer = self.env["res.partner"].create({"name": "Walk-in"})
        order = self.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "warehouse_id": warehouse.id,
                "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": qty})],
            }
        )
        order.action_confirm()
        for move in order.picking_ids.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        order.picking_ids.button_validate()
        return order

    def _promotion(self, name, product, today):
        """A 10 % promotion on ``product`` at the flagship's till, running from
        yesterday for a week."""
        return self.env["loyalty.program"].create(
            {
                "name": name,
                "program_type": "promotion",
                "trigger": "auto",
                "pos_config_ids": [(6, 0, self.shop_flagship.ids)],
                "date_from": today - timedelta(days=1),
                "date_to": today + timedelta(days=6),
                "rule_ids": [(0, 0, {"product_ids": [(6, 0, product.ids)]})],
                "reward_ids": [
                    (0, 0, {"reward_type": "discount", "discount": 10, "discount_mode": "percent"})
                ],
            }
        )

    def _inbound(self, msg_id, payload):
        event, _duplicate = self.env["wfmon.inbound.event"]._receive(
            self.source,
            msg_id,
            # the signed request's timestamp: stored, checked by the endpoint only
            int(MONDAY_10.replace(tzinfo=timezone.utc).timestamp()),
            json.dumps(payload).encode(),
            "application/json",
            "127.0.0.1",
        )
        event._process()
        return event

    @freeze_time(MONDAY_10)
    def test_promotion_and_low_stock_to_substitute_approved_by_merchandising(self):
        today = MONDAY_10.date()
        # 1. Orange juice is on a promotion at the flagship's till, and sells fast:
        #    66 in stock, 56 sold in the velocity window (4 a day, fast mover from 3).
        self._stock(self.juice, self.wh_flagship, 66)
        promotion = self._promotion("Juice week", self.juice, today)
        self.assertEqual(promotion.wfmon_retail_readiness, "passed")
        self._sell(self.juice, self.wh_flagship, 56)
        self.assertEqual(self.rule.qty_forecast, 10)

        # 2. The scanner opens a high-priority replenishment case.
        with capture_events(self.env) as events:
            self.env["stock.warehouse.orderpoint"]._cron_wfmon_retail_low_stock()
        case = self._cases(LOW_STOCK, self.rule)
        self.assertEqual(len(case), 1)
        self.assertEqual(case.severity, "high")
        self.assertEqual(case.site_id, self.flagship.site_id)
        self.assertIn("Juice week", case.details)
        self.assertIn("promotion running", case.summary)
        self.assertIn("fast mover", case.summary)
        # Its priority score counts the promotion and the 4 units a day.
        factors = {f["factor"]: f for f in case.priority_factors["factors"]}
        self.assertEqual(factors["promotion"]["level"], 1.0)
        self.assertGreater(factors["velocity"]["level"], 0.0)

        # 3. Its RFQ was raised from the rule and, urgent but within the automatic
        #    limit of the urgent policy, approved and confirmed at once.
        order = self.env["purchase.order"].search([("wfmon_retail_case_id", "=", case.id)])
        self.assertEqual(order.order_line.orderpoint_id, self.rule)
        self.assertEqual(order.state, "purchase")
        request = order.wfmon_approval_request_ids
        self.assertEqual(
            request.policy_id,
            self.env.ref("wfmon_retail.approval_policy_replenishment_urgent"),
        )
        self.assertEqual(request.state, "approved")
        self.assertEqual(request.decision_ids.mapped("decision")[:1], ["auto"])

        # 4. The event went out with the RFQ; n8n answers with the supplier's ETA.
        opened = [e for e in events if e.type == LOW_STOCK]
        self.assertEqual(len(opened), 1)
        self.assertEqual(opened[0].data[0]["purchase_order"]["name"], order.name)
        self.assertEqual(opened[0].data[0]["promotions"], ["Juice week"])
        eta = MONDAY_10 + timedelta(days=12)
        with capture_events(self.env) as events:
            event = self._inbound(
                "msg_eta_1",
                {
                    "type": "supplier.eta",
                    "data": {"purchase_order": order.name, "eta": eta.isoformat()},
                },
            )
        self.assertEqual(event.state, "processed", event.reason)
        self.assertEqual(order.wfmon_retail_eta, eta)
        self.assertEqual(order.order_line.date_planned, eta)
        self.assertIn("Supplier ETA", case.details)
        self.assertIn("retail.supplier_eta_recorded", [e.type for e in events])

        # 5. Twelve days is beyond the seven-day policy: the case goes to
        #    merchandising, who approve the suggested substitute.
        self.assertEqual(case.team_id, self.merch_team)
        self.assertEqual(case.user_id, self.merchandiser)
        self.assertEqual(case.escalation_level, 1)
        self.assertIn("retail.substitute_requested", [e.type for e in events])
        substitution = case.wfmon_retail_substitution_ids
        self.assertEqual(substitution.substitute_id, self.apple)
        pending = substitution.wfmon_approval_request_ids
        self.assertEqual(pending.state, "pending")
        self.assertEqual(pending.requester_id, self.inbound_robot)
        self.assertIn(self.merchandiser, pending.assignment_ids.user_id)
        # The next action is on the merchandiser's to-do list.
        todo = case.activity_ids
        self.assertEqual(todo.user_id, self.merchandiser)
        self.assertIn("Decide on a substitute for Orange Juice", todo.summary)
        pending.with_user(self.merchandiser).action_approve()
        self.assertFalse(case.activity_ids, "the to-do is done")
        self.assertEqual(substitution.state, "done")
        self.assertEqual(substitution.purchase_id.order_line.product_id, self.apple)
        self.assertEqual(substitution.purchase_id.wfmon_retail_case_id, case)

        # 6. The audit trail and the dashboard figures: aging, owner, next action.
        actions = case.log_ids.mapped("action")
        self.assertIn("escalate", actions)
        reasons = " ".join(filter(None, case.log_ids.mapped("reason")))
        self.assertIn(order.name, reasons)
        self.assertIn("Substitute Apple Juice approved", reasons)
        self.assertTrue(case.resolution_deadline)
        with freeze_time(MONDAY_10 + timedelta(days=2)):
            case.invalidate_recordset(["age_days", "age_bucket"])
            self.assertEqual(case.age_days, 2)
            # The dashboards group open cases by age bucket, team and owner.
            groups = self.Case._read_group(
                [("id", "=", case.id)], ["age_bucket", "team_id", "user_id"], ["__count"]
            )
        self.assertEqual(groups, [("d1_3", self.merch_team, self.merchandiser, 1)])
        # Its next action: the merchandiser's approval of the substitute was done;
        # the case's clock names the deadline, the RFQs are on it.
        self.assertEqual(
            self.env["purchase.order"].search([("wfmon_retail_case_id", "=", case.id)]),
            order | substitution.purchase_id,
        )
        # The replenishment is on the way: the case stays open until it arrives.
        self.env["stock.warehouse.orderpoint"]._cron_wfmon_retail_low_stock()
        self.assertTrue(case.is_open)
        receipt = order.picking_ids
        for move in receipt.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        receipt.button_validate()
        self.env["stock.warehouse.orderpoint"]._cron_wfmon_retail_low_stock()
        self.assertEqual(case.state, "resolved")

    @freeze_time(MONDAY_10)
    @freeze_time(MONDAY_10)
    def test_promotion_and_velocity_raise_the_priority_score(self):
        today = MONDAY_10.date()
        # Two products low at the flagship: juice on promotion and selling,
        # coffee on no promotion, not sold.
        self._stock(self.juice, self.wh_flagship, 66)
        self._promotion("Juice days", self.juice, today)
        self._sell(self.juice, self.wh_flagship, 56)
        coffee_rule = self.rule.copy({"product_id": self.coffee.id})
        rules = self.rule | coffee_rule
        rules._wfmon_retail_check()
        juice_case, coffee_case = (
            self._cases(LOW_STOCK, self.rule),
            self._cases(LOW_STOCK, coffee_rule),
        )
        # The cases were written with their score, this module's inputs included:
        # nothing is left to compute at flush.
        score = self.env["wfmon.case"]._fields["priority_score"]
        self.assertFalse(self.env.records_to_compute(score) & (juice_case | coffee_case))
        self.env.cr.execute("SELECT priority_score FROM wfmon_case WHERE id = %s", [juice_case.id])
        self.assertEqual(self.env.cr.fetchone()[0], juice_case.priority_score)
        juice = {f["factor"]: f for f in juice_case.priority_factors["factors"]}
        coffee = {f["factor"]: f for f in coffee_case.priority_factors["factors"]}
        self.assertEqual((juice["promotion"]["level"], coffee["promotion"]["level"]), (1.0, 0.0))
        self.assertGreater(juice["velocity"]["level"], 0.0)
        self.assertEqual(coffee["velocity"]["level"], 0.0)
        self.assertGreater(juice_case.priority_score, coffee_case.priority_score)
        self.assertIn("promotion", juice_case.priority_explanation.lower())

    def test_routine_low_stock_and_large_replenishment_wait_for_the_store_manager(self):
        # No promotion, slow seller: low severity, routine policy; above its
        # automatic limit (1,000) the RFQ waits for the store manager.
        self.rule.write({"product_min_qty": 400, "product_max_qty": 700})
        self._stock(self.juice, self.wh_flagship, 100)
        self.rule._wfmon_retail_check()
        case = self._cases(LOW_STOCK, self.rule)
        self.assertEqual(case.severity, "low")
        order = self.env["purchase.order"].search([("wfmon_retail_case_id", "=", case.id)])
        self.assertEqual(order.state, "draft")
        request = order.wfmon_approval_request_ids
        self.assertEqual(
            request.policy_id, self.env.ref("wfmon_retail.approval_policy_replenishment")
        )
        self.assertEqual(request.state, "pending")
        self.assertIn(self.manager_north, request.assignment_ids.user_id)
        request.with_user(self.manager_north).action_approve()
        self.assertEqual(order.state, "purchase")
        self.assertIn("confirmed", " ".join(filter(None, case.log_ids.mapped("reason"))))
        # Stock arrives: the case resolves.
        self._stock(self.juice, self.wh_flagship, 600)
        self.rule._wfmon_retail_check()
        self.assertEqual(case.state, "resolved")

    @freeze_time(MONDAY_10)
    def test_vendor_lead_time_beyond_policy_escalates_at_detection(self):
        self.coffee.categ_id = self.env["product.category"].create({"name": "Test Coffee"})
        rule = self.env["stock.warehouse.orderpoint"].create(
            {
                "warehouse_id": self.wh_standard.id,
                "location_id": self.wh_standard.lot_stock_id.id,
                "product_id": self.coffee.id,  # its vendor needs 20 days
                "product_min_qty": 10,
                "product_max_qty": 30,
                "trigger": "manual",
            }
        )
        rule._wfmon_retail_check()
        case = self._cases(LOW_STOCK, rule)
        self.assertEqual(case.severity, "medium")  # stockout
        self.assertEqual(case.team_id, self.merch_team)
        substitution = case.wfmon_retail_substitution_ids
        self.assertEqual(len(substitution), 1)
        # Nothing suitable to suggest: merchandising chooses, a colleague approves.
        self.assertFalse(substitution.substitute_id)
        self.assertFalse(substitution.wfmon_approval_request_ids)
        # A second check does not escalate twice.
        rule._wfmon_retail_check()
        self.assertEqual(len(case.wfmon_retail_substitution_ids), 1)
        self.assertEqual(case.escalation_level, 1)

    def _last_run_at(self, when):
        """Move the low-stock scanner's watermark (kept in its scanner mark,
        not in a system parameter) to ``when``."""
        mark = self.env["wfmon.scan.mark"].search([("name", "=", "wfmon_retail.low_stock.since")])
        self.assertTrue(mark, "the scanner keeps its watermark in its mark")
        mark.write({"since": when})

    def test_upgrade_moves_the_watermark_into_its_mark(self):
        """A database upgraded from a version that kept the watermark in a
        system parameter keeps it, and the parameter goes."""
        Params = self.env["ir.config_parameter"].sudo()
        Params.set_param("wfmon_retail.low_stock.since", "2026-11-20 08:30:00")
        run_migration(self.env, "wfmon_retail", "18.0.1.1.0")
        self.assertFalse(Params.get_param("wfmon_retail.low_stock.since"))
        mark = self.env["wfmon.scan.mark"].search([("name", "=", "wfmon_retail.low_stock.since")])
        self.assertEqual(mark.since, datetime(2026, 11, 20, 8, 30))

    def test_nothing_moved_costs_a_few_queries(self):
        """The scanner reads the rules of products that moved since its last run
        only: right after a run, with nothing moved, it reads no rule."""
        Rule = self.env["stock.warehouse.orderpoint"]
        Rule._cron_wfmon_retail_low_stock()
        # As if the last run was after everything this test wrote.
        later = self.env.cr.now() + timedelta(minutes=1)
        self._last_run_at(later)
        with count_queries(self.env) as counted:
            self.assertEqual(Rule._cron_wfmon_retail_low_stock(), 0)
        # The cursor, the stores, two aggregates (moves, POS lines), one search of
        # rules, the new cursor, then the due pass (case type, one anti-join to
        # open, one to resolve): a constant, whatever the number of rules.
        self.assertLessEqual(counted.count, 16)

    @freeze_time(MONDAY_10)
    def test_idle_due_scan_never_reads_the_open_cases(self):
        """The due-driven pass of the low-stock scanner (core's ``_scan_due`` on
        the stored signal) costs the same few queries with 3 or 23 rules below
        their minimum and their case open: it never reads them. A rule whose
        case was closed while still below is checked again; a rule no longer
        below nor short has its case resolved."""
        Rule = self.env["stock.warehouse.orderpoint"]
        detector = self.env["wfmon.retail.detector"]

        def low_rules(count):
            products = self.env["product.product"].create(
                [
                    {
                        "name": f"Low {index}",
                        "type": "consu",
                        "is_storable": True,
                        "seller_ids": [(0, 0, {"partner_id": self.vendor.id, "price": 1.0})],
                    }
                    for index in range(count)
                ]
            )
            rules = Rule.create(
                [
                    {
                        "warehouse_id": self.wh_flagship.id,
                        "location_id": self.wh_flagship.lot_stock_id.id,
                        "product_id": product.id,
                        "product_min_qty": 5,
                        "product_max_qty": 10,
                        "trigger": "manual",
                    }
                    for product in products
                ]
            )
            rules._wfmon_engine().write({"wfmon_retail_below": True, "wfmon_retail_short": True})
            detector._detect(LOW_STOCK, rules, site=self.flagship.site_id)
            return rules

        def idle_pass():
            # As if the last run was after everything this test wrote: nothing moved.
            later = self.env.cr.now() + timedelta(minutes=1)
            self._last_run_at(later)
            with count_queries(self.env) as counted:
                Rule._cron_wfmon_retail_low_stock()
            return counted.count

        rules = low_rules(3)
        Rule._cron_wfmon_retail_low_stock()
        small = idle_pass()
        rules |= low_rules(20)
        Rule._cron_wfmon_retail_low_stock()
        large = idle_pass()
        self.assertEqual(len(self._cases(LOW_STOCK, rules).filtered("is_open")), 23)
        self.assertEqual(small, large, "the idle pass reads the open cases")
        self.assertLessEqual(large, 20, "the idle pass costs a fixed handful of queries")
        # Signal cleared (the rule is neither below nor short): the pass resolves.
        rules[:2]._wfmon_engine().write({"wfmon_retail_below": False, "wfmon_retail_short": False})
        idle_pass()
        self.assertEqual(self._cases(LOW_STOCK, rules[:2]).mapped("is_open"), [False, False])
        # A case closed by hand while the rule is still below: checked again.
        rule = rules[2]
        detector._resolve(LOW_STOCK, rule, "closed by hand")
        self._stock(rule.product_id, self.wh_flagship, 1)
        idle_pass()
        self.assertTrue(self._cases(LOW_STOCK, rule).filtered("is_open"))
