from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.wfmon_core.models import wfmon_append_mixin, wfmon_case
from odoo.addons.wfmon_core.models.wfmon_append_mixin import (
    WfmonAppendMixin,
    add_followers,
    create_overrides,
    fits,
    log_notes_allowed,
)

from .common import MONDAY_10, WfmonCase, WfmonRpcCase, orm_create, table_rows

#: summaries a detector may copy from a document a user typed
HOSTILE = [
    "<script>alert('x')</script>",
    'He said "stop" & left',
    "a < b > c &amp; d",
    "<b onmouseover=alert(1)>bold</b> <!-- c --> ]]>",
    "Déjà vu — 中文 😀",
    "tab\tand\nnewline",
    "no\u00a0break space",
    "zero\u200bwidth",
    "control\x0bchar",
]


@tagged("post_install", "-at_install")
class TestAppendRows(WfmonCase):
    """Audit lines and the "Case opened" chatter note are written in one INSERT
    per batch: the rows are the ones the ORM writes, column by column."""

    def _raise(self, partners, summary=None):
        return self.Case._raise("test.condition", partners, summary=summary).sudo()

    @freeze_time(MONDAY_10)
    def test_audit_lines_equal_the_orms(self):
        cases = self._raise(self._partners(2))
        fast = cases._log_batch(
            "note", old_values=["a", False], new_values=["b", "c"], reasons=["why", None]
        )
        with orm_create():
            slow = cases._log_batch(
                "note", old_values=["a", False], new_values=["b", "c"], reasons=["why", None]
            )
        self.assertEqual(table_rows(fast), table_rows(slow))
        self.assertEqual(fast.mapped("company_id"), cases.mapped("company_id"))
        self.assertTrue(all(fast.mapped("date")))

    @freeze_time(MONDAY_10)
    def test_opening_note_equals_the_orms_for_hostile_summaries(self):
        partners = self._partners(2 * len(HOSTILE))
        summaries = {p.id: HOSTILE[i % len(HOSTILE)] for i, p in enumerate(partners)}
        fast = self._raise(partners[: len(HOSTILE)], summary=summaries)
        with orm_create():
            slow = self._raise(partners[len(HOSTILE) :], summary=summaries)
        exclude = ("id", "res_id", "message_id")
        for fast_case, slow_case in zip(fast, slow, strict=True):
            self.assertEqual(fast_case.summary, slow_case.summary)
            fast_note, slow_note = fast_case.message_ids, slow_case.message_ids
            self.assertEqual(len(fast_note), 1)
            self.assertEqual(len(slow_note), 1)
            self.assertEqual(
                table_rows(fast_note, exclude), table_rows(slow_note, exclude), fast_case.summary
            )
            self.assertEqual(fast_note.body, slow_note.body)
            self.assertNotIn("<script", fast_note.body)
            self.assertTrue(fast_note.message_id.startswith("<"))
        # Audit lines of the opening, and their company, the same way too.
        self.assertEqual(
            table_rows(fast.log_ids, ("id", "case_id")), table_rows(slow.log_ids, ("id", "case_id"))
        )

    @freeze_time(MONDAY_10)
    def test_case_rows_and_cache_equal_the_orms(self):
        """Cases opened in a batch are inserted by create_columns: the rows the
        ORM's _create writes, and the cache it leaves (a case reads the same
        before and after its cache is dropped)."""
        partners = self._partners(6)
        # amounts the currency rounds, a text longer than nothing, shared scores
        impact = {p.id: 12.345 + (i % 3) for i, p in enumerate(partners)}
        details = {p.id: f"detail {i % 3} & <more>" for i, p in enumerate(partners)}
        with patch.object(
            wfmon_case, "create_columns", wraps=wfmon_append_mixin.create_columns
        ) as bulk:
            fast = self.Case._raise(
                "test.condition", partners[:3], impact=impact, details=details
            ).sudo()
        self.assertEqual(bulk.call_count, 1)
        with orm_create():
            slow = self.Case._raise(
                "test.condition", partners[3:], impact=impact, details=details
            ).sudo()
        per_document = ("id", "name", "res_id", "fingerprint", "source_name", "summary")
        self.assertEqual(table_rows(fast, per_document), table_rows(slow, per_document))
        self.assertEqual(fast.mapped("impact_amount"), [12.35, 13.35, 14.35])
        names = [
            name
            for name, field in self.Case._fields.items()
            if field.store and field.column_type and field.type != "binary"
        ]
        for cases in (fast, slow):
            before = [[case[name] for name in names] for case in cases]
            cases.invalidate_recordset()
            self.assertEqual([[case[name] for name in names] for case in cases], before)
        # Cases of one score share its factors in the cache; each reads its own copy.
        factors = fast[0].priority_factors
        factors["score"] = -1
        self.assertNotEqual(fast[0].priority_factors["score"], -1)

    def test_same_transaction_reads(self):
        cases = self._raise(self._partners(3))
        for case in cases:
            self.assertEqual(case.log_ids.mapped("action"), ["open"])
            self.assertEqual(len(case.message_ids), 1)
            self.assertIn("Case opened by the monitor", case.message_ids.body)
        # With the one2many already in cache, a new line shows in it at once.
        lines = cases._log_batch("note", reasons="later")
        for case, line in zip(cases, lines, strict=True):
            self.assertIn(line, case.log_ids)
            self.assertEqual(line.case_id, case)
        self.assertEqual(self.env["wfmon.case.log"].search_count([("case_id", "in", cases.ids)]), 6)

    def test_engine_guard_still_runs_before_the_bulk_insert(self):
        """The engine guard is an override of create above the fast path: it
        still refuses a non-engine caller; the engine's lines take the fast path."""
        case = self._raise(self._partners(1))
        Log = self.env["wfmon.case.log"]
        with self.assertRaises(AccessError):
            Log.sudo().create({"case_id": case.id, "action": "note"})
        with patch.object(
            wfmon_append_mixin, "insert_rows", wraps=wfmon_append_mixin.insert_rows
        ) as insert:
            case._log_batch("note", reasons="engine")
        self.assertEqual(insert.call_count, 1)
        self.assertFalse(create_overrides(Log, below=WfmonAppendMixin))

    def test_what_the_fast_path_does_not_do_falls_back(self):
        """No tracking, translations, mail thread nor x2many: the models that use
        the fast path have none, and a model or a value that has some goes to
        the ORM."""
        for model in ("wfmon.case.log",):
            Model = self.env[model]
            self.assertTrue(fits(Model), model)
            for field in Model._fields.values():
                self.assertFalse(field.translate, field)
                self.assertFalse(getattr(field, "tracking", None), field)
        self.assertFalse(fits(self.Case), "a mail thread with tracking: the ORM")
        self.assertIsNone(
            wfmon_append_mixin.prepare_rows(self.env["wfmon.case.type"], [{"name": "translated"}])
        )
        self.assertIsNone(
            wfmon_append_mixin.prepare_rows(
                self.env["wfmon.case.log"], [{"case_id": 1, "nonexistent": 1}]
            )
        )
        self.assertTrue(log_notes_allowed(self.Case), "only mail hooks mail.message's create")

    def test_notes_fall_back_when_a_module_hooks_message_create(self):
        partners = self._partners(2)
        with patch.object(wfmon_append_mixin, "create_overrides", return_value={"other"}):
            self.assertFalse(log_notes_allowed(self.Case))
            with patch.object(
                type(self.Case),
                "_message_log_batch",
                autospec=True,
                side_effect=type(self.Case)._message_log_batch,
            ) as log_batch:
                cases = self._raise(partners)
        self.assertEqual(log_batch.call_count, 1)
        for case in cases:
            self.assertEqual(len(case.message_ids), 1)

    def test_opening_queries_grow_only_with_inserts(self):
        small, large = self._partners(30), self._partners(90)
        self.env.flush_all()
        self.env.invalidate_all()

        def count(records):
            before = self.env.cr.sql_log_count
            self.Case._raise("test.condition", records, impact=1.0)
            self.env.flush_all()
            return self.env.cr.sql_log_count - before

        count(self._partners(5))  # warm the registry caches
        open_small, open_large = count(small), count(large)
        # 30 and 90 rows fit one INSERT each: the same queries for 3x the cases.
        self.assertEqual(open_large, open_small)

    def test_owned_opening_queries_grow_only_with_inserts(self):
        """With an owner (a follower per case): the same queries for 30 and 90
        cases, no UPDATE of the new cases' references."""
        small, large = self._partners(30), self._partners(90)
        self.env.flush_all()
        self.env.invalidate_all()

        def count(records):
            before = self.env.cr.sql_log_count
            self.Case._raise("test.condition", records, owner=self.user)
            self.env.flush_all()
            return self.env.cr.sql_log_count - before

        count(self._partners(5))  # warm the registry caches
        open_small, open_large = count(small), count(large)
        self.assertEqual(open_large, open_small)

    def _followers(self, cases):
        """``{case id: [(partner id, subtype ids)]}`` as stored."""
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT f.res_id, f.partner_id, array_agg(r.mail_message_subtype_id ORDER BY "
            "r.mail_message_subtype_id) FROM mail_followers f LEFT JOIN "
            "mail_followers_mail_message_subtype_rel r ON r.mail_followers_id = f.id "
            "WHERE f.res_model = %s AND f.res_id = ANY(%s) GROUP BY f.id ORDER BY f.id",
            (cases._name, cases.ids),
        )
        found = {case.id: [] for case in cases}
        for res_id, partner_id, subtypes in self.env.cr.fetchall():
            found[res_id].append((partner_id, subtypes))
        return found

    def test_owner_followers_equal_the_orms(self):
        """The owners follow their new cases with the subtypes mail's
        ``_insert_followers`` gives; a partner already following is left alone;
        the cases' follower fields show them in the same transaction."""
        self.team.assignment = "queue"  # the owner given, not the lead
        fast = self.Case._raise("test.condition", self._partners(3), owner=self.user).sudo()
        self.assertEqual(set(fast.mapped("user_id")), {self.user})
        slow = self._raise(self._partners(3))
        self.env["mail.followers"]._insert_followers(
            slow._name, slow.ids, self.user.partner_id.ids, check_existing=True
        )
        fast_rows, slow_rows = self._followers(fast), self._followers(slow)
        self.assertEqual(list(fast_rows.values()), list(slow_rows.values()))
        self.assertTrue(all(rows for rows in fast_rows.values()))
        for case in fast:
            self.assertIn(self.user.partner_id, case.message_partner_ids)
        # Following already: nothing is added, nothing fails.
        add_followers(fast, self.user.partner_id.id)
        self.assertEqual(self._followers(fast), fast_rows)

    def test_followers_fall_back_when_a_module_hooks_follower_create(self):
        self.team.assignment = "queue"  # the owner given, not the lead
        with (
            patch.object(wfmon_append_mixin, "create_overrides", return_value={"other"}),
            patch.object(
                type(self.env["mail.followers"]),
                "_insert_followers",
                autospec=True,
                side_effect=type(self.env["mail.followers"])._insert_followers,
            ) as insert,
        ):
            cases = self.Case._raise("test.condition", self._partners(2), owner=self.user)
        self.assertEqual(insert.call_count, 1)
        for case in cases.sudo():
            self.assertIn(self.user.partner_id, case.message_partner_ids)

    def test_references_are_written_by_the_insert(self):
        """A batch of cases is numbered from its ids by its INSERT: no UPDATE
        of the new rows; the reference reads the same from the cache and the
        database."""
        with patch.object(
            type(self.env.cr), "execute", autospec=True, side_effect=type(self.env.cr).execute
        ) as execute:
            cases = self._raise(self._partners(4))
        updates = [
            str(call.args[1]) for call in execute.call_args_list if "UPDATE" in str(call.args[1])
        ]
        self.assertFalse([q for q in updates if "wfmon_case" in q and "name" in q], updates)
        self.assertEqual(cases.ids, sorted(cases.ids))
        for case in cases:
            self.assertEqual(case.name, f"EXC-{case.id:06d}")
        self.env.invalidate_all()
        self.assertEqual(cases.mapped("name"), [f"EXC-{case_id:06d}" for case_id in cases.ids])


@tagged("post_install", "-at_install")
class TestAppendRowsRpc(WfmonRpcCase):
    """The rows written in bulk, read through the real endpoints; and still
    nobody but the engine writes them."""

    def test_chatter_shows_the_opening_note(self):
        calendar = self.env.company.wfmon_calendar_id
        self.assertTrue(calendar or True)
        case_type = self.env["wfmon.case.type"].create({"name": "Rpc", "code": "rpc.rows"})
        partner = self.env["res.partner"].create({"name": "Rows & <Co>"})
        case = self.env["wfmon.case"]._raise(
            "rpc.rows", partner, summary='Late <b>pick</b> & "quotes"'
        )
        self.assertEqual(case.type_id, case_type)
        self.authenticate("rpc_wfmon_manager", "rpc_wfmon_manager")
        result = self.make_jsonrpc_request(
            "/mail/thread/messages", {"thread_model": "wfmon.case", "thread_id": case.id}
        )
        bodies = [message["body"] for message in result["data"]["mail.message"]]
        self.assertIn(
            '<p>Case opened by the monitor: Late &lt;b&gt;pick&lt;/b&gt; &amp; "quotes"</p>',
            bodies,
        )

    def test_clients_cannot_append_rows(self):
        case_type = self.env["wfmon.case.type"].create({"name": "Rpc", "code": "rpc.rows"})
        case = self.env["wfmon.case"]._raise(
            "rpc.rows", self.env["res.partner"].create({"name": "x"})
        )
        self.assertEqual(case.type_id, case_type)
        for role in self.role_users:
            with self.assertUnchanged(case):
                self.assertRefused(
                    self.rpc(
                        role,
                        "wfmon.case.log",
                        "create",
                        [{"case_id": case.id, "action": "note", "reason": "forged"}],
                        context=self.attack_context,
                    ),
                    role,
                )
