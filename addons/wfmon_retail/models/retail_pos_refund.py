from collections import defaultdict

from odoo import fields, models

from odoo.addons.wfmon_core.models.wfmon_detector import detectors_off

from ..tools.retail_pos_refund import ReturnLine, judge_return

REFUND = "retail.refund_review"
#: the check's stamps on a credit note: only the engine writes them
REFUND_FIELDS = frozenset({"wfmon_refund_problems", "wfmon_refund_site_id"})


class AccountMove(models.Model):
    """Returns and refunds on credit notes: posted only once approved.

    A customer credit note (``out_refund``) that is not the till's (no
    ``pos_order_ids``: those are paid at the till and checked after the fact,
    see ``pos.order``) is checked when it is posted against the sale it
    reverses: the invoice it reverses (``reversed_entry_id``) or the sale
    order lines it credits (``sale_line_ids``); within the store's return
    window; no more than invoiced (or delivered) with the earlier credit notes.
    A credit note out of policy opens a ``retail.refund_review`` case. The
    approval matrix then decides, by amount, store and findings, who approves
    it before it is posted (shipped: the store manager, then Finance for high
    values); it posts by itself once approved.

    ``_wfmon_guarded_states`` closes ``state = posted`` to the records the
    matrix holds only (wfmon_approvals narrows the check to them): invoices,
    bills and the journal entries of POS session closings are never concerned.
    Posting a held credit note another way (the reversal wizard's "full
    refund", the auto-post cron) is refused with the same message.
    """

    _name = "account.move"
    _inherit = ["account.move", "wfmon.approval.mixin", "wfmon.engine.mixin"]
    _wfmon_guarded_actions = {"action_post": "Post"}
    _wfmon_approval_site_field = "wfmon_refund_site_id"
    _wfmon_approval_snapshot_fields = ("amount_total", "wfmon_refund_problems")
    _wfmon_guarded_states = {"action_post": ("state", ("posted",))}
    _wfmon_engine_fields = REFUND_FIELDS

    wfmon_refund_problems = fields.Char(
        string="Refund Findings",
        readonly=True,
        copy=False,
        help="What the return check found on this credit note (comma-separated): "
        "no_origin, outside_window, over_return.",
    )
    wfmon_refund_site_id = fields.Many2one(
        "wfmon.site",
        string="Refund Store",
        readonly=True,
        copy=False,
        help="The store of the sale this credit note reverses: its manager approves.",
    )

    def _wfmon_credit_notes(self):
        """The draft customer credit notes of ``self`` that are not the till's."""
        # sudo: billing users may not read the POS orders of an entry.
        till = set(self.sudo().filtered("pos_order_ids").ids)
        return self.filtered(
            lambda m: m.move_type == "out_refund" and m.state == "draft" and m.id not in till
        )

    def _wfmon_approval_applicable(self, action_name):
        if action_name != "action_post" or detectors_off(self.env):
            return self.browse()
        return self._wfmon_credit_notes()

    def _wfmon_guarded_transitions(self, vals):
        # Only customer credit notes can be held: other entries skip the matrix.
        if vals.get("state") != "posted":
            return {}
        return super(
            AccountMove, self.filtered(lambda m: m.move_type == "out_refund")
        )._wfmon_guarded_transitions(vals)

    def action_post(self):
        credit_notes = self._wfmon_credit_notes()
        if credit_notes and not detectors_off(self.env):
            credit_notes._wfmon_check_credit_notes()
        allowed, response = self._wfmon_approval_guard("action_post")
        result = super(AccountMove, allowed).action_post() if allowed else False
        posted = (allowed & credit_notes).filtered(lambda m: m.state == "posted")
        if posted:
            approvals = allowed._wfmon_approval_consumed("action_post")
            detector = self.env["wfmon.detector"]
            for move in posted:
                request = approvals.get(move.id)
                detector._resolve(
                    REFUND,
                    move,
                    self.env._("Posted under approval %s.", request.name)
                    if request
                    else self.env._("Posted."),
                )
        return response or result

    # ------------------------------------------------------------------
    # The check
    # ------------------------------------------------------------------
    def _wfmon_check_credit_notes(self):
        """Check the credit notes of ``self`` against their sales; stamp the
        findings and the store, open the cases of those out of policy."""
        # sudo: the billing user checks against invoices, sales and settings
        # they may not read; the stamps are the engine's.
        moves = self.sudo()
        origins = moves.reversed_entry_id
        sold = defaultdict(float)  # (invoice id, product id) -> qty invoiced
        for line in origins.invoice_line_ids:
            sold[(line.move_id.id, line.product_id.id)] += line.quantity
        credited = defaultdict(float)  # (invoice id, product id) -> qty credited before
        if origins:
            groups = (
                self.env["account.move.line"]
                .sudo()
                ._read_group(
                    [
                        ("move_id.reversed_entry_id", "in", origins.ids),
                        ("move_id.state", "=", "posted"),
                        ("move_id", "not in", moves.ids),
                        ("display_type", "=", "product"),
                    ],
                    ["move_id", "product_id"],
                    ["quantity:sum"],
                )
            )
            for move, product, qty in groups:
                credited[(move.reversed_entry_id.id, product.id)] += qty
        sale_lines = moves.invoice_line_ids.sale_line_ids
        sale_credited = defaultdict(float)
        if sale_lines:
            groups = (
                self.env["account.move.line"]
                .sudo()
                ._read_group(
                    [
                        ("sale_line_ids", "in", sale_lines.ids),
                        ("move_id.move_type", "=", "out_refund"),
                        ("move_id.state", "=", "posted"),
                        ("move_id", "not in", moves.ids),
                    ],
                    ["sale_line_ids"],
                    ["quantity:sum"],
                )
            )
            sale_credited = {line.id: qty for line, qty in groups}
        stores = self.env["wfmon.retail.store"]._by_warehouse(
            sale_lines.order_id.warehouse_id
            | origins.invoice_line_ids.sale_line_ids.order_id.warehouse_id
        )
        findings = {}
        for move in moves:
            orders = (
                move.invoice_line_ids.sale_line_ids
                | move.reversed_entry_id.invoice_line_ids.sale_line_ids
            ).order_id
            warehouse = orders.warehouse_id[:1]
            store = stores.get(warehouse.id)
            window = (
                store._setting("return_window_days")
                if store
                else move.company_id.wfmon_retail_return_window_days
            )
            items, labels = [], {}
            origin = move.reversed_entry_id
            for line in move.invoice_line_ids.filtered(lambda ml: ml.display_type == "product"):
                if origin:
                    key = (origin.id, line.product_id.id)
                    labels[key] = self.env._(
                        "%(product)s of %(invoice)s",
                        product=line.product_id.display_name,
                        invoice=origin.name,
                    )
                    items.append(
                        ReturnLine(
                            origin=key,
                            qty=line.quantity,
                            sold=sold.get(key, 0.0),
                            returned_before=credited.get(key, 0.0),
                            sold_on=origin.invoice_date or origin.date,
                        )
                    )
                elif line.sale_line_ids:
                    sale_line = line.sale_line_ids[:1]
                    labels[sale_line.id] = self.env._(
                        "%(product)s of %(order)s",
                        product=sale_line.product_id.display_name,
                        order=sale_line.order_id.name,
                    )
                    items.append(
                        ReturnLine(
                            origin=sale_line.id,
                            qty=line.quantity,
                            sold=sale_line.product_uom_qty,
                            returned_before=sale_credited.get(sale_line.id, 0.0),
                            sold_on=sale_line.order_id.date_order,
                        )
                    )
                else:
                    items.append(ReturnLine(origin=None, qty=line.quantity))
            verdict = judge_return(
                items, move.invoice_date or fields.Date.context_today(move), window, labels=labels
            )
            move._wfmon_engine().write(
                {
                    "wfmon_refund_problems": ",".join(verdict.codes) or False,
                    "wfmon_refund_site_id": store.site_id.id if store else False,
                }
            )
            if not verdict.valid:
                findings[move.id] = (verdict, store)
        if findings:
            flagged = self.browse(list(findings))
            self.env["wfmon.detector"]._detect(
                REFUND,
                flagged,
                payloads={
                    move_id: {
                        "problems": list(verdict.codes),
                        "amount": self.browse(move_id).amount_total,
                        "reversed_invoice": self.browse(move_id).reversed_entry_id.id or None,
                    }
                    for move_id, (verdict, _store) in findings.items()
                },
                details={
                    move_id: "\n".join(verdict.sentences())
                    for move_id, (verdict, _store) in findings.items()
                },
                impact={move.id: move.amount_total for move in flagged},
                site={
                    move_id: store.site_id if store else False
                    for move_id, (_v, store) in findings.items()
                },
            )
