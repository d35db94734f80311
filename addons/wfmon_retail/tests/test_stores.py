from odoo.tests import new_test_user, tagged

from .common import RetailCase


@tagged("post_install", "-at_install")
class TestStores(RetailCase):
    def test_a_store_is_a_warehouse_its_shops_and_a_site(self):
        site = self.flagship.site_id
        self.assertEqual(site, self.wh_flagship.wfmon_site_id)
        self.assertEqual((site.kind, site.region), ("store", "Test Region"))
        # Shops are found by their operation type's warehouse when read.
        self.env.invalidate_all()
        self.assertEqual(self.flagship.pos_config_ids, self.shop_flagship)
        self.assertFalse(self.outlet.pos_config_ids)
        self.assertEqual(self.shop_standard.wfmon_retail_store_id, self.standard)
        self.assertEqual(self.flagship.manager_id, self.manager_north)
        self.assertEqual(self.flagship.regional_manager_id, self.regional)

    def test_store_overrides_fall_back_to_the_company(self):
        self.assertEqual(self.flagship._setting("adjustment_threshold"), 500.0)
        self.flagship.adjustment_threshold = 200.0
        self.assertEqual(self.flagship._setting("adjustment_threshold"), 200.0)
        self.assertEqual(self.standard._setting("adjustment_threshold"), 500.0)

    def test_escalation_steps_name_the_store_and_regional_managers(self):
        case = self.Case.create(
            {
                "type_id": self.env.ref("wfmon_core.case_type_manual").id,
                "summary": "At the flagship",
                "site_id": self.flagship.site_id.id,
            }
        )
        step = self.env["wfmon.escalation.step"].new(
            {"name": "To the region", "target": "retail_regional_manager"}
        )
        self.assertEqual(case._step_target(step), self.regional)
        step.target = "retail_store_manager"
        self.assertEqual(case._step_target(step), self.manager_north)

    def test_store_staff_see_their_store_only(self):
        Store = self.env["wfmon.retail.store"].with_user(self.clerk)
        # A stock user sees every store (stock configuration); a monitoring
        # user without stock rights sees their own.
        self.assertIn(self.standard, Store.search([]))
        monitor = new_test_user(
            self.env, login="wfr_monitor_only", groups="wfmon_core.group_wfmon_user"
        )
        self.flagship.site_id.user_ids = [(4, monitor.id)]
        self.assertEqual(
            self.env["wfmon.retail.store"].with_user(monitor).search([]), self.flagship
        )
