from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.wfmon_core.tests.common import MONDAY_10, WfmonRpcCase

from .common import RetailCase


class ListPriceCase(RetailCase):
    """A sales manager repricing products; merchandising (and Finance for high
    value) approve changes beyond 20 %."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.wfmon_retail_list_price_max_change = 20.0
        cls.pricer = new_test_user(
            cls.env,
            login="wfr_pricer",
            name="Price Manager",
            groups="sales_team.group_sale_manager",
        )
        cls.finance = new_test_user(
            cls.env,
            login="wfr_price_finance",
            name="Price Finance",
            groups="wfmon_retail.group_wfmon_retail_finance",
        )
        cls.tea = cls.env["product.product"].create(
            {"name": "Green Tea", "type": "consu", "is_storable": True, "list_price": 10.0}
        )
        cls.water = cls.env["product.product"].create(
            {"name": "Still Water", "type": "consu", "list_price": 5.5}
        )
        cls.Change = cls.env["wfmon.retail.price.change"]

    def _templates(self, *products):
        return self.env["product.template"].union(*(p.product_tmpl_id for p in products))

    def _changes(self, product):
        return self.Change.search([("line_ids.product_tmpl_id", "=", product.product_tmpl_id.id)])

    def _request(self, change):
        return self.env["wfmon.approval.request"].search(
            [("res_model", "=", change._name), ("res_id", "=", change.id)], order="id desc", limit=1
        )


@tagged("post_install", "-at_install")
@freeze_time(MONDAY_10)
class TestListPriceChanges(ListPriceCase):
    """R2 on bulk sales price changes: beyond the limit they are held with the
    prices asked for; approved, exactly those prices are written; rejected,
    nothing changes; small changes pass straight through."""

    def test_a_small_change_passes_straight_through(self):
        self.juice.product_tmpl_id.with_user(self.pricer).write({"list_price": 4.6})
        self.assertEqual(self.juice.list_price, 4.6)
        self.assertFalse(self._changes(self.juice))

    def test_a_price_in_another_unit_is_judged_all_the_same(self):
        # A client may send any context: a variant's price written with a ``uom`` key
        # goes through Odoo's conversion and is still held by the template's check.
        dozen = self.env.ref("uom.product_uom_dozen")
        self.tea.with_user(self.pricer).with_context(uom=dozen.id).write({"lst_price": 240.0})
        self.assertEqual(self.tea.list_price, 10.0)
        self.assertEqual(self._changes(self.tea).status, "pending")

    def test_a_bulk_change_holds_the_large_moves_and_applies_the_rest(self):
        self._stock(self.juice, self.wh_flagship, 100)
        templates = self._templates(self.juice, self.coffee, self.tea, self.water)
        # One write: juice 4 -> 6 (+50 %), coffee 12 -> 6 (-50 %), tea 10 -> 6 (-40 %)
        # are held; water 5.5 -> 6 (+9 %) is within the limit and saved.
        templates.with_user(self.pricer).write({"list_price": 6.0, "description_sale": "New"})
        self.assertEqual((self.juice.list_price, self.coffee.list_price), (4.0, 12.0))
        self.assertEqual((self.tea.list_price, self.water.list_price), (10.0, 6.0))
        self.assertFalse(self._changes(self.water))
        self.assertEqual(set(templates.mapped("description_sale")), {"New"}, "the rest is saved")
        change = self._changes(self.juice)
        self.assertEqual(len(change), 1, "one request for the whole write")
        self.assertEqual(change, self._changes(self.coffee))
        self.assertEqual(len(change.line_ids), 3)
        self.assertEqual(change.requester_id, self.pricer)
        self.assertEqual(change.status, "pending")
        self.assertEqual(change.max_change, 50.0)
        # |6 - 4| x 100 on hand + |6 - 12| x 1 + |6 - 10| x 1
        self.assertAlmostEqual(change.amount, 210.0)
        juice_line = change.line_ids.filtered(
            lambda line: line.product_tmpl_id == self.juice.product_tmpl_id
        )
        self.assertEqual((juice_line.old_price, juice_line.new_price), (4.0, 6.0))
        request = self._request(change)
        self.assertEqual(request.state, "pending")
        self.assertEqual(
            request.policy_id, self.env.ref("wfmon_retail.approval_policy_list_price_merch")
        )
        self.assertIn("held for approval", self.juice.product_tmpl_id.message_ids[0].body)
        # Merchandising approves: exactly the prices asked are written.
        request.with_user(self.merchandiser).action_approve()
        self.assertEqual(
            (self.juice.list_price, self.coffee.list_price, self.tea.list_price), (6.0, 6.0, 6.0)
        )
        self.assertEqual(change.state, "applied")
        self.assertTrue(request.consumed)

    def test_a_rejected_change_changes_nothing(self):
        self.coffee.product_tmpl_id.with_user(self.pricer).write({"list_price": 30.0})
        change = self._changes(self.coffee)
        self._request(change).with_user(self.merchandiser).action_reject("Not this season")
        self.assertEqual(self.coffee.list_price, 12.0)
        self.assertEqual(change.status, "rejected")
        # The requester may ask again: a new change, for the approvers again.
        self.coffee.product_tmpl_id.with_user(self.pricer).write({"list_price": 30.0})
        self.assertEqual(len(self._changes(self.coffee)), 2)
        self.assertEqual(self.coffee.list_price, 12.0)

    def test_a_second_change_while_one_waits_is_refused_and_nothing_saved(self):
        self.coffee.product_tmpl_id.with_user(self.pricer).write({"list_price": 30.0})
        with self.assertRaisesRegex(UserError, "already waits for approval"):
            self.coffee.product_tmpl_id.with_user(self.pricer).write(
                {"list_price": 40.0, "description_sale": "Lost?"}
            )
        self.assertFalse(self.coffee.description_sale)
        # Withdrawn: a new change may be asked.
        self._changes(self.coffee).with_user(self.pricer).action_withdraw()
        self.assertEqual(self._changes(self.coffee).state, "cancel")
        self.coffee.product_tmpl_id.with_user(self.pricer).write({"list_price": 40.0})
        self.assertEqual(len(self._changes(self.coffee)), 2)

    def test_a_change_on_variants_is_held_as_one_request(self):
        (self.juice | self.coffee).with_user(self.pricer).write({"lst_price": 2.0})
        self.assertEqual((self.juice.list_price, self.coffee.list_price), (4.0, 12.0))
        change = self._changes(self.juice)
        self.assertEqual(change, self._changes(self.coffee))
        self.assertEqual(len(change.line_ids), 2)

    def test_high_value_goes_on_to_finance(self):
        self._stock(self.coffee, self.wh_flagship, 2000)
        self.coffee.product_tmpl_id.with_user(self.pricer).write({"list_price": 20.0})
        change = self._changes(self.coffee)
        self.assertAlmostEqual(change.amount, 16000.0)
        request = self._request(change)
        self.assertEqual(
            request.policy_id, self.env.ref("wfmon_retail.approval_policy_list_price_finance")
        )
        request.with_user(self.merchandiser).action_approve()
        self.assertEqual(self.coffee.list_price, 12.0, "Finance has not decided yet")
        request.with_user(self.finance).action_approve()
        self.assertEqual(self.coffee.list_price, 20.0)

    def test_no_limit_and_server_code_pass(self):
        self.company.wfmon_retail_list_price_max_change = 0.0
        self.coffee.product_tmpl_id.with_user(self.pricer).write({"list_price": 30.0})
        self.assertEqual(self.coffee.list_price, 30.0)
        self.company.wfmon_retail_list_price_max_change = 20.0
        # Superuser server code (data imports, module updates) is not a user's change.
        self.coffee.product_tmpl_id.sudo().write({"list_price": 60.0})
        self.assertEqual(self.coffee.list_price, 60.0)
        self.assertFalse(self._changes(self.coffee))


@tagged("post_install", "-at_install")
@freeze_time(MONDAY_10)
class TestListPriceChangesOverRpc(WfmonRpcCase, ListPriceCase):
    """The sales price control through ``/web/dataset/call_kw`` as the sales
    manager and merchandising, and the ways round it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.role_users.update({"pricer": cls.pricer, "merchandiser": cls.merchandiser})

    def test_the_pricer_cannot_get_round_the_approval(self):
        template = self.coffee.product_tmpl_id
        for model, record in (("product.template", template), ("product.product", self.coffee)):
            outcome = self.rpc(
                "pricer",
                model,
                "write",
                record.ids,
                {"list_price": 24.0},
                context={**self.attack_context, "wfmon_retail_price_apply": True},
            )
            if model == "product.template":
                self.assertFalse(outcome.error, outcome.message)
            else:
                self.assertRefused(outcome, "a second change while one waits")
        self.assertEqual(self.coffee.list_price, 12.0, "held whatever the context says")
        change = self._changes(self.coffee)
        request = self._request(change)
        # Ways round it: apply it, edit the proposal or its state, create an
        # applied change, approve it oneself.
        self.assertRefused(
            self.rpc(
                "pricer", change._name, "action_apply", change.ids, context=self.attack_context
            )
        )
        for vals in ({"state": "applied"}, {"amount": 1.0}):
            self.assertRefused(self.rpc("pricer", change._name, "write", change.ids, vals))
        self.assertRefused(
            self.rpc(
                "pricer",
                "wfmon.retail.price.change.line",
                "write",
                change.line_ids.ids,
                {"new_price": 99.0},
            )
        )
        self.assertRefused(
            self.rpc(
                "pricer",
                change._name,
                "create",
                {"company_id": self.company.id, "requester_id": self.pricer.id, "state": "applied"},
            )
        )
        self.assertRefused(
            self.rpc("pricer", "wfmon.approval.request", "action_approve", request.ids)
        )
        self.assertEqual(self.coffee.list_price, 12.0)
        self.assertEqual(change.line_ids.new_price, 24.0)
        # Merchandising approves over RPC: the price asked is written.
        outcome = self.rpc("merchandiser", "wfmon.approval.request", "action_approve", request.ids)
        self.assertFalse(outcome.error, outcome.message)
        self.assertEqual(self.coffee.list_price, 24.0)
        self.assertEqual(change.state, "applied")
