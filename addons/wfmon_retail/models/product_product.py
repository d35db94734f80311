from odoo import models

PRICE_FIELDS = ("list_price", "lst_price")


class ProductProduct(models.Model):
    """A sales price change written on variants is held per product template,
    as one request for the whole write (see ``product.template.write``)."""

    _inherit = "product.product"

    def write(self, vals):
        if not self or not any(fname in vals for fname in PRICE_FIELDS):
            return super().write(vals)
        if "list_price" not in vals and self.env.context.get("uom"):
            # A price in another unit: the template's own check judges it.
            return super().write(vals)
        prices = {}
        try:
            for product in self:
                new = (
                    float(vals["list_price"] or 0.0)
                    if "list_price" in vals
                    else float(vals["lst_price"] or 0.0) - product.price_extra
                )
                prices.setdefault(product.product_tmpl_id.id, new)
        except (TypeError, ValueError):
            # Not a price: the write itself refuses it with Odoo's own message.
            return super().write(vals)
        kept = self.env["wfmon.retail.price.change"]._wfmon_hold(self.product_tmpl_id, prices)
        if not kept:
            return super().write(vals)
        others = {key: value for key, value in vals.items() if key not in PRICE_FIELDS}
        held = self.filtered(lambda p: p.product_tmpl_id in kept)
        rest = self - held
        if rest:
            super(ProductProduct, rest).write(vals)
        if others:
            super(ProductProduct, held).write(others)
        return True
