from odoo.tests import TransactionCase, new_test_user
from odoo.tools import SQL

from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT
from odoo.addons.wfmon_core.tests.common import make_weekday_calendar


class WfmonApprovalCase(TransactionCase):
    """Shared fixture: a 9-17 Mon-Fri UTC calendar, a store with its manager,
    a requester, approvers for two levels (store manager, then finance), a
    backup approver and a substitute; exception cases of core are the guarded
    documents (action ``action_start``), so this module is tested alone."""

    ACTION = "action_start"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, **DISABLED_MAIL_CONTEXT))
        # Requests that exist before the tests (demo data of other modules, e.g.
        # a held credit release) stay out of the counts and the reminder cron.
        cls.preexisting_requests = cls.env["wfmon.approval.request"].sudo().search([])
        cls.env.cr.execute(
            SQL("UPDATE wfmon_approval_request SET state = 'cancelled' WHERE state = 'pending'")
        )
        cls.env["wfmon.approval.request"].invalidate_model(["state"])
        cls.company = cls.env.company
        cls.currency = cls.company.currency_id
        cls.calendar = make_weekday_calendar(cls.env, "Approvals 9-17 UTC")
        cls.company.wfmon_calendar_id = cls.calendar
        cls.requester = new_test_user(
            cls.env,
            login="ap_requester",
            name="Rita Requester",
            groups="wfmon_core.group_wfmon_user",
        )
        cls.store_manager = new_test_user(
            cls.env, login="ap_store_mgr", name="Sam StoreManager", groups="base.group_user"
        )
        cls.finance_group = cls.env["res.groups"].create({"name": "Test finance approvers"})
        cls.finance_1 = new_test_user(
            cls.env, login="ap_fin1", name="Fiona Finance", groups="base.group_user"
        )
        cls.finance_2 = new_test_user(
            cls.env, login="ap_fin2", name="Frank Finance", groups="base.group_user"
        )
        cls.finance_group.users = cls.finance_1 | cls.finance_2
        cls.backup = new_test_user(
            cls.env, login="ap_backup", name="Bob Backup", groups="base.group_user"
        )
        cls.substitute = new_test_user(
            cls.env, login="ap_subst", name="Sue Substitute", groups="base.group_user"
        )
        cls.outsider = new_test_user(
            cls.env, login="ap_outsider", name="Oscar Outsider", groups="base.group_user"
        )
        cls.manager = new_test_user(
            cls.env,
            login="ap_manager",
            name="Mia Manager",
            groups="wfmon_core.group_wfmon_manager",
        )
        cls.admin = new_test_user(
            cls.env,
            login="ap_admin",
            name="Ada Admin",
            groups="wfmon_core.group_wfmon_admin,base.group_system",
        )
        cls.store = cls.env["wfmon.site"].create(
            {
                "name": "Store One",
                "code": "TA1",
                "manager_id": cls.store_manager.id,
                "user_ids": [(4, cls.requester.id)],
            }
        )
        cls.store_2 = cls.env["wfmon.site"].create(
            {"name": "Store Two", "code": "TA2", "user_ids": [(4, cls.requester.id)]}
        )
        cls.case_type = cls.env["wfmon.case.type"].create(
            {"name": "Price override", "code": "test.approval.price", "domain": "retail"}
        )
        cls.other_type = cls.env["wfmon.case.type"].create(
            {"name": "Refund", "code": "test.approval.refund", "domain": "retail"}
        )
        cls.model_case = cls.env["ir.model"]._get("wfmon.case")
        cls.policy = cls._policy(
            "Overrides from 1,000",
            min_amount=1000,
            levels=[
                {
                    "name": "Store manager",
                    "approver_kind": "role",
                    "role_path": "site_id.manager_id",
                    "backup_user_id": cls.backup.id,
                },
                {
                    "name": "Finance",
                    "approver_kind": "group",
                    "group_id": cls.finance_group.id,
                    "mode": "all",
                },
            ],
        )

    @classmethod
    def _policy(cls, name, levels=None, **vals):
        values = {
            "name": name,
            "model_id": cls.model_case.id,
            "action_name": cls.ACTION,
            "amount_field": "impact_amount",
            "currency_field": "currency_id",
            "deadline_hours": 8,
            "remind_ratio": 0.5,
            "level_ids": [
                (0, 0, lvl)
                for lvl in (
                    levels
                    or [
                        {
                            "name": "Store manager",
                            "approver_kind": "role",
                            "role_path": "site_id.manager_id",
                        },
                    ]
                )
            ],
        }
        values.update(vals)
        return cls.env["wfmon.approval.policy"].create(values)

    @classmethod
    def _cases(cls, count=1, amount=1500.0, site=None, case_type=None, **vals):
        return cls.env["wfmon.case"].create(
            [
                {
                    "type_id": (case_type or cls.case_type).id,
                    "summary": f"Override {i}",
                    "impact_amount": amount,
                    "site_id": (site or cls.store).id,
                    "team_id": False,
                    **vals,
                }
                for i in range(count)
            ]
        )

    def _guard(self, records, user=None):
        user = user or self.requester
        return (
            self.env["wfmon.approval.mixin"]
            .with_user(user)
            ._wfmon_guard(
                records.with_user(user),
                self.ACTION,
                site_field="site_id",
                case_type_field="type_id",
            )
        )

    def _request(self, record):
        return self.env["wfmon.approval.request"].search(
            [("res_model", "=", record._name), ("res_id", "=", record.id)],
            order="id desc",
            limit=1,
        )

    def _activities(self, request):
        """The approval to-dos of ``request`` (not the administrators' to-dos)."""
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", request._name),
                ("res_id", "=", request.id),
                (
                    "activity_type_id",
                    "=",
                    self.env.ref("wfmon_approvals.mail_activity_type_wfmon_approval").id,
                ),
            ]
        )
