from werkzeug.datastructures import ImmutableMultiDict

from odoo import models
from odoo.http import request


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _pre_dispatch(cls, rule, args):
        result = super()._pre_dispatch(rule, args)
        if rule.endpoint.routing.get("wfmon_raw_body"):
            # The endpoint authenticates the raw bytes of its body (a signature
            # over them) and reads them itself with get_data(). Odoo would parse
            # an urlencoded or multipart body as a form before the endpoint
            # runs, consuming the stream (the signature would then be checked
            # over nothing) and reading a body of any size: no form here.
            httprequest = request.httprequest
            httprequest.form = ImmutableMultiDict()
            httprequest.files = ImmutableMultiDict()
        return result
