"""Precomputed fields of rows created in batches, without a new record per row.

For every row that lacks a ``precompute=True`` field, Odoo's ``create`` builds a
new (in-memory) record from the row's values and computes the field on it
(``BaseModel._add_precomputed_values``): for the engine's rows (cases, audit
lines, analysis lines, deliveries, hundreds per batch) that is a good part of
their cost. :func:`add_precomputed` gives those values for the whole batch
instead, from one read per parent model: a related field ``parent_id.field``
is read on the parents of the batch, another field is computed by a function
of the row's values. A model overrides the hook with it::

    def _add_precomputed_values(self, vals_list):
        add_precomputed(self, vals_list)
        return super()._add_precomputed_values(vals_list)

Rows it cannot fill wholly (a precomputed field it does not know, a parent
given as a new record) are left to the ORM, which computes them as before: the
values are the same either way.
"""

from collections import defaultdict

#: key of a row's values holding the fields filled as precomputed (Odoo's own key:
#: such a field is stored as given, not passed to its inverse)
PRECOMPUTED = "__precomputed__"


def add_precomputed(model, vals_list, computed=None):
    """Fill the precomputed fields of ``model`` missing from ``vals_list``.

    :param model: the model (recordset) being created
    :param vals_list: the create values, after defaults (modified in place)
    :param computed: ``{field name: function(vals) -> value}`` for precomputed
        fields that are not related ones (the function gets the row's values,
        defaults included, and returns the value in ``write`` format)
    """
    computed = computed or {}
    precomputable = {name: field for name, field in model._fields.items() if field.precompute}
    paths = {}
    unknown = set()  # fields this helper cannot fill: rows missing one go to the ORM
    for name, field in precomputable.items():
        if name in computed:
            continue
        path = field.related.split(".") if field.related else ()
        if len(path) != 2 or model._fields[path[0]].type != "many2one":
            unknown.add(name)
            continue
        paths[name] = path
    todo = []
    parent_ids = defaultdict(set)
    for vals in vals_list:
        missing = [name for name in precomputable if name not in vals]
        if not missing or PRECOMPUTED in vals or unknown.intersection(missing):
            continue
        parents = {paths[name][0] for name in missing if name in paths}
        if any(not isinstance(vals.get(parent) or 0, int) for parent in parents):
            continue  # a new record or a command as parent: left to the ORM
        todo.append((vals, missing))
        for parent in parents:
            if vals.get(parent):
                parent_ids[parent].add(vals[parent])
    if not todo:
        return
    # sudo: related fields are computed as superuser (Odoo's compute_sudo), so
    # their precomputed values are read the same way.
    # Records iterated from one recordset share its prefetch: one read per parent model.
    parents = {}
    for parent, ids in parent_ids.items():
        records = model.env[model._fields[parent].comodel_name].sudo().browse(sorted(ids))
        # Only the columns asked for: a parent's other fields (a case's JSON
        # details) are not read for nothing.
        records.fetch([paths[name][1] for name in paths if paths[name][0] == parent])
        parents[parent] = {record.id: record for record in records}
    # A batch has few parents (one case type, a few sites): each related value
    # is read once per parent, not once per row (a value that is a list or a
    # dict is read for each row: the rows must not share it).
    related = {}
    for vals, missing in todo:
        filled = set()
        for name in missing:
            field = precomputable[name]
            if name in computed:
                value = computed[name](vals)
            else:
                parent, target = paths[name]
                key = (name, vals.get(parent) or 0)
                value = related.get(key, related)
                if value is related:
                    owner = model.env[model._fields[parent].comodel_name].sudo()
                    record = parents[parent][vals[parent]] if vals.get(parent) else owner
                    value = field.convert_to_write(record[target], model)
                    if not isinstance(value, list | dict):
                        related[key] = value
            vals[name] = value
            filled.add(field)
        vals[PRECOMPUTED] = filled
