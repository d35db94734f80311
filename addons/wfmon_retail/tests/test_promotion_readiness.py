from datetime import timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.wfmon_core.tests.common import MONDAY_10, count_queries

from .common import RetailCase

NOT_READY = "retail.promotion_not_ready"


@tagged("post_install", "-at_install")
class TestPromotionReadiness(RetailCase):
    """A promotion about to start is checked for stock and margin at the stores
    whose shops run it; until it passes it cannot be activated."""

    def _promotion(self, product, days_ahead=3, discount=10, **vals):
        today = MONDAY_10.date()
        return (
            self.env["loyalty.program"]
            .with_user(self.merchandiser)
            .create(
                {
                    "name": f"{product.name} days",
                    "program_type": "promotion",
                    "trigger": "auto",
                    "pos_config_ids": [(6, 0, self.shop_flagship.ids)],
                    "date_from": today + timedelta(days=days_ahead),
                    "date_to": today + timedelta(days=days_ahead + 7),
                    "rule_ids": [(0, 0, {"product_ids": [(6, 0, product.ids)]})],
                    "reward_ids": [
                        (
                            0,
                            0,
                            {
                                "reward_type": "discount",
                                "discount": discount,
                                "discount_mode": "percent",
                            },
                        )
                    ],
                    **vals,
                }
            )
        )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.merchandiser.groups_id = [
            (4, cls.env.ref("sales_team.group_sale_manager").id),
            (4, cls.env.ref("point_of_sale.group_pos_manager").id),
        ]

    @freeze_time(MONDAY_10)
    def test_activating_a_promotion_that_is_not_ready_is_refused(self):
        # No coffee at the flagship: refused at creation, with the reason.
        with self.assertRaisesRegex(UserError, "Coffee Beans: 0.0 on hand at Flagship Store"):
            self._promotion(self.coffee)
        # Prepared archived, it is checked by the scheduled check.
        promotion = self._promotion(self.coffee, active=False)
        self.assertEqual(promotion.wfmon_retail_next_check, MONDAY_10)
        self.env["loyalty.program"]._cron_wfmon_retail_readiness()
        self.assertEqual(promotion.wfmon_retail_readiness, "failed")
        self.assertIn("Coffee Beans", promotion.wfmon_retail_findings)
        case = self._cases(NOT_READY, promotion)
        self.assertEqual(case.team_id, self.merch_team)
        # Every way of activating it is refused while it fails.
        with self.assertRaisesRegex(UserError, "Promotion not ready"):
            promotion.with_user(self.merchandiser).write({"active": True})
        with self.assertRaisesRegex(UserError, "Promotion not ready"):
            promotion.with_user(self.merchandiser).action_unarchive()
        with self.assertRaises(AccessError):
            promotion.with_user(self.merchandiser).write({"wfmon_retail_readiness": "passed"})
        self.assertFalse(promotion.active)
        # Stock arrives: the next check passes, the case resolves, activation works.
        self._stock(self.coffee, self.wh_flagship, 50)
        with freeze_time(MONDAY_10 + timedelta(hours=5)):
            self.env["loyalty.program"]._cron_wfmon_retail_readiness()
        self.assertEqual(promotion.wfmon_retail_readiness, "passed")
        self.assertEqual(case.state, "resolved")
        promotion.with_user(self.merchandiser).action_unarchive()
        self.assertTrue(promotion.active)

    @freeze_time(MONDAY_10)
    def test_idle_check_does_not_grow_with_open_cases(self):
        """With 2 or 6 promotions not ready and their cases open (checked again
        4 hours later), the scheduled check with nothing due costs the same
        single indexed search; promotions whose check falls due are picked up."""
        Program = self.env["loyalty.program"]

        def not_ready(count):
            return Program.browse().union(
                *[self._promotion(self.coffee, active=False) for _index in range(count)]
            )

        def idle():
            with count_queries(self.env) as counted:
                self.assertEqual(Program._cron_wfmon_retail_readiness(), 0)
            return counted.count

        promotions = not_ready(2)
        Program._cron_wfmon_retail_readiness()
        small = idle()
        promotions |= not_ready(4)
        Program._cron_wfmon_retail_readiness()
        large = idle()
        self.assertEqual(len(self._cases(NOT_READY, promotions).filtered("is_open")), 6)
        self.assertEqual(small, large, "the idle check reads the open cases")
        self.assertLessEqual(large, 1)

    @freeze_time(MONDAY_10)
    def test_a_promotion_entering_the_horizon_is_archived_when_it_fails(self):
        self._stock(self.juice, self.wh_flagship, 50)
        # Far ahead: created active, nothing checked yet.
        promotion = self._promotion(self.juice, days_ahead=30, discount=60)
        self.assertTrue(promotion.active)
        self.assertEqual(promotion.wfmon_retail_readiness, "unchecked")
        self.assertEqual(
            promotion.wfmon_retail_next_check.date(), MONDAY_10.date() + timedelta(days=23)
        )
        # Not due before: the scheduled check leaves it alone (the demo's own promotions
        # may be due on a database installed at another date: the assertion is on this one).
        self.env["loyalty.program"]._cron_wfmon_retail_readiness()
        self.assertEqual(promotion.wfmon_retail_readiness, "unchecked")
        self.assertTrue(promotion.active)
        with freeze_time(MONDAY_10 + timedelta(days=23, hours=1)):
            self.env["loyalty.program"]._cron_wfmon_retail_readiness()
        # 60% off a product with a 50% margin: not sane, archived before it starts.
        self.assertEqual(promotion.wfmon_retail_readiness, "failed")
        self.assertIn("margin", promotion.wfmon_retail_findings)
        self.assertFalse(promotion.active)
        case = self._cases(NOT_READY, promotion)
        self.assertIn("archived", case.details)

    @freeze_time(MONDAY_10)
    def test_promotions_outside_the_stores_are_not_checked(self):
        program = self.env["loyalty.program"].create(
            {
                "name": "Online only",
                "program_type": "promotion",
                "pos_ok": False,
                "rule_ids": [(0, 0, {"product_ids": [(6, 0, self.coffee.ids)]})],
                "reward_ids": [(0, 0, {"reward_type": "discount", "discount": 90})],
            }
        )
        self.assertTrue(program.active)
        self.assertFalse(program.wfmon_retail_next_check)
