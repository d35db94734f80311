"""Configuration the detectors read on every call, kept in the registry's cache.

A detector's call reads the same configuration every time: the teams that route
its cases, the working schedules of their calendars, the event types and
webhook endpoints its events go to. Read from the database on each call, that
is a fixed handful of queries per confirmed order or validated picking. These
lookups keep it in the registry's cache (``tools.ormcache``, as plain ids and
values, never records bound to an environment), cleared by the writes that
change it, and other workers are told at the end of the request, as for
Odoo's own caches (access rights, record rules).

One more rule keeps the cache from outliving a rollback: a transaction that
changed the configuration of a lookup (:func:`lookup_changed`) reads that
lookup from the database, and does not fill the cache, until it commits
(:func:`lookup_cached`). Filled in that transaction, the cache could hold rows
the transaction wrote and then rolled back (a savepoint, a test). The mark is
kept on the cursor (``cr.cache``), which nothing a client sends can set or clear,
and dropped when the transaction commits.
"""

from functools import partial

from odoo import api, models

#: key of ``cr.cache`` holding the names of the lookups this transaction changed
CHANGED_KEY = "wfmon_lookups_changed"

#: the lookups (the names given to :func:`lookup_changed` and :func:`lookup_cached`)
ROUTING = "routing"
SCHEDULES = "schedules"
EVENT_TYPES = "event_types"
ENDPOINTS = "endpoints"
SLA_POLICIES = "sla_policies"


def lookup_changed(env, *names, clear=True):
    """The configuration behind the lookups ``names`` changed in this
    transaction: clear the registry's cache (other workers are told at the end
    of the request) and read those lookups from the database until the
    transaction is committed. ``clear=False``: only rows were added that a
    lookup finds by itself when its cache misses them (see
    ``wfmon.event.type._ensure``): the registry's cache, Odoo's own included,
    stays warm."""
    cache = env.cr.cache
    if CHANGED_KEY not in cache:
        # Once committed, what this transaction wrote may be cached.
        env.cr.postcommit.add(partial(cache.pop, CHANGED_KEY, None))
    cache.setdefault(CHANGED_KEY, set()).update(names)
    if clear:
        env.registry.clear_cache()


def lookup_cached(env, name):
    """Whether the lookup ``name`` may be read from (and kept in) the registry's
    cache: not in a transaction that changed its configuration."""
    return name not in env.cr.cache.get(CHANGED_KEY, ())


class WfmonLookupSource(models.AbstractModel):
    """Rows a cached lookup reads: creating, changing (``_wfmon_lookup_fields``,
    all fields when None) or deleting them tells the lookups
    ``_wfmon_lookups`` (:func:`lookup_changed`). ``_wfmon_feeds_lookups``
    says which rows feed them (all by default)."""

    _name = "wfmon.lookup.source"
    _description = "Operations Monitor: configuration a cached lookup reads"

    #: the lookups (the names above) these rows feed
    _wfmon_lookups = ()
    #: the fields whose change changes those lookups (None: any field)
    _wfmon_lookup_fields = None

    def _wfmon_feeds_lookups(self):
        """Whether any row of ``self`` is read by the lookups."""
        return bool(self)

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        if records._wfmon_feeds_lookups():
            lookup_changed(self.env, *self._wfmon_lookups)
        return records

    def write(self, vals):
        watched = self._wfmon_lookup_fields
        relevant = watched is None or not watched.isdisjoint(vals)
        fed = relevant and self._wfmon_feeds_lookups()
        res = super().write(vals)
        if relevant and (fed or self._wfmon_feeds_lookups()):
            lookup_changed(self.env, *self._wfmon_lookups)
        return res

    def unlink(self):
        fed = self._wfmon_feeds_lookups()
        res = super().unlink()
        if fed:
            lookup_changed(self.env, *self._wfmon_lookups)
        return res
