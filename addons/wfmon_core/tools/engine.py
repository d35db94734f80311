"""Context switches that only server code can set.

Everything a JSON-RPC client sends arrives as JSON: strings, numbers, booleans,
``None``, lists and dicts, and a client may put any of them under any context
key. A switch whose value must be an instance of the private class below
therefore cannot come from a client, whatever it sends under that key. This is
the pattern of OCA queue_job's ``EDIT_SENTINEL``. Every control of the suite
(engine-managed fields, audit stamps, detector switches, approval consumption)
reads its switch through :func:`flag` or :func:`engine_options` only.

Plain Python: no import of Odoo. A recordset is only asked for
``with_context`` and ``env.context``.
"""

from collections import namedtuple

#: context key of engine writes (cases, approval requests, audit lines)
ENGINE_KEY = "wfmon_engine"
#: how the engine writes: the reason and "automated" stamps of the audit lines
#: it causes, and whether a severity change keeps the case's deadlines
EngineOptions = namedtuple(
    "EngineOptions", ["reason", "automated", "keep_deadlines"], defaults=[None, False, False]
)


class _ServerFlag:
    """A context value that only Python code running on the server can create."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __repr__(self):
        return f"<wfmon server flag {self.value!r}>"


def server_flag(value=True):
    """A value for a context key that no client can forge: ``{key: server_flag(x)}``."""
    return _ServerFlag(value)


def flag(context, key, default=None):
    """The value server code put under ``key`` with :func:`server_flag`;
    ``default`` when the key is absent or holds anything a client could send."""
    value = context.get(key)
    return value.value if isinstance(value, _ServerFlag) else default


def with_flags(records, **flags):
    """``records`` with server flags added to their context."""
    return records.with_context(**{key: _ServerFlag(value) for key, value in flags.items()})


def engine(records, reason=None, automated=False, keep_deadlines=False):
    """``records`` as the monitoring engine: they may write engine-managed fields."""
    options = EngineOptions(reason=reason, automated=bool(automated), keep_deadlines=keep_deadlines)
    return with_flags(records, **{ENGINE_KEY: options})


def engine_options(context):
    """The :class:`EngineOptions` of an engine context, ``None`` otherwise."""
    options = flag(context, ENGINE_KEY)
    return options if isinstance(options, EngineOptions) else None


def is_engine(context):
    """Whether ``context`` (``env.context``) is the engine's."""
    return engine_options(context) is not None
