import json
from datetime import timezone

from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.wfmon_core.tests.common import MONDAY_10, capture_events

from .common import DistributionCase

CARRIER = "distribution.carrier_exception"


@tagged("post_install", "-at_install")
class TestCarrierException(DistributionCase):
    """D8: a carrier event naming a picking opens, bumps and resolves its
    logistics case; it arrives through wfmon_integration's verified inbound
    endpoint (the HTTP and signature path is tested there)."""

    def test_label_failure_then_delivered(self):
        self._stock(self.widget, self.wh_north, 5)
        order = self._order([(self.widget, 5)])
        order.action_confirm()
        picking = order.picking_ids
        Picking = self.env["stock.picking"]
        with capture_events(self.env) as events:
            case = Picking._wfmon_carrier_event(
                {
                    "reference": picking.name,
                    "status": "label_failed",
                    "carrier": "FastShip",
                    "message": "Invalid ZIP code",
                }
            )
        self.assertEqual(case.res_id, picking.id)
        self.assertEqual(case.severity, "high")
        self.assertIn("Invalid ZIP code", case.details)
        self.assertEqual(case.site_id, self.wh_north.wfmon_site_id)
        self.assertTrue([e for e in events if e[0] == "distribution.carrier_exception"])
        again = Picking._wfmon_carrier_event(
            {"reference": order.name, "status": "exception", "message": "Retry failed"}
        )
        self.assertEqual(again, case, "found through the origin, same case bumped")
        self.assertEqual(case.occurrence_count, 2)
        Picking._wfmon_carrier_event({"reference": picking.name, "status": "delivered"})
        self.assertEqual(case.state, "resolved")

    def test_unknown_picking_is_refused(self):
        with self.assertRaisesRegex(UserError, "No picking"):
            self.env["stock.picking"]._wfmon_carrier_event(
                {"reference": "NOPE/0001", "status": "exception"}
            )

    def _inbound(self, source, msg_id, payload):
        """Store a verified request as the endpoint does, then process it."""
        Event = self.env["wfmon.inbound.event"]
        event, _duplicate = Event._receive(
            source,
            msg_id,
            # the signed request's timestamp: stored, checked by the endpoint only
            int(MONDAY_10.replace(tzinfo=timezone.utc).timestamp()),
            json.dumps(payload).encode(),
            "application/json",
            "127.0.0.1",
        )
        event._process()
        return event

    def test_carrier_webhook_opens_and_resolves_the_case(self):
        self._stock(self.widget, self.wh_north, 5)
        order = self._order([(self.widget, 5)])
        order.action_confirm()
        picking = order.picking_ids
        carrier_robot = new_test_user(
            self.env,
            login="wfd_carrier",
            name="Carrier robot",
            groups="wfmon_core.group_wfmon_user,stock.group_stock_user",
        )
        source = self.env["wfmon.inbound.source"].create(
            {
                "name": "FastShip",
                "user_id": carrier_robot.id,
                "allowed_model_ids": [(6, 0, self.env.ref("stock.model_stock_picking").ids)],
            }
        )
        event = self._inbound(
            source,
            "msg_carrier_1",
            {
                "type": "carrier.shipment_exception",
                "timestamp": "2026-11-23T10:00:00Z",
                "data": {
                    "reference": picking.name,
                    "status": "label_failed",
                    "carrier": "FastShip",
                    "message": "Invalid ZIP code",
                },
            },
        )
        self.assertEqual(event.state, "processed", event.reason)
        case = event.case_id
        self.assertEqual((case.res_model, case.res_id), ("stock.picking", picking.id))
        self.assertEqual(case.type_id.code, CARRIER)
        self.assertIn("Invalid ZIP code", case.details)
        delivered = self._inbound(
            source,
            "msg_carrier_2",
            {
                "type": "carrier.delivered",
                "timestamp": "2026-11-23T12:00:00Z",
                "data": {"reference": picking.name},
            },
        )
        self.assertEqual(delivered.state, "processed", delivered.reason)
        self.assertEqual(case.state, "resolved")
        unknown = self._inbound(
            source,
            "msg_carrier_3",
            {
                "type": "carrier.shipment_exception",
                "timestamp": "2026-11-23T12:00:00Z",
                "data": {"reference": "NOPE/0001", "status": "exception"},
            },
        )
        self.assertEqual(unknown.state, "quarantined")
        self.assertIn("No picking", unknown.reason)
