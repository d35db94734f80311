from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools.approval_matrix import LevelPlan

APPROVER_KINDS = [
    ("users", "Named users"),
    ("group", "Members of a group"),
    ("role", "Role on the document"),
]
MODES = [
    ("any", "Any one of them"),
    ("all", "All of them"),
    ("n", "N of them"),
]


class WfmonApprovalLevel(models.Model):
    """One sequential step of a policy: who approves and how many must agree."""

    _name = "wfmon.approval.level"
    _description = "Approval Level"
    _order = "policy_id, sequence, id"

    policy_id = fields.Many2one(
        "wfmon.approval.policy", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="policy_id.company_id", store=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, translate=True, help="e.g. Store manager, Finance.")
    approver_kind = fields.Selection(APPROVER_KINDS, required=True, default="users")
    user_ids = fields.Many2many(
        "res.users",
        "wfmon_approval_level_res_users_rel",
        "level_id",
        "user_id",
        string="Approvers",
        domain=[("share", "=", False)],
    )
    group_id = fields.Many2one("res.groups", string="Approver Group")
    model_name = fields.Char(related="policy_id.model_name")
    role_path = fields.Char(
        string="Person on the Document",
        help="The user the document names, e.g. the manager of its store or warehouse, or "
        "its salesperson: chosen among the document's fields by their labels.",
    )
    mode = fields.Selection(MODES, required=True, default="any")
    min_approvals = fields.Integer(string="N", default=1)
    backup_user_id = fields.Many2one(
        "res.users",
        string="Backup Approver",
        help="Decides when nobody else is eligible, and takes over at the deadline.",
    )

    @api.depends("name", "mode", "min_approvals")
    def _compute_display_name(self):
        labels = dict(MODES)
        for level in self:
            suffix = (
                self.env._("%s of them", level.min_approvals)
                if level.mode == "n"
                else labels.get(level.mode, "")
            )
            level.display_name = f"{level.name} ({suffix})" if level.name else suffix

    @api.constrains("approver_kind", "user_ids", "group_id", "role_path", "mode", "min_approvals")
    def _check_approvers(self):
        for level in self:
            if level.approver_kind == "users" and not level.user_ids:
                raise ValidationError(self.env._("Level %s names no approver.", level.name))
            if level.approver_kind == "group" and not level.group_id:
                raise ValidationError(self.env._("Level %s needs a group.", level.name))
            if level.approver_kind == "role":
                level._check_role_path()
            if level.mode == "n" and level.min_approvals < 1:
                raise ValidationError(self.env._("N must be at least 1 on level %s.", level.name))

    def _check_role_path(self):
        self.ensure_one()
        model_name = self.policy_id.model_name
        if not self.role_path or model_name not in self.env:
            raise ValidationError(self.env._("Level %s needs a role path.", self.name))
        Model = self.env[model_name]
        for part in self.role_path.split("."):
            field = Model._fields.get(part)
            if not field or field.type not in ("many2one", "many2many", "one2many"):
                raise ValidationError(
                    self.env._(
                        "Role path %(path)s of level %(level)s is not a chain of relational "
                        "fields of %(model)s.",
                        path=self.role_path,
                        level=self.name,
                        model=model_name,
                    )
                )
            Model = self.env[field.comodel_name]
        if Model._name != "res.users":
            raise ValidationError(self.env._("Role path %s must end on a user.", self.role_path))

    def _plan(self):
        """This level as ``tools.approval_matrix.level_gaps`` reads it: its
        approvers when known without a document, ``None`` for a person on it."""
        self.ensure_one()
        approvers = self._configured_approvers()
        return LevelPlan(
            self.name or "",
            None if approvers is None else frozenset(approvers),
            self.backup_user_id.id or None,
        )

    def _configured_approvers(self):
        """The user ids this level names whatever the document (its users, its
        group's active internal members); ``None`` for a person on the document."""
        self.ensure_one()
        if self.approver_kind == "users":
            return self.user_ids.filtered("active").ids
        if self.approver_kind == "group":
            # sudo: routing lists the group's members whatever the requester may read.
            return self.group_id.sudo().users.filtered(lambda u: u.active and not u.share).ids
        return None

    def _raw_approvers(self, records):
        """``{record id: [user ids]}``: the configured approvers of this level for
        each record, before delegation and segregation of duties.

        Reads in bulk (prefetch), so the cost does not grow with the records.
        """
        self.ensure_one()
        users = self._configured_approvers()
        if users is not None:
            return {record.id: users for record in records}
        # sudo: the role is read on behalf of the policy (e.g. the store's manager),
        # not with the rights of the requester.
        return {
            record.id: record.mapped(self.role_path).filtered("active").ids
            for record in records.sudo()
        }
