"""Value at product cost, shared by the write-off and transfer guards."""


def cost_value(product, quantity, uom, company):
    """``quantity`` of ``product`` (in ``uom``) valued at its cost in ``company``."""
    qty = uom._compute_quantity(quantity, product.uom_id) if uom else quantity
    return qty * product.with_company(company).standard_price
