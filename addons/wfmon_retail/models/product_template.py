from odoo import models


class ProductTemplate(models.Model):
    """Sales price changes beyond the company's limit wait for approval
    (``wfmon.retail.price.change``); the rest of the write goes through."""

    _inherit = "product.template"

    def write(self, vals):
        if "list_price" not in vals or not self:
            return super().write(vals)
        kept = self.env["wfmon.retail.price.change"]._wfmon_hold(
            self, {template.id: vals["list_price"] for template in self}
        )
        if not kept:
            return super().write(vals)
        others = {key: value for key, value in vals.items() if key != "list_price"}
        rest = self - kept
        if rest:
            super(ProductTemplate, rest).write(vals)
        if others:
            super(ProductTemplate, kept).write(others)
        return True
