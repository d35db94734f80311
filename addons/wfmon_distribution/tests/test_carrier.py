from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import DistributionCase, capture_events

CARRIER = "distribution.carrier_exception"


@tagged("post_install", "-at_install")
class TestCarrierException(DistributionCase):
    """D8 (handler, not yet wired to wfmon_integration): a carrier event naming
    a picking opens, bumps and resolves its logistics case."""

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
