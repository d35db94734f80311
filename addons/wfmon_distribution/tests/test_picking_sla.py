from datetime import datetime

from freezegun import freeze_time

from odoo.tests import tagged

from .common import MONDAY_10, DistributionCase, capture_events

PICKING_LATE = "distribution.picking_late"


@tagged("post_install", "-at_install")
class TestPickingSla(DistributionCase):
    """D2: a delivery not done within its warehouse's SLA window (working hours)
    after its scheduled date opens a case owned by the warehouse supervisor and
    raises the picking's priority."""

    def _late_delivery(self, stock=0):
        if stock:
            self._stock(self.widget, self.wh_north, stock)
        with freeze_time(MONDAY_10):
            order = self._order([(self.widget, 5)])
            order.action_confirm()
        picking = order.picking_ids
        picking.scheduled_date = MONDAY_10
        return order, picking

    def test_late_picking_opens_case_and_reprioritises(self):
        order, picking = self._late_delivery()
        scan = self.env["stock.picking"]._cron_wfmon_picking_sla
        # 3 working hours later: inside the 4 h window.
        with freeze_time("2026-11-23 13:00:00"):
            scan()
        self.assertFalse(self._cases(PICKING_LATE, picking))
        # Monday 10:00 -> Tuesday 10:00 is 8 working hours (9-17 calendar): 4 h late.
        with freeze_time("2026-11-24 10:00:00"), capture_events(self.env) as events:
            scan()
        case = self._cases(PICKING_LATE, picking)
        self.assertEqual(len(case), 1)
        self.assertEqual(case.severity, "high", "unreserved picking")
        self.assertEqual(case.user_id, self.supervisor)
        self.assertEqual(case.site_id, self.wh_north.wfmon_site_id)
        self.assertEqual(picking.priority, "1")
        self.assertIn("not started", case.details)
        self.assertIn("4.0 working hours past its 4.0 h window", case.details)
        self.assertEqual(case.distribution_line_ids.product_id, self.widget)
        published = [
            e for e in events if e[0] == "distribution.picking_late" and picking.id in e[2]
        ]
        self.assertEqual(len(published), 1)
        _type, _model, ids, payloads = published[0]
        self.assertIn(picking.id, ids)
        self.assertEqual(payloads[ids.index(picking.id)]["sale_order"], order.name)
        # A second scan leaves the case as it is (no duplicate, no new event).
        with freeze_time("2026-11-24 11:00:00"), capture_events(self.env) as events:
            scan()
        self.assertEqual(self._cases(PICKING_LATE, picking), case)
        self.assertEqual(case.occurrence_count, 1)
        self.assertFalse(
            [e for e in events if e[0] == "distribution.picking_late" and picking.id in e[2]]
        )

    def test_weekend_does_not_count(self):
        """Scheduled Friday 16:00, window 4 h: Monday 11:00 is 3 working hours."""
        _order, picking = self._late_delivery()
        picking.scheduled_date = datetime(2026, 11, 27, 16, 0)
        with freeze_time("2026-11-30 11:00:00"):
            self.env["stock.picking"]._cron_wfmon_picking_sla()
        self.assertFalse(self._cases(PICKING_LATE, picking))
        with freeze_time("2026-11-30 13:30:00"):
            self.env["stock.picking"]._cron_wfmon_picking_sla()
        self.assertTrue(self._cases(PICKING_LATE, picking))

    def test_warehouse_override_and_resolution(self):
        self.wh_north.wfmon_picking_sla_hours = 1.0
        _order, picking = self._late_delivery(stock=5)
        with freeze_time("2026-11-23 11:30:00"):
            self.env["stock.picking"]._cron_wfmon_picking_sla()
        case = self._cases(PICKING_LATE, picking)
        self.assertEqual(case.severity, "medium", "reserved, not yet picked")
        with freeze_time("2026-11-23 12:00:00"):
            self._validate(picking)
            self.env["stock.picking"]._cron_wfmon_picking_sla()
        self.assertEqual(case.state, "resolved")


@tagged("post_install", "-at_install")
class TestSeed003PriorityOrder(DistributionCase):
    """Seed 003 end to end: a priority B2B order is confirmed and reserved; another
    transfer consumes its stock; the delivery stays unassigned past its SLA; a
    case opens for the warehouse supervisor and escalates to the team lead, and
    the events go out."""

    def test_priority_order_losing_its_stock_escalates(self):
        self._stock(self.widget, self.wh_north, 5)
        with freeze_time(MONDAY_10):
            order = self._order([(self.widget, 5)], client_order_ref="B2B-PRIORITY")
            order.action_confirm()
            delivery = order.picking_ids
            delivery.priority = "1"
            self.assertEqual(delivery.state, "assigned")
            # Another transfer takes the same 5 widgets out of stock.
            other = self.env["stock.picking"].create(
                {
                    "picking_type_id": self.wh_north.out_type_id.id,
                    "partner_id": self.vendor.id,
                    "move_ids": [
                        (
                            0,
                            0,
                            {
                                "name": "Urgent walk-in",
                                "product_id": self.widget.id,
                                "product_uom_qty": 5,
                                "product_uom": self.widget.uom_id.id,
                                "location_id": self.wh_north.lot_stock_id.id,
                                "location_dest_id": self.env.ref(
                                    "stock.stock_location_customers"
                                ).id,
                            },
                        )
                    ],
                }
            )
            other.action_confirm()
            other.move_ids.quantity = 5
            self._validate(other)
        self.assertEqual(other.state, "done")
        self.assertNotEqual(delivery.state, "assigned", "its reservation was consumed")

        with freeze_time("2026-11-23 15:00:00"), capture_events(self.env) as events:
            self.env["stock.picking"]._cron_wfmon_picking_sla()
        case = self._cases(PICKING_LATE, delivery)
        self.assertEqual(case.severity, "critical", "priority picking without stock")
        self.assertEqual(case.user_id, self.supervisor)
        self.assertEqual(case.team_id, self.team)
        self.assertEqual(case.distribution_line_ids.missing_qty, 5)
        self.assertIn(
            ("distribution.picking_late", "stock.picking", (delivery.id,)), [e[:3] for e in events]
        )
        self.assertIn(("case.opened", "wfmon.case", (case.id,)), [e[:3] for e in events])

        # Critical: 4 working hours to resolve (Mon 15-17 + Tue 9-11). At Tuesday
        # noon core's SLA scanner finds it breached and hands it to the team lead.
        with freeze_time("2026-11-24 12:00:00"), capture_events(self.env) as events:
            self.env["wfmon.case"]._cron_scan_sla()
        self.assertEqual(case.sla_status, "breached")
        self.assertEqual(case.user_id, self.lead)
        self.assertGreaterEqual(case.escalation_level, 1)
        kinds = {e[0] for e in events if e[2] == (case.id,)}
        self.assertTrue({"case.breached", "case.escalated"} <= kinds)
        self.assertTrue(case.log_ids.filtered(lambda log: log.action == "escalate"))
        # The picking is finally served from new stock: the case resolves.
        self._stock(self.widget, self.wh_north, 5)
        delivery.action_assign()
        with freeze_time("2026-11-24 13:00:00"):
            self._validate(delivery)
            self.env["stock.picking"]._cron_wfmon_picking_sla()
        self.assertEqual(case.state, "resolved")
