from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.models import regex_order
from odoo.tools import SQL
from odoo.tools.query import Query

from ..tools.buckets import AGE_BUCKETS, age_bucket


def bucket_sql(buckets, value):
    """SQL ``CASE`` giving the code of the range of ``buckets`` that the SQL
    expression ``value`` falls in (NULL for NULL): the same cuts as
    :meth:`~..tools.buckets.Buckets.classify`."""
    whens = [
        SQL("WHEN %s < %s THEN %s", value, bound, code)
        for bound, code in zip(buckets.bounds, buckets.codes, strict=False)
    ]
    return SQL(
        "(CASE WHEN %s IS NULL THEN NULL %s ELSE %s END)",
        value,
        SQL(" ").join(whens),
        buckets.codes[-1],
    )


class WfmonReportMixin(models.AbstractModel):
    """What makes a monitored model read at a glance in pivots and graphs.

    - ``age_bucket``: how long a record has been open, in four ranges (0–1 d,
      1–3 d, 3–7 d, > 7 d), from ``_wfmon_age_start`` until
      ``_wfmon_age_end`` (or now while it is empty). It is not stored: an
      age changes with every passing minute, and a stored bucket would be
      wrong between two recomputations. It is computed in SQL instead
      (``_field_to_sql``, as Odoo's ``account.move.line.payment_date``), so
      it can be grouped by, filtered on and used in pivots, graphs and
      spreadsheet dashboards, exact at the moment of the query and at no
      cost in writes.
    - ``_wfmon_internal_fields``: engine bookkeeping (fingerprints, ranks,
      next checks, copied targets) that nobody groups or sums by. They stay
      readable and searchable (they are part of the data contract), but the
      "Add Custom Group" list and the measures of pivots and graphs no
      longer offer them: ``fields_get`` describes them as not groupable and
      without aggregator, the attributes those pickers read (as
      ``mailing.contact`` hides its name fields from search).
    - Groups of a selection field come in the order of the selection (low,
      medium, high, critical; on track ... met), not in the alphabetical
      order of their codes.
    """

    _name = "wfmon.report.mixin"
    _description = "Reporting: age buckets, bookkeeping kept out of pivots"

    #: stored datetime field where the age starts (e.g. ``first_seen``)
    _wfmon_age_start = None
    #: stored datetime field where it stops; empty: the record is still open
    _wfmon_age_end = None
    #: fields hidden from custom group-by and measures
    _wfmon_internal_fields = frozenset()

    age_bucket = fields.Selection(
        AGE_BUCKETS.selection,
        string="Age",
        compute="_compute_age_bucket",
        search="_search_age_bucket",
        help="How long it has been open: 0–1 day, 1–3 days, 3–7 days, more than 7 days.",
    )

    @api.depends(lambda self: [f for f in (self._wfmon_age_start, self._wfmon_age_end) if f])
    def _compute_age_bucket(self):
        now = fields.Datetime.now()
        start, end = self._wfmon_age_start, self._wfmon_age_end
        for record in self:
            stop = (record[end] if end else None) or now
            record.age_bucket = age_bucket(record[start], stop) if start else False

    def _search_age_bucket(self, operator, value):
        return self._wfmon_search_by_sql("age_bucket", operator, value)

    def _field_to_sql(self, alias, fname, query=None, flush=True):
        if fname != "age_bucket" or not self._wfmon_age_start:
            return super()._field_to_sql(alias, fname, query, flush)
        start = self._field_to_sql(alias, self._wfmon_age_start, query, flush)
        end = SQL("%s", fields.Datetime.now())
        if self._wfmon_age_end:
            end = SQL(
                "COALESCE(%s, %s)",
                self._field_to_sql(alias, self._wfmon_age_end, query, flush),
                end,
            )
        hours = SQL("(EXTRACT(EPOCH FROM (%s - %s)) / 3600.0)", end, start)
        return bucket_sql(AGE_BUCKETS, hours)

    @api.model
    def _wfmon_search_by_sql(self, fname, operator, value):
        """Domain for a non-stored field that ``_field_to_sql`` computes:
        ``=``, ``!=``, ``in`` and ``not in`` (``False`` matches no value)."""
        if operator in ("=", "!="):
            values, positive = [value], operator == "="
        elif operator in ("in", "not in") and isinstance(value, list | tuple | set):
            values, positive = list(value), operator == "in"
        else:
            raise UserError(
                self.env._("Unsupported search on %(field)s: %(op)s", field=fname, op=operator)
            )
        query = Query(self.env, self._table, self._table_sql)
        expr = self._field_to_sql(self._table, fname, query)
        codes = tuple(v for v in values if v)
        conditions = []
        if codes:
            conditions.append(SQL("%s IN %s", expr, codes))
        if len(codes) < len(values):
            conditions.append(SQL("%s IS NULL", expr))
        query.add_where(SQL(" OR ").join(conditions) if conditions else SQL("FALSE"))
        return [("id", "in" if positive else "not in", query)]

    @api.model
    def _read_group_orderby(self, order, groupby_terms, query):
        if not order:
            return super()._read_group_orderby(order, groupby_terms, query)
        terms = []
        for order_part in order.split(","):
            match = regex_order.match(order_part)
            term = match and match["term"]
            field = self._fields.get(term) if term in groupby_terms else None
            if field is None or field.type != "selection":
                terms.append(super()._read_group_orderby(order_part, groupby_terms, query))
                continue
            direction = (match["direction"] or "ASC").upper()
            nulls = (match["nulls"] or "").upper()
            terms.append(
                SQL(
                    "array_position(%s::text[], %s::text) %s %s",
                    list(field.get_values(self.env)),
                    groupby_terms[term],
                    SQL(direction) if direction in ("ASC", "DESC") else SQL(),
                    SQL(nulls) if nulls in ("NULLS FIRST", "NULLS LAST") else SQL(),
                )
            )
        return SQL(", ").join(terms)

    @api.model
    def fields_get(self, allfields=None, attributes=None):
        res = super().fields_get(allfields, attributes)
        for fname in self._wfmon_internal_fields & res.keys():
            description = res[fname]
            if "groupable" in description:
                description["groupable"] = False
            # No aggregator at all, as Odoo describes a field without one: a
            # null one makes the web client send the field as an order term of
            # grouped views (the case kanban by state), which read_group refuses.
            description.pop("aggregator", None)
        return res
