import json

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.wfmon_core.models.wfmon_detector import detectors_off
from odoo.addons.wfmon_core.tools.engine import flag, with_flags

from ..tools.retail_pos_price import bulk_change_beyond, list_price_change

#: server flag of the list-price writes of an approved price change (a client
#: cannot send it): they are what was approved, not a new change
APPLY_KEY = "wfmon_retail_price_apply"

PRICE_CHANGE_FIELDS = frozenset(
    {
        "state",
        "company_id",
        "requester_id",
        "line_ids",
        "amount",
        "max_change",
        "applied_date",
    }
)


def applying(env):
    """Whether ``env`` writes the prices of an approved price change."""
    return bool(flag(env.context, APPLY_KEY))


class WfmonRetailPriceChange(models.Model):
    """A held change of products' sales prices (``list_price``), with the
    proposed values.

    A write changing the sales price of products by more than the company's
    limit (Settings, in percent either way; zero: no limit) does not change
    those prices: it stores them here, one request per write and company,
    with each product's price before and the price asked for, and submits
    *Apply the new prices* to the approval matrix (merchandising; Finance as
    well above the amount band). The write's other values, and the prices of
    products within the limit, are written at once.

    Approved: the engine runs *Apply the new prices* as the requester and
    exactly the proposed prices are written. Rejected: nothing changed; the
    request says who rejected it and why. The lines are the engine's: nobody
    edits a proposal after it was submitted (a new price change makes a new
    request).

    The amount the matrix is banded on is the change of the sales value of the
    stock on hand: the sum over the products of ``|new - old| x quantity on
    hand`` when the change was asked (a product without stock counts for one
    unit, so a chain-wide price cut of a product not stocked yet still weighs
    its price change).
    """

    _name = "wfmon.retail.price.change"
    _inherit = ["mail.thread", "wfmon.approval.mixin", "wfmon.engine.mixin"]
    _description = "Sales Price Change Request"
    _order = "id desc"
    _wfmon_guarded_actions = {"action_apply": "Apply the new prices"}
    _wfmon_approval_snapshot_fields = ("proposal",)
    _wfmon_guarded_states = {"action_apply": ("state", ("applied",))}
    _wfmon_engine_fields = PRICE_CHANGE_FIELDS
    _wfmon_engine_create = True

    name = fields.Char(compute="_compute_name", store=True)
    state = fields.Selection(
        [("pending", "Held for approval"), ("applied", "Applied"), ("cancel", "Withdrawn")],
        default="pending",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
    )
    status = fields.Selection(
        [
            ("pending", "Held for approval"),
            ("applied", "Applied"),
            ("rejected", "Rejected: nothing changed"),
            ("cancel", "Withdrawn"),
        ],
        compute="_compute_status",
        help="Rejected: the approvers refused it; the products kept their prices.",
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    requester_id = fields.Many2one("res.users", string="Asked By", required=True, readonly=True)
    line_ids = fields.One2many(
        "wfmon.retail.price.change.line", "change_id", string="Prices", readonly=True
    )
    amount = fields.Monetary(
        string="Value at Stake",
        currency_field="currency_id",
        readonly=True,
        help="Change of the sales value of the stock on hand: |new - old| x quantity on "
        "hand (at least one unit) over the products, when the change was asked.",
    )
    max_change = fields.Float(
        string="Largest Change (%)", readonly=True, help="The largest price change, either way."
    )
    proposal = fields.Char(
        compute="_compute_proposal",
        store=True,
        help="The proposed prices, as approved: a change voids the approval.",
    )
    applied_date = fields.Datetime(string="Applied On", readonly=True)

    @api.depends("line_ids.product_tmpl_id", "line_ids.new_price")
    def _compute_name(self):
        for change in self:
            lines = change.line_ids
            change.name = (
                self.env._("Sales price of %s", lines.product_tmpl_id.display_name)
                if len(lines) == 1
                else self.env._("Sales prices of %s products", len(lines))
            )

    @api.depends("line_ids.product_tmpl_id", "line_ids.new_price")
    def _compute_proposal(self):
        for change in self:
            change.proposal = json.dumps(
                sorted([line.product_tmpl_id.id, line.new_price] for line in change.line_ids)
            )

    def _compute_status(self):
        for change in self:
            if change.state == "pending" and change.wfmon_approval_state == "rejected":
                change.status = "rejected"
            else:
                change.status = change.state

    # ------------------------------------------------------------------
    # Holding a write
    # ------------------------------------------------------------------
    @api.model
    def _wfmon_hold(self, templates, prices):
        """Hold the list-price changes of ``templates`` beyond their company's
        limit. ``prices``: ``{template id: new list price}``.

        :return: the templates whose price the caller must not write (held,
            or applied here at once because no policy needs an approval)
        """
        if self.env.su or applying(self.env) or detectors_off(self.env):
            return templates.browse()
        try:
            prices = {key: float(value or 0.0) for key, value in prices.items()}
        except (TypeError, ValueError):
            # Not a price: the write itself refuses it with Odoo's own message.
            return templates.browse()
        by_company = {}
        for template in templates:
            company = template.company_id or self.env.company
            by_company.setdefault(company, []).append(template)
        kept = templates.browse()
        for company, members in by_company.items():
            limit = company.sudo().wfmon_retail_list_price_max_change
            if not limit:
                continue
            beyond = bulk_change_beyond(
                {t.id: (t.list_price, prices[t.id]) for t in members if t.id in prices}, limit
            )
            if not beyond:
                continue
            held = templates.browse(sorted(beyond))
            self._wfmon_refuse_second_change(held)
            change = self._wfmon_submit(company, held, prices)
            kept |= held
            response = change.action_apply()
            if change.state == "pending":
                note = self.env._(
                    "New sales price held for approval (%(change)s): %(why)s",
                    change=change.name,
                    why=(response or {}).get("params", {}).get("message", ""),
                )
                for template in held.sudo():
                    # sudo: the note is the engine's, whoever changed the price.
                    template.message_post(body=note, subtype_xmlid="mail.mt_note")
        return kept

    @api.model
    def _wfmon_refuse_second_change(self, templates):
        # sudo: pending changes of these products, whoever asks.
        pending = (
            self.env["wfmon.retail.price.change.line"]
            .sudo()
            .search([("product_tmpl_id", "in", templates.ids), ("change_id.state", "=", "pending")])
            .filtered(lambda line: line.change_id.status == "pending")
        )
        if pending:
            raise UserError(
                self.env._(
                    "A change of the sales price of %(products)s already waits for approval "
                    "(%(changes)s). Withdraw it, or wait for the decision, before asking "
                    "for another one. Nothing was saved.",
                    products=", ".join(pending.product_tmpl_id.mapped("display_name")),
                    changes=", ".join(pending.change_id.mapped("name")),
                )
            )

    @api.model
    def _wfmon_submit(self, company, templates, prices):
        """The price change request of ``templates`` (in ``company``), created
        by the engine with the prices before and after and the value at stake."""
        # sudo: the requester may not read the quantities of every store.
        on_hand = {t.id: t.qty_available for t in templates.sudo().with_company(company)}
        lines = []
        amount = 0.0
        largest = 0.0
        for template in templates:
            old, new = template.list_price, prices[template.id]
            change = list_price_change(old, new)
            largest = max(largest, abs(change))
            amount += abs(new - old) * max(on_hand.get(template.id, 0.0), 1.0)
            lines.append(
                (
                    0,
                    0,
                    {
                        "product_tmpl_id": template.id,
                        "old_price": old,
                        "new_price": new,
                        "change_percent": change,
                        "qty_available": on_hand.get(template.id, 0.0),
                    },
                )
            )
        # sudo: the engine creates it for whoever changed the price; its values
        # are what the approvers decide on.
        return (
            self.sudo()
            ._wfmon_engine()
            .create(
                {
                    "company_id": company.id,
                    "requester_id": self.env.uid,
                    "amount": company.currency_id.round(amount),
                    "max_change": round(largest, 2),
                    "line_ids": lines,
                }
            )
            .with_env(self.env)
        )

    # ------------------------------------------------------------------
    # The guarded action
    # ------------------------------------------------------------------
    def _wfmon_approval_applicable(self, action_name):
        if action_name != "action_apply" or detectors_off(self.env):
            return self.browse()
        return self.filtered(lambda c: c.state == "pending")

    def _wfmon_approval_analysis(self, action_name):
        if action_name != "action_apply":
            return {}
        result = {}
        for change in self:
            rows = Markup("").join(
                Markup("<tr><td>%s</td><td>%s</td><td>%s</td><td>%s%%</td><td>%s</td></tr>")
                % (
                    line.product_tmpl_id.display_name,
                    line.old_price,
                    line.new_price,
                    round(line.change_percent, 1),
                    line.qty_available,
                )
                for line in change.line_ids
            )
            result[change.id] = Markup(
                "<table class='table table-sm'><thead><tr><th>%s</th><th>%s</th><th>%s</th>"
                "<th>%s</th><th>%s</th></tr></thead><tbody>%s</tbody></table>"
            ) % (
                self.env._("Product"),
                self.env._("Price now"),
                self.env._("Price asked"),
                self.env._("Change"),
                self.env._("On hand"),
                rows,
            )
        return result

    def action_apply(self):
        """Write the proposed sales prices (once approved)."""
        allowed, response = self._wfmon_approval_guard("action_apply")
        for change in allowed.filtered(lambda c: c.state == "pending"):
            change._wfmon_apply()
        return response or True

    def _wfmon_apply(self):
        self.ensure_one()
        for line in self.line_ids:
            # The approved prices, as the requester (their rights), marked with a
            # server flag so that the write is not held again.
            with_flags(line.product_tmpl_id.with_env(self.env), **{APPLY_KEY: self.id}).write(
                {"list_price": line.new_price}
            )
        # The state is the engine's; the guard let this change through.
        self._wfmon_engine().sudo().write(
            {"state": "applied", "applied_date": fields.Datetime.now()}
        )
        request = self._wfmon_approval_consumed("action_apply").get(self.id)
        self.sudo().message_post(
            body=(
                self.env._("Applied under approval %s.", request.name)
                if request
                else self.env._("Applied: no approval needed.")
            ),
            subtype_xmlid="mail.mt_note",
        )

    def action_withdraw(self):
        """The requester (or a merchandising manager) withdraws a pending change:
        nothing changes on the products."""
        for change in self:
            if change.state != "pending":
                raise UserError(self.env._("%s is not held any more.", change.name))
            if change.requester_id != self.env.user and not self.env.user.has_group(
                "wfmon_retail.group_wfmon_retail_merchandising"
            ):
                raise UserError(
                    self.env._("Only the requester or merchandising can withdraw %s.", change.name)
                )
        # sudo: the engine closes the open requests of the withdrawn changes.
        requests = self._wfmon_open_requests(self, "action_apply")
        requests.filtered(lambda r: r.state == "pending")._close(
            "cancelled", "cancel", self.env._("Price change withdrawn.")
        )
        self._wfmon_engine().sudo().write({"state": "cancel"})
        return True


class WfmonRetailPriceChangeLine(models.Model):
    _name = "wfmon.retail.price.change.line"
    _inherit = ["wfmon.engine.mixin"]
    _description = "Sales Price Change Line"
    _order = "change_id, id"
    _wfmon_engine_fields = frozenset(
        {
            "change_id",
            "product_tmpl_id",
            "old_price",
            "new_price",
            "change_percent",
            "qty_available",
        }
    )
    _wfmon_engine_create = True

    change_id = fields.Many2one(
        "wfmon.retail.price.change", required=True, ondelete="cascade", index=True
    )
    product_tmpl_id = fields.Many2one(
        "product.template", string="Product", required=True, ondelete="cascade", index=True
    )
    old_price = fields.Float(string="Price Before", digits="Product Price")
    new_price = fields.Float(string="Price Asked", digits="Product Price")
    change_percent = fields.Float(string="Change (%)")
    qty_available = fields.Float(string="On Hand", digits="Product Unit of Measure")
