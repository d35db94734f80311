"""Five case types take the names of the events they publish (one scheme for case
types and events). Their cases keep deduplicating: the fingerprints computed
from the old codes are recomputed from the new ones."""

from odoo.addons.wfmon_core.tools.fingerprint import fingerprint

RENAMED = {
    "distribution.fulfillment": "distribution.fulfillment_at_risk",
    "distribution.inbound_delay": "distribution.inbound_delayed",
    "distribution.margin": "distribution.margin_breach",
    "distribution.master_data": "distribution.master_data_gap",
    "distribution.purchase_policy": "distribution.purchase_policy_breach",
}


def migrate(cr, version):
    if not version:
        return
    for old, new in RENAMED.items():
        cr.execute("UPDATE wfmon_case_type SET code = %s WHERE code = %s RETURNING id", (new, old))
        type_ids = tuple(row[0] for row in cr.fetchall())
        if not type_ids:
            continue
        cr.execute(
            "SELECT id, res_model, res_id, fingerprint FROM wfmon_case "
            "WHERE type_id IN %s AND fingerprint IS NOT NULL AND res_model IS NOT NULL",
            (type_ids,),
        )
        for case_id, model, res_id, stored in cr.fetchall():
            # Detectors open these cases without a key; a case opened with one
            # (through the API) cannot be recomputed and keeps its fingerprint.
            if stored == fingerprint(old, model, res_id):
                cr.execute(
                    "UPDATE wfmon_case SET fingerprint = %s WHERE id = %s",
                    (fingerprint(new, model, res_id), case_id),
                )
