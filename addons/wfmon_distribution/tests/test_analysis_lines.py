from unittest.mock import patch

from odoo.tests import tagged

from odoo.addons.wfmon_core.models import wfmon_append_mixin
from odoo.addons.wfmon_core.models.wfmon_append_mixin import fits
from odoo.addons.wfmon_core.tests.common import orm_create, table_rows

from .common import DistributionCase


@tagged("post_install", "-at_install")
class TestAnalysisLines(DistributionCase):
    """Analysis lines are inserted in one INSERT per batch (wfmon_core's
    wfmon_append_mixin.py): the rows the ORM writes, rounding included."""

    def test_lines_written_in_bulk_equal_the_orms(self):
        self.env["wfmon.case.type"].create({"name": "Lines", "code": "test.lines"})
        case = self.env["wfmon.case"]._raise("test.lines", self.customer).sudo()
        Line = self.env["wfmon.distribution.line"].sudo()
        vals_list = [
            {
                "case_id": case.id,
                "kind": "shortage",
                "name": "Short <b>&</b>",
                "product_id": self.widget.id,
                "quantity": 3.1415926535,
                "available_qty": 1.0000049,
                "missing_qty": 2.1415877,
                "reference_value": 1.23456789,
                "amount": 12.345678,
            },
            {"case_id": case.id, "kind": "gap", "sequence": 3},
        ]
        with patch.object(
            wfmon_append_mixin, "insert_rows", wraps=wfmon_append_mixin.insert_rows
        ) as insert:
            fast = Line.create(vals_list)
        self.assertEqual(insert.call_count, 1)
        with orm_create():
            slow = Line.create(vals_list)
        self.assertEqual(table_rows(fast), table_rows(slow))
        self.assertEqual(fast.mapped("company_id"), case.company_id)
        self.assertEqual(fast[0].quantity, slow[0].quantity)
        self.assertEqual(fast[0].amount, slow[0].amount)
        self.assertEqual(fast.mapped("case_state"), slow.mapped("case_state"))
        self.assertEqual(fast[0].currency_id, slow[0].currency_id)
        self.assertEqual(case.distribution_line_ids, fast | slow)
        self.assertEqual(fast[1].sequence, 3)
        self.assertEqual(fast[0].sequence, 10, "the field's default")
        self.assertTrue(fits(Line))
        for field in Line._fields.values():
            self.assertFalse(field.translate or getattr(field, "tracking", None), field)
