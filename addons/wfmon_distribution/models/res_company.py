from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    wfmon_dist_picking_sla_hours = fields.Float(
        string="Picking SLA Window (working h)",
        default=4.0,
        help="Working hours after its scheduled date within which a delivery or internal "
        "transfer must be done before a late-picking case opens. Warehouses may override it.",
    )
    wfmon_dist_uninvoiced_days = fields.Integer(
        string="Delivered Not Invoiced After (days)",
        default=3,
        help="Days after the first delivery of a sale order after which delivered but "
        "uninvoiced quantities open a finance case. Warehouses may override it.",
    )
    wfmon_dist_tolerance_percent = fields.Float(
        string="Price / Quantity Tolerance (%)",
        default=2.0,
        help="Deviation accepted between vendor bills and purchase orders, and between "
        "purchase prices and the vendor price list. Warehouses may override it.",
    )
    wfmon_dist_large_order_amount = fields.Monetary(
        string="Large Order Amount",
        currency_field="currency_id",
        default=10000.0,
        help="Untaxed amount from which a sale order's margin and discounts are checked "
        "against policy. Zero switches the margin check off. Warehouses may override it.",
    )
    wfmon_dist_min_margin_percent = fields.Float(
        string="Minimum Margin (%)",
        default=15.0,
        help="Lowest gross margin (on product cost) a large order may have. Warehouses may "
        "override it.",
    )
    wfmon_dist_max_discount_percent = fields.Float(
        string="Maximum Discount (%)",
        default=20.0,
        help="Highest line discount a large order may carry. Zero: no discount check.",
    )
    wfmon_dist_purchase_amount_limit = fields.Monetary(
        string="Purchase Amount Limit",
        currency_field="currency_id",
        default=25000.0,
        help="Purchase orders above this total are outside policy. Zero: no amount check.",
    )
    wfmon_dist_check_vendor = fields.Boolean(
        string="Approved Vendors Only",
        default=True,
        help="A purchase line whose vendor is not in the product's vendor list is outside policy.",
    )
    wfmon_dist_overdue_grace_days = fields.Integer(
        string="Overdue Grace (days)",
        default=0,
        help="A sale order is put on credit hold when its customer has invoices overdue by "
        "more than this many days. Negative: overdue invoices are ignored.",
    )
    wfmon_dist_require_tax = fields.Boolean(
        string="Taxes Required on Sale Lines",
        default=True,
        help="A confirmed sale order line without taxes is a master data gap.",
    )
    wfmon_dist_require_packaging = fields.Boolean(
        string="Packaging Required",
        default=False,
        help="A confirmed sale order line whose product has packagings but none chosen is "
        "a master data gap.",
    )
