from datetime import datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from odoo.addons.wfmon_core.tests.common import MONDAY_10, capture_events

from .common import DistributionCase

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
        # The supervisor's from its creation: one "open" line, one case.opened event
        # naming the owner, no assignment afterwards.
        self.assertEqual(case.state, "assigned")
        self.assertEqual(case.log_ids.mapped("action"), ["open"])
        opened = [e for e in events if e[0] == "case.opened" and case.id in e[2]]
        self.assertEqual(len(opened), 1)
        self.assertEqual(opened[0][3][opened[0][2].index(case.id)]["owner"], "wfd_supervisor")
        self.assertFalse([e for e in events if e[0] == "case.updated" and case.id in e[2]])
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

    def test_the_case_and_the_queue_say_how_late_the_picking_is(self):
        """The case's clock starts when the case opens; how late the picking is
        shows beside it, in working hours since its scheduled date."""
        _order, picking = self._late_delivery()
        with freeze_time("2026-11-24 10:00:00"):
            self.env["stock.picking"]._cron_wfmon_picking_sla()
            case = self._cases(PICKING_LATE, picking)
            self.assertEqual(case.picking_lateness, "8 working hours late")
        # A manager without Inventory rights reads it too, in the case and the queue.
        manager = new_test_user(
            self.env, login="wfd_lateness_manager", groups="wfmon_core.group_wfmon_manager"
        )
        Case = self.env(user=manager)["wfmon.case"]
        # Monday 23 10:00 to Monday 7 14:00 in a 9-17 week: 84 working hours.
        with freeze_time("2026-12-07 14:00:00"):
            self.env.invalidate_all()
            shown = Case.browse(case.id)
            self.assertEqual(shown.picking_late_hours, 84.0)
            self.assertEqual(shown.picking_lateness, "84 working hours late")
            action = self.env["ir.actions.act_window"]._for_xml_id(
                "wfmon_distribution.wfmon_case_action_supervisor_queue"
            )
            arch = Case.get_views([(False, "list")])["views"]["list"]["arch"]
            self.assertIn('name="picking_lateness"', arch)
            rows = Case.web_search_read(
                [*safe_eval(action["domain"]), ("id", "=", case.id)],
                {"picking_lateness": {}, "sla_status": {}},
            )["records"]
            self.assertEqual(rows[0]["picking_lateness"], "84 working hours late")
            form = Case.get_views([(False, "form")])["views"]["form"]["arch"]
            self.assertIn('name="picking_lateness"', form)
        # Done, cancelled or not late yet: nothing to say.
        with freeze_time("2026-12-07 14:00:00"):
            picking.scheduled_date = datetime(2026, 12, 8, 10, 0)
            self.env.invalidate_all()
            self.assertFalse(Case.browse(case.id).picking_lateness)
            self.assertEqual(Case.browse(case.id).picking_late_hours, 0.0)

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

    def test_partly_reserved_picking_is_late_as_unreserved(self):
        """Under "As soon as possible" a delivery with 2 of 5 reserved is "Ready":
        the severity reads the quantities, not that state."""
        _order, picking = self._late_delivery(stock=2)
        self.assertEqual((picking.state, picking.move_ids.quantity), ("assigned", 2))
        with freeze_time("2026-11-24 10:00:00"):
            self.env["stock.picking"]._cron_wfmon_picking_sla()
        self.assertEqual(self._cases(PICKING_LATE, picking).severity, "high")


@tagged("post_install", "-at_install")
class TestSeed003PriorityOrder(DistributionCase):
    """Seed 003 end to end: a priority B2B order is confirmed and reserved; another
    transfer consumes its stock; the delivery stays unassigned past its SLA; a
    case opens for the warehouse supervisor and escalates to the team lead, and
    the events go out; the lead proposes the recommended transfer from the other
    warehouse, the supervisor approves it, it runs by itself, customer service
    is told, and the case's log holds the whole decision trail."""

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
        # The demo's deliveries may be late on that Monday too, and share the batch.
        published = {(e[0], e[1], record_id) for e in events for record_id in e[2]}
        self.assertIn(("distribution.picking_late", "stock.picking", delivery.id), published)
        self.assertIn(("case.opened", "wfmon.case", case.id), published)

        # Critical: 4 working hours to resolve (Mon 15-17 + Tue 9-11). At Tuesday
        # noon core's SLA scanner finds it breached and hands it to the team lead.
        with freeze_time("2026-11-24 12:00:00"), capture_events(self.env) as events:
            self.env["wfmon.case"]._cron_scan_sla()
        self.assertEqual(case.sla_status, "breached")
        self.assertEqual(case.user_id, self.lead)
        self.assertGreaterEqual(case.escalation_level, 1)
        kinds = {e[0] for e in events if case.id in e[2]}
        self.assertTrue({"case.breached", "case.escalated"} <= kinds)
        self.assertTrue(case.log_ids.filtered(lambda log: log.action == "escalate"))
        # South has the widgets free: the case recommends a transfer from there.
        self._stock(self.widget, self.wh_south, 8)
        self.assertEqual(case.remedy_picking_id, delivery)
        action = case.with_user(self.lead).action_wfmon_propose_remedy()
        Remedy = self.env["wfmon.distribution.remedy"].with_user(self.lead)
        with Form(Remedy.with_context(**action["context"])) as form:
            self.assertEqual(form.kind, "transfer")
            self.assertEqual(form.source_warehouse_id, self.wh_south)
            self.assertIn("Distribution South can send 5.0 of the 5.0 missing", form.recommendation)
            form.note = "Priority customer, carrier cutoff 16:00"
        remedy = form.record
        self.assertEqual(remedy.line_ids.mapped("quantity"), [5.0])
        with freeze_time("2026-11-24 12:10:00"), capture_events(self.env) as events:
            response = remedy.action_apply()
        self.assertEqual(response["tag"], "display_notification", "sent for approval")
        self.assertEqual((remedy.state, remedy.wfmon_approval_state), ("draft", "pending"))
        request = remedy.wfmon_approval_request_ids
        self.assertEqual(
            request.policy_id, self.env.ref("wfmon_distribution.approval_policy_remedy")
        )
        self.assertEqual(request.assignment_ids.user_id, self.supervisor, "the supervisor's queue")
        self.assertIn("approval.requested", [e[0] for e in events])
        # The supervisor approves from the to-do; the transfer is created by itself.
        with freeze_time("2026-11-24 12:30:00"), capture_events(self.env) as events:
            request.with_user(self.supervisor).action_approve(reason="South has slack today")
        self.assertEqual(remedy.state, "done")
        transfer = remedy.result_picking_id
        self.assertEqual(transfer.picking_type_id, self.wh_south.int_type_id)
        self.assertEqual(transfer.location_dest_id, self.wh_north.lot_stock_id)
        self.assertEqual(transfer.state, "assigned")
        self.assertEqual(transfer.move_ids.product_uom_qty, 5.0)
        self.assertIn("distribution.remedy_applied", [e[0] for e in events])
        payload = remedy._wfmon_event_data()[0]
        self.assertEqual((payload["from_warehouse"], payload["result"]), ("DSO", transfer.name))
        # Customer service is told: a to-do on the order.
        self.assertIn("Tell Acme B2B about the delivery", order.activity_ids.mapped("summary"))
        # The decision trail, on the case: proposed, sent for approval, applied
        # under the request and by whom.
        trail = case.log_ids.filtered(lambda log: log.res_model == remedy._name)
        self.assertEqual(trail.sorted("id").mapped("action"), ["note", "approval", "approval"])
        self.assertIn(request.name, trail.sorted("id")[-1].reason)
        self.assertIn("North Supervisor", trail.sorted("id")[-1].reason)
        self.assertEqual(
            request.decision_ids.sorted("id").mapped("decision"), ["submit", "approve", "resume"]
        )
        # The transfer arrives: the delivery is reserved, ships, and the case resolves.
        with freeze_time("2026-11-24 13:00:00"):
            self._validate(transfer)
            self.assertEqual(delivery.state, "assigned")
            self._validate(delivery)
            self.env["stock.picking"]._cron_wfmon_picking_sla()
        self.assertEqual(case.state, "resolved")


@tagged("post_install", "-at_install")
class TestRemedySplit(DistributionCase):
    """Seed 003's other option: when no warehouse has the rest free, the case
    recommends shipping the reserved part now; approved, the delivery splits."""

    def test_split_shipment(self):
        self._stock(self.widget, self.wh_north, 3)
        order = self._order([(self.widget, 5)])
        order.action_confirm()
        delivery = order.picking_ids
        self.assertEqual(delivery.move_ids.quantity, 3.0)
        Remedy = self.env["wfmon.distribution.remedy"].with_user(self.lead)
        with Form(Remedy.with_context(default_picking_id=delivery.id)) as form:
            self.assertEqual(form.kind, "split")
            self.assertIn("Part of the delivery is reserved", form.recommendation)
        remedy = form.record
        remedy.action_apply()
        remedy.wfmon_approval_request_ids.with_user(self.supervisor).action_approve()
        self.assertEqual(remedy.state, "done")
        backorder = remedy.result_picking_id
        self.assertEqual(backorder.backorder_id, delivery)
        self.assertEqual(delivery.move_ids.product_uom_qty, 3.0)
        self.assertEqual(backorder.move_ids.product_uom_qty, 2.0)
        self.assertEqual(delivery.state, "assigned", "the reserved part ships now")

    def test_proposer_cannot_approve_and_outsiders_cannot_see(self):
        self._stock(self.widget, self.wh_north, 3)
        order = self._order([(self.widget, 5)])
        order.action_confirm()
        remedy = (
            self.env["wfmon.distribution.remedy"]
            .with_user(self.lead)
            .create({"picking_id": order.picking_ids.id, "kind": "split"})
        )
        remedy.action_apply()
        request = remedy.wfmon_approval_request_ids
        with self.assertRaises(AccessError):
            request.with_user(self.lead).action_approve()
        stranger = new_test_user(
            self.env, login="wfd_stranger", name="Other Store", groups="wfmon_core.group_wfmon_user"
        )
        with self.assertRaises(AccessError):
            remedy.with_user(stranger).read(["name"])
        Line = self.env["wfmon.distribution.remedy.line"]
        self.assertFalse(Line.with_user(stranger).search([("id", "in", remedy.line_ids.ids)]))
        self.assertEqual(
            Line.with_user(self.lead).search([("id", "in", remedy.line_ids.ids)]),
            remedy.line_ids,
        )
