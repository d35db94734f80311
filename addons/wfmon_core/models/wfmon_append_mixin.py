"""Append-only engine rows written in one INSERT per batch, ``create`` included.

The engine writes hundreds of rows per batch that only server code creates and
nobody edits afterwards: audit lines, outbox events, analysis lines. Odoo's
generic ``create`` spends most of its time around the INSERT, row by row: a
``default_get`` per row, a cache entry per field of the model per row, a
precision lookup per float per row. For these rows :class:`WfmonAppendMixin`
overrides ``create`` itself, so every caller gains and every override of
``create`` (a module's, the engine guard of ``wfmon.engine.mixin``) still runs
above it: it calls ``super().create`` and gets the fast path.

What the fast path does, in this order, as ``BaseModel.create`` does it:

- ``check_access('create')`` before, and on the new records after (record rules);
- defaults of the missing fields: ``default_get`` once per distinct set of given
  fields (not once per row); magic columns (create/write uid and date);
- precomputed fields: ``_add_precomputed_values`` (the models fill it for the
  whole batch with :func:`~.precompute.add_precomputed`);
- ``INSERT ... VALUES ... RETURNING id``, ``INSERT_BATCH_SIZE`` rows at a time,
  each value converted by its field (``convert_to_column_insert``);
- the cache of the new rows (given values, empty values, empty x2many), the
  cache of inverse one2many fields (a case's ``log_ids`` read right after shows
  the new line), ``modified(create=True)`` so dependents recompute, and the
  Python constraints (``_validate_fields``).

Anything else goes to the ORM's own ``create`` (it is what ``super()`` gives):
a value that is not a plain stored column (x2many commands, a new record as
parent, properties, translated, company-dependent or inverse fields, unknown
keys), models with ``_inherits``, a parent store, tracking or mail threads, an
import (``_import_current_module``), a registry still loading. Condition for a
model that inherits the mixin: its rows are appended by server code; a default
that would differ per row of one batch (a sequence per row) would be given once
per batch, so such a field is given by the caller.
"""

import functools
import json
from collections import defaultdict

from markupsafe import Markup

from odoo import api, models
from odoo.models import INSERT_BATCH_SIZE, LOG_ACCESS_COLUMNS
from odoo.tools import SQL, clean_context, float_repr, float_round, split_every
from odoo.tools.mail import generate_tracking_message_id

from .precompute import PRECOMPUTED

#: field types converted without the field's methods (see _plain_converters)
_FAST_TYPES = frozenset(
    {"boolean", "char", "text", "date", "datetime", "integer", "many2one", "many2one_reference"}
)
#: field types the fast path writes (anything else: the ORM's create)
_PLAIN_TYPES = frozenset(
    {
        "boolean",
        "char",
        "date",
        "datetime",
        "float",
        "integer",
        "many2one",
        "many2one_reference",
        "monetary",
        "selection",
        "text",
    }
)


def create_overrides(model, below=None, methods=("create", "_create")):
    """Modules whose classes of ``model`` override one of ``methods``.

    :param below: a class of the model's hierarchy: only the overrides under it
        (those a ``create`` of that class would skip by not calling ``super``)
    """
    return _overrides(type(model), below, methods)


@functools.lru_cache(maxsize=256)
def _overrides(model_class, below, methods):
    mro = model_class.__mro__
    if below is not None:
        mro = mro[mro.index(below) + 1 :]
    return frozenset(
        cls._module or cls.__name__
        for cls in mro
        if issubclass(cls, models.BaseModel)
        and cls not in (models.BaseModel, models.Model, models.AbstractModel)
        and any(method in vars(cls) for method in methods)
    )


def fits(model):
    """Whether ``model`` allows the fast path (see the module doc)."""
    if model._inherits or model._parent_store or "message_ids" in model._fields:
        return False
    if model.env.context.get("_import_current_module") or not model.pool.ready:
        return False
    return not any(
        field.type == "properties" or getattr(field, "tracking", None)
        for field in model._fields.values()
    )


def _plain_field(model, name, trusted):
    """The field of ``name`` if the fast path can write it, else None."""
    field = model._fields.get(name)
    if field is None or not field.store or not field.column_type or field.inherited:
        return None
    if name in trusted:
        return field
    if (
        field.type not in _PLAIN_TYPES
        or field.translate
        or field.company_dependent
        or (field.inverse and not field.precompute)
        or (field.compute and not field.precompute)
    ):
        return None
    return field


def prepare_rows(model, vals_list, trusted=frozenset()):
    """The rows to insert: given values, defaults, magic and precomputed
    columns; None when a value needs the ORM.

    :param trusted: names of fields whose given values are already what the
        field would store (e.g. an HTML body built from escaped parts): written
        as given, whatever their type
    """
    given_fields = {name for vals in vals_list for name in vals}
    if any(_plain_field(model, name, trusted) is None for name in given_fields):
        return None
    bad_names = {"id", *LOG_ACCESS_COLUMNS}
    bad_names.update(
        name for name, field in model._fields.items() if field.precompute and field.readonly
    )
    defaults_by_keys = {}
    now = model.env.cr.now()
    uid = model.env.uid
    rows = []
    for vals in vals_list:
        keys = frozenset(vals)
        defaults = defaults_by_keys.get(keys)
        if defaults is None:
            missing = [name for name in model._fields if name not in keys]
            defaults = model.default_get(missing) if missing else {}
            if any(
                isinstance(value, list | dict | tuple | models.BaseModel)
                or _plain_field(model, name, ()) is None
                for name, value in defaults.items()
            ):
                return None
            defaults_by_keys[keys] = defaults
        row = {**defaults, **vals}
        for name in bad_names:
            row.pop(name, None)
        if model._log_access:
            row.update(create_uid=uid, create_date=now, write_uid=uid, write_date=now)
        rows.append(row)
    model._add_precomputed_values(rows)
    computed = {name for row in rows for name in row if name != PRECOMPUTED} - given_fields
    if any(_plain_field(model, name, ()) is None for name in computed):
        return None
    return rows


def insert_rows(model, rows, trusted=frozenset(), invalidate_inverses=False):
    """Insert ``rows`` (from :func:`prepare_rows`) and return the new records,
    with their cache, inverse caches, recomputations and constraints done.

    :param invalidate_inverses: the one2many fields of the rows' parents are
        emptied from the cache instead of given the new rows (the parents read
        them again when asked: cheaper when each row has its own parent and
        the caller invalidates them anyway, as mail does for notes)
    """
    model = model.browse()
    model.check_access("create")
    cr = model.env.cr
    protected = set()
    for row in rows:
        protected.update(row.pop(PRECOMPUTED, ()))
    names = sorted({name for row in rows for name in row})
    converters = {name: _converter(model, model._fields[name], name in trusted) for name in names}
    records = model.browse(_insert(cr, model, rows, names, converters))
    _fill_cache(model, records, rows, names, converters, invalidate_inverses)
    protected_fields = [
        dependent
        for field in protected
        for dependent in model.pool.field_computed.get(field, [field])
    ]
    with model.env.protecting(protected_fields, records):
        records.modified(model._fields, create=True)
    records._validate_fields(names)
    records.check_access("create")
    return records


def _insert(cr, model, rows, names, converters):
    """``INSERT ... RETURNING id`` of ``rows``, ``INSERT_BATCH_SIZE`` at a time: the ids."""
    ids = []
    columns = SQL(", ").join(map(SQL.identifier, names))
    to_column = [(name, converters[name][0]) for name in names]
    full = f"({', '.join(['%s'] * len(names))})"  # a row that gives every column
    for chunk in split_every(INSERT_BATCH_SIZE, rows):
        # One parameter per value, which psycopg adapts in C, rather than a tuple
        # per row, which its SQL_IN adapts in Python: for rows of tens of columns
        # that was a good part of the INSERT's cost in this process.
        groups, params = [], []
        for row in chunk:
            if len(row) == len(names):
                groups.append(full)
                params.extend([convert(row[name], row) for name, convert in to_column])
                continue
            marks = []
            for name, convert in to_column:
                if name in row:
                    marks.append("%s")
                    params.append(convert(row[name], row))
                else:
                    marks.append("DEFAULT")
            groups.append(f"({', '.join(marks)})")
        cr.execute(
            SQL(
                f"INSERT INTO %s (%s) VALUES {', '.join(groups)} RETURNING id",
                SQL.identifier(model._table),
                columns,
                *params,
            )
        )
        ids.extend(id_ for (id_,) in cr.fetchall())
    return ids


def create_columns(model, data_list):
    """What ``BaseModel._create`` does with ``data_list`` (the ORM's stored
    values of new rows: defaults, magic and precomputed columns in), for a
    model whose ``create`` must stay the ORM's (a mail thread): the same
    ``INSERT``, the cache of the new rows filled field by field for the batch
    instead of field by field for each row (:func:`_fill_cache`), the same
    recomputations and checks. None when a row needs more than its columns
    (values of a parent model, a field without a column, properties, a parent
    store) or the rows give different fields: then the ORM's ``_create``.

    A model uses it from its ``_create``, before ``super()._create``::

        def _create(self, data_list):
            records = create_columns(self, data_list)
            return super()._create(data_list) if records is None else records
    """
    if not data_list or model._inherits or model._parent_store:
        return None
    names = set(data_list[0]["stored"])
    for data in data_list:
        if data["inherited"] or data["stored"].keys() != names:
            return None
    if any(
        not model._fields[name].column_type or model._fields[name].type == "properties"
        for name in names
    ):
        return None
    names = sorted(names)
    rows = [data["stored"] for data in data_list]
    converters = {name: _converter(model, model._fields[name], False) for name in names}
    records = model.browse(_insert(model.env.cr, model, rows, names, converters))
    for data, record in zip(data_list, records, strict=True):
        data["record"] = record
    _fill_cache(model, records.with_context(bin_size=False), rows, names, converters)
    protected = defaultdict(list)
    for data in data_list:
        protected[frozenset(data["protected"])].append(data["record"].id)
    with model.env.protecting([(group, records.browse(ids)) for group, ids in protected.items()]):
        records.modified(model._fields, create=True)
    records._validate_fields(names)
    records.check_access("create")
    return records


def _plain_converters(model, field):
    """``(to_column, to_cache)`` of the simple types, what the field's
    ``convert_to_column_insert`` and ``convert_to_cache`` give without their
    calls (a hundred values per case); None for the other fields."""
    if (
        field.company_dependent
        or field.translate
        or getattr(field, "delegate", False)
        or field.type not in _FAST_TYPES
    ):
        return None
    if field.type == "boolean":
        return (lambda value, row: bool(value)), (lambda value, row: bool(value))
    if field.type in ("date", "datetime"):
        # the base Field's convert_to_column (a date is written as its text)
        def to_date_text(value, row):
            if value is None or value is False:
                return None
            if isinstance(value, str):
                return value
            return value.decode() if isinstance(value, bytes) else str(value)

        return to_date_text, None
    if field.type in ("char", "text"):
        size = field.size

        def to_text(value, row):
            if value is None or value is False:
                return None
            return (value.decode() if isinstance(value, bytes) else str(value))[:size]

        return to_text, to_text

    empty = None if field.type == "many2one" else 0

    def to_cache(value, row):
        # an id is its own cache value; anything else (a record...) as the field says
        if type(value) is int:
            return value
        if value is False or value is None:
            return empty
        return field.convert_to_cache(value, model)

    if field.type == "many2one":
        return (lambda value, row: value or None), to_cache
    return (lambda value, row: int(value or 0)), to_cache  # integer, many2one_reference


def _monetary_column(model, field):
    """``to_column`` of a monetary field: what its ``convert_to_column_insert``
    gives (the value rounded in its row's currency), the currency looked up
    once per batch instead of through a new record per row."""
    currency_field = field.get_currency_field(model)
    currencies = {}

    def to_column(value, row):
        currency_id = row.get(currency_field)
        if type(currency_id) is not int:
            return field.convert_to_column_insert(value, model, row)
        if currency_id not in currencies:
            currency = model.env["res.currency"].browse(currency_id)
            currencies[currency_id] = (currency, currency.decimal_places)
        currency, places = currencies[currency_id]
        return float_repr(currency.round(float(value or 0.0)), places)

    return to_column


def _json_converter():
    # Rows sharing one value (the factors of one priority score) share its
    # text and its cache copy: a record reads a deep copy of its cache value.
    texts, copies = {}, {}

    def json_column(value, row):
        if not value:
            return None
        if id(value) not in texts:
            # the value kept beside its text: its id stays its own meanwhile
            texts[id(value)] = (value, json.dumps(value))
        return texts[id(value)][1]

    def json_cache(value, row):
        if not value:
            return None
        if id(value) not in copies:
            copies[id(value)] = (value, json.loads(json.dumps(value)))
        return copies[id(value)][1]

    return json_column, json_cache


def _converter(model, field, trusted):
    """``(to_column, to_cache)``: ``value, row -> value`` for ``field``, what
    the ORM's ``convert_to_column_insert`` and ``convert_to_cache`` give, with
    a float's digits looked up once per batch instead of once per value."""
    if trusted:
        return (lambda value, row: value), (lambda value, row: value)
    if field.type == "float":
        digits = field.get_digits(model.env)
        if digits:
            scale = digits[1]

            def to_cache(value, row):
                return float_round(float(value or 0.0), precision_digits=scale)

            def to_column(value, row):
                return float_repr(to_cache(value, row), precision_digits=scale)

            return to_column, to_cache

        def to_float(value, row):
            return float(value or 0.0)

        return to_float, to_float
    fast = _plain_converters(model, field)
    if fast is not None:
        return fast
    if field.type == "monetary" and not field.company_dependent:
        return _monetary_column(model, field), None
    if field.type == "json":
        return _json_converter()
    return (
        lambda value, row: field.convert_to_column_insert(value, model, row),
        None,
    )


def _fill_cache(model, records, rows, names, converters, invalidate_inverses=False):
    """The new rows' cache, as ``BaseModel._create`` leaves it."""
    cache = model.env.cache
    given = set(names)
    count = len(records)
    for field in model._fields.values():
        if field.type in ("one2many", "many2many"):
            cache.update(records, field, [()] * count)
        elif (field.related and not field.column_type) or (
            field.store and field.name not in given and not field.compute
        ):
            cache.update(records, field, [field.convert_to_cache(None, records)] * count)
    for name in names:
        field = model._fields[name]
        empty = field.convert_to_cache(None, records)
        to_cache = converters[name][1]
        if field.type == "monetary":
            # rounded in the currency of its own row, as the ORM does record by record
            values = [
                field.convert_to_cache(row[name], record) if name in row else empty
                for row, record in zip(rows, records, strict=True)
            ]
        elif to_cache is None:
            values = [
                field.convert_to_cache(row[name], records) if name in row else empty for row in rows
            ]
        else:
            values = [to_cache(row[name], row) if name in row else empty for row in rows]
        cache.update(records, field, values)
        if field.type in ("many2one", "many2one_reference") and model.pool.field_inverses[field]:
            by_value = defaultdict(list)
            for record_id, value in zip(records._ids, values, strict=True):
                by_value[value].append(record_id)
            if invalidate_inverses:
                _invalidate_inverses(model, records, field, by_value)
                continue
            for value, record_ids in by_value.items():
                field._update_inverses(records.browse(record_ids), value)


def _invalidate_inverses(model, records, field, by_value):
    """Drop from the cache the inverse one2many fields of ``field`` on the
    parents of ``records`` (``by_value``: parent id -> record ids)."""
    if field.type == "many2one_reference":
        parents = defaultdict(set)
        for record in records:
            if record[field.model_field] and record[field.name]:
                parents[record[field.model_field]].add(record[field.name])
    else:
        parents = {field.comodel_name: {value for value in by_value if value}}
    for invf in model.pool.field_inverses[field]:
        if parents.get(invf.model_name):
            model.env[invf.model_name].browse(parents[invf.model_name]).invalidate_recordset(
                [invf.name]
            )


class WfmonAppendMixin(models.AbstractModel):
    """Rows only the engine appends: ``create`` writes the batch in bulk."""

    _name = "wfmon.append.mixin"
    _description = "Append-only engine rows"

    @api.model_create_multi
    def create(self, vals_list):
        if (
            not vals_list
            or not fits(self)
            # an override of create under this one (on every model) would be skipped
            or create_overrides(self, below=WfmonAppendMixin)
        ):
            return super().create(vals_list)
        rows = prepare_rows(self, vals_list)
        if rows is None:
            return super().create(vals_list)
        return insert_rows(self, rows)


# ----------------------------------------------------------------------
# Chatter notes
# ----------------------------------------------------------------------
#: methods of mail.message and of the thread model the fast note path skips
_MESSAGE_METHODS = ("create", "_create")
_THREAD_METHODS = (
    "_message_log_batch",
    "_message_create",
    "_message_compute_author",
    "_get_message_create_ignore_field_names",
)


def note_body(env, text):
    """``<p>text</p>``, exactly as mail.message's body field stores it.

    The text is escaped the way the field's sanitizer serialises it (``&``,
    ``<``, ``>``; quotes are left as they are) when every character of it is
    printable; a text with a character the sanitizer changes (a control
    character, a non-breaking or zero-width space...) goes through the
    field's own conversion instead, once.
    """
    if text.isprintable():
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return Markup(f"<p>{escaped}</p>")  # noqa: S704 - escaped above
    Message = env["mail.message"]
    return Markup(Message._fields["body"].convert_to_column(Markup("<p>%s</p>") % text, Message))


def log_notes_allowed(records):
    """Whether nothing but ``mail`` hooks how notes on ``records`` are created:
    mail.message's ``create``, the thread's message helpers."""
    Message = records.env["mail.message"]
    return fits(Message) and not (
        create_overrides(Message, methods=_MESSAGE_METHODS) - {"mail"}
        or create_overrides(records, methods=_THREAD_METHODS) - {"mail"}
    )


def log_notes(records, bodies):
    """Internal notes on ``records``, as ``_message_log_batch(bodies)`` writes
    them, in one INSERT per ``INSERT_BATCH_SIZE`` messages.

    Only when no installed module overrides mail.message's ``create`` nor the
    thread's message helpers beyond ``mail`` itself; otherwise, and whenever a
    value needs the ORM, nothing is written and None is returned: the caller
    then calls ``_message_log_batch``.

    :param bodies: ``{record id: body}``, each built by :func:`note_body` (it is
        stored as given: it is what the sanitizer would store)
    :return: the messages (as superuser), or None if nothing was written
    """
    if not log_notes_allowed(records):
        return None
    Message = records.env["mail.message"]
    author_id, email_from = records._message_compute_author(None, None, raise_on_email=False)
    base = {
        "author_id": author_id,
        "email_from": email_from,
        "model": records._name,
        "record_alias_domain_id": False,
        "record_company_id": False,
        "record_name": False,
        "message_type": "notification",
        "is_internal": True,
        "subject": False,
        "subtype_id": records.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note"),
        "email_add_signature": False,
        "message_id": generate_tracking_message_id("message-notify"),
        "reply_to": records.env["mail.thread"]._notify_get_reply_to(default=email_from)[False],
    }
    # sudo: as _message_log_batch, the note is system data written by the engine
    # once the caller's rights on the records are established; the context is
    # cleaned of default_* keys as _message_create does.
    # Replacing the whole context is the point: default_* keys are removed, not set.
    Message = Message.sudo().with_context(clean_context(records.env.context))  # pylint: disable=context-overridden
    vals_list = [dict(base, res_id=record.id, body=bodies[record.id]) for record in records]
    rows = prepare_rows(Message, vals_list, trusted={"body"})
    if rows is None:
        return None
    messages = insert_rows(Message, rows, trusted={"body"}, invalidate_inverses=True)
    # What mail.message's create does after the insert for thread messages.
    records.invalidate_recordset(
        ["message_ids", "message_needaction", "message_needaction_counter"]
    )
    return messages


# ----------------------------------------------------------------------
# Followers
# ----------------------------------------------------------------------
#: rows of mail_followers (and of their subtypes) per INSERT
FOLLOWER_BATCH_SIZE = 1000
#: methods of mail.followers the fast follower path skips
_FOLLOWER_METHODS = ("create", "_create", "_insert_followers", "_invalidate_documents")


def add_followers(records, partner_id):
    """Make ``partner_id`` follow ``records``, as ``mail.followers._insert_followers``
    does with the default subtypes (a partner already following a record is left
    as it is), with one INSERT of the followers and one of their subtypes per
    thousand.

    The followers and their subtypes are worked out by mail's own
    ``_add_default_followers``; only the ORM's ``create`` of the rows is replaced,
    and only when no installed module but ``mail`` overrides it (else
    ``_insert_followers`` runs).
    """
    # sudo: as _insert_followers, the engine writes the follower rows once the
    # caller's rights on the records are established (mail.followers is admin-only).
    Followers = records.env["mail.followers"].sudo()
    if not records:
        return
    if create_overrides(Followers, methods=_FOLLOWER_METHODS) - {"mail"}:
        Followers._insert_followers(records._name, records.ids, [partner_id], check_existing=True)
        return
    new, _update = Followers._add_default_followers(
        records._name, records.ids, [partner_id], check_existing=True
    )
    vals_list = [
        dict(values, res_id=res_id) for res_id, values_list in new.items() for values in values_list
    ]
    cr = records.env.cr
    follower_ids = []
    # Two narrow rows: a thousand per INSERT (a scanner's batch in one query each).
    for batch in split_every(FOLLOWER_BATCH_SIZE, vals_list):
        cr.execute(
            SQL(
                "INSERT INTO mail_followers (res_model, res_id, partner_id) VALUES %s RETURNING id",
                SQL(", ").join(
                    SQL("(%s, %s, %s)", vals["res_model"], vals["res_id"], vals["partner_id"])
                    for vals in batch
                ),
            )
        )
        follower_ids.extend(row[0] for row in cr.fetchall())
    links = [
        (follower_id, subtype_id)
        for follower_id, vals in zip(follower_ids, vals_list, strict=True)
        for command in vals["subtype_ids"]
        for subtype_id in command[2]
    ]
    for batch in split_every(FOLLOWER_BATCH_SIZE, links):
        cr.execute(
            SQL(
                "INSERT INTO mail_followers_mail_message_subtype_rel "
                "(mail_followers_id, mail_message_subtype_id) VALUES %s",
                SQL(", ").join(SQL("(%s, %s)", *link) for link in batch),
            )
        )
    # What mail.followers' create leaves behind: the documents' followers are
    # read again, and what depends on them (followers as partners, "I follow").
    Followers.browse(follower_ids)._invalidate_documents(vals_list)
    records.invalidate_recordset(["message_follower_ids"])
    records.modified(["message_follower_ids"])
