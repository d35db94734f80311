from odoo.tests import new_test_user

from odoo.addons.wfmon_core.tests.common import WfmonCase

EMAIL = """Return-Path: <{sender}>
To: {to}
From: {sender_name} <{sender}>
Message-ID: <{msg_id}@mail.example.com>
Date: Mon, 23 Nov 2026 10:00:00 +0000
MIME-Version: 1.0
Subject: {subject}
Content-Type: text/plain; charset=utf-8

{body}
"""


class HelpdeskFixture:
    """Helpdesk teams on core's test stores (``WfmonCase``): a front door with a
    mail alias, a team for Store A, a team for the South region; agents of each;
    customers with a home store; the bridge's stages, categories and types."""

    @classmethod
    def _setup_helpdesk(cls):
        env = cls.env
        cls.alias_domain = env["mail.alias.domain"].search([], limit=1) or env[
            "mail.alias.domain"
        ].create({"name": "shop.example.com"})
        env.company.alias_domain_id = cls.alias_domain
        cls.agent_a = new_test_user(
            env,
            login="hd_agent_a",
            name="Agent Store A",
            groups="helpdesk_mgmt.group_helpdesk_user_team",
        )
        cls.agent_south = new_test_user(
            env,
            login="hd_agent_south",
            name="Agent South",
            groups="helpdesk_mgmt.group_helpdesk_user_team",
        )
        cls.store_manager = new_test_user(
            env,
            login="hd_store_manager",
            name="Store A Manager",
            groups="helpdesk_mgmt.group_helpdesk_user_team",
        )
        cls.hd_manager = new_test_user(
            env,
            login="hd_manager",
            name="Helpdesk Manager",
            groups="helpdesk_mgmt.group_helpdesk_manager",
        )
        cls.store_a.manager_id = cls.store_manager
        cls.store_b.region = "South"
        Team = env["helpdesk.ticket.team"]
        cls.front = Team.create(
            {
                "name": "Complaints",
                "sequence": 1,
                "alias_name": "complaints-test",
                "user_ids": [(4, cls.hd_manager.id)],
            }
        )
        cls.hd_team_a = Team.create(
            {
                "name": "Store A Service",
                "sequence": 1,
                "alias_name": "store-a-test",
                "user_ids": [(6, 0, [cls.agent_a.id, cls.store_manager.id])],
                "user_id": cls.agent_a.id,
                "wfmon_site_ids": [(6, 0, cls.store_a.ids)],
                "wfmon_team_id": cls.team.id,
                "wfmon_assignment": "store_manager",
            }
        )
        cls.hd_team_south = Team.create(
            {
                "name": "South Service",
                "sequence": 1,
                "alias_name": "south-test",
                "user_ids": [(6, 0, cls.agent_south.ids)],
                "user_id": cls.agent_south.id,
                "wfmon_region": "South",
                "wfmon_assignment": "leader",
            }
        )
        cls.customer_a = env["res.partner"].create(
            {
                "name": "Alice Customer",
                "email": "alice@example.com",
                "wfmon_site_id": cls.store_a.id,
            }
        )
        cls.customer_b = env["res.partner"].create(
            {"name": "Bob Customer", "email": "bob@example.com", "wfmon_site_id": cls.store_b.id}
        )
        cls.stage_new = env.ref("helpdesk_mgmt.helpdesk_ticket_stage_new")
        cls.stage_progress = env.ref("helpdesk_mgmt.helpdesk_ticket_stage_in_progress")
        cls.stage_awaiting = env.ref("helpdesk_mgmt.helpdesk_ticket_stage_awaiting")
        cls.stage_done = env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
        cls.stage_cancelled = env.ref("helpdesk_mgmt.helpdesk_ticket_stage_cancelled")
        cls.cat_delivery = env.ref("wfmon_helpdesk.category_delivery")
        cls.cat_refund = env.ref("wfmon_helpdesk.category_refund")
        cls.type_complaint = env.ref("wfmon_helpdesk.case_type_complaint")
        cls.type_delivery = env.ref("wfmon_helpdesk.case_type_delivery_complaint")
        cls.type_refund = env.ref("wfmon_helpdesk.case_type_refund_complaint")
        cls.root_cause = env.ref("wfmon_helpdesk.root_cause_carrier")
        # The customer-service SLA counts in the test calendar (9-17 Mon-Fri UTC).
        env.ref("wfmon_helpdesk.sla_policy_customer").calendar_id = cls.calendar

    @classmethod
    def _ticket(cls, **vals):
        values = {
            "name": "Where is my parcel?",
            "description": "<p>It was due yesterday.</p>",
            "partner_id": cls.customer_a.id,
            "team_id": cls.front.id,
            "user_id": False,
        }
        values.update(vals)
        return cls.env["helpdesk.ticket"].create(values)

    def _email(self, subject, body, sender="alice@example.com", sender_name="Alice Customer"):
        """A customer's email to the front door's alias, through Odoo's mail gateway."""
        message = EMAIL.format(
            to=f"complaints-test@{self.alias_domain.name}",
            sender=sender,
            sender_name=sender_name,
            msg_id=f"{subject.replace(' ', '-')}-{self.env['helpdesk.ticket'].search_count([])}",
            subject=subject,
            body=body,
        )
        ticket_id = self.env["mail.thread"].message_process(False, message)
        return self.env["helpdesk.ticket"].browse(ticket_id)


class HelpdeskCase(WfmonCase, HelpdeskFixture):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_helpdesk()
