from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import WfmonCase


@tagged("post_install", "-at_install")
class TestAccess(WfmonCase):
    """C15: users see the cases of their teams and stores, managers all of
    the company, nobody another company's; configuration is for admins."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.unrouted = cls.env["wfmon.case.type"].create(
            {"name": "Unrouted", "code": "test.unrouted", "sla_policy_id": cls.policy.id}
        )
        cls.case_a = cls.Case.create(
            {
                "type_id": cls.unrouted.id,
                "summary": "at A",
                "site_id": cls.store_a.id,
                "team_id": False,
            }
        )
        cls.case_b = cls.Case.create(
            {
                "type_id": cls.unrouted.id,
                "summary": "at B",
                "site_id": cls.store_b.id,
                "team_id": False,
            }
        )
        cls.case_team = cls.Case.create(
            {"type_id": cls.case_type.id, "summary": "team", "team_id": cls.team.id}
        )
        cls.case_mine = cls.Case.create(
            {
                "type_id": cls.unrouted.id,
                "summary": "mine",
                "user_id": cls.other_user.id,
                "team_id": False,
            }
        )
        cls.company_2 = cls.env["res.company"].create({"name": "Other Co"})
        cls.case_other_company = cls.Case.with_company(cls.company_2).create(
            {"type_id": cls.unrouted.id, "summary": "elsewhere", "company_id": cls.company_2.id}
        )
        cls.ours = cls.case_a | cls.case_b | cls.case_team | cls.case_mine

    def _visible(self, user):
        return self.Case.with_user(user).search(
            [("id", "in", self.ours.ids + self.case_other_company.ids)]
        )

    def test_store_staff_see_their_store(self):
        self.assertEqual(self._visible(self.user), self.case_a)
        self.assertEqual(self._visible(self.other_user), self.case_b | self.case_mine)
        with self.assertRaises(AccessError):
            self.case_b.with_user(self.user).read(["summary"])

    def test_team_members_see_team_cases(self):
        self.assertEqual(self._visible(self.lead), self.case_team)

    def test_manager_sees_the_company(self):
        self.assertEqual(self._visible(self.manager), self.ours)

    def test_multi_company(self):
        both = new_test_user(
            self.env,
            login="wf_both",
            groups="wfmon_core.group_wfmon_manager",
            company_ids=[(6, 0, (self.env.company | self.company_2).ids)],
        )
        everything = (self.ours | self.case_other_company).ids
        Case = self.Case.with_user(both)
        only_main = Case.with_context(allowed_company_ids=self.env.company.ids)
        self.assertEqual(only_main.search([("id", "in", everything)]), self.ours)
        both_companies = Case.with_context(
            allowed_company_ids=(self.env.company | self.company_2).ids
        )
        self.assertEqual(
            both_companies.search([("id", "in", everything)]), self.ours | self.case_other_company
        )
        self.assertEqual(
            self._visible(self.manager),
            self.ours,
            "a manager of one company never sees another's cases",
        )

    def test_configuration_is_for_administrators(self):
        with self.assertRaises(AccessError):
            self.env["wfmon.case.type"].with_user(self.manager).create({"name": "x", "code": "x.x"})
        with self.assertRaises(AccessError):
            self.policy.with_user(self.user).write({"name": "mine"})
        with self.assertRaises(AccessError):
            self.env["wfmon.rule"].with_user(self.user).search([])
        self.env["wfmon.case.type"].with_user(self.admin).create({"name": "y", "code": "y.y"})

    def test_only_admins_delete_cases(self):
        with self.assertRaises(AccessError):
            self.case_a.with_user(self.user).unlink()
        with self.assertRaises(AccessError):
            self.case_a.with_user(self.manager).unlink()
        self.case_a.with_user(self.admin).unlink()
        self.assertFalse(self.case_a.exists())

    def test_user_works_a_visible_case(self):
        case = self.case_a.with_user(self.user)
        case.action_assign_to_me()
        case.action_start()
        self.assertEqual((case.state, case.user_id), ("in_progress", self.user))
