from odoo import api, fields, models
from odoo.tools import SQL


class WfmonReferenceMixin(models.AbstractModel):
    """Records numbered from their id: ``EXC-000042``.

    A model opts in with ``_inherit`` and a prefix::

        _wfmon_reference_prefix = "EXC-"
        _wfmon_reference_digits = 6   # zero-padded width of the number

    ``name`` holds the reference. It is written for a whole batch of new records
    with one UPDATE after their INSERT (a sequence would cost one query per
    record); a record created with a name of its own keeps it.
    """

    _name = "wfmon.reference.mixin"
    _description = "Records numbered from their id"

    #: text before the number
    _wfmon_reference_prefix = ""
    #: width of the zero-padded number
    _wfmon_reference_digits = 6

    name = fields.Char(string="Reference", default="/", readonly=True, copy=False, index=True)

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        if records:
            self.env.cr.execute(
                SQL(
                    "UPDATE %s SET name = %s || lpad(id::text, %s, '0') "
                    "WHERE id IN %s AND name = '/'",
                    SQL.identifier(self._table),
                    self._wfmon_reference_prefix,
                    self._wfmon_reference_digits,
                    tuple(records.ids),
                )
            )
            records.invalidate_recordset(["name"])
        return records
