import re

from odoo.tests import new_test_user, tagged

from odoo.addons.wfmon_core.tests.common import WfmonRpcCase

from .common import HelpdeskCase


@tagged("post_install", "-at_install")
class TestHelpdeskRpcControls(WfmonRpcCase, HelpdeskCase):
    """Each control of the bridge, through JSON-RPC as the real roles, and the
    attempt to get round it (with every context key the suite reads)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer_user = new_test_user(
            cls.env,
            login="hd_portal",
            name="Alice Portal",
            groups="base.group_portal",
            partner_id=cls.customer_a.id,
        )
        cls.role_users.update(
            agent=cls.agent_a,
            agent_south=cls.agent_south,
            helpdesk_manager=cls.hd_manager,
            customer=cls.customer_user,
        )
        cls.ticket = cls._ticket()
        cls.case = cls.ticket.wfmon_case_id
        cls.other_case = cls._ticket(partner_id=cls.customer_b.id).wfmon_case_id

    def test_roles_see_the_cases_of_their_tickets_only(self):
        outcome = self.rpc(
            "agent", "wfmon.case", "search_read", [("id", "=", self.case.id)], ["name"]
        )
        self.assertEqual([r["id"] for r in outcome.result], self.case.ids, "their team's ticket")
        outcome = self.rpc(
            "agent_south", "wfmon.case", "search_read", [("id", "=", self.case.id)], ["name"]
        )
        self.assertEqual(outcome.result, [], "another region's ticket case")
        self.assertRefused(
            self.rpc("agent_south", "helpdesk.ticket", "read", self.ticket.ids, ["name"])
        )
        outcome = self.rpc(
            "helpdesk_manager",
            "wfmon.case",
            "search_read",
            [("id", "in", [self.case.id, self.other_case.id])],
            ["name"],
        )
        self.assertEqual(len(outcome.result), 2, "all tickets' cases")
        # A customer reads their ticket on the portal, never its case.
        self.assertRefused(self.rpc("customer", "wfmon.case", "read", self.case.ids, ["name"]))

    def test_the_ticket_case_link_is_the_engine_s(self):
        with self.assertUnchanged(self.ticket):
            for role in ("agent", "helpdesk_manager", "admin"):
                self.assertRefused(
                    self.rpc(
                        role,
                        "helpdesk.ticket",
                        "write",
                        self.ticket.ids,
                        {"wfmon_case_id": self.other_case.id},
                        context=self.attack_context,
                    ),
                    role,
                )
        for role in ("agent", "admin"):
            self.assertRefused(
                self.rpc(
                    role,
                    "helpdesk.ticket",
                    "create",
                    {
                        "name": "Forged",
                        "description": "<p>x</p>",
                        "wfmon_case_id": self.other_case.id,
                    },
                    context=self.attack_context,
                ),
                role,
            )
        with self.assertUnchanged(self.case):
            for fname, value in (
                ("helpdesk_ticket_id", False),
                ("helpdesk_team_id", self.hd_team_south.id),
                ("related_model", "res.partner"),
            ):
                self.assertRefused(
                    self.rpc(
                        "admin",
                        "wfmon.case",
                        "write",
                        self.case.ids,
                        {fname: value},
                        context=self.attack_context,
                    ),
                    fname,
                )

    def test_staff_cannot_close_a_ticket_without_a_root_cause(self):
        for role in ("agent", "helpdesk_manager"):
            with self.assertUnchanged(self.case):
                outcome = self.assertRefused(
                    self.rpc(
                        role,
                        "helpdesk.ticket",
                        "write",
                        self.ticket.ids,
                        {"stage_id": self.stage_done.id},
                        context=self.attack_context,
                    ),
                    role,
                )
            self.assertIn("root cause", outcome.message)
        self.assertFalse(self.ticket.stage_id.closed)

    def test_a_ticket_case_moves_only_with_its_ticket(self):
        for role in ("agent", "helpdesk_manager", "wfmon_manager", "admin"):
            for action in ("action_start", "action_wait", "action_resolve", "action_cancel"):
                with self.subTest(role=role, action=action), self.assertUnchanged(self.case):
                    self.assertRefused(
                        self.rpc(
                            role, "wfmon.case", action, self.case.ids, context=self.attack_context
                        )
                    )
        # The ticket's stage moves it, for the agent as for anyone who may edit the ticket.
        outcome = self.rpc(
            "agent",
            "helpdesk.ticket",
            "write",
            self.ticket.ids,
            {"stage_id": self.stage_awaiting.id},
        )
        self.assertFalse(outcome.error, outcome.message)
        self.assertEqual(self.case.state, "waiting")
        self.assertEqual(self.case.sla_status, "paused")

    def test_a_classifier_proposal_cannot_be_forged_or_taken_by_an_outsider(self):
        Recommendation = self.env["wfmon.recommendation"]
        NoSource = self.env["wfmon.inbound.source"]
        advice = Recommendation._attach(self.case, NoSource, "Call the customer back", 0.9)
        with self.assertUnchanged(advice):
            for role in ("agent", "helpdesk_manager", "admin"):
                self.assertRefused(
                    self.rpc(
                        role,
                        "wfmon.recommendation",
                        "write",
                        advice.ids,
                        {"helpdesk_category_id": self.cat_refund.id, "kind": "category"},
                        context=self.attack_context,
                    ),
                    role,
                )
        self.assertRefused(
            self.rpc(
                "admin",
                "wfmon.recommendation",
                "create",
                {"case_id": self.case.id, "text": "x", "helpdesk_category_id": self.cat_refund.id},
                context=self.attack_context,
            )
        )
        self.assertFalse(
            self.ticket.wfmon_proposal_id, "advice without a category proposes nothing"
        )
        proposal = Recommendation._attach(
            self.case,
            NoSource,
            "Category: Refund",
            0.9,
            kind="category",
            proposed_value="Refund",
            extra_vals={"helpdesk_category_id": self.cat_refund.id},
        )
        self.ticket.invalidate_recordset()
        self.assertEqual(self.ticket.wfmon_proposal_id, proposal)
        # An agent of another team can neither accept it on the ticket nor directly.
        with self.assertUnchanged(self.ticket):
            self.assertRefused(
                self.rpc(
                    "agent_south",
                    "helpdesk.ticket",
                    "action_wfmon_accept_proposal",
                    self.ticket.ids,
                    "mine now",
                )
            )
            self.assertRefused(
                self.rpc(
                    "agent_south", "wfmon.recommendation", "action_accept", proposal.ids, "mine now"
                )
            )
        self.assertEqual(proposal.state, "new")
        # The agent of the store's team accepts it, with a reason.
        outcome = self.rpc(
            "agent", "helpdesk.ticket", "action_wfmon_accept_proposal", self.ticket.ids, "a refund"
        )
        self.assertFalse(outcome.error, outcome.message)
        self.assertEqual(self.ticket.category_id, self.cat_refund)
        self.assertEqual(proposal.state, "accepted")
        self.assertEqual(self.case.type_id, self.type_refund)

    def test_a_customer_files_a_ticket_on_the_portal_and_it_becomes_a_case(self):
        self.authenticate("hd_portal", "hd_portal")
        self._rpc_role = None
        page = self.url_open("/new/ticket")
        self.assertEqual(page.status_code, 200)
        token = re.search(r'name="csrf_token"\s+value="([^"]+)"', page.text).group(1)
        response = self.url_open(
            "/submitted/ticket",
            data={
                "csrf_token": token,
                "subject": "Broken chair",
                "description": "One leg is broken.",
                "category": str(self.cat_refund.id),
            },
            allow_redirects=False,
        )
        self.assertIn(response.status_code, (302, 303), response.text[:500])
        ticket = self.env["helpdesk.ticket"].search([("name", "=", "Broken chair")])
        self.assertEqual(
            ticket.channel_id, self.env.ref("helpdesk_mgmt.helpdesk_ticket_channel_web")
        )
        self.assertEqual(ticket.team_id, self.hd_team_a, "routed to the customer's store team")
        self.assertEqual(ticket.wfmon_case_id.type_id, self.type_refund)
        self.assertEqual(ticket.wfmon_case_id.user_id, self.store_manager)
