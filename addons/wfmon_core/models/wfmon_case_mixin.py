from odoo import fields, models


class WfmonCaseMixin(models.AbstractModel):
    """Documents exception cases are opened on: how many are open, how many
    block, and the action listing them.

    A module whose detectors open cases on a model inherits this mixin there
    (``_inherit = ["sale.order", "wfmon.case.mixin"]``) and shows, in the form,
    the **Open Cases** smart button (``action_view_wfmon_cases`` with
    ``wfmon_case_count``) and the banner (visible while ``wfmon_case_count``;
    ``wfmon_case_blocking_count`` says whether some block the next step). The
    count costs one grouped query per batch of documents and honours the record
    rules of the cases (a user counts the cases they may see).
    """

    _name = "wfmon.case.mixin"
    _description = "Documents with exception cases"

    wfmon_case_count = fields.Integer(
        string="Open Cases",
        compute="_compute_wfmon_case_count",
        groups="wfmon_core.group_wfmon_user",
    )
    wfmon_case_blocking_count = fields.Integer(
        string="Blocking Cases",
        compute="_compute_wfmon_case_count",
        groups="wfmon_core.group_wfmon_user",
    )

    wfmon_case_names = fields.Char(
        string="Open Cases On This Document",
        compute="_compute_wfmon_case_names",
        groups="wfmon_core.group_wfmon_user",
        help="The kinds of the open cases the user may see, as the banner names them.",
    )

    def _compute_wfmon_case_count(self):
        ids = [rec_id for rec_id in self._ids if isinstance(rec_id, int)]
        counts, blocking = {}, {}
        if ids:
            groups = self.env["wfmon.case"]._read_group(
                [("res_model", "=", self._name), ("res_id", "in", ids), ("is_open", "=", True)],
                ["res_id", "blocking"],
                ["__count"],
            )
            for res_id, is_blocking, count in groups:
                counts[res_id] = counts.get(res_id, 0) + count
                if is_blocking:
                    blocking[res_id] = blocking.get(res_id, 0) + count
        for record in self:
            record.wfmon_case_count = counts.get(record.id, 0)
            record.wfmon_case_blocking_count = blocking.get(record.id, 0)

    def action_view_wfmon_cases(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("wfmon_core.wfmon_case_action")
        action["domain"] = [("res_model", "=", self._name), ("res_id", "=", self.id)]
        action["context"] = {"search_default_open": 1, "create": False}
        action["view_mode"] = "list,form,kanban"
        action["views"] = [(False, "list"), (False, "form"), (False, "kanban")]
        return action

    def _compute_wfmon_case_names(self):
        # One grouped query per batch; the user's record rules apply.
        ids = [rec_id for rec_id in self._ids if isinstance(rec_id, int)]
        names = {}
        if ids:
            groups = self.env["wfmon.case"]._read_group(
                [("res_model", "=", self._name), ("res_id", "in", ids), ("is_open", "=", True)],
                ["res_id", "type_id"],
                ["__count"],
            )
            for res_id, case_type, _count in groups:
                names.setdefault(res_id, []).append(case_type.display_name)
        for record in self:
            record.wfmon_case_names = ", ".join(sorted(names.get(record.id, []))) or False
