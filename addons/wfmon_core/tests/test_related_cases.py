from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import WfmonCase


@tagged("post_install", "-at_install")
class TestRelatedCases(WfmonCase):
    """Cases about the same document find each other, whichever module opened them."""

    def setUp(self):
        super().setUp()
        self.document = self._partners(1)
        # The document's own case (its source is the document) ...
        self.own = self.Case._raise("test.condition", self.document, site=self.store_b)
        # ... and a complaint elsewhere that concerns it.
        self.complaint = self._open(summary="Customer complaint", site_id=self.store_a.id)

    def test_linking_relates_both_ways_and_tells_the_document_case(self):
        self.assertFalse(self.complaint.related_case_ids)
        self.complaint._wfmon_link_document(self.document)
        self.assertEqual(self.complaint.related_name, self.document.display_name)
        self.assertEqual(self.complaint.related_case_ids, self.own)
        self.assertEqual(self.own.related_case_ids, self.complaint)
        self.assertIn(self.own.name, self.complaint.related_case_note)
        self.assertIn(self.complaint.name, self.own.message_ids[:1].body)
        self.assertIn("note", self.complaint.log_ids.mapped("action"))
        # Another complaint about the same document relates to both.
        second = self._open(summary="Second complaint")
        second._wfmon_link_document(self.document)
        self.assertEqual(second.related_case_ids, self.own | self.complaint)
        self.assertEqual(self.own.related_case_count, 2)

    def test_closed_cases_and_cleared_links_drop_out(self):
        self.complaint._wfmon_link_document(self.document)
        self.own._clear("test.condition", self.document, "condition cleared")
        self.assertFalse(self.own.is_open)
        self.assertFalse(self.complaint.related_case_ids)
        self.complaint._wfmon_link_document(False)
        self.assertFalse(self.complaint.related_model)

    def test_a_user_sees_the_cases_they_may_read_and_the_names_of_all(self):
        self.complaint._wfmon_link_document(self.document)
        # The clerk works at store A: the complaint is theirs, the document's case is not.
        complaint = self.complaint.with_user(self.user)
        self.assertFalse(complaint.related_case_ids, "store B's case is not the clerk's")
        self.assertEqual(complaint.related_case_count, 1)
        self.assertIn(self.own.name, complaint.related_case_note)

    def test_the_link_is_the_engine_s(self):
        for vals in (
            {"related_model": "res.partner", "related_res_id": self.document.id},
            {"related_name": "forged"},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                self.complaint.with_user(self.manager).write(vals)
