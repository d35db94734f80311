from odoo.tests import BaseCase, tagged

from ..tools.rules import (
    Shortage,
    allocate_free_stock,
    beyond_tolerance,
    margin_breaches,
    margin_percent,
    variance_percent,
)


@tagged("post_install", "-at_install")
class TestRules(BaseCase):
    """The plain-Python arithmetic of the detectors (no database)."""

    def test_allocation_in_confirmation_order(self):
        demands = [(1, 7, 100, 4.0), (2, 7, 100, 4.0), (2, 7, 100, 1.0), (3, 8, 100, 1.0)]
        result = allocate_free_stock(demands, {(7, 100): 6.0})
        self.assertNotIn(1, result)
        self.assertEqual(result[2], [Shortage(7, 100, 5.0, 2.0)])
        self.assertEqual(result[2][0].missing, 3.0)
        self.assertEqual(result[3], [Shortage(8, 100, 1.0, 0.0)], "no stock known: all missing")

    def test_negative_free_stock_counts_as_none(self):
        result = allocate_free_stock([(1, 7, 100, 2.0)], {(7, 100): -5.0})
        self.assertEqual(result[1][0].available, 0.0)

    def test_tolerance(self):
        self.assertEqual(variance_percent(110.0, 100.0), 10.0)
        self.assertIsNone(variance_percent(5.0, 0.0))
        self.assertFalse(beyond_tolerance(102.0, 100.0, 2.0), "exactly at the tolerance")
        self.assertTrue(beyond_tolerance(97.9, 100.0, 2.0), "below counts too")
        self.assertFalse(beyond_tolerance(50.0, 0.0, 2.0), "no reference, no variance")

    def test_margin_policy(self):
        policy = {"large_amount": 1000.0, "min_margin": 15.0, "max_discount": 20.0}
        self.assertAlmostEqual(margin_percent(100.0, 90.0), 10.0)
        self.assertIsNone(margin_percent(0.0, 5.0))
        self.assertEqual(margin_breaches(999.0, 1.0, 90.0, policy), [], "not a large order")
        self.assertEqual(margin_breaches(1000.0, 10.0, 25.0, policy), ["margin", "discount"])
        self.assertEqual(margin_breaches(5000.0, None, 0.0, policy), [], "unknown margin")
        self.assertEqual(margin_breaches(5000.0, 1.0, 90.0, {**policy, "large_amount": 0}), [])
