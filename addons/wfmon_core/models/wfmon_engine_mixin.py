from odoo import api, models
from odoo.exceptions import AccessError

from ..tools.engine import engine, engine_options

#: ``_wfmon_engine_fields`` value: every field of the model is the engine's
ALL_FIELDS = "__all__"


class WfmonEngineMixin(models.AbstractModel):
    """Records, or fields of records, that only the monitoring engine writes.

    The one home of the engine-write protection (cases, approval requests,
    their assignments and decisions, audit lines). A model opts in with
    ``_inherit`` and two class attributes::

        _wfmon_engine_fields = {"state", "sla_status"}   # or ALL_FIELDS
        _wfmon_engine_create = False   # True: only the engine creates records

    Outside the engine, ``create`` and ``write`` carrying one of these fields
    raise ``AccessError`` (``create`` accepts a field's own default value, which
    the web client sends back), and the caller's ``default_<field>`` context
    keys never fill them in. The engine is a context that only server code can
    build (:func:`~odoo.addons.wfmon_core.tools.engine.engine`, through
    :meth:`_wfmon_engine`): a JSON-RPC client can send ``{"wfmon_engine": true}``
    but never the object the check asks for. Superuser mode does not count:
    ``sudo()`` gives access rights, not the engine's say.
    """

    _name = "wfmon.engine.mixin"
    _description = "Engine-managed records"

    #: names of the fields only the engine writes, or ``ALL_FIELDS``
    _wfmon_engine_fields = frozenset()
    #: whether records are created by the engine only
    _wfmon_engine_create = False

    def _wfmon_engine(self, reason=None, automated=False, keep_deadlines=False):
        """These records as the engine.

        :param reason: reason stamped on the audit lines the writes cause
        :param automated: whether those lines are stamped "automated"
        :param keep_deadlines: a severity change keeps the SLA deadlines
        """
        return engine(self, reason=reason, automated=automated, keep_deadlines=keep_deadlines)

    def _wfmon_is_engine(self):
        return engine_options(self.env.context) is not None

    @api.model
    def _wfmon_engine_field_names(self):
        if self._wfmon_engine_fields == ALL_FIELDS:
            return set(self._fields) - set(models.MAGIC_COLUMNS)
        return set(self._wfmon_engine_fields)

    def _wfmon_check_engine_vals(self, vals_list, create=False):
        """Refuse engine-managed values from anyone but the engine."""
        if self._wfmon_is_engine():
            return
        if create and self._wfmon_engine_create:
            raise AccessError(
                self.env._(
                    "%s records are created by the monitoring engine only.",
                    self._description,
                )
            )
        protected = self._wfmon_engine_field_names()
        forbidden = set()
        for vals in vals_list:
            for fname in protected.intersection(vals):
                if create and self._wfmon_is_default(fname, vals[fname]):
                    continue
                forbidden.add(fname)
        if forbidden:
            raise AccessError(
                self.env._(
                    "These fields of %(model)s are managed by the monitoring engine and "
                    "cannot be written directly: %(fields)s. Use the buttons or the API.",
                    model=self._description,
                    fields=", ".join(sorted(forbidden)),
                )
            )

    def _wfmon_is_default(self, fname, value):
        """Whether ``value`` is the static default of ``fname`` (what a form
        sends back for a field it shows), ignoring context defaults."""
        field = self._fields[fname]
        if not callable(field.default):
            return False
        return field.default(self.browse()) == value and not isinstance(value, list | tuple)

    def _wfmon_without_engine_defaults(self):
        """This model without the caller's ``default_<engine field>`` keys."""
        protected = self._wfmon_engine_field_names()
        context = {
            key: value
            for key, value in self.env.context.items()
            if not (key.startswith("default_") and key[8:] in protected)
        }
        if len(context) == len(self.env.context):
            return self
        # Replacing the whole context is the point: keys are removed, not set.
        return self.with_context(context)  # pylint: disable=context-overridden

    @api.model_create_multi
    def create(self, vals_list):
        self._wfmon_check_engine_vals(vals_list, create=True)
        records = super(WfmonEngineMixin, self._wfmon_without_engine_defaults()).create(vals_list)
        return records.with_env(self.env)

    def write(self, vals):
        self._wfmon_check_engine_vals([vals])
        return super().write(vals)
