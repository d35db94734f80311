from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from odoo.addons.wfmon_approvals.tests.common import WfmonApprovalCase
from odoo.addons.wfmon_core.tests.common import capture_events, count_queries


class GuardedDocumentCase(WfmonApprovalCase):
    """A policy on the test documents from 1,000: store manager, then salesperson."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.doc_policy = cls.env["wfmon.approval.policy"].create(
            {
                "name": "Documents from 1,000",
                "model_id": cls.env["ir.model"]._get("test.wfmon.document").id,
                "action_name": "action_confirm",
                "amount_field": "amount",
                "currency_field": "currency_id",
                "min_amount": 1000,
                "level_ids": [
                    (
                        0,
                        0,
                        {
                            "name": "Store manager",
                            "approver_kind": "role",
                            "role_path": "site_id.manager_id",
                        },
                    ),
                    (
                        0,
                        0,
                        {"name": "Salesperson", "approver_kind": "role", "role_path": "user_id"},
                    ),
                ],
            }
        )
        cls.Doc = cls.env["test.wfmon.document"]

    def _doc(self, amount=1500, **vals):
        return self.Doc.with_user(self.requester).create(
            {
                "name": "DOC",
                "amount": amount,
                "site_id": self.store.id,
                "user_id": self.finance_1.id,
                **vals,
            }
        )

    def _approve_all(self, request):
        request.with_user(self.store_manager).action_approve()
        request.with_user(self.finance_1).action_approve()


@tagged("post_install", "-at_install")
class TestGuardedDocument(GuardedDocumentCase):
    """A model guarded by the mixin: the action is refused while approval is
    pending, runs by itself once approved (as the requester, exactly once), and
    an approval is void once the guarded values change."""

    def test_the_matrix_names_the_guarded_action_and_the_fields_by_label(self):
        Policy = self.env["wfmon.approval.policy"].with_user(self.admin)
        choices = dict(Policy._fields["guarded_action"]._description_selection(Policy.env))
        self.assertEqual(
            choices["test.wfmon.document/action_confirm"], "Confirm (Approval test document)"
        )
        self.assertEqual(self.doc_policy.guarded_action, "test.wfmon.document/action_confirm")
        with Form(Policy) as form:
            form.name = "Documents from 5,000"
            form.guarded_action = "test.wfmon.document/action_confirm"
            self.assertEqual(form.model_name, "test.wfmon.document")
            form.amount_field = "amount"
            form.min_amount = 5000
            with form.level_ids.new() as level:
                level.name = "Salesperson"
                level.approver_kind = "role"
                level.role_path = "user_id"
        policy = form.record
        self.assertEqual(
            (policy.model_name, policy.action_name), ("test.wfmon.document", "action_confirm")
        )
        arch = Policy.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertNotIn('placeholder="button_confirm"', arch)
        self.assertIn("DynamicModelFieldSelectorChar", arch)

    def test_small_document_confirms_at_once(self):
        doc = self._doc(amount=10)
        self.assertIs(doc.action_confirm(), True)
        self.assertEqual((doc.state, doc.confirm_count), ("confirmed", 1))
        self.assertFalse(doc.wfmon_approval_request_ids)
        self.assertFalse(doc.approved_under)

    def test_the_approval_button_opens_the_one_request(self):
        doc = self._doc()
        doc.action_confirm()
        action = doc.with_user(self.requester).action_wfmon_view_approvals()
        self.assertEqual(
            (action["res_id"], action["views"]),
            (doc.wfmon_approval_request_ids.id, [(False, "form")]),
        )

    def test_blocked_then_resumes_by_itself_exactly_once(self):
        doc = self._doc()
        response = doc.action_confirm()
        self.assertEqual(response["params"]["type"], "warning")
        self.assertIn("needs approval", response["params"]["message"])
        self.assertEqual(doc.state, "draft")
        request = doc.wfmon_approval_request_ids
        self.assertEqual(len(request), 1)
        self.assertEqual(doc.wfmon_approval_state, "pending")
        self.assertIn("Waiting for approval by Sam StoreManager since", doc.wfmon_approval_banner)
        # Trying again: a clear refusal, and still one request.
        with self.assertRaisesRegex(UserError, "Waiting for approval by Sam StoreManager since"):
            doc.action_confirm()
        self.assertEqual(len(doc.wfmon_approval_request_ids), 1)
        request.with_user(self.store_manager).action_approve()
        self.assertIn("Fiona Finance", doc.wfmon_approval_banner)
        with capture_events(self.env) as events:
            request.with_user(self.finance_1).action_approve()
        self.assertEqual(doc.state, "confirmed")
        self.assertEqual(doc.confirm_count, 1)
        self.assertEqual(doc.confirmed_by_id, self.requester, "resumed as the requester")
        self.assertEqual(doc.approved_under, request.name, "the action knows its approval")
        self.assertIn("Amount to approve: <b>1500.0</b>", request.analysis)
        self.assertTrue(request.consumed)
        self.assertEqual(doc.wfmon_approval_state, "none")
        self.assertIn("approval.approved", [e[0] for e in events])
        # Calling the action again changes nothing and asks nothing.
        doc.action_confirm()
        self.assertEqual(doc.confirm_count, 1)
        self.assertEqual(len(doc.wfmon_approval_request_ids), 1)

    def test_approval_void_when_the_amount_changes_after_approval(self):
        doc = self._doc()
        doc.action_confirm()
        request = doc.wfmon_approval_request_ids
        request.with_user(self.store_manager).action_approve()
        # The requester raises the amount while the last level is still deciding.
        doc.with_user(self.requester).amount = 4000
        request.with_user(self.finance_1).action_approve()
        self.assertEqual(request.state, "expired", "the approved values changed")
        # Said by the field's label, with the request that replaced it.
        self.assertIn(
            "(Amount)", request.decision_ids.filtered(lambda d: d.decision == "expire").reason
        )
        self.assertEqual(doc.state, "draft")
        new = doc.wfmon_approval_request_ids - request
        self.assertEqual(new.state, "pending")
        self.assertEqual(new.amount, 4000)
        self.assertEqual(request.successor_id, new)
        self.assertIn(new.name, request.expiry_reason)

    def test_change_while_pending_replaces_the_request(self):
        doc = self._doc()
        doc.action_confirm()
        first = doc.wfmon_approval_request_ids
        doc.partner_id = self.env["res.partner"].create({"name": "Other vendor"})
        doc.action_confirm()
        self.assertEqual(first.state, "expired")
        self.assertIn(
            "(Partner)", first.decision_ids.filtered(lambda d: d.decision == "expire").reason
        )
        self.assertEqual(
            len(doc.wfmon_approval_request_ids.filtered(lambda r: r.state == "pending")), 1
        )
        # Lowered below the band: no approval needed any more, the open one expires.
        second = doc.wfmon_approval_request_ids - first
        doc.amount = 100
        doc.action_confirm()
        self.assertEqual(second.state, "expired")
        self.assertEqual(doc.state, "confirmed")

    def test_rejected_then_resubmitted(self):
        doc = self._doc()
        doc.action_confirm()
        request = doc.wfmon_approval_request_ids
        request.with_user(self.store_manager).action_reject(reason="Too expensive")
        self.assertEqual(doc.wfmon_approval_state, "rejected")
        self.assertIn("Too expensive", doc.wfmon_approval_banner)
        doc.amount = 1200
        doc.action_confirm()
        self.assertEqual(len(doc.wfmon_approval_request_ids), 2)

    def test_resume_failure_keeps_the_approval(self):
        doc = self._doc()
        doc.action_confirm()
        request = doc.wfmon_approval_request_ids
        request.with_user(self.store_manager).action_approve()
        # The requester loses access to the document: the resume fails cleanly.
        self.env["ir.model.access"].search(
            [("model_id.model", "=", "test.wfmon.document")]
        ).perm_write = False
        request.with_user(self.finance_1).action_approve()
        self.assertEqual(request.state, "approved")
        self.assertFalse(request.consumed)
        self.assertEqual(doc.state, "draft")
        self.assertIn("could not run by itself", request.message_ids[:1].body)
        self.env["ir.model.access"].search(
            [("model_id.model", "=", "test.wfmon.document")]
        ).perm_write = True
        doc.with_user(self.requester).action_confirm()
        self.assertEqual((doc.state, request.consumed), ("confirmed", True))

    def test_form_shows_the_banner(self):
        doc = self._doc()
        doc.action_confirm()
        form = Form(
            doc.with_user(self.requester),
            view=self.env.ref("test_wfmon_approvals.test_wfmon_document_view_form"),
        )
        self.assertIn("Waiting for approval", form.wfmon_approval_banner)

    def test_guarding_many_documents_costs_a_bounded_number_of_queries(self):
        def run(count):
            docs = self.Doc.create(
                [
                    {
                        "name": f"D{i}",
                        "amount": 1500,
                        "site_id": self.store.id,
                        "user_id": self.finance_1.id,
                    }
                    for i in range(count)
                ]
            )
            docs = docs.with_user(self.requester)
            with count_queries(self.env) as queries:
                docs.action_confirm()
            used = queries.count
            self.assertEqual(len(docs.wfmon_approval_request_ids), count)
            return used

        run(5)  # warm-up (caches, prepared ORM metadata)
        small, large = run(20), run(200)
        # The ORM writes INSERTs in chunks of 100 rows, so each table written
        # costs one more query per 100 documents: allow that, nothing per document.
        msg = f"20 documents: {small} queries, 200 documents: {large}"
        self.assertLessEqual(large, small + 20, msg)
        self.assertLess(large, 200, msg)


@tagged("post_install", "-at_install")
class TestGuardedOncePerAction(GuardedDocumentCase):
    """Two overrides of the same action call the guard (the test module guards
    ``action_confirm`` twice): the matrix decides once per records and action."""

    def test_two_guard_calls_make_one_request_and_use_the_approval_once(self):
        doc = self._doc()
        doc.action_confirm()
        request = doc.wfmon_approval_request_ids
        self.assertEqual(len(request), 1)
        self.assertEqual(request.decision_ids.mapped("decision"), ["submit"])
        self._approve_all(request)
        # The outer call used the approval up; the inner one let it through as
        # decided and still knows which approval the document ran under.
        self.assertEqual((doc.state, doc.confirm_count), ("confirmed", 1))
        self.assertEqual(doc.approved_under, request.name)
        self.assertEqual(len(doc.wfmon_approval_request_ids), 1)

    def test_the_inner_override_sees_every_held_record_once(self):
        small, large = self._doc(amount=10), self._doc()
        # The outer override lets only the small one go on; the inner one still
        # counts the large one as held, and the matrix made one request.
        (small | large).action_confirm()
        self.assertEqual((small.state, small.held_count), ("confirmed", 0))
        self.assertEqual((large.state, large.held_count), ("draft", 1))
        self.assertEqual(len(large.wfmon_approval_request_ids), 1)
        # Nothing allowed at all: the inner override is still reached.
        other = self._doc(amount=2000)
        response = other.action_confirm()
        self.assertIn("needs approval", response["params"]["message"])
        self.assertEqual((other.state, other.held_count), ("draft", 1))
        self.assertEqual(len(other.wfmon_approval_request_ids), 1)

    def test_a_client_cannot_claim_a_verdict_through_the_context(self):
        large = self._doc()
        forged = {"test.wfmon.document.action_confirm": {"held": [], "response": None}}
        allowed, _response = self.Doc._wfmon_guard(
            large.with_context(wfmon_guard_verdict=forged, wfmon_guard_passed=forged),
            "action_confirm",
        )
        self.assertFalse(allowed)
        self.assertEqual(self._request(large).state, "pending")

    def test_the_guard_lets_its_own_records_through_once_decided(self):
        docs = self._doc(amount=10) | self._doc(amount=20)
        Mixin = self.env["wfmon.approval.mixin"]
        allowed, response = docs._wfmon_approval_guard("action_confirm")
        self.assertEqual((allowed, response), (docs, None))
        again, response = Mixin._wfmon_guard(allowed, "action_confirm")
        self.assertEqual((again, response), (docs, None))
        # A record the first call did not decide on goes through the matrix.
        held = self._doc()
        mixed, response = Mixin._wfmon_guard(allowed | held.with_env(allowed.env), "action_confirm")
        self.assertEqual(mixed, docs)
        self.assertIn("needs approval", response["params"]["message"])
        self.assertEqual(self._request(held).state, "pending")


@tagged("post_install", "-at_install")
class TestGuardedStates(GuardedDocumentCase):
    """Only the guarded action moves a document the matrix holds into its guarded
    states; documents no policy selects and nobody waits on are left alone (the
    check must not refuse every posting of a shared state)."""

    def test_direct_state_write_is_refused_only_where_the_matrix_holds(self):
        small = self._doc(amount=10)
        small.with_user(self.requester).write({"state": "confirmed"})
        self.assertEqual(small.state, "confirmed", "no policy selects it: nothing to skip")
        large = self._doc()
        with self.assertRaisesRegex(AccessError, "only Confirm sets this"):
            large.with_user(self.requester).write({"state": "confirmed"})
        # Held on a pending request: refused as well.
        large.action_confirm()
        with self.assertRaisesRegex(AccessError, "only Confirm sets this"):
            large.with_user(self.requester).write({"state": "confirmed"})
        self.assertEqual(large.state, "draft")

    def test_create_in_the_guarded_state_is_refused_only_where_a_policy_applies(self):
        self.assertEqual(self._doc(amount=10, state="confirmed").state, "confirmed")
        with self.assertRaisesRegex(AccessError, "only Confirm sets this"):
            self._doc(state="confirmed")

    def test_work_reached_by_another_path_can_require_the_guard(self):
        large, small = self._doc(), self._doc(amount=10)
        small._wfmon_approval_require_passed("action_confirm")
        with self.assertRaisesRegex(AccessError, "only Confirm does this"):
            large._wfmon_approval_require_passed("action_confirm")
        passed = self.env["wfmon.approval.mixin"]._wfmon_passed(large, "action_confirm")
        passed._wfmon_approval_require_passed("action_confirm")
