from datetime import datetime, time, timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.wfmon_core.models.wfmon_detector import detectors_off

NOT_READY = "retail.promotion_not_ready"
#: products of one promotion the check looks at, at most
MAX_PRODUCTS = 200


class LoyaltyProgram(models.Model):
    """Promotion readiness.

    A promotion starting within the company's horizon (or already running) must
    pass a readiness check before it is active: stock of its eligible and reward
    products at every store whose shops run it, and price and margin sanity
    after its discount. A scheduled check runs when a promotion enters the
    horizon (``wfmon_retail_next_check``, indexed: nothing due, one query) and
    then daily until it starts; a failure opens a case for merchandising and
    archives a promotion that has not started yet. Activating one (create,
    ``write({'active': True})``, *Unarchive*) runs the check at once and is
    refused with the failures while it does not pass.
    """

    _name = "loyalty.program"
    _inherit = ["loyalty.program", "wfmon.engine.mixin"]
    _wfmon_engine_fields = frozenset(
        {
            "wfmon_retail_readiness",
            "wfmon_retail_checked_at",
            "wfmon_retail_findings",
            "wfmon_retail_next_check",
        }
    )

    wfmon_retail_readiness = fields.Selection(
        [("unchecked", "Not checked"), ("passed", "Ready"), ("failed", "Not ready")],
        string="Readiness",
        default="unchecked",
        readonly=True,
        copy=False,
    )
    wfmon_retail_checked_at = fields.Datetime(
        string="Readiness Checked On", readonly=True, copy=False
    )
    wfmon_retail_findings = fields.Text(string="Readiness Findings", readonly=True, copy=False)
    wfmon_retail_next_check = fields.Datetime(
        string="Next Readiness Check",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )

    # ------------------------------------------------------------------
    # When the check is due
    # ------------------------------------------------------------------
    def _wfmon_retail_in_window(self, today=None):
        """The promotions of ``self`` that must be ready: POS promotions starting
        within the company's horizon, or running, and not ended."""
        today = today or fields.Date.context_today(self)
        return self.filtered(
            lambda p: (
                p.pos_ok
                and (not p.date_to or p.date_to >= today)
                and (
                    not p.date_from
                    or p.date_from
                    <= today + timedelta(days=p.company_id.wfmon_retail_promo_horizon_days or 0)
                )
            )
        )

    def _wfmon_retail_schedule(self):
        """Set when the scheduled check looks at each promotion next."""
        today = fields.Date.context_today(self)
        now = fields.Datetime.now()
        by_value = {}
        for program in self:
            due = False
            if program.pos_ok and (not program.date_to or program.date_to >= today):
                horizon = program.company_id.wfmon_retail_promo_horizon_days or 0
                first = (
                    datetime.combine(program.date_from - timedelta(days=horizon), time.min)
                    if program.date_from
                    else now
                )
                due = max(first, now) if program.wfmon_retail_readiness != "passed" else False
                if program.wfmon_retail_readiness == "passed" and program.date_from:
                    # Ready: checked again daily until it starts.
                    due = now + timedelta(days=1) if program.date_from > today else False
            by_value.setdefault(due, self.browse())
            by_value[due] |= program
        for due, programs in by_value.items():
            programs._wfmon_engine().write({"wfmon_retail_next_check": due})

    # ------------------------------------------------------------------
    # The guard on activation
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        programs = super().create(vals_list)
        if not detectors_off(programs.env):
            programs.filtered("active")._wfmon_retail_require_ready()
            programs.with_context(active_test=False)._wfmon_retail_schedule()
        return programs

    def write(self, vals):
        activating = (
            self.with_context(active_test=False).filtered(lambda p: not p.active)
            if vals.get("active")
            else self.browse()
        )
        checked = not detectors_off(self.env)
        if activating and checked:
            # Refused before anything is written (nothing half-done is left in
            # the cache of the caller); checked again after a change of dates.
            activating._wfmon_retail_require_ready()
        res = super().write(vals)
        if not checked:
            return res
        if activating and {"date_from", "date_to", "pos_config_ids", "rule_ids"} & set(vals):
            activating._wfmon_retail_require_ready()
        if {"date_from", "date_to", "active", "pos_ok", "rule_ids", "reward_ids"} & set(vals):
            self.with_context(active_test=False)._wfmon_retail_schedule()
        return res

    def _wfmon_retail_require_ready(self):
        """Refuse activating promotions in the readiness window that do not pass
        the check now."""
        due = self._wfmon_retail_in_window()
        if not due:
            return
        results = due._wfmon_retail_check()
        failed = due.filtered(lambda p: results[p.id])
        (due - failed)._wfmon_engine().write(
            {
                "wfmon_retail_readiness": "passed",
                "wfmon_retail_checked_at": fields.Datetime.now(),
                "wfmon_retail_findings": False,
            }
        )
        if failed:
            raise UserError(
                self.env._(
                    "Promotion not ready, it cannot be activated:\n%s\nFix the stock or the "
                    "prices (or narrow the promotion), then activate it again.",
                    "\n".join(
                        f"- {program.name}: " + "; ".join(results[program.id]) for program in failed
                    ),
                )
            )

    # ------------------------------------------------------------------
    # The check
    # ------------------------------------------------------------------
    def action_wfmon_retail_check(self):
        """Run the readiness check now (button on the promotion)."""
        self._wfmon_retail_run_check()
        return True

    @api.model
    def _cron_wfmon_retail_readiness(self):
        """Check the promotions whose readiness check is due."""
        domain = [("wfmon_retail_next_check", "<=", fields.Datetime.now())]
        # sudo: the scheduled check reads every company's promotions, archived too.
        Program = self.sudo().with_context(active_test=False)
        due = Program.search(domain, limit=200)
        if due:
            due._wfmon_retail_run_check()
            # More due than one call takes: the cron framework runs the job again at once.
            remaining = Program.search_count(domain) if len(due) == 200 else 0
            self.env["ir.cron"]._notify_progress(done=len(due), remaining=remaining)
        return len(due)

    def _wfmon_retail_run_check(self):
        """Check, stamp the result, open or resolve the case; archive a failed
        promotion that has not started yet."""
        programs = self.with_context(active_test=False)._wfmon_retail_in_window()
        outside = self.with_context(active_test=False) - programs
        outside._wfmon_retail_schedule()
        if not programs:
            return {}
        results = programs._wfmon_retail_check()
        now = fields.Datetime.now()
        today = fields.Date.context_today(self)
        passed = programs.filtered(lambda p: not results[p.id])
        failed = programs - passed
        passed._wfmon_engine().write(
            {
                "wfmon_retail_readiness": "passed",
                "wfmon_retail_checked_at": now,
                "wfmon_retail_findings": False,
            }
        )
        for program in failed:
            program._wfmon_engine().write(
                {
                    "wfmon_retail_readiness": "failed",
                    "wfmon_retail_checked_at": now,
                    "wfmon_retail_findings": "\n".join(results[program.id]),
                }
            )
        detector = self.env["wfmon.retail.detector"]
        detector._resolve(NOT_READY, passed, self.env._("The readiness check passed."))
        not_started = failed.filtered(lambda p: p.active and p.date_from and p.date_from > today)
        if not_started:
            # sudo: the engine keeps a promotion that is not ready from starting.
            not_started.sudo()._wfmon_engine().write({"active": False})
        detector._promotion_not_ready(failed, results, not_started)
        programs._wfmon_retail_schedule()
        failed._wfmon_engine().write({"wfmon_retail_next_check": now + timedelta(hours=4)})
        return results

    def _wfmon_retail_check(self):
        """``{program id: [failures]}`` (empty list: ready). Stock of the
        eligible and reward products at every store whose shops run the
        promotion; list price set and margin after the discount above the
        company's minimum."""
        # sudo: the check reads stock and prices for the detector.
        stores = (
            self.env["wfmon.retail.store"]
            .sudo()
            .search([("company_id", "in", self.company_id.ids or self.env.company.ids)])
        )
        shops_of = stores._shops()
        stores = stores.filtered(lambda s: shops_of[s.id])
        results = {}
        for program in self.sudo():
            failures = []
            where = stores.filtered(
                lambda s, p=program: not p.pos_config_ids or shops_of[s.id] & p.pos_config_ids
            )
            if not where:
                # Not a store promotion: nothing to check.
                results[program.id] = failures
                continue
            products = program._wfmon_retail_products()
            if not products:
                failures.append(self.env._("no product is eligible or rewarded"))
            for store in where:
                minimum = store._setting("promo_min_stock")
                on_hand = {
                    product.id: product.qty_available
                    for product in products.with_context(warehouse_id=store.warehouse_id.id)
                }
                short = products.filtered(lambda p, oh=on_hand, m=minimum: oh[p.id] < m)
                for product in short[:10]:
                    failures.append(
                        self.env._(
                            "%(product)s: %(qty)s on hand at %(store)s (minimum %(min)s)",
                            product=product.display_name,
                            qty=on_hand[product.id],
                            store=store.name,
                            min=minimum,
                        )
                    )
            min_margin = program.company_id.wfmon_retail_promo_min_margin
            discount = program._wfmon_retail_percent_discount()
            for product in products.filtered(lambda p: p.sale_ok)[:MAX_PRODUCTS]:
                price = product.lst_price * (1 - discount / 100.0)
                if product.lst_price <= 0:
                    failures.append(self.env._("%s has no sales price", product.display_name))
                    continue
                margin = (price - product.standard_price) / price * 100.0 if price else -100.0
                if margin < min_margin:
                    failures.append(
                        self.env._(
                            "%(product)s: margin %(margin).1f%% after the %(discount)s%% "
                            "discount, below %(min)s%%",
                            product=product.display_name,
                            margin=margin,
                            discount=discount,
                            min=min_margin,
                        )
                    )
            results[program.id] = failures
        return results

    def _wfmon_retail_products(self):
        """Eligible and reward products of this promotion (at most MAX_PRODUCTS)."""
        self.ensure_one()
        Product = self.env["product.product"]
        found = Product.browse()
        for rule in self.rule_ids:
            found |= Product.search(rule._get_valid_product_domain(), limit=MAX_PRODUCTS)
        rewards = self.reward_ids
        found |= rewards.reward_product_ids | rewards.discount_product_ids
        return found.filtered("is_storable")[:MAX_PRODUCTS]

    def _wfmon_retail_percent_discount(self):
        """The largest percentage discount of this promotion's rewards (0 if none)."""
        self.ensure_one()
        percents = [
            reward.discount
            for reward in self.reward_ids
            if reward.reward_type == "discount" and reward.discount_mode == "percent"
        ]
        return max(percents, default=0.0)
