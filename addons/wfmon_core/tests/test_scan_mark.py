from datetime import timedelta

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import WfmonCase, run_migration, transaction_clock


@tagged("post_install", "-at_install")
class TestScanWatermark(WfmonCase):
    """A scanner given ``changed`` reads only the records whose inputs changed
    since its previous complete pass; its first pass reads them all."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partners = cls.env["res.partner"].create([{"name": f"Watermark {i}"} for i in range(5)])
        cls.start = cls.env.cr.now()

    def _pass(self, hours, **options):
        seen = []
        with transaction_clock(self.env, self.start + timedelta(hours=hours)):
            self.env["wfmon.detector"]._scan_batches(
                "wfmon.scan_cursor.test_watermark",
                self.env["res.partner"],
                [("id", "in", self.partners.ids)],
                lambda records: seen.extend(records.ids),
                options.get("batch_size", 500),
                options.get("max_batches", 20),
                changed=lambda since: [("write_date", ">=", since)],
            )
        return seen

    def _write(self, hours, partners, name):
        with transaction_clock(self.env, self.start + timedelta(hours=hours)):
            partners.write({"name": name})

    def test_first_pass_reads_everything_then_only_what_changed(self):
        self.assertEqual(self._pass(1), self.partners.ids, "no watermark yet: everything")
        self.assertEqual(self._pass(2), [], "nothing written since the previous pass")
        self._write(3, self.partners[1] | self.partners[3], "Changed")
        self.assertEqual(self._pass(4), [self.partners[1].id, self.partners[3].id])
        self.assertEqual(self._pass(5), [])

    def test_a_pass_over_several_calls_keeps_its_start(self):
        self._pass(1)
        self._write(2, self.partners, "All changed")
        # Two records per call: the pass takes three calls.
        self.assertEqual(self._pass(3, batch_size=2, max_batches=1), self.partners[:2].ids)
        mark = self.env["wfmon.scan.mark"].search(
            [("name", "=", "wfmon.scan_cursor.test_watermark")]
        )
        self.assertTrue(mark.pass_start, "the pass in progress remembers when it started")
        # Changed behind the cursor while the pass runs: the next pass reads it.
        self._write(3.5, self.partners[0], "Changed during the pass")
        self.assertEqual(self._pass(4, batch_size=2, max_batches=1), self.partners[2:4].ids)
        self.assertEqual(self._pass(5, batch_size=2, max_batches=1), self.partners[4:].ids)
        self.assertFalse(mark.pass_start)
        self.assertLess(mark.since, self.start + timedelta(hours=3), "the start of the pass")
        self.assertEqual(self._pass(6), [self.partners[0].id])

    def test_a_running_transaction_is_not_missed(self):
        """The mark is no later than this transaction's start (the write_date of
        what it writes), whatever the Python clock says."""
        when = self.start + timedelta(hours=1)
        with transaction_clock(self.env, when):
            mark = self.env["wfmon.scan.mark"]._clock()
        self.assertLess(mark, when)

    def test_watermarks_are_technical_state(self):
        manager = new_test_user(self.env, login="wm_manager", groups="wfmon_core.group_wfmon_admin")
        self._pass(1)
        with self.assertRaises(AccessError):
            self.env["wfmon.scan.mark"].with_user(manager).search([])


@tagged("post_install", "-at_install")
class TestScanDueDeletedRecords(WfmonCase):
    """A record deleted while its case is open: the next pass resolves the case
    (it would otherwise come back on every pass, and stay open for ever)."""

    def _pass(self, partners):
        detector = self.env["wfmon.detector"]
        return detector._scan_due(
            "test_deleted",
            "test.condition",
            self.env["res.partner"],
            [("id", "in", partners.ids), ("comment", "!=", False)],
            lambda records: self.env["wfmon.case"]._raise("test.condition", records, bump=False),
            "The partner has no comment any more.",
        )

    def test_case_of_a_deleted_record_resolves(self):
        partners = self._partners(3, comment="Watch this one")
        self._pass(partners)
        cases = self.env["wfmon.case"].search(
            [("res_model", "=", "res.partner"), ("res_id", "in", partners.ids)]
        )
        self.assertEqual(len(cases), 3)
        self.assertTrue(all(cases.mapped("is_open")))
        deleted, cleared, kept = partners
        deleted_id = deleted.id
        cleared.comment = False
        deleted.unlink()
        self._pass(partners)
        by_record = {case.res_id: case for case in cases}
        self.assertFalse(by_record[deleted_id].is_open)
        self.assertIn("deleted", by_record[deleted_id].resolution_note)
        self.assertFalse(by_record[cleared.id].is_open)
        self.assertEqual(
            by_record[cleared.id].resolution_note, "The partner has no comment any more."
        )
        self.assertTrue(by_record[kept.id].is_open)


@tagged("post_install", "-at_install")
class TestScanDueResolveBound(WfmonCase):
    """Resolving is bounded per call as opening is: a call resolves at most ``max_batches``
    batches of cases whose record left the signal, whatever their number (what it holds in
    memory does not grow with them), goes on from its cursor at the next call and tells the
    cron framework what remains."""

    def _pass(self, partners, progress=None):
        detector = self.env["wfmon.detector"]
        if progress is not None:
            detector = detector.with_context(ir_cron_progress_id=progress.id)
        return detector._scan_due(
            "test_resolve_bound",
            "test.condition",
            self.env["res.partner"],
            [("id", "in", partners.ids), ("comment", "!=", False)],
            lambda records: self.env["wfmon.case"]._raise("test.condition", records, bump=False),
            "The partner has no comment any more.",
            batch_size=2,
            max_batches=1,
        )

    def _open_cases(self, partners):
        return self.env["wfmon.case"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "in", partners.ids),
                ("is_open", "=", True),
            ]
        )

    def test_a_call_resolves_a_bounded_number_then_goes_on(self):
        partners = self._partners(5, comment="Watch this one")
        for _call in range(3):  # two per call
            self._pass(partners)
        self.assertEqual(len(self._open_cases(partners)), 5)
        partners.comment = False
        progress = self.env["ir.cron.progress"].create(
            {
                "cron_id": self.env.ref("wfmon_core.ir_cron_wfmon_scan_rules").id,
                "remaining": 0,
                "done": 0,
            }
        )
        self._pass(partners, progress)
        self.assertEqual(len(self._open_cases(partners)), 3, "one batch of two per call")
        self.assertEqual((progress.done, progress.remaining), (2, 3), "the cron runs again")
        self._pass(partners)
        self.assertEqual(self._open_cases(partners).mapped("res_id"), partners[4:].ids)
        self._pass(partners)
        self.assertFalse(self._open_cases(partners))
        mark = self.env["wfmon.scan.mark"].search(
            [("name", "=", "wfmon.scan_cursor.test_resolve_bound.resolve")]
        )
        self.assertEqual(mark.cursor, 0, "the pass is complete: the next one starts over")


@tagged("post_install", "-at_install")
class TestScanCursorState(WfmonCase):
    """A scanner keeps its id cursor in its mark, not in a system parameter:
    writing a system parameter clears the registry caches of every worker, and
    the cursor moves on every call of a pass."""

    def _pass(self, partners):
        seen = []
        self.env["wfmon.detector"]._scan(
            "test_cursor_state",
            self.env["res.partner"],
            [("id", "in", partners.ids)],
            lambda records: seen.extend(records.ids),
            batch_size=2,
            max_batches=1,
        )
        return seen

    def _mark(self):
        return self.env["wfmon.scan.mark"].search(
            [("name", "=", "wfmon.scan_cursor.test_cursor_state")]
        )

    def test_a_pass_moves_its_mark_and_leaves_the_caches(self):
        partners = self._partners(5)
        Params = self.env["ir.config_parameter"].sudo()
        Params.get_param("web.base.url")  # cached from here on
        self.assertEqual(self._pass(partners), partners[:2].ids)
        self.assertEqual(self._mark().cursor, partners[1].id)
        with self.assertQueryCount(0):
            Params.get_param("web.base.url")  # the pass cleared no registry cache
        self.assertFalse(Params.search([("key", "like", ".scan_cursor.")]))
        self.assertEqual(self._pass(partners), partners[2:4].ids)
        self.assertEqual(self._pass(partners), partners[4:].ids)
        self.assertEqual(self._mark().cursor, 0, "the pass is complete")

    def test_upgrade_moves_a_pass_in_progress_into_its_mark(self):
        """A database upgraded from a version that kept cursors in system
        parameters goes on with its pass where it was, and the parameters go."""
        partners = self._partners(5)
        Params = self.env["ir.config_parameter"].sudo()
        Params.set_param("wfmon.scan_cursor.test_cursor_state", str(partners[2].id))
        Params.set_param("wfmon.scan_cursor.test_cursor_state.resolve", "not a number")
        run_migration(self.env, "wfmon_core", "18.0.1.1.0")
        self.assertFalse(Params.search([("key", "like", ".scan_cursor.")]))
        self.assertEqual(self._mark().cursor, partners[2].id)
        resolve = self.env["wfmon.scan.mark"].search(
            [("name", "=", "wfmon.scan_cursor.test_cursor_state.resolve")]
        )
        self.assertEqual(resolve.cursor, 0, "an unreadable cursor starts a new pass")
        self.assertEqual(self._pass(partners), partners[3:5].ids, "it goes on where it was")
        # A second run finds nothing to move and leaves the mark alone.
        run_migration(self.env, "wfmon_core", "18.0.1.1.0")
        self.assertEqual(self._mark().cursor, partners[4].id)
