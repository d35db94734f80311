from odoo import fields, models
from odoo.tools import SQL


class WfmonReferenceMixin(models.AbstractModel):
    """Records numbered from their id: ``EXC-000042``.

    A model opts in with ``_inherit`` and a prefix::

        _wfmon_reference_prefix = "EXC-"
        _wfmon_reference_digits = 6   # zero-padded width of the number

    ``name`` holds the reference. It is written by the INSERT of the new
    records: their ids are taken from the table's sequence first, one query for
    the batch (a sequence per reference would cost one query per record, and
    writing the name after the INSERT would rewrite every new row and its index
    entries). A record created with a name of its own keeps it.
    """

    _name = "wfmon.reference.mixin"
    _description = "Records numbered from their id"

    #: text before the number
    _wfmon_reference_prefix = ""
    #: width of the zero-padded number (a longer number is written in full)
    _wfmon_reference_digits = 6

    name = fields.Char(string="Reference", default="/", readonly=True, copy=False, index=True)

    def _create(self, data_list):
        self._wfmon_number(data_list)
        return super()._create(data_list)

    def _wfmon_number(self, data_list):
        """Give the rows of ``data_list`` (``_create``'s) without a name their
        id and reference (a row that has its id already is left as it is)."""
        unnamed = [
            data
            for data in data_list
            if data["stored"].get("name", "/") == "/" and "id" not in data["stored"]
        ]
        if unnamed:
            # The ids the INSERT would draw from the same sequence, drawn for the batch.
            self.env.cr.execute(
                SQL(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    self._table,
                    len(unnamed),
                )
            )
            prefix, digits = self._wfmon_reference_prefix, self._wfmon_reference_digits
            for data, (new_id,) in zip(unnamed, self.env.cr.fetchall(), strict=True):
                data["stored"]["id"] = new_id
                data["stored"]["name"] = f"{prefix}{new_id:0{digits}d}"
