from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.wfmon_core.models.wfmon_detector import detectors_off


class WfmonRetailSubstitution(models.Model):
    """A substitute product for a store's low stock, when the vendor's lead
    time (or its ETA) breaks the store's policy.

    The low-stock detector creates it on the case it escalates to
    merchandising, with a suggestion (a product of the same category whose
    vendor delivers within the policy) and asks for *Use the substitute*, which
    the approval matrix holds for merchandising. Once approved it raises an RFQ
    for the substitute at the store (which goes through the replenishment
    policies in turn) and notes it on the case.
    """

    _name = "wfmon.retail.substitution"
    _inherit = ["mail.thread", "wfmon.approval.mixin"]
    _description = "Retail Substitute Request"
    _order = "id desc"
    _wfmon_guarded_actions = {"action_apply": "Use the substitute"}
    _wfmon_approval_site_field = "site_id"
    _wfmon_approval_snapshot_fields = ("substitute_id", "quantity")
    _wfmon_guarded_states = {"action_apply": ("state", ("done",))}

    name = fields.Char(compute="_compute_name", store=True)
    state = fields.Selection(
        [("draft", "To decide"), ("done", "Substitute ordered"), ("cancel", "Cancelled")],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
    )
    case_id = fields.Many2one("wfmon.case", required=True, readonly=True, index=True)
    orderpoint_id = fields.Many2one(
        "stock.warehouse.orderpoint", string="Reordering Rule", readonly=True
    )
    store_id = fields.Many2one("wfmon.retail.store", required=True, readonly=True, index=True)
    site_id = fields.Many2one(related="store_id.site_id", store=True, index=True)
    company_id = fields.Many2one(related="store_id.company_id", store=True, index=True)
    product_id = fields.Many2one("product.product", string="Product", required=True, readonly=True)
    substitute_id = fields.Many2one(
        "product.product",
        string="Substitute",
        tracking=True,
        domain="[('id', '!=', product_id), ('purchase_ok', '=', True)]",
        help="The product the store gets instead. A change after approval needs a new one.",
    )
    quantity = fields.Float(
        digits="Product Unit of Measure",
        tracking=True,
        help="Quantity of the substitute to order for the store.",
    )
    reason = fields.Text(readonly=True)
    purchase_id = fields.Many2one("purchase.order", string="Substitute RFQ", readonly=True)
    amount = fields.Monetary(compute="_compute_amount", currency_field="currency_id")
    currency_id = fields.Many2one(related="company_id.currency_id")

    @api.depends("product_id", "store_id")
    def _compute_name(self):
        for sub in self:
            sub.name = self.env._(
                "Substitute for %(product)s at %(store)s",
                product=sub.product_id.display_name,
                store=sub.store_id.name,
            )

    @api.depends("substitute_id", "quantity")
    def _compute_amount(self):
        for sub in self:
            sub.amount = sub.quantity * sub.substitute_id.standard_price

    @api.model
    def _request_for(self, case, rule, reason):
        """Create the substitute request of an escalated low-stock case, with
        a suggestion, and ask for its approval (as the engine)."""
        store = self.env["wfmon.retail.store"]._by_warehouse(rule.warehouse_id)[
            rule.warehouse_id.id
        ]
        # sudo: the detector creates it for merchandising, whoever triggered it.
        sub = self.sudo().create(
            {
                "case_id": case.id,
                "orderpoint_id": rule.id,
                "store_id": store.id,
                "product_id": rule.product_id.id,
                "substitute_id": self._suggest(rule.product_id, store).id,
                "quantity": max(rule.product_max_qty - rule.qty_forecast, rule.product_min_qty),
                "reason": reason,
            }
        )
        if sub.substitute_id:
            sub.action_apply()
        return sub

    @api.model
    def _suggest(self, product, store):
        """A purchasable storable product of the same category whose vendor's
        lead time is within the store's policy (cheapest first), or nothing."""
        max_days = store._setting("max_lead_days")
        candidates = (
            self.env["product.product"]
            .sudo()
            .search(
                [
                    ("categ_id", "=", product.categ_id.id),
                    ("id", "!=", product.id),
                    ("purchase_ok", "=", True),
                    ("is_storable", "=", True),
                    ("seller_ids", "!=", False),
                ],
                order="standard_price, id",
                limit=50,
            )
        )
        for candidate in candidates:
            seller = candidate._select_seller(quantity=None)
            if seller and (not max_days or seller.delay <= max_days):
                return candidate
        return candidates.browse()

    def _wfmon_approval_applicable(self, action_name):
        if action_name != "action_apply" or detectors_off(self.env):
            return self.browse()
        return self.filtered(lambda s: s.state == "draft")

    def action_apply(self):
        """Order the substitute for the store (after merchandising's approval)."""
        # sudo: the request may be run by the engine's requester (e.g. the inbound
        # robot that reported the ETA) once merchandising approved; the guard,
        # not the caller's read access, decides whether it runs.
        if any(not sub.substitute_id or sub.quantity <= 0 for sub in self.sudo()):
            raise UserError(self.env._("Choose a substitute and a quantity first."))
        allowed, response = self._wfmon_approval_guard("action_apply")
        for sub in allowed.sudo().filtered(lambda s: s.state == "draft"):
            sub._order_substitute()
        return response or True

    def action_cancel(self):
        self.filtered(lambda s: s.state == "draft").write({"state": "cancel"})
        return True

    def _order_substitute(self):
        self.ensure_one()
        product = self.substitute_id
        seller = product._select_seller(quantity=self.quantity)
        if not seller:
            raise UserError(self.env._("%s has no vendor to order from.", product.display_name))
        warehouse = self.store_id.warehouse_id
        # sudo: the approved substitution raises the RFQ on merchandising's behalf.
        order = (
            self.env["purchase.order"]
            .sudo()
            .create(
                {
                    "partner_id": seller.partner_id.id,
                    "picking_type_id": warehouse.in_type_id.id,
                    "company_id": self.company_id.id,
                    "origin": self.name,
                    "order_line": [
                        (0, 0, {"product_id": product.id, "product_qty": self.quantity})
                    ],
                }
            )
        )
        order._wfmon_engine().write({"wfmon_retail_case_id": self.case_id.id})
        self.write({"state": "done", "purchase_id": order.id})
        self.case_id.sudo().activity_feedback(
            ["wfmon_core.mail_activity_type_wfmon_escalation"],
            feedback=self.env._("Substitute %s approved.", product.display_name),
        )
        self.case_id.sudo()._log_batch(
            "note",
            reasons=self.env._(
                "Substitute %(product)s approved; RFQ %(order)s raised for %(store)s.",
                product=product.display_name,
                order=order.name,
                store=self.store_id.name,
            ),
            automated=True,
        )
