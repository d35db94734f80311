"""Reporting a case by hand and closing it: the store staff's screens."""

import ast

from lxml import etree

from odoo.tests import Form, tagged
from odoo.tools.safe_eval import safe_eval

from .common import WfmonCase


@tagged("post_install", "-at_install")
class TestManualReport(WfmonCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Type = cls.env["wfmon.case.type"]
        cls.retail_type = Type.create(
            {"name": "Shelf empty", "code": "test.retail_shelf", "domain": "retail"}
        )
        cls.distribution_type = Type.create(
            {"name": "Truck late", "code": "test.distribution_truck", "domain": "distribution"}
        )
        cls.manual = cls.env.ref("wfmon_core.case_type_manual")

    def test_store_and_type_are_filled_in(self):
        with Form(self.Case.with_user(self.user)) as form:
            self.assertEqual(form.site_id, self.store_a, "the store the clerk works at")
            self.assertEqual(form.type_id, self.manual, "a reported issue")
            form.summary = "Freezer door does not close"
        case = form.record
        self.assertEqual((case.site_id, case.type_id), (self.store_a, self.manual))

    def test_types_of_the_reporters_line_of_work(self):
        offered = self.Case.with_user(self.user).new({}).reportable_type_ids._origin
        self.assertIn(self.retail_type, offered, "a store clerk reports retail issues")
        self.assertIn(self.manual, offered, "and general ones")
        self.assertNotIn(self.distribution_type, offered, "not warehouse ones")
        warehouse = self.env["wfmon.site"].create(
            {"name": "Depot", "code": "DEP", "kind": "warehouse", "user_ids": [(4, self.lead.id)]}
        )
        offered = self.Case.with_user(self.lead).new({}).reportable_type_ids._origin
        self.assertIn(self.distribution_type, offered, f"staff of {warehouse.name}")
        self.assertNotIn(self.retail_type, offered)
        offered = self.Case.with_user(self.manager).new({}).reportable_type_ids._origin
        self.assertTrue({self.retail_type, self.distribution_type} <= set(offered), "managers")

    def test_resolve_asks_what_was_done_and_why(self):
        case = self._open(site_id=self.store_a.id).with_user(self.user)
        case.action_start()
        action = case.action_open_resolve()
        self.assertEqual((action["res_model"], action["target"]), ("wfmon.case.resolve", "new"))
        wizard = Form(
            self.env[action["res_model"]].with_user(self.user).with_context(**action["context"])
        )
        with self.assertRaises(AssertionError, msg="the note is required"):
            wizard.save()
        wizard.root_cause_id = self.env.ref("wfmon_core.root_cause_process")
        wizard.resolution_note = "Relabelled the shelf."
        wizard.save().action_resolve()
        self.assertEqual(case.state, "resolved")
        self.assertEqual(case.root_cause_id, self.env.ref("wfmon_core.root_cause_process"))
        self.assertEqual(case.resolution_note, "Relabelled the shelf.")

    def test_resolve_dialog_keeps_the_note_already_written(self):
        case = self._open(
            resolution_note="Half done",
            root_cause_id=self.env.ref("wfmon_core.root_cause_customer").id,
        )
        wizard = Form(self.env["wfmon.case.resolve"].with_context(default_case_ids=case.ids))
        self.assertEqual(wizard.resolution_note, "Half done")
        self.assertEqual(wizard.root_cause_id, self.env.ref("wfmon_core.root_cause_customer"))

    def test_one_primary_button_per_state(self):
        arch = self.Case.with_user(self.user).get_views([(False, "form")])["views"]["form"]["arch"]
        buttons = etree.fromstring(arch).xpath("//header/button[contains(@class, 'btn-primary')]")
        for state in ("new", "assigned", "in_progress", "waiting", "resolved", "cancelled"):
            values = {
                "id": 1,
                "state": state,
                "is_open": state in ("new", "assigned", "in_progress", "waiting"),
                "user_id": False,
                "uid": self.user.id,
            }
            # Other installed modules may add their own fields to a button's condition
            # (a ticket's case, for one): a case they did not open has none of them.
            names = {
                n.id
                for b in buttons
                for n in ast.walk(ast.parse(b.get("invisible", "False"), mode="eval"))
                if isinstance(n, ast.Name)
            }
            values = dict.fromkeys(names, False) | values
            shown = [
                b.get("string")
                for b in buttons
                if not safe_eval(b.get("invisible", "False"), values)
            ]
            self.assertLessEqual(len(shown), 1, f"{state}: {shown}")
            if values["is_open"]:
                self.assertEqual(len(shown), 1, f"{state}: the next step is the primary button")
