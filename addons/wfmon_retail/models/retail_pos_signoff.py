from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.wfmon_core.models.wfmon_detector import detectors_off

#: the sign-off fields: only the engine writes them (``wfmon.engine.mixin``)
SIGNOFF_FIELDS = frozenset(
    {"wfmon_signoff_state", "wfmon_signoff_amount", "wfmon_signoff_reasons", "wfmon_signoff_date"}
)

SIGNOFF_STATES = [
    ("none", "Not needed"),
    ("pending", "Waiting for sign-off"),
    ("signed", "Signed off"),
]


class WfmonRetailSignoffMixin(models.AbstractModel):
    """A post-hoc sign-off of a document that has already happened.

    A POS order is paid and a POS session is closed before the back office
    sees them: nothing may block them. When a detector finds something above
    policy on one (a price override, a refund out of policy, a cash
    difference), it marks the document ``pending`` with the amount at stake
    and runs :meth:`action_wfmon_sign_off` through the approval guard: the
    matrix routes it by amount and role (store manager, then Finance for high
    value); no policy (below the threshold) signs it off at once. When the last
    level approves, the engine runs the sign-off again as the requester and the
    document is ``signed``; the detector's cases resolve with the approval.

    Only the guarded action moves a document to ``signed``
    (``_wfmon_guarded_states``); the sign-off fields are the engine's
    (``_wfmon_engine_fields``; a model adds its own stamps to the set).
    """

    _name = "wfmon.retail.signoff.mixin"
    _inherit = ["wfmon.approval.mixin", "wfmon.engine.mixin"]
    _description = "Retail: post-hoc sign-off"

    _wfmon_guarded_actions = {"action_wfmon_sign_off": "Sign off"}
    _wfmon_approval_site_field = "wfmon_site_id"
    _wfmon_approval_snapshot_fields = ("wfmon_signoff_amount", "wfmon_signoff_reasons")
    _wfmon_guarded_states = {"action_wfmon_sign_off": ("wfmon_signoff_state", ("signed",))}
    _wfmon_engine_fields = SIGNOFF_FIELDS
    #: case types resolved when the document is signed off
    _wfmon_signoff_case_types = ()

    wfmon_signoff_state = fields.Selection(
        SIGNOFF_STATES,
        string="Sign-off",
        default="none",
        readonly=True,
        copy=False,
        index=True,
    )
    wfmon_signoff_amount = fields.Float(
        string="Amount to Sign Off",
        digits="Product Price",
        readonly=True,
        copy=False,
        help="What the findings put at stake, in the document's currency: the approval "
        "policies are banded on it.",
    )
    wfmon_signoff_reasons = fields.Char(
        string="Sign-off Reasons",
        readonly=True,
        copy=False,
        help="The findings waiting for a sign-off (comma-separated).",
    )
    wfmon_signoff_date = fields.Datetime(string="Signed Off On", readonly=True, copy=False)
    wfmon_signoff_reason_labels = fields.Char(
        string="Findings",
        compute="_compute_wfmon_signoff_reason_labels",
        help="The findings waiting for a sign-off, in words.",
    )

    @api.model
    def _wfmon_signoff_reason_names(self):
        """``{reason code: label}`` of the findings a till sign-off is asked for."""
        return {
            "price_override": self.env._("Price override"),
            "refund": self.env._("Refund out of policy"),
            "cash_difference": self.env._("Cash difference at closing"),
        }

    @api.depends("wfmon_signoff_reasons")
    def _compute_wfmon_signoff_reason_labels(self):
        names = self._wfmon_signoff_reason_names()
        for record in self:
            codes = [c for c in (record.wfmon_signoff_reasons or "").split(",") if c]
            record.wfmon_signoff_reason_labels = ", ".join(names.get(c, c) for c in codes) or False

    @api.model
    def _wfmon_code_labels(self, fname):
        labels = super()._wfmon_code_labels(fname)
        # The findings are also the document's approval holds.
        if fname in ("wfmon_signoff_reasons", "wfmon_approval_holds"):
            labels = {**labels, **self._wfmon_signoff_reason_names()}
        return labels

    def _wfmon_approval_applicable(self, action_name):
        if action_name != "action_wfmon_sign_off" or detectors_off(self.env):
            return self.browse()
        return self.filtered(lambda r: r.wfmon_signoff_state == "pending")

    def _wfmon_approval_hold_names(self):
        holds = super()._wfmon_approval_hold_names()
        for record in self:
            if record.wfmon_signoff_state == "pending" and record.wfmon_signoff_reasons:
                holds.setdefault(record.id, set()).update(record.wfmon_signoff_reasons.split(","))
        return holds

    def action_wfmon_sign_off(self):
        """Sign the pending findings off; goes through the approval matrix."""
        allowed, response = self._wfmon_approval_guard("action_wfmon_sign_off")
        signed = allowed.filtered(lambda r: r.wfmon_signoff_state == "pending")
        if signed:
            # sudo: the requester (a cashier) may not write the document; the
            # guard let these through, and the stamp is the engine's.
            signed.sudo()._wfmon_engine().write(
                {"wfmon_signoff_state": "signed", "wfmon_signoff_date": fields.Datetime.now()}
            )
            self._wfmon_signoff_done(signed)
        return response or True

    @api.model
    def _wfmon_signoff_done(self, records):
        """Resolve the cases the sign-off answers: one resolution per case type
        and reason, whatever the number of records (a batch of POS orders signed
        off within the limit shares one reason)."""
        approvals = records._wfmon_approval_consumed("action_wfmon_sign_off")
        by_reason = defaultdict(list)
        for record in records:
            request = approvals.get(record.id)
            reason = (
                self.env._("Signed off under approval %s.", request.name)
                if request
                else self.env._("Within the limit signed off without approval.")
            )
            by_reason[reason].append(record.id)
        detector = self.env["wfmon.detector"]
        for reason, ids in by_reason.items():
            for type_code in self._wfmon_signoff_case_types:
                detector._resolve(type_code, records.browse(ids), reason)

    def _wfmon_signoff_request(self, amounts, reasons):
        """Mark the records of ``self`` as waiting for a sign-off of ``amounts``
        (``{id: amount}``) for ``reasons`` (``{id: set of names}``) and submit
        them to the matrix. When the matrix cannot route them (e.g. the store
        has no manager), they stay pending and the reason is noted on the
        document and on its cases: an administrator completes the matrix and
        the sign-off is asked again from the document."""
        for record in self:
            # sudo: the detector runs as the cashier or closer; the stamp is the engine's.
            record.sudo()._wfmon_engine().write(
                {
                    "wfmon_signoff_state": "pending",
                    "wfmon_signoff_amount": amounts.get(record.id, 0.0),
                    "wfmon_signoff_reasons": ",".join(sorted(reasons.get(record.id, ()))),
                }
            )
        try:
            with self.env.cr.savepoint():
                return self.action_wfmon_sign_off()
        except UserError as exc:
            reason = exc.args[0] if exc.args else str(exc)
            note = self.env._("The sign-off could not be routed: %s", reason)
            for record in self:
                # sudo: the note is the engine's, whoever synced or closed.
                record.sudo().message_post(body=note, subtype_xmlid="mail.mt_note")
            cases = (
                self.env["wfmon.case"]
                .sudo()
                .search(
                    [
                        ("res_model", "=", self._name),
                        ("res_id", "in", self.ids),
                        ("is_open", "=", True),
                    ]
                )
            )
            if cases:
                cases.message_post(body=note, subtype_xmlid="mail.mt_note")
            return False
