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
from collections import defaultdict

from markupsafe import Markup

from odoo import api, models
from odoo.models import INSERT_BATCH_SIZE, LOG_ACCESS_COLUMNS, SQL_DEFAULT
from odoo.tools import SQL, clean_context, float_repr, float_round, split_every
from odoo.tools.mail import generate_tracking_message_id

from .precompute import PRECOMPUTED

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
    ids = []
    for chunk in split_every(INSERT_BATCH_SIZE, rows):
        values = [
            tuple(
                converters[name][0](row[name], row) if name in row else SQL_DEFAULT
                for name in names
            )
            for row in chunk
        ]
        cr.execute(
            SQL(
                "INSERT INTO %s (%s) VALUES %s RETURNING id",
                SQL.identifier(model._table),
                SQL(", ").join(map(SQL.identifier, names)),
                SQL(", ").join(values),
            )
        )
        ids.extend(id_ for (id_,) in cr.fetchall())
    records = model.browse(ids)
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
        if to_cache is None:
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
