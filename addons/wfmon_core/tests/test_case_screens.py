"""The case screens speak the user's language and open where the work is."""

from lxml import etree

from odoo.tests import tagged

from .common import WfmonCase


@tagged("post_install", "-at_install")
class TestCaseScreens(WfmonCase):
    def _arch(self, user, view_type="form"):
        return self.env(user=user)["wfmon.case"].get_views([(False, view_type)])["views"][
            view_type
        ]["arch"]

    def test_the_kanban_opens_on_the_first_state_that_holds_cases(self):
        case = self._open(site_id=self.store_a.id, user_id=self.user.id)
        case.with_user(self.user).action_start()
        groups = self.Case.with_user(self.user).web_read_group(
            [("id", "=", case.id)], ["state"], ["state"]
        )["groups"]
        # No empty "New" or "Assigned" column before the case: on a phone the
        # first column shown is the one with the work.
        self.assertEqual([group["state"] for group in groups], ["in_progress"])

    def test_the_audit_log_says_states_in_words(self):
        case = self._open(user_id=self.lead.id)
        case.with_user(self.lead).action_start()
        line = case.log_ids.filtered(lambda log: log.new_value == "in_progress")
        self.assertEqual((line.old_label, line.new_label), ("Assigned", "In Progress"))
        for user in (self.user, self.manager):
            arch = self._arch(user)
            self.assertIn('name="new_label"', arch)
            self.assertNotIn('name="new_value"', arch)

    def test_what_happened_comes_before_the_tabs(self):
        arch = self._arch(self.user)
        self.assertLess(arch.index('name="details"'), arch.index("<notebook"))

    def test_the_grouped_kanban_loads_in_its_default_order(self):
        """The web client keeps, as order terms of a grouped view, the fields
        described with an aggregator key; an internal field (the priority score
        the queues sort by) has none, so the columns load."""
        self._open(site_id=self.store_a.id)
        kanban = etree.fromstring(self._arch(self.user, "kanban"))
        order = kanban.get("default_order") or "id"
        described = self.Case.with_user(self.user).fields_get()
        kept = [
            term
            for term in order.split(",")
            if term.split()[0] == "state" or "aggregator" in described.get(term.split()[0], {})
        ]
        groups = self.Case.with_user(self.user).web_read_group(
            [], ["__count"], ["state"], orderby=",".join(kept)
        )["groups"]
        self.assertTrue(groups)
