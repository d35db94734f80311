from odoo import api, fields, models

STORE_TYPES = [
    ("flagship", "Flagship"),
    ("standard", "Standard"),
    ("outlet", "Outlet"),
]

# A store override field ``x`` overrides the company setting ``wfmon_retail_x``;
# an override of zero means "use the company's setting" (see ``_setting``).


class WfmonRetailStore(models.Model):
    """A store: a warehouse, the POS shops selling from it, its monitoring site.

    The site (``wfmon.site``, the one distribution uses for its warehouses) is
    what cases, record rules and approval policies are scoped on; the store adds
    its type, region (and regional manager) and its overrides of the company's
    retail settings.
    """

    _name = "wfmon.retail.store"
    _description = "Retail Store"
    _order = "sequence, name"

    name = fields.Char(related="warehouse_id.name", store=True, string="Store")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    warehouse_id = fields.Many2one(
        "stock.warehouse", required=True, ondelete="cascade", index=True, check_company=True
    )
    company_id = fields.Many2one(
        related="warehouse_id.company_id", store=True, index=True, precompute=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    site_id = fields.Many2one(
        "wfmon.site",
        related="warehouse_id.wfmon_site_id",
        store=True,
        index=True,
        string="Monitoring Site",
    )
    store_type = fields.Selection(STORE_TYPES, required=True, default="standard", index=True)
    region_id = fields.Many2one("wfmon.retail.region", index=True, check_company=True)
    regional_manager_id = fields.Many2one(
        "res.users", related="region_id.manager_id", store=True, string="Regional Manager"
    )
    manager_id = fields.Many2one(
        "res.users",
        related="site_id.manager_id",
        readonly=False,
        string="Store Manager",
    )
    # Shown to those who may read POS shops (Point of Sale users); the others see the count.
    pos_config_ids = fields.One2many(
        "pos.config",
        compute="_compute_pos_config_ids",
        string="POS Shops",
        groups="point_of_sale.group_pos_user",
    )
    pos_config_count = fields.Integer(compute="_compute_pos_config_count", string="Shops")

    # Overrides of the company's settings (zero: the company's setting).
    max_lead_days = fields.Integer(
        string="Vendor Lead Time Policy (days)",
        help="Low stock: a vendor lead time (or a confirmed ETA) beyond this escalates the "
        "case to merchandising for a substitute. Zero: company setting.",
    )
    fast_mover_units = fields.Float(
        string="Fast Mover (units/day)",
        help="Low stock: a product selling at least this many units a day at the store "
        "raises the case's priority. Zero: company setting.",
    )
    rfq_confirm_hours = fields.Float(
        string="Vendor Confirmation Window (working h)",
        help="Vendor not confirming: an RFQ sent and not confirmed after this many working "
        "hours opens a case. Zero: company setting.",
    )
    receipt_grace_hours = fields.Float(
        string="Receipt Grace (working h)",
        help="Receipt overdue: working hours after the expected date before a case opens. "
        "Zero: company setting.",
    )
    cover_risk_days = fields.Float(
        string="Stockout Risk Below (days of cover)",
        help="Vendor late: days of cover at the store under which the case is critical. "
        "Zero: company setting.",
    )
    promo_min_stock = fields.Float(
        string="Promotion Minimum Stock (units)",
        help="Promotion readiness: on-hand units each promoted product needs at the store. "
        "Zero: company setting.",
    )
    adjustment_threshold = fields.Monetary(
        string="Write-off Approval Above",
        help="Inventory adjustments and scraps worth more than this (at product cost) wait "
        "for approval. Zero: company setting.",
    )
    transfer_threshold = fields.Monetary(
        string="Transfer Approval Above",
        help="Transfers to or from this store worth more than this (at product cost) wait "
        "for approval. Zero: company setting.",
    )

    _sql_constraints = [
        ("warehouse_uniq", "unique(warehouse_id)", "A warehouse is at most one store."),
    ]

    def _compute_pos_config_ids(self):
        shops = self._shops()
        for store in self:
            store.pos_config_ids = shops[store.id]

    def _compute_pos_config_count(self):
        shops = self._shops()
        for store in self:
            store.pos_config_count = len(shops[store.id])

    def _shops(self):
        """``{store id: pos.config}``: the POS shops selling from each store's
        warehouse, read now (one query; detectors use this rather than the
        non-stored field, whose cache does not see shops created meanwhile)."""
        # sudo: which shops sell from the store is configuration the monitoring
        # users and the detectors see even without Point of Sale rights.
        configs = (
            self.env["pos.config"]
            .sudo()
            .search([("picking_type_id.warehouse_id", "in", self.warehouse_id.ids)])
        )
        return {
            store.id: configs.filtered(
                lambda c, s=store: c.picking_type_id.warehouse_id == s.warehouse_id
            )
            for store in self
        }

    @api.model_create_multi
    def create(self, vals_list):
        stores = super().create(vals_list)
        stores.warehouse_id._wfmon_ensure_site()
        stores._sync_site()
        return stores

    def write(self, vals):
        res = super().write(vals)
        if {"region_id", "warehouse_id", "active"} & set(vals):
            self._sync_site()
        return res

    def _sync_site(self):
        """The site of a store is of kind *store* and carries its region."""
        for store in self:
            site = store.warehouse_id.wfmon_site_id
            if site:
                # sudo: the site mirrors its store (monitoring configuration).
                site.sudo().write({"kind": "store", "region": store.region_id.name or False})

    def _setting(self, fname):
        """The store's override ``fname`` of a retail setting, else its company's
        (``res.company.wfmon_retail_<fname>``)."""
        self.ensure_one()
        # sudo: store settings drive the detectors and guards of whoever acts.
        store = self.sudo()
        return store[fname] or store.company_id[f"wfmon_retail_{fname}"]

    @api.model
    def _by_warehouse(self, warehouses):
        """``{warehouse id: store}`` of the stores of ``warehouses`` (one query)."""
        # sudo: detectors read store configuration whoever triggers them.
        stores = self.sudo().search([("warehouse_id", "in", warehouses.ids)])
        return {store.warehouse_id.id: store for store in stores}

    @api.model
    def _by_site(self, sites):
        """``{site id: store}`` of the stores of ``sites`` (one query)."""
        # sudo: see _by_warehouse.
        stores = self.sudo().search([("site_id", "in", sites.ids)])
        return {store.site_id.id: store for store in stores}

    def action_view_pos_configs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "point_of_sale.action_pos_config_kanban"
        )
        action["domain"] = [("id", "in", self.pos_config_ids.ids)]
        return action
