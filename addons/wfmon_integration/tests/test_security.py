"""Access: secrets are for administrators only; multi-company isolation."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import WfmonIntegrationCase


@tagged("post_install", "-at_install")
class TestSecurity(WfmonIntegrationCase):
    def test_manager_cannot_read_secrets(self):
        endpoint = self.endpoint.with_user(self.manager)
        self.assertEqual(endpoint.name, "Sink")  # the endpoint itself is readable
        with self.assertRaises(AccessError):
            endpoint.read(["secret"])
        with self.assertRaises(AccessError):
            endpoint.action_reveal_secret()
        with self.assertRaises(AccessError):
            endpoint.action_rotate_secret()
        source = self.env["wfmon.inbound.source"].create({"name": "Carrier"})
        with self.assertRaises(AccessError):
            source.with_user(self.manager).read(["secret"])
        self.assertNotIn("secret", endpoint.fields_get())
        # The administrator sees it, and each display is logged on the record.
        admin_endpoint = self.endpoint.with_user(self.admin)
        self.assertTrue(admin_endpoint.read(["secret"])[0]["secret"].startswith("whsec_"))
        admin_endpoint.action_reveal_secret()
        self.assertIn("displayed", self.endpoint.message_ids[0].body)

    def test_secret_shown_once_until_rotated(self):
        endpoint = self.endpoint.with_user(self.admin)
        first = endpoint.action_reveal_secret()
        self.assertEqual(
            self.env["wfmon.secret.reveal"].browse(first["res_id"]).secret, self.endpoint.secret
        )
        with self.assertRaises(UserError):
            endpoint.action_reveal_secret()
        old = self.endpoint.secret
        rotated = endpoint.action_rotate_secret()
        wizard = self.env["wfmon.secret.reveal"].with_user(self.admin).browse(rotated["res_id"])
        self.assertNotEqual(wizard.secret, old)
        self.assertEqual(wizard.secret, self.endpoint.secret)
        with self.assertRaises(UserError):
            endpoint.action_reveal_secret()
        # The wizard never stores the secret: a manager opening it gets nothing.
        with self.assertRaises(AccessError):
            _secret = (
                self.env["wfmon.secret.reveal"].with_user(self.manager).browse(wizard.id).secret
            )

    def test_manager_cannot_configure_or_requeue(self):
        with self.assertRaises(AccessError):
            self.env["wfmon.webhook.endpoint"].with_user(self.manager).create(
                {"name": "x", "url": "https://hooks.example.com"}
            )
        events = self.env["wfmon.publisher"]._publish("test.sec", self.partner)
        delivery = self._deliveries(events)
        delivery.write({"state": "dead"})
        with self.assertRaises(AccessError):
            delivery.with_user(self.manager).action_requeue()

    def test_multi_company_isolation(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        other_manager = new_test_user(
            self.env,
            login="wfi_other_mgr",
            groups="wfmon_core.group_wfmon_manager",
            company_id=other.id,
            company_ids=[(6, 0, other.ids)],
        )
        other_endpoint = self.env["wfmon.webhook.endpoint"].create(
            {"name": "Other", "url": self.sink.url, "company_id": other.id}
        )
        shared = self.env["wfmon.webhook.endpoint"].create(
            {"name": "Shared", "url": self.sink.url, "company_id": False}
        )
        events = self.env["wfmon.publisher"]._publish("test.mc", self.partner)
        Endpoint = self.env["wfmon.webhook.endpoint"].with_user(other_manager)
        self.assertEqual(Endpoint.search([]), other_endpoint | shared)
        self.assertFalse(
            self.env["wfmon.event"].with_user(other_manager).search([("id", "in", events.ids)])
        )
        self.assertFalse(
            self.env["wfmon.webhook.delivery"]
            .with_user(other_manager)
            .search([("event_id", "in", events.ids)])
        )
        self.assertEqual(
            self.env["wfmon.webhook.endpoint"]
            .with_user(self.manager)
            .search([("id", "in", (other_endpoint | shared).ids)]),
            shared,
        )

    def test_views_load_for_manager_and_admin(self):
        for model in (
            "wfmon.webhook.endpoint",
            "wfmon.webhook.delivery",
            "wfmon.event",
            "wfmon.inbound.source",
            "wfmon.inbound.event",
            "wfmon.recommendation",
        ):
            for user in (self.manager, self.admin):
                views = (
                    self.env[model]
                    .with_user(user)
                    .get_views([(False, "list"), (False, "form"), (False, "search")])
                )
                self.assertEqual(set(views["views"]), {"list", "form", "search"}, model)
                if user == self.manager:
                    arch = views["views"]["form"]["arch"]
                    self.assertNotIn('name="custom_headers"', arch)
                    self.assertNotIn('name="secret"', arch)
