from collections import defaultdict

from odoo import fields, models

from odoo.addons.wfmon_core.models.wfmon_detector import detectors_off

from ..tools.retail_pos_refund import ReturnLine, judge_return
from .stock_picking import StockPicking as TransferPicking

REFUND = "retail.refund_review"


class StockPicking(models.Model):
    """Returns and refunds on customer return pickings: validated only once approved.

    A receipt made by Odoo's return wizard (``return_id``, moves with
    ``origin_returned_move_id``) that is not the till's (no ``pos_order_id``)
    is checked when it is validated: each line against the delivery it
    reverses (within the store's return window, no more than delivered with the
    earlier returns). It reports the hold ``retail_return`` (and
    ``retail_return_invalid`` when out of policy, with a
    ``retail.refund_review`` case); the matrix policies scoped on them decide
    who approves before it is validated, by its value at the sale price.

    The guarded actions of ``stock.picking`` are declared once, here, from the
    inter-store transfers' (``stock_picking.py``) plus ``button_validate``.
    """

    _inherit = "stock.picking"  # pylint: disable=consider-merging-classes-inherited
    _wfmon_guarded_actions = {
        **TransferPicking._wfmon_guarded_actions,
        "button_validate": "Validate",
    }
    _wfmon_guarded_states = {
        **TransferPicking._wfmon_guarded_states,
        "button_validate": ("state", ("done",)),
    }

    wfmon_return_value = fields.Monetary(
        string="Return Value",
        compute="_compute_wfmon_return_value",
        currency_field="wfmon_retail_currency_id",
        help="Returned quantities at the price they were sold at (the sales price "
        "without a sale order line).",
    )

    def _compute_wfmon_return_value(self):
        for picking in self:
            picking.wfmon_return_value = sum(
                (move.sale_line_id.price_unit if move.sale_line_id else move.product_id.lst_price)
                * move.product_uom_qty
                for move in picking.move_ids
                if move.state != "cancel"
            )

    def _wfmon_customer_returns(self):
        """The customer returns of ``self`` still to validate (not the till's)."""
        return self.filtered(
            lambda p: (
                p.return_id
                and p.picking_type_code == "incoming"
                and not p.pos_order_id
                and p.state not in ("done", "cancel")
            )
        )

    def _wfmon_return_findings(self):
        """``{picking id: ReturnVerdict}`` of the customer returns of ``self``."""
        returns = self._wfmon_customer_returns()
        if not returns:
            return {}
        # sudo: warehouse users check against deliveries and settings they may not read.
        returns = returns.sudo()
        moves = returns.move_ids.filtered(lambda m: m.state != "cancel")
        origins = moves.origin_returned_move_id
        before = defaultdict(float)
        if origins:
            groups = (
                self.env["stock.move"]
                .sudo()
                ._read_group(
                    [
                        ("origin_returned_move_id", "in", origins.ids),
                        ("state", "=", "done"),
                        ("id", "not in", moves.ids),
                    ],
                    ["origin_returned_move_id"],
                    ["product_uom_qty:sum"],
                )
            )
            before = {origin.id: qty for origin, qty in groups}
        stores = self.env["wfmon.retail.store"]._by_warehouse(returns.location_dest_id.warehouse_id)
        result = {}
        for picking in returns:
            store = stores.get(picking.location_dest_id.warehouse_id.id)
            window = (
                store._setting("return_window_days")
                if store
                else picking.company_id.wfmon_retail_return_window_days
            )
            items, labels = [], {}
            for move in picking.move_ids.filtered(lambda m: m.state != "cancel"):
                origin = move.origin_returned_move_id
                if not origin:
                    items.append(ReturnLine(origin=None, qty=move.product_uom_qty))
                    continue
                labels[origin.id] = self.env._(
                    "%(product)s of %(picking)s",
                    product=origin.product_id.display_name,
                    picking=origin.picking_id.name or origin.reference,
                )
                items.append(
                    ReturnLine(
                        origin=origin.id,
                        qty=move.product_uom_qty,
                        sold=origin.quantity,
                        returned_before=before.get(origin.id, 0.0),
                        sold_on=origin.date,
                    )
                )
            result[picking.id] = judge_return(items, fields.Datetime.now(), window, labels=labels)
        return result

    def _wfmon_approval_hold_names(self):
        holds = super()._wfmon_approval_hold_names()
        for picking_id, verdict in self._wfmon_return_findings().items():
            names = {"retail_return"}
            if not verdict.valid:
                names.add("retail_return_invalid")
            holds.setdefault(picking_id, set()).update(names)
        return holds

    def _wfmon_guarded_transitions(self, vals):
        # Picking states are computed from the moves: a held return must not be
        # put in any later state by a direct write either.
        result = super()._wfmon_guarded_transitions(vals)
        if vals.get("state") in ("waiting", "confirmed", "assigned", "done"):
            returns = self._wfmon_customer_returns()
            if returns:
                result["button_validate"] = result.get("button_validate", self.browse()) | returns
        return result

    def _wfmon_approval_applicable(self, action_name):
        if action_name == "button_validate":
            if detectors_off(self.env):
                return self.browse()
            return self._wfmon_customer_returns()
        return super()._wfmon_approval_applicable(action_name)

    def button_validate(self):
        returns = self._wfmon_customer_returns()
        if not returns or detectors_off(self.env):
            return super().button_validate()
        self.invalidate_recordset(["wfmon_approval_holds"])
        findings = returns._wfmon_return_findings()
        invalid = {pid: verdict for pid, verdict in findings.items() if not verdict.valid}
        if invalid:
            flagged = self.browse(list(invalid))
            stores = self.env["wfmon.retail.store"]._by_warehouse(
                flagged.location_dest_id.warehouse_id
            )
            self.env["wfmon.detector"]._detect(
                REFUND,
                flagged,
                payloads={pid: {"problems": list(v.codes)} for pid, v in invalid.items()},
                details={pid: "\n".join(v.sentences()) for pid, v in invalid.items()},
                impact={p.id: p.wfmon_return_value for p in flagged},
                site={
                    p.id: stores[p.location_dest_id.warehouse_id.id].site_id
                    if p.location_dest_id.warehouse_id.id in stores
                    else False
                    for p in flagged
                },
            )
        allowed, response = self._wfmon_approval_guard("button_validate")
        if not allowed:
            return response
        released = allowed._wfmon_approval_consumed("button_validate")
        result = super(StockPicking, allowed).button_validate()
        if released:
            done = self.browse(list(released)).filtered(lambda p: p.state == "done")
            for picking in done:
                self.env["wfmon.detector"]._resolve(
                    REFUND,
                    picking,
                    self.env._("Validated under approval %s.", released[picking.id].name),
                )
        if response:
            return response
        return result

    def _action_done(self):
        # Validation reached another way than the button (e.g. a wizard of the
        # return) is refused while the matrix holds the return.
        returns = self._wfmon_customer_returns()
        if returns and not detectors_off(self.env):
            returns._wfmon_approval_require_passed("button_validate", "state")
        return super()._action_done()
