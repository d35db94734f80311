from odoo import api, fields, models, tools

from odoo.addons.wfmon_core.models.lookup_cache import (
    ENDPOINTS,
    EVENT_TYPES,
    lookup_cached,
    lookup_changed,
)


def _in_words(code):
    """'retail.supplier_eta' -> 'Retail supplier eta': a name for a type no module
    described, rather than its code."""
    return code.replace(".", " ").replace("_", " ").strip().capitalize() or code


class WfmonEventType(models.Model):
    """Registry of event types.

    Modules declare the events they publish (``outbound``) and the inbound
    types they handle (``inbound``) as XML data; endpoints and inbound sources
    filter on them.  Types published without being declared are registered on
    the fly so that nothing is lost.
    """

    _name = "wfmon.event.type"
    _description = "Integration Event Type"
    _order = "direction, code"
    _rec_name = "name"
    _rec_names_search = ["code", "name"]

    code = fields.Char(required=True, index=True, help="Dotted event name, e.g. case.opened.")
    name = fields.Char(string="Description", translate=True)
    direction = fields.Selection(
        [("outbound", "Outbound"), ("inbound", "Inbound")],
        required=True,
        default="outbound",
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "code_direction_uniq",
            "unique(code, direction)",
            "An event type is declared once per direction.",
        ),
    ]

    @api.depends("code", "name")
    @api.depends_context("uid")
    def _compute_display_name(self):
        # The code is the integrators' vocabulary: administrators read it beside
        # the description, everyone else the description alone (the web client
        # reads linked names with sudo: the user decides, not the mode).
        technical = self.env.user.has_group("wfmon_core.group_wfmon_admin")
        for event_type in self:
            if not event_type.name or event_type.name == event_type.code:
                event_type.display_name = event_type.code
            elif technical:
                event_type.display_name = f"{event_type.code} ({event_type.name})"
            else:
                event_type.display_name = event_type.name

    @api.model
    def _ensure(self, codes, direction="outbound"):
        """``{code: type}`` for ``codes``, declaring the missing ones. The
        types' ids come from the registry's cache (:meth:`_wfmon_ids_by_code`):
        no query per publish once the types exist."""
        # sudo: publishing runs as whoever changed the record; the registry is
        # configuration that must be complete whatever their rights.
        Type = self.sudo().with_context(active_test=False)
        cached = lookup_cached(self.env, EVENT_TYPES)
        by_code = {}
        if cached:
            known = self._wfmon_ids_by_code(direction)
            by_code = {code: Type.browse(known[code]) for code in codes if code in known}
        missing = [c for c in dict.fromkeys(codes) if c not in by_code]
        if missing:
            # Not in the cache: declared since it was filled (or not at all).
            found = Type.search_fetch(
                [("code", "in", missing), ("direction", "=", direction)], ["code"]
            )
            by_code.update({t.code: t for t in found})
            if found and cached:
                # Declared and committed by another transaction: cache them.
                self.env.registry.clear_cache()
            missing = [c for c in missing if c not in by_code]
        if missing:
            names = self.env["wfmon.publisher"]._event_descriptions()
            created = Type.create(
                [
                    {"code": c, "name": names.get(c) or _in_words(c), "direction": direction}
                    for c in missing
                ]
            )
            by_code.update({t.code: t for t in created})
        return by_code

    @api.model
    @tools.ormcache("direction")
    def _wfmon_ids_by_code(self, direction):
        """``{code: id}`` of the event types of ``direction``, archived ones
        included, kept in the registry's cache until a type is created, changed
        or deleted (see ``wfmon_core``'s ``lookup_cache``)."""
        types = (
            self.sudo()
            .with_context(active_test=False)
            .search_fetch([("direction", "=", direction)], ["code"])
        )
        return {event_type.code: event_type.id for event_type in types}

    # The types' ids (_wfmon_ids_by_code) and the endpoints' types (the
    # endpoints' lookup of wfmon.event._fan_out: archived types are left out of
    # an endpoint's selection) are kept in the registry's cache.
    @api.model_create_multi
    def create(self, vals_list):
        types = super().create(vals_list)
        # A new type is in no endpoint's selection, and _ensure finds it when
        # the cache misses it: the registry's caches stay warm (the types are
        # declared on the fly, the first time each is published).
        lookup_changed(self.env, EVENT_TYPES, clear=False)
        return types

    def write(self, vals):
        res = super().write(vals)
        lookup_changed(self.env, EVENT_TYPES, ENDPOINTS)
        return res

    def unlink(self):
        res = super().unlink()
        lookup_changed(self.env, EVENT_TYPES, ENDPOINTS)
        return res
