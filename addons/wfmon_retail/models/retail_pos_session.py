import logging

from odoo import fields, models

from odoo.addons.wfmon_core.models.wfmon_detector import detectors_off

from ..tools.retail_pos_cash import judge_cash
from .retail_pos_signoff import SIGNOFF_FIELDS

_logger = logging.getLogger(__name__)

CASH = "retail.cash_discrepancy"


class PosSession(models.Model):
    """Cash discrepancy: a session closed with a cash difference above the store's tolerance.

    Odoo books the difference to the cash journal's profit/loss account while
    it closes the session (``_validate_session``); the closing is never refused
    here (the money is counted). The difference is read before Odoo posts it;
    once the session is closed a cash-discrepancy case opens and the difference
    waits for Finance's sign-off (``wfmon.retail.signoff.mixin``, routed by the
    approval matrix on its size); the case escalates to the store's regional
    manager on breach (the case type's ladder).

    Odoo's own limit, ``amount_authorized_diff`` (when ``set_maximum_difference``
    is on), is only enforced by the closing popup, and only for non-managers: it
    is the store's tolerance unless the store sets its own, and whether the
    closer held the POS manager role is on the case.
    """

    _name = "pos.session"
    _inherit = ["pos.session", "wfmon.case.mixin", "wfmon.retail.signoff.mixin"]
    _wfmon_signoff_case_types = (CASH,)
    _wfmon_engine_fields = SIGNOFF_FIELDS | {"wfmon_cash_difference"}

    wfmon_site_id = fields.Many2one(
        "wfmon.site",
        related="config_id.picking_type_id.warehouse_id.wfmon_site_id",
        string="Store",
    )
    wfmon_cash_difference = fields.Monetary(
        string="Cash Difference at Closing",
        currency_field="currency_id",
        readonly=True,
        copy=False,
        help="Counted minus expected cash, as it stood when the session was closed.",
    )

    def _validate_session(
        self, balancing_account=False, amount_to_balance=0, bank_payment_method_diffs=None
    ):
        if detectors_off(self.env) or not self.config_id.cash_control:
            return super()._validate_session(
                balancing_account, amount_to_balance, bank_payment_method_diffs
            )
        # Read before Odoo books it (the statement line then evens it out).
        difference = self.cash_register_difference
        closer = self.env.user
        result = super()._validate_session(
            balancing_account, amount_to_balance, bank_payment_method_diffs
        )
        if self.state == "closed":
            try:
                with self.env.cr.savepoint():
                    self._wfmon_check_cash(difference, closer)
            except Exception:
                # The session is closed and its entries posted: a detector
                # failure must not undo that. Logged for the administrator.
                _logger.exception("Retail monitoring could not check session %s", self.name)
        return result

    def _wfmon_check_cash(self, difference, closer):
        """Open the cash-discrepancy case and ask for the sign-off when
        ``difference`` exceeds the store's tolerance."""
        self.ensure_one()
        # sudo: the closer may not read the store settings or write the stamp.
        session = self.sudo()
        session._wfmon_engine().write({"wfmon_cash_difference": difference})
        config = session.config_id
        store = config.wfmon_retail_store_id
        pos_limit = config.amount_authorized_diff if config.set_maximum_difference else None
        verdict = judge_cash(
            difference,
            store=store.cash_tolerance if store else 0.0,
            pos_limit=pos_limit,
            company=session.company_id.wfmon_retail_cash_tolerance,
            currency_rounding=session.currency_id.rounding,
        )
        if not verdict.exceeded:
            return
        is_manager = closer.id in config.group_pos_manager_id.users.ids or closer.has_group(
            "point_of_sale.group_pos_manager"
        )
        sources = {
            "store": self.env._("the store's tolerance"),
            "pos": self.env._("the shop's authorized difference in Point of Sale"),
            "company": self.env._("the company's tolerance"),
        }
        details = "\n".join(
            [
                self.env._(
                    "%(session)s at %(shop)s closed by %(closer)s (%(role)s).",
                    session=session.name,
                    shop=config.name,
                    closer=closer.name,
                    role=self.env._("POS manager") if is_manager else self.env._("cashier"),
                ),
                self.env._(
                    "Counted %(counted)s, expected %(expected)s: difference %(difference)s.",
                    counted=session.cash_register_balance_end_real,
                    expected=session.cash_register_balance_end_real - difference,
                    difference=round(difference, 2),
                ),
                self.env._(
                    "Tolerance %(tolerance)s (%(origin)s).",
                    tolerance=verdict.tolerance,
                    origin=sources[verdict.source],
                ),
                self.env._(
                    "Point of Sale's own limit: %s.",
                    self.env._("%s, enforced by the closing screen for non-managers", pos_limit)
                    if pos_limit is not None
                    else self.env._("off"),
                ),
            ]
        )
        self.env["wfmon.detector"]._detect(
            CASH,
            session,
            payloads={
                session.id: {
                    "difference": difference,
                    "tolerance": verdict.tolerance,
                    "tolerance_source": verdict.source,
                    "pos_authorized_difference": pos_limit,
                    "closed_by": {"id": closer.id, "name": closer.name, "pos_manager": is_manager},
                    "pos_config": {"id": config.id, "name": config.name},
                }
            },
            details=details,
            severity=verdict.severity,
            impact=abs(difference),
            site=session.wfmon_site_id,
        )
        # As the closer: they request the sign-off, Finance approves it.
        self._wfmon_signoff_request({self.id: abs(difference)}, {self.id: {"cash_difference"}})
