from odoo.tests import new_test_user, tagged

from odoo.addons.wfmon_core.tests.common import WfmonRpcCase
from odoo.addons.wfmon_distribution.tests.common import DistributionCase

from .retail_pos_rows import RetailPosRows
from .retail_rows import RetailRows

CREDIT = "distribution.credit_hold"
FULFILLMENT = "distribution.fulfillment_at_risk"

# Decisions that mean an approval was granted or used.
GRANTING = ("approve", "auto", "resume")


@tagged("post_install", "-at_install")
class TestRpcAttacks(RetailRows, RetailPosRows, WfmonRpcCase, DistributionCase):
    """Every control, attacked over JSON-RPC as every role.

    Rows, not code, say what is attacked:

    - ``GUARDED``: one row per guarded action, ``(model, action) -> (factory,
      moved)``: ``factory`` names a class method building a document the action
      must hold for approval, ``moved`` a predicate telling the action ran.
      ``test_every_guarded_action_has_a_row`` finds the guarded actions by
      introspection (``_wfmon_guarded_actions``): a new one fails the suite
      until it gets its row.
    - ``cls.targets``: one record per engine-managed model (``wfmon.engine.mixin``),
      its protected fields attacked one by one; a new engine-managed model fails
      ``test_every_engine_model_has_a_target``.
    - The context sent with every attack holds every key the suite's sources
      read (``suite_context_keys``) plus Odoo's and made-up ones.
    """

    ROLES = {
        **WfmonRpcCase.ROLES,
        "salesperson": "sales_team.group_sale_salesman",
        "purchase": "purchase.group_purchase_user",
        "billing": "account.group_account_invoice",
        "admin": "base.group_system,wfmon_core.group_wfmon_admin,"
        "sales_team.group_sale_manager,purchase.group_purchase_manager,"
        "account.group_account_manager,stock.group_stock_manager",
        **RetailRows.RETAIL_ROLES,
        **RetailPosRows.RETAIL_POS_ROLES,
    }
    GUARDED = {
        ("sale.order", "action_confirm"): ("_held_sale_order", lambda o: o.state == "sale"),
        ("purchase.order", "button_confirm"): (
            "_held_purchase",
            lambda o: o.state in ("to approve", "purchase", "done"),
        ),
        ("wfmon.distribution.remedy", "action_apply"): (
            "_held_remedy",
            lambda r: r.state == "done",
        ),
        ("test.wfmon.document", "action_confirm"): (
            "_held_document",
            lambda d: d.state == "confirmed",
        ),
        **RetailRows.RETAIL_GUARDED,
        **RetailPosRows.RETAIL_POS_GUARDED,
    }
    #: writes that would put a held document where only its guarded action may
    STATE_WRITES = {
        "sale.order": [{"state": "sale"}],
        "purchase.order": [{"state": "purchase"}, {"state": "to approve"}, {"state": "done"}],
        "wfmon.distribution.remedy": [{"state": "done"}],
        "test.wfmon.document": [{"state": "confirmed"}],
        **RetailRows.RETAIL_STATE_WRITES,
        **RetailPosRows.RETAIL_POS_STATE_WRITES,
    }
    #: who normally runs each guarded action (also attacked key by key)
    OWNER = {
        "sale.order": "salesperson",
        "purchase.order": "purchase",
        "wfmon.distribution.remedy": "wfmon_user",
        "test.wfmon.document": "internal",
        **RetailRows.RETAIL_OWNER,
        **RetailPosRows.RETAIL_POS_OWNER,
    }

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = cls.role_users
        # Monitoring user and manager work at the North warehouse.
        cls.wh_north.wfmon_site_id.user_ids = [(4, cls.users["wfmon_user"].id)]
        cls.company.account_use_credit_limit = True
        cls.customer.with_company(cls.company).credit_limit = 1000.0
        cls.approver = new_test_user(
            cls.env, login="rpc_approver", name="Named Approver", groups="base.group_user"
        )
        cls.doc_policy = cls.env["wfmon.approval.policy"].create(
            {
                "name": "Adversarial documents",
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
                            "name": "Everybody but the requester",
                            "approver_kind": "users",
                            "user_ids": [(6, 0, [cls.approver.id, *cls.users["admin"].ids])],
                        },
                    )
                ],
            }
        )
        # A case at the North warehouse, with its audit trail.
        cls.case = cls.Case.create(
            {
                "type_id": cls.env.ref("wfmon_core.case_type_manual").id,
                "summary": "Attacked case",
                "site_id": cls.wh_north.wfmon_site_id.id,
            }
        )
        cls.case.action_start()
        # A pending request on a document, requested by the billing user.
        cls.request_doc = cls._held_document(requester="billing")
        cls.request_doc.with_user(cls.users["billing"]).action_confirm()
        cls.request = cls.request_doc.wfmon_approval_request_ids
        cls.targets = {
            "wfmon.case": cls.case,
            "wfmon.case.log": cls.case.log_ids[:1],
            "wfmon.approval.request": cls.request,
            "wfmon.approval.assignment": cls.request.assignment_ids[:1],
            "wfmon.approval.decision": cls.request.decision_ids[:1],
            "wfmon.distribution.remedy": cls._held_remedy(),
            "wfmon.recommendation": cls.env["wfmon.recommendation"]._attach(
                cls.case, cls.env["wfmon.inbound.source"], text="Approve it", confidence=0.9
            ),
        }
        cls._setup_retail()
        cls.targets.update(cls._retail_targets())
        cls._setup_retail_pos()
        cls.targets.update(cls._retail_pos_targets())
        # Records of another company and another warehouse.
        cls.company_2 = cls.env["res.company"].create({"name": "Other Company"})
        cls.case_other_company = cls.Case.with_company(cls.company_2).create(
            {
                "type_id": cls.env.ref("wfmon_core.case_type_manual").id,
                "summary": "Not yours",
                "company_id": cls.company_2.id,
            }
        )
        cls.case_south = cls.Case.create(
            {
                "type_id": cls.env.ref("wfmon_core.case_type_manual").id,
                "summary": "South only",
                "site_id": cls.wh_south.wfmon_site_id.id,
            }
        )
        cls.endpoint = cls.env["wfmon.webhook.endpoint"].create(
            {"name": "Attacked endpoint", "url": "https://n8n.example.com/webhook/attacked"}
        )
        cls.source = cls.env["wfmon.inbound.source"].create(
            {"name": "Attacked source", "user_id": cls.users["admin"].id}
        )

    # ------------------------------------------------------------------
    # Factories of documents a guarded action must hold
    # ------------------------------------------------------------------
    @classmethod
    def _held_sale_order(cls):
        """Over its customer's credit limit: held for Finance."""
        return cls._order([(cls.widget, 15)], user_id=cls.users["salesperson"].id)

    @classmethod
    def _held_purchase(cls):
        """Priced above the vendor price list: held for a purchase manager."""
        return cls._purchase(
            [(cls.widget, 10, {"price_unit": 75.0})], user_id=cls.users["purchase"].id
        )

    @classmethod
    def _held_remedy(cls):
        """A split shipment of a delivery: held for the warehouse supervisor."""
        cls._stock(cls.gadget, cls.wh_north, 2)
        order = cls._order([(cls.gadget, 5)], user_id=cls.users["salesperson"].id)
        order.action_confirm()
        return cls.env["wfmon.distribution.remedy"].create(
            {"kind": "split", "picking_id": order.picking_ids[:1].id}
        )

    @classmethod
    def _held_document(cls, requester="internal"):
        """Above the policy's band: held for the named approvers."""
        return (
            cls.env["test.wfmon.document"]
            .with_user(cls.users[requester])
            .create({"name": "Attacked document", "amount": 5000})
        )

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _requests(self, record):
        return self.env["wfmon.approval.request"].search(
            [("res_model", "=", record._name), ("res_id", "=", record.id)]
        )

    def _forged_contexts(self, record, action):
        """The attack context, and forged claims of an approval or a release."""
        key = f"{record._name}.{action}"
        any_request = self.request.id
        return [
            self.attack_context,
            {
                **self.attack_context,
                "wfmon_approval_consumed": {key: {str(record.id): any_request}},
            },
            {**self.attack_context, "wfmon_approval_consumed": {key: list(range(record.id + 1))}},
            {**self.attack_context, "wfmon_dist_released": [record.id]},
        ]

    def assertHeld(self, record, moved, msg):
        """The guarded action did not run and no approval was granted or used."""
        self.env.invalidate_all()
        self.assertFalse(moved(record), f"{record} ran without approval: {msg}")
        requests = self._requests(record)
        self.assertFalse(
            requests.filtered(lambda r: r.state == "approved" or r.consumed),
            f"{record}: an approval was granted or used: {msg}",
        )
        self.assertFalse(
            requests.decision_ids.filtered(lambda d: d.decision in GRANTING),
            f"{record}: a granting decision was logged: {msg}",
        )

    # ------------------------------------------------------------------
    # Items of the security review
    # ------------------------------------------------------------------
    def test_context_keys_of_the_suite_are_attacked(self):
        for key in (
            "wfmon_engine",
            "wfmon_detectors_off",
            "wfmon_dist_released",
            "wfmon_scanner",
            "wfmon_approval_consumed",
            "wfmon_decision",
        ):
            self.assertIn(key, self.attack_context)

    def test_salesperson_cannot_switch_the_credit_approval_off(self):
        """An order over the credit limit, confirmed by its salesperson with
        {"wfmon_detectors_off": true}, is held like any other."""
        order = self._held_sale_order()
        outcome = self.rpc(
            "salesperson",
            "sale.order",
            "action_confirm",
            order.ids,
            context={"wfmon_detectors_off": True},
        )
        self.assertFalse(outcome.error, outcome.message)
        self.assertEqual(order.state, "draft")
        request = self._requests(order)
        self.assertEqual(request.state, "pending")
        self.assertEqual(request.requester_id, self.users["salesperson"])
        self.assertTrue(self._cases(CREDIT, order).is_open)

    def test_the_disable_key_switches_no_guard_or_detector_off(self):
        purchase = self._held_purchase()
        self.rpc(
            "purchase",
            "purchase.order",
            "button_confirm",
            purchase.ids,
            context={"wfmon_detectors_off": True},
        )
        self.assertEqual(purchase.state, "draft", "the purchase guard holds")
        self.assertEqual(self._requests(purchase).state, "pending")
        # Within the credit limit, short of stock: it confirms, and the fulfillment
        # detector still opens its case.
        short = self._order([(self.gadget, 5)], user_id=self.users["salesperson"].id)
        outcome = self.rpc(
            "salesperson",
            "sale.order",
            "action_confirm",
            short.ids,
            context={"wfmon_detectors_off": True, "wfmon_scanner": True},
        )
        self.assertFalse(outcome.error, outcome.message)
        self.assertEqual(short.state, "sale")
        self.assertTrue(self._cases(FULFILLMENT, short).is_open, "the detector still runs")

    def test_monitoring_user_cannot_write_engine_fields_with_the_engine_key(self):
        """A plain monitoring user writing state / sla_status with
        {"wfmon_engine": true} is refused; the case and its trail are unchanged."""
        with self.assertUnchanged(self.case):
            outcome = self.rpc(
                "wfmon_user",
                "wfmon.case",
                "write",
                self.case.ids,
                {"state": "resolved", "sla_status": "met"},
                context={"wfmon_engine": True},
            )
        self.assertEqual(outcome.error, "odoo.exceptions.AccessError")
        self.assertEqual((self.case.state, self.case.sla_status), ("in_progress", "on_track"))

    # ------------------------------------------------------------------
    # Guarded actions
    # ------------------------------------------------------------------
    def test_every_guarded_action_has_a_row(self):
        guarded = {
            (model, action)
            for model in self.env.registry["wfmon.approval.mixin"]._inherit_children
            if not self.env[model]._abstract
            for action in self.env[model]._wfmon_guarded_actions
        }
        self.assertTrue(guarded)
        self.assertEqual(guarded - set(self.GUARDED), set(), "add a row to GUARDED")
        self.assertEqual({m for m, _a in guarded} - set(self.STATE_WRITES), set())
        # The state a guarded action sets is closed to writes: the mixin's
        # _wfmon_guarded_states, or an engine-managed field.
        for model, action in guarded:
            Model = self.env[model]
            closed = action in Model._wfmon_guarded_states or "state" in getattr(
                Model, "_wfmon_engine_fields", ()
            )
            self.assertTrue(closed, f"{model}.{action}: declare _wfmon_guarded_states")

    def test_guarded_actions_hold_under_every_context(self):
        for (model, action), (factory, moved) in self.GUARDED.items():
            record = getattr(self, factory)()
            owner = self.OWNER[model]
            for role in self.role_users:
                for context in self._forged_contexts(record, action):
                    with self.subTest(model=model, role=role, keys=sorted(context)[:3]):
                        self.rpc(role, model, action, record.ids, context=context)
                        self.assertHeld(record, moved, f"{role} {model}.{action}")
                # Around the action: writing the state it would set.
                for vals in self.STATE_WRITES[model]:
                    with self.subTest(model=model, role=role, write=vals):
                        outcome = self.rpc(
                            role, model, "write", record.ids, vals, context=self.attack_context
                        )
                        self.assertRefused(outcome, f"{role} {model}.write({vals})")
                        self.assertHeld(record, moved, f"{role} {model}.write({vals})")
            # The role that runs the action, each key on its own.
            for key, value in self.attack_context.items():
                with self.subTest(model=model, role=owner, key=key):
                    self.rpc(owner, model, action, record.ids, context={key: value})
                    self.assertHeld(record, moved, f"{owner} {model}.{action} with {key}")
            # Not vacuous: the guard was reached and is waiting for an approver.
            self.assertEqual(self._requests(record).mapped("state"), ["pending"], model)

    # ------------------------------------------------------------------
    # Engine-managed fields
    # ------------------------------------------------------------------
    def _engine_models(self):
        return sorted(
            model
            for model in self.env.registry["wfmon.engine.mixin"]._inherit_children
            if not self.env[model]._abstract
        )

    def test_every_engine_model_has_a_target(self):
        models = self._engine_models()
        self.assertIn("wfmon.case", models)
        self.assertEqual(set(models) - set(self.targets), set(), "add a target record")
        for model, record in self.targets.items():
            self.assertEqual(len(record), 1, model)

    def test_engine_fields_refused_on_write(self):
        for model in self._engine_models():
            record = self.targets[model]
            fields = sorted(record._wfmon_engine_field_names())
            forged = {f: self.forged_value(record, f) for f in fields}
            for role in self.role_users:
                with self.subTest(model=model, role=role), self.assertUnchanged(record):
                    self.assertRefused(
                        self.rpc(
                            role, model, "write", record.ids, forged, context=self.attack_context
                        ),
                        f"{role} {model}.write",
                    )
            # One field at a time, as the roles with the widest rights on it.
            for role in ("admin", "wfmon_manager"):
                may_write = self.env[model].with_user(self.users[role]).has_access("write")
                for fname in fields:
                    with self.subTest(model=model, role=role, field=fname):
                        with self.assertUnchanged(record):
                            outcome = self.assertRefused(
                                self.rpc(
                                    role,
                                    model,
                                    "write",
                                    record.ids,
                                    {fname: forged[fname]},
                                    context=self.attack_context,
                                ),
                                f"{role} {model}.{fname}",
                            )
                        if may_write:
                            # Refused by the engine protection, not by chance.
                            self.assertRegex(outcome.message, "monitoring engine|cannot be changed")

    def test_engine_fields_refused_on_create(self):
        for model in self._engine_models():
            record = self.targets[model]
            fields = record._wfmon_engine_field_names()
            vals = {
                fname: value
                for fname, value in record.copy_data()[0].items()
                if fname in record._fields and not record._fields[fname].type.endswith("2many")
            }
            vals.update(
                {
                    fname: self.forged_value(record, fname)
                    for fname in fields
                    if not record._fields[fname].type.endswith("2many")
                    and record._fields[fname].store
                }
            )
            for role in self.role_users:
                with self.subTest(model=model, role=role):
                    before = self.table_digest(model)
                    trail = self.trail_digest()
                    self.assertRefused(
                        self.rpc(role, model, "create", vals, context=self.attack_context),
                        f"{role} {model}.create",
                    )
                    self.assertEqual(self.table_digest(model), before)
                    self.assertEqual(self.trail_digest(), trail)

    def test_context_defaults_never_fill_engine_fields(self):
        """A case created by hand with default_<engine field> keys gets the
        engine's values, and the defaults of ordinary fields still apply."""
        context = {
            **self.attack_context,
            "default_state": "resolved",
            "default_sla_status": "met",
            "default_escalation_level": 9,
            "default_sla_start": "2001-01-01 00:00:00",
            "default_name": "EXC-000001",
            "default_impact_amount": 42.0,
        }
        outcome = self.rpc(
            "wfmon_manager",
            "wfmon.case",
            "create",
            {"type_id": self.env.ref("wfmon_core.case_type_manual").id, "summary": "By hand"},
            context=context,
        )
        self.assertFalse(outcome.error, outcome.message)
        case = self.Case.browse(outcome.result)
        self.assertIn(case.state, ("new", "assigned"), "routed, not resolved")
        self.assertEqual(case.sla_status, "on_track")
        self.assertEqual(case.escalation_level, 0)
        self.assertNotEqual(case.name, "EXC-000001")
        self.assertGreater(case.sla_start.year, 2001)
        self.assertEqual(case.impact_amount, 42.0, "ordinary defaults still apply")
        self.assertEqual(case.log_ids.mapped("action"), ["open"])
        self.assertFalse(case.log_ids.automated)
        self.assertFalse(case.log_ids.reason)

    # ------------------------------------------------------------------
    # Audit trail, segregation of duties
    # ------------------------------------------------------------------
    def test_audit_lines_and_decisions_are_append_only(self):
        for model in ("wfmon.case.log", "wfmon.approval.decision"):
            line = self.targets[model]
            for role in self.role_users:
                with self.subTest(model=model, role=role), self.assertUnchanged(line):
                    ctx = self.attack_context
                    self.assertRefused(
                        self.rpc(role, model, "write", line.ids, {"reason": "x"}, context=ctx)
                    )
                    self.assertRefused(self.rpc(role, model, "unlink", line.ids, context=ctx))
                    self.assertRefused(
                        self.rpc(role, model, "create", {"reason": "forged"}, context=ctx)
                    )

    def test_nobody_approves_their_own_request(self):
        # The billing user requested it; they are not among its approvers, the
        # administrator is. Their own decision is refused whatever they send.
        requester = "billing"
        with self.assertUnchanged(self.request):
            for method, kwargs in (
                ("action_approve", {}),
                ("action_approve", {"reason": "mine"}),
                ("action_reject", {"reason": "mine"}),
            ):
                self.assertRefused(
                    self.rpc(
                        requester,
                        "wfmon.approval.request",
                        method,
                        self.request.ids,
                        context=self.attack_context,
                        **kwargs,
                    )
                )
            wizard = self.rpc(
                requester,
                "wfmon.approval.decide",
                "create",
                {"request_id": self.request.id, "decision": "approve"},
                context=self.attack_context,
            )
            if not wizard.error:
                self.assertRefused(
                    self.rpc(requester, "wfmon.approval.decide", "action_confirm", [wizard.result])
                )
        self.assertEqual(self.request.state, "pending")
        # An approver who is also the requester of another request: the admin
        # requests a document, and cannot approve it although they are on its level.
        doc = self._held_document(requester="admin")
        doc.with_user(self.users["admin"]).action_confirm()
        own = self._requests(doc)
        self.assertNotIn(self.users["admin"], own.assignment_ids.user_id)
        self.assertRefused(
            self.rpc(
                "admin",
                "wfmon.approval.request",
                "action_approve",
                own.ids,
                context=self.attack_context,
            )
        )
        self.assertEqual(own.state, "pending")

    # ------------------------------------------------------------------
    # Secrets, companies, sites, private methods
    # ------------------------------------------------------------------
    def test_secrets_are_for_administrators_only(self):
        for record in (self.endpoint, self.source):
            for role in self.role_users:
                if role == "admin":
                    continue
                for method, args, kwargs in (
                    ("read", [record.ids, ["secret"]], {}),
                    ("search_read", [[("id", "=", record.id)]], {"fields": ["secret"]}),
                    ("web_read", [record.ids], {"specification": {"secret": {}}}),
                ):
                    with self.subTest(model=record._name, role=role, method=method):
                        outcome = self.rpc(
                            role, record._name, method, *args, context=self.attack_context, **kwargs
                        )
                        if not outcome.error:
                            self.assertNotIn(record.sudo().secret, str(outcome.result))

    def test_other_companies_and_stores_stay_out_of_reach(self):
        for role in self.role_users:
            for context in (
                {},
                {"allowed_company_ids": [self.company_2.id]},
                {"allowed_company_ids": [self.company.id, self.company_2.id]},
            ):
                with self.subTest(role=role, context=context):
                    outcome = self.rpc(
                        role,
                        "wfmon.case",
                        "read",
                        self.case_other_company.ids,
                        ["summary"],
                        context=context,
                    )
                    self.assertRefused(outcome, f"{role} read another company's case")
                    found = self.rpc(
                        role,
                        "wfmon.case",
                        "search_read",
                        [("id", "=", self.case_other_company.id)],
                        fields=["summary"],
                        context={**self.attack_context, **context},
                    )
                    self.assertFalse(found.result, f"{role} found another company's case")
        # A monitoring user of the North warehouse does not read a South case.
        self.assertRefused(
            self.rpc("wfmon_user", "wfmon.case", "read", self.case_south.ids, ["summary"])
        )
        found = self.rpc(
            "wfmon_user",
            "wfmon.case",
            "search_read",
            [("id", "=", self.case_south.id)],
            fields=["summary"],
            context=self.attack_context,
        )
        self.assertFalse(found.result)

    def test_private_methods_cannot_be_called(self):
        models = {
            model
            for model in self.env.registry
            if model.startswith(("wfmon.", "test.wfmon.")) or model in {m for m, _a in self.GUARDED}
        }
        calls = 0
        for model in sorted(models):
            Model = self.env[model]
            if Model._abstract or Model._transient:
                continue
            names = set()
            for name in dir(type(Model)):
                if not name.startswith("_") or name.startswith("__"):
                    continue
                method = getattr(type(Model), name, None)
                if callable(method) and getattr(method, "__module__", "").startswith(
                    ("odoo.addons.wfmon_", "odoo.addons.test_wfmon_")
                ):
                    names.add(name)
            record = Model.search([], limit=1)
            for name in sorted(names):
                with self.subTest(model=model, method=name):
                    outcome = self.rpc("admin", model, name, record.ids)
                    self.assertRefused(outcome, f"{model}.{name}")
                    self.assertIn("Private methods", outcome.message)
                calls += 1
        self.assertGreater(calls, 50)
