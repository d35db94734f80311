from odoo.tests import new_test_user, tagged

from odoo.addons.wfmon_core.tests.common import capture_events, count_queries

from .common_pos import RetailPosCase

ANOMALY = "retail.anomaly"


@tagged("post_install", "-at_install")
class TestAnomalies(RetailPosCase):
    """R9: six cashiers sell at the flagship through the till; one refunds far
    more than the others. The scan flags that cashier, with the evidence."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.wfmon_retail_anomaly_min_sample = 10
        cls.session = cls._open_session(cls.shop_flagship)
        cls.cashiers = [
            new_test_user(
                cls.env,
                login=f"wfr_till_{i}",
                name=f"Till {i}",
                groups="base.group_user,point_of_sale.group_pos_user",
            )
            for i in range(6)
        ]
        cls.suspect = cls.cashiers[0]
        for index, cashier in enumerate(cls.cashiers):
            cls._shift(cashier, sales=12, refunds=8 if cashier == cls.suspect else index % 2)

    @classmethod
    def _shift(cls, cashier, sales, refunds):
        """``sales`` orders of a chair, then ``refunds`` of them refunded."""
        orders = cls._sync(
            [
                cls._payload(cls.session, [{"product": cls.chair, "qty": 1}], user=cashier)
                for _i in range(sales)
            ],
            user=cashier,
        )
        if refunds:
            cls._sync(
                [
                    cls._payload(
                        cls.session,
                        [
                            {
                                "product": cls.chair,
                                "qty": -1,
                                "price_unit": 100.0,
                                "refund_of": order.lines,
                            }
                        ],
                        user=cashier,
                    )
                    for order in orders[:refunds]
                ],
                user=cashier,
            )
        return orders

    def _scan(self):
        return self.env["wfmon.retail.anomaly"]._scan_company(self.company)

    def test_the_cashier_refunding_far_more_than_the_peers_gets_a_case(self):
        with capture_events(self.env) as events:
            findings = self._scan()
        case = self._cases(ANOMALY, self.suspect)
        self.assertTrue(case.is_open)
        self.assertEqual(case.site_id, self.flagship.site_id)
        self.assertIn("Till 0: return rate 66.7% (8 of 12)", case.details)
        self.assertIn("unusual", case.details)
        data = [
            found
            for event in events
            if event.type == ANOMALY and event.model == "res.users"
            for rec_id, found in zip(event.ids, event.data, strict=True)
            if rec_id == self.suspect.id
        ]
        self.assertEqual(len(data), 1)
        evidence = data[0]["findings"][0]
        self.assertEqual(evidence["metric"], "return_rate")
        self.assertEqual((evidence["events"], evidence["sample_size"]), (8, 12))
        self.assertGreaterEqual(evidence["peer_count"], 5)
        self.assertTrue(evidence["flagged"])
        for peer in self.cashiers[1:]:
            self.assertFalse(self._cases(ANOMALY, peer), peer.name)
        # The other findings say why a subject was or was not judged.
        statuses = {f.status for _kind, f in findings}
        self.assertIn("normal", statuses)

    def test_a_cashier_back_in_range_has_the_case_resolved(self):
        self._scan()
        case = self._cases(ANOMALY, self.suspect)
        self.assertTrue(case.is_open)
        # Many more sales without refunds bring the rate back among the peers'.
        self._shift(self.suspect, sales=100, refunds=0)
        self._scan()
        self.assertEqual(case.state, "resolved")

    def test_the_scan_costs_the_same_queries_whatever_the_sales(self):
        self._scan()
        with count_queries(self.env) as before:
            self._scan()
        self._shift(self.cashiers[3], sales=40, refunds=1)
        with count_queries(self.env) as after:
            self._scan()
        self.assertEqual(before.count, after.count)

    def test_the_scan_never_reads_the_open_cases_it_does_not_judge(self):
        """The daily scan is a window aggregation (two grouped queries, bounded
        by the window's sales): it reads the cases of the subjects it judges
        only. With 3 or 9 more anomaly cases open on people who sold nothing in
        the window, it costs the same queries."""
        detector = self.env["wfmon.detector"]

        def absent(count, start):
            users = self.env["res.users"].browse()
            for index in range(start, start + count):
                users |= new_test_user(self.env, login=f"wfr_gone_{index}", name=f"Gone {index}")
            detector._detect(ANOMALY, users)
            return users

        self._scan()
        gone = absent(3, 0)
        with count_queries(self.env) as small:
            self._scan()
        gone |= absent(6, 3)
        with count_queries(self.env) as large:
            self._scan()
        self.assertEqual(small.count, large.count)
        self.assertTrue(all(self._cases(ANOMALY, gone).mapped("is_open")))
