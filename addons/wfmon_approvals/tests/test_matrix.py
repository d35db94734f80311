from lxml import etree

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common import WfmonApprovalCase


@tagged("post_install", "-at_install")
class TestApprovalMatrix(WfmonApprovalCase):
    """C8: policies by model, action, condition, amount band, store and exception
    type; the most specific wins and the request says why; auto-approve."""

    def test_below_every_band_needs_no_approval(self):
        case = self._cases(amount=200)
        allowed, response = self._guard(case)
        self.assertEqual(allowed, case)
        self.assertIsNone(response)
        self.assertFalse(self._request(case))

    def test_matching_policy_creates_a_request_that_explains_itself(self):
        case = self._cases(amount=1500)
        allowed, response = self._guard(case)
        self.assertFalse(allowed)
        self.assertEqual(response["tag"], "display_notification")
        request = self._request(case)
        self.assertEqual(request.policy_id, self.policy)
        self.assertEqual(request.state, "pending")
        self.assertEqual(request.requester_id, self.requester)
        self.assertEqual(request.amount, 1500)
        self.assertEqual(request.site_id, self.store)
        self.assertIn("Overrides from 1,000 applies:", request.explanation)
        self.assertIn("the amount, 1,500.00, is from 1,000.00 up", request.explanation)
        self.assertTrue(request.name.startswith("APR-"))

    def test_most_specific_policy_wins(self):
        store_policy = self._policy(
            "Store One overrides",
            min_amount=1000,
            site_id=self.store.id,
            sequence=50,
            levels=[
                {"name": "Backup", "approver_kind": "users", "user_ids": [(6, 0, self.backup.ids)]}
            ],
        )
        type_policy = self._policy(
            "Refunds",
            case_type_id=self.other_type.id,
            levels=[
                {"name": "Finance", "approver_kind": "group", "group_id": self.finance_group.id}
            ],
        )
        at_store = self._cases(amount=1500)
        elsewhere = self._cases(amount=1500, site=self.store_2)
        refund = self._cases(amount=10, site=self.store_2, case_type=self.other_type)
        self._guard(at_store | elsewhere | refund)
        self.assertEqual(self._request(at_store).policy_id, store_policy)
        self.assertIn("the document is at [TA1] Store One", self._request(at_store).explanation)
        self.assertIn(
            "the most specific of 2 matching policies (next: Overrides from 1,000)",
            self._request(at_store).explanation,
        )
        self.assertEqual(self._request(elsewhere).policy_id, self.policy)
        self.assertEqual(self._request(refund).policy_id, type_policy)
        self.assertIn("it concerns Refund", self._request(refund).explanation)

    def test_condition_domain_and_band(self):
        self.policy.max_amount = 5000
        critical = self._policy(
            "Critical",
            condition_domain="[('severity', '=', 'critical')]",
            levels=[
                {"name": "Finance", "approver_kind": "group", "group_id": self.finance_group.id}
            ],
        )
        normal, urgent, huge = self._cases(3, amount=1500)
        urgent.severity = "critical"
        huge.impact_amount = 7000
        self._guard(normal | urgent | huge)
        self.assertEqual(self._request(normal).policy_id, self.policy)
        self.assertEqual(self._request(urgent).policy_id, critical)
        self.assertIn("the document meets its condition", self._request(urgent).explanation)
        self.assertFalse(self._request(huge), "7,000 is outside [1,000, 5,000)")

    def test_amount_in_another_currency_is_converted(self):
        other = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("id", "!=", self.currency.id)], limit=1)
        )
        other.active = True
        self.env["res.currency.rate"].search([("currency_id", "=", other.id)]).unlink()
        self.env["res.currency.rate"].create(
            {
                "currency_id": other.id,
                "rate": 0.5,
                "name": "2020-01-01",
                "company_id": self.company.id,
            }
        )
        cheap = self._cases(amount=600, currency_id=other.id)  # 600 / 0.5 = 1,200
        self._guard(cheap)
        request = self._request(cheap)
        self.assertEqual(request.policy_id, self.policy)
        self.assertAlmostEqual(request.amount, 1200)

    def test_auto_approve_under_the_limit(self):
        self.policy.auto_approve_limit = 2000
        small, large = self._cases(2, amount=1500)
        large.impact_amount = 2500
        allowed, response = self._guard(small | large)
        self.assertEqual(allowed, small)
        self.assertTrue(response)
        auto = self._request(small)
        self.assertEqual((auto.state, auto.consumed), ("approved", True))
        self.assertEqual(auto.decision_ids.mapped("decision"), ["auto"])
        self.assertTrue(auto.decision_ids.automated)
        self.assertEqual(self._request(large).state, "pending")

    def test_policy_configuration_is_validated(self):
        with self.assertRaises(ValidationError):
            self._policy("Bad action", action_name="no_such_method")
        with self.assertRaises(ValidationError):
            self._policy("Bad amount", amount_field="summary")
        with self.assertRaises(ValidationError):
            self._policy("Bad band", min_amount=10, max_amount=5)
        with self.assertRaises(ValidationError):
            self._policy(
                "Bad role", levels=[{"name": "x", "approver_kind": "role", "role_path": "site_id"}]
            )
        with self.assertRaises(ValidationError):
            self._policy("Bad condition", condition_domain="[('nope', '=', 1)]")

    def test_matrix_is_edited_in_the_ui(self):
        # The action is picked from the list of named actions (the guarded
        # document of test_wfmon_approvals checks the list); the action of a
        # model no module guards is set in developer mode, here by the ORM.
        policy = (
            self.env["wfmon.approval.policy"]
            .with_user(self.admin)
            .create(
                {
                    "name": "Large overrides",
                    "model_id": self.model_case.id,
                    "action_name": self.ACTION,
                }
            )
        )
        with Form(policy) as form:
            form.amount_field = "impact_amount"
            form.min_amount = 10000
            with form.level_ids.new() as level:
                level.name = "Finance"
                level.approver_kind = "group"
                level.group_id = self.finance_group
                level.mode = "n"
                level.min_approvals = 2
        self.assertEqual(policy.level_summary, "Finance (2 of them)")
        self.assertEqual(policy.model_name, "wfmon.case")

    def test_defaults_come_from_settings(self):
        with Form(self.env["res.config.settings"].with_user(self.admin)) as settings:
            settings.wfmon_approval_deadline_hours = 4
            settings.wfmon_approval_remind_ratio = 0.25
        policy = self.env["wfmon.approval.policy"].create(
            {"name": "From settings", "model_id": self.model_case.id, "action_name": self.ACTION}
        )
        self.assertEqual((policy.deadline_hours, policy.remind_ratio), (4, 0.25))

    def test_policy_without_levels_is_a_clear_error(self):
        self.policy.level_ids.unlink()
        with self.assertRaisesRegex(UserError, "has no approval levels"):
            self._guard(self._cases(amount=1500))

    def test_the_matrix_list_opens_the_policy_form(self):
        """The menu's list is not edited in place (the levels live on the form)
        and its group headers sum no hours."""
        Policy = self.env["wfmon.approval.policy"]
        arch = etree.fromstring(Policy.get_views([(False, "list")])["views"]["list"]["arch"])
        self.assertFalse(arch.get("editable"))
        columns = [
            node.get("name")
            for node in arch.xpath("//field[not(@column_invisible)][not(@optional='hide')]")
        ]
        self.assertLessEqual(len(columns), 10, columns)
        self.assertNotIn("deadline_hours", columns)
        self.assertIn("level_summary", columns)

    def test_the_matrix_warns_of_a_level_that_may_have_nobody(self):
        both = [(6, 0, self.finance_1.ids)]
        policy = self._policy(
            "Finance, then Finance again",
            levels=[
                {"name": "Finance", "approver_kind": "users", "user_ids": both},
                {"name": "Control", "approver_kind": "users", "user_ids": both},
            ],
            escalation_user_id=self.manager.id,
        )
        warning = policy.level_warning
        self.assertIn("Level 'Control'", warning)
        self.assertIn(self.finance_1.name, warning)
        self.assertIn(self.manager.name, warning, "says who it would go to")
        arch = policy.with_user(self.admin).get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="level_warning"', arch)
        # A second approver, or a backup, closes the gap.
        policy.level_ids[1].user_ids += self.finance_2
        self.assertFalse(policy.level_warning)
        # A person on the document without a backup may be missing.
        self.assertIn("no backup approver", self._policy("Store").level_warning)
        self.assertFalse(self.policy.level_warning, "the store manager's level has a backup")

    def test_the_request_says_before_anyone_decides_that_a_later_level_has_nobody(self):
        self._policy(
            "Finance, then Finance again at Store One",
            min_amount=1000,
            site_id=self.store.id,
            levels=[
                {
                    "name": "Finance",
                    "approver_kind": "users",
                    "user_ids": [(6, 0, self.finance_1.ids)],
                },
                {
                    "name": "Control",
                    "approver_kind": "users",
                    "user_ids": [(6, 0, self.finance_1.ids)],
                },
            ],
            escalation_user_id=self.manager.id,
        )
        case = self._cases(amount=1500)
        self._guard(case)
        request = self._request(case)
        warning = request.with_user(self.finance_1).routing_warning
        self.assertIn("Level 'Control' will have nobody eligible", warning)
        self.assertIn(self.finance_1.name, warning)
        self.assertIn(self.manager.name, warning)
        arch = request.with_user(self.finance_1).get_views([(False, "form")])["views"]["form"]
        self.assertIn('name="routing_warning"', arch["arch"])
        # The usual policy has a group at its second level: nothing to say.
        other = self._cases(amount=1500, site=self.store_2)
        self._guard(other)
        self.assertFalse(self._request(other).routing_warning)
        # The approver's card in her Activities, her to-do and the dialog of
        # Approve say it too.
        as_finance = self.env(user=self.finance_1)
        kanban = as_finance["wfmon.approval.request"].get_views([(False, "kanban")])
        self.assertIn('name="routing_warning"', kanban["views"]["kanban"]["arch"])
        todo = as_finance["mail.activity"].search(
            [("res_model", "=", request._name), ("res_id", "=", request.id)]
        )
        self.assertTrue(todo)
        self.assertIn("Level 'Control' will have nobody eligible", todo.wfmon_routing_warning)
        popup = as_finance["mail.activity"].get_views(
            [(self.env.ref("mail.mail_activity_view_form_popup").id, "form")]
        )
        self.assertIn('name="wfmon_routing_warning"', popup["views"]["form"]["arch"])
        action = (
            request.with_user(self.finance_1)
            .with_context(wfmon_decision="approve")
            .action_open_decide_wizard()
        )
        dialog = as_finance[action["res_model"]].with_context(**action["context"]).create({})
        self.assertIn("Level 'Control' will have nobody eligible", dialog.routing_warning)
        self.assertTrue(self._request(other).activity_ids)
        self.assertFalse(any(self._request(other).activity_ids.mapped("wfmon_routing_warning")))
