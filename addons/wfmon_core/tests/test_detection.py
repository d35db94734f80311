from datetime import datetime

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import format_datetime

from ..models.wfmon_case import DEFAULTS_MEMO_KEY, FALLBACK_OWNERS_KEY
from ..models.wfmon_detector import datetime_formatter
from ..tools.fingerprint import fingerprint
from .common import MONDAY_10, WfmonCase, capture_events, count_queries


@tagged("post_install", "-at_install")
class TestDetection(WfmonCase):
    """C2: one detection API; duplicates bump the open case; cleared
    conditions auto-resolve with the reason logged."""

    def test_datetime_formatter_equals_format_datetime(self):
        """The batch formatter gives what format_datetime gives, for the user's
        time zone and language (summer and winter time, no time zone, French)."""
        self.env["res.lang"]._activate_lang("fr_FR")
        values = [
            datetime(2026, 3, 29, 0, 30),
            datetime(2026, 3, 29, 1, 30),
            datetime(2026, 10, 25, 0, 59, 59),
            datetime(2026, 12, 31, 23, 0),
            False,
        ]
        for tz, lang in (("Europe/Brussels", "fr_FR"), ("America/New_York", "en_US"), (False, "")):
            self.user.write({"tz": tz, "lang": lang or "en_US"})
            env = self.env(user=self.user, context=dict(self.env.context, lang=lang or None))
            formatted = datetime_formatter(env)
            for value in values:
                self.assertEqual(formatted(value), format_datetime(env, value), (tz, lang, value))

    def test_raise_opens_then_bumps(self):
        partner = self._partners(1)
        with freeze_time(MONDAY_10), capture_events(self.env) as events:
            case = self.Case._raise(
                "test.condition",
                partner,
                severity="high",
                impact=10.0,
                details="first sighting",
                site=self.store_a,
            )
        self.assertEqual([e[:3] for e in events], [("case.opened", "wfmon.case", (case.id,))])
        self.assertEqual(
            (case.severity, case.site_id, case.occurrence_count), ("high", self.store_a, 1)
        )
        self.assertEqual(case.team_id, self.team)
        with freeze_time("2026-11-24 08:00:00"):
            again = self.Case._raise("test.condition", partner, impact=25.0, details="again")
        self.assertEqual(again, case, "same condition, same record: the open case is bumped")
        self.assertEqual(case.occurrence_count, 2)
        self.assertEqual(str(case.first_seen), "2026-11-23 10:00:00")
        self.assertEqual(str(case.last_seen), "2026-11-24 08:00:00")
        self.assertEqual((case.impact_amount, case.details), (25.0, "again"))
        self.assertEqual(
            self.Case.search_count(
                [("res_id", "=", partner.id), ("res_model", "=", "res.partner")]
            ),
            1,
        )

    def test_key_separates_conditions_and_closed_cases_do_not_absorb(self):
        partner = self._partners(1)
        first = self.Case._raise("test.condition", partner, key="line-1")
        second = self.Case._raise("test.condition", partner, key="line-2")
        self.assertNotEqual(first, second)
        first.resolution_note = "done"
        first.action_resolve()
        third = self.Case._raise("test.condition", partner, key="line-1")
        self.assertNotEqual(third, first, "a resolved case is history; a new one opens")
        self.assertEqual(third.occurrence_count, 1)

    def test_clear_auto_resolves_with_reason(self):
        partners = self._partners(3)
        cases = self.Case._raise("test.condition", partners)
        with capture_events(self.env) as events:
            cleared = self.Case._clear("test.condition", partners[:2], reason="stock arrived")
        self.assertEqual(cleared, cases[:2])
        self.assertEqual(set(cleared.mapped("state")), {"resolved"})
        self.assertEqual(cases[2].state, "new")
        log = cleared[0].log_ids.filtered(lambda line: line.action == "auto_resolve")
        self.assertEqual(log.reason, "stock arrived")
        self.assertTrue(log.automated)
        self.assertEqual(cleared[0].resolution_note, "stock arrived")
        self.assertEqual(events[0][0], "case.resolved")

    def test_no_auto_resolve_type_stays_open(self):
        self.case_type.auto_resolve = False
        partner = self._partners(1)
        case = self.Case._raise("test.condition", partner)
        self.assertFalse(self.Case._clear("test.condition", partner, reason="went away"))
        self.assertEqual(case.state, "new")
        self.assertIn("went away", case.log_ids.mapped("reason"))

    def test_archived_type_switches_the_detector_off(self):
        partner = self._partners(1)
        self.case_type.active = False
        self.assertFalse(self.Case._raise("test.condition", partner))
        self.assertFalse(
            self.Case.search([("res_id", "=", partner.id), ("res_model", "=", "res.partner")])
        )

    def test_unknown_type(self):
        with self.assertRaisesRegex(UserError, "Unknown exception case type"):
            self.Case._raise("no.such.type", self._partners(1))

    def test_type_lookup_costs_no_query_once_warm(self):
        """Every detector call starts by looking its type up: from the
        registry's cache, with the type's fields in the transaction's cache."""
        self.assertEqual(self.Case._get_type("test.condition"), self.case_type)
        with count_queries(self.env, invalidate=False) as queries:
            self.assertEqual(self.Case._get_type("test.condition"), self.case_type)
        self.assertEqual(queries.count, 0)

    def test_type_lookup_follows_created_renamed_and_deleted_types(self):
        Type = self.env["wfmon.case.type"]
        self.assertEqual(self.Case._get_type("test.condition"), self.case_type)  # warm
        later = Type.create({"name": "Later", "code": "test.later"})
        self.assertEqual(self.Case._get_type("test.later"), later)
        later.code = "test.renamed"
        self.assertEqual(self.Case._get_type("test.renamed"), later)
        with self.assertRaisesRegex(UserError, "Unknown exception case type"):
            self.Case._get_type("test.later")
        later.active = False
        self.assertEqual(self.Case._get_type("test.renamed"), later, "archived types too")
        later.unlink()
        with self.assertRaisesRegex(UserError, "Unknown exception case type"):
            self.Case._get_type("test.renamed")

    def test_type_lookup_forgets_a_type_rolled_back(self):
        """A type created and looked up in a savepoint that is rolled back
        leaves no stale entry behind."""
        with self.assertRaisesRegex(RuntimeError, "roll the savepoint back"):
            with self.env.cr.savepoint():
                ghost = self.env["wfmon.case.type"].create({"name": "Ghost", "code": "test.ghost"})
                self.assertEqual(self.Case._get_type("test.ghost"), ghost)
                raise RuntimeError("roll the savepoint back")
        with self.assertRaisesRegex(UserError, "Unknown exception case type"):
            self.Case._get_type("test.ghost")
        self.assertEqual(self.Case._get_type("test.condition"), self.case_type)

    @freeze_time(MONDAY_10)
    def test_batch_opening_stores_what_the_fields_compute(self):
        """The fields a batch precomputes from its values (type, site, rank,
        open flag; the audit line's company) hold what their computation gives."""
        self.case_type.blocking = True
        partners = self._partners(3)
        sites = dict(zip(partners.ids, [self.store_a, self.store_b, False], strict=True))
        severities = dict(zip(partners.ids, ["low", "critical", "high"], strict=True))
        cases = self.Case._raise("test.condition", partners, severity=severities, site=sites)
        self.env.flush_all()
        self.env.invalidate_all()
        for case, partner in zip(cases, partners, strict=True):
            self.assertEqual(
                (case.domain, case.blocking, case.region, case.severity, case.is_open),
                (
                    "general",
                    True,
                    sites[partner.id] and sites[partner.id].region,
                    severities[partner.id],
                    True,
                ),
            )
            self.assertEqual(case.log_ids.company_id, case.company_id)
        ranks = dict(zip(cases.mapped("severity"), cases.mapped("severity_rank"), strict=True))
        self.assertLess(ranks["low"], ranks["high"])
        self.assertLess(ranks["high"], ranks["critical"])
        # What the ORM computes for the same rows.
        fields = ["domain", "blocking", "region", "severity_rank", "is_open"]
        stored = cases.read(fields)
        for fname in fields:
            self.env.add_to_compute(self.Case._fields[fname], cases)
        cases._recompute_recordset(fields)
        self.assertEqual(cases.read(fields), stored)

    @freeze_time(MONDAY_10)
    def test_batch_opening_plans_and_defaults_as_one_by_one(self):
        """A batch works out its defaults once per set of given fields and its
        SLA plan once per policy, calendar, company, severity and start: each
        case of a batch of mixed severities and sites holds what the same case
        opened alone holds."""
        fields = [
            "severity",
            "site_id",
            "team_id",
            "user_id",
            "state",
            "company_id",
            "currency_id",
            "sla_policy_id",
            "sla_calendar_id",
            "sla_start",
            "response_hours",
            "resolution_hours",
            "response_deadline",
            "resolution_deadline",
            "at_risk_date",
            "sla_status",
            "sla_next_check",
            "escalation_level",
            "priority_score",
        ]
        severities = ["low", "critical", "high", "critical", "low", "medium"]
        sites = [self.store_a, self.store_b, False, self.store_a, self.store_b, False]
        batch, alone = self._partners(6), self._partners(6)

        def options(partners):
            return {
                "severity": dict(zip(partners.ids, severities, strict=True)),
                "site": dict(zip(partners.ids, sites, strict=True)),
            }

        cases = self.Case._raise("test.condition", batch, **options(batch))
        singles = self.Case.browse()
        for partner in alone:
            singles |= self.Case._raise("test.condition", partner, **options(alone))
        self.env.flush_all()
        self.env.invalidate_all()

        def rows(records):
            return [
                {name: value for name, value in row.items() if name != "id"}
                for row in records.read(fields, load=None)
            ]

        self.assertEqual(rows(cases), rows(singles))
        self.assertEqual(len(set(cases.mapped("resolution_deadline"))), 4, "one per severity")

    @freeze_time(MONDAY_10)
    def test_detector_event_carries_the_case_data_of_case_opened(self):
        """A detector's own event about the cases it opens carries the same case
        data as their case.opened event (built once for both), which is what the
        cases hold; a case bumped, not opened, publishes nothing."""
        partners = self._partners(3)
        detector = self.env["wfmon.detector"]
        detector._detect("test.condition", partners[:1])
        with capture_events(self.env) as events:
            cases, opened = detector._detect_opened(
                "test.condition", partners, {p.id: {"n": p.id} for p in partners}
            )
        self.assertEqual(opened, partners[1:])
        self.assertEqual([e.type for e in events], ["case.opened", "test.condition"])
        case_opened, own = events
        new_cases = cases[1:]
        self.assertEqual(case_opened.ids, tuple(new_cases.ids))
        self.assertEqual([d["case"] for d in own.data], case_opened.data)
        self.assertEqual([d["n"] for d in own.data], partners[1:].ids)
        self.env.invalidate_all()
        self.assertEqual(case_opened.data, new_cases._wfmon_event_data())

    def test_defaults_memo_sent_as_plain_context_is_ignored(self):
        """The batch's defaults travel as a server flag: the same key holding a
        plain dict of made-up defaults, as any RPC client can send it, is not
        read (the case gets its real defaults)."""
        (partner,) = self._partners(1)
        forged = {DEFAULTS_MEMO_KEY: {frozenset(): {"escalation_level": 7, "state": "resolved"}}}
        case = (
            self.Case.with_context(**forged)
            ._wfmon_engine()
            .create(
                {"type_id": self.case_type.id, "res_model": "res.partner", "res_id": partner.id}
            )
        )
        self.assertEqual((case.escalation_level, case.is_open), (0, True))

    @freeze_time(MONDAY_10)
    def test_owner_given_by_the_detector_owns_the_case_from_its_opening(self):
        """A detector's owner takes the new cases routing gives nobody: each is
        born "assigned" with one "open" line and one case.opened event naming
        the owner, who follows it; a team that assigns its lead keeps its lead."""
        self.team.assignment = "lead"
        routed, unrouted = self._partners(2)
        lone_type = self.case_type.copy({"code": "test.unrouted", "team_id": False})
        with capture_events(self.env) as events:
            lone = self.Case._raise("test.unrouted", unrouted, owner=self.other_user)
            led = self.Case._raise("test.condition", routed, owner=self.other_user)
        self.assertEqual(lone.type_id, lone_type)
        self.assertEqual((lone.user_id, lone.state), (self.other_user, "assigned"))
        self.assertEqual((led.user_id, led.state), (self.lead, "assigned"), "the lead first")
        for case in lone | led:
            self.assertEqual(case.log_ids.mapped("action"), ["open"])
            self.assertEqual(case.log_ids.new_value, "assigned")
            self.assertIn(case.user_id.partner_id, case.message_partner_ids)
        self.assertEqual(
            [(e[0], e[2]) for e in events],
            [("case.opened", (lone.id,)), ("case.opened", (led.id,))],
        )
        self.assertEqual(events[0][3][0]["owner"], self.other_user.login)
        # By record: only the records given one; a bumped case keeps its owner.
        others = self._partners(2)
        cases = self.Case._raise("test.unrouted", others, owner={others[0].id: self.user})
        self.assertEqual(cases.mapped("user_id"), self.user)
        self.assertEqual(cases.mapped("state"), ["assigned", "new"])
        self.Case._raise("test.unrouted", unrouted, owner=self.user)
        self.assertEqual(lone.user_id, self.other_user)

    @freeze_time(MONDAY_10)
    def test_owners_key_sent_as_plain_context_gives_no_case(self):
        """The detector's owners travel as a server flag: the same key holding
        a plain dict, as any RPC client can send it, owns nothing."""
        unrouted = self.case_type.copy({"code": "test.unrouted", "team_id": False})
        (partner,) = self._partners(1)
        forged = {
            FALLBACK_OWNERS_KEY: {
                fingerprint("test.unrouted", "res.partner", partner.id): self.other_user.id
            }
        }
        case = (
            self.Case.with_context(**forged)
            ._wfmon_engine()
            .create({"type_id": unrouted.id, "res_model": "res.partner", "res_id": partner.id})
        )
        self.assertEqual(case.fingerprint, next(iter(forged[FALLBACK_OWNERS_KEY])))
        self.assertFalse(case.user_id)
        self.assertEqual(case.state, "new")

    @freeze_time(MONDAY_10)
    def test_new_cases_are_inserted_with_their_priority_score(self):
        """The score of a new case, inputs of the hook included (core's
        customer tier), is in the row its INSERT writes: nothing is left to
        compute for it at flush, and it is what the ORM computes."""
        self.company.write(
            {"wfmon_priority_weight_tier": 15.0, "wfmon_priority_weight_value": 25.0}
        )
        account = self.env["res.partner"].create(
            {"name": "Key Account", "is_company": True, "wfmon_tier": "strategic"}
        )
        users = self.user | self.other_user
        self.user.partner_id.parent_id = account
        self.env.flush_all()
        cases = self.Case._raise("test.condition", users, impact={self.user.id: 5000.0})
        fields = [self.Case._fields["priority_score"], self.Case._fields["priority_factors"]]
        for field in fields:
            self.assertFalse(self.env.records_to_compute(field) & cases, field.name)
        with self.assertQueryCount(0):  # no second UPDATE of the new cases
            cases.flush_recordset()
        self.env.cr.execute(
            "SELECT id, priority_score FROM wfmon_case WHERE id IN %s", [tuple(cases.ids)]
        )
        inserted = dict(self.env.cr.fetchall())
        tiers = {
            case.id: {f["factor"]: f for f in case.priority_factors["factors"]}["tier"]["level"]
            for case in cases
        }
        self.assertEqual(tiers[cases[0].id], 1.0, "the hook's input counts: strategic")
        self.assertFalse(tiers[cases[1].id], "no tier")
        self.assertGreater(inserted[cases[0].id], inserted[cases[1].id])
        stored = cases.read(["priority_score", "priority_factors"])
        self.env.add_to_compute(fields[0], cases)
        self.env.add_to_compute(fields[1], cases)
        cases._recompute_recordset(["priority_score", "priority_factors"])
        self.assertEqual(cases.read(["priority_score", "priority_factors"]), stored)
        self.assertEqual([inserted[case.id] for case in cases], cases.mapped("priority_score"))

    @freeze_time(MONDAY_10)
    def test_batch_of_500_costs_bounded_queries(self):
        """Raising for 500 records costs a bounded number of queries: no query
        per record, only the ORM's multi-row INSERTs (100 rows each) of the
        cases, their audit lines and their chatter messages grow with volume;
        bumping costs the same whatever the volume."""
        small, large = self._partners(50), self._partners(500)
        self.env.flush_all()
        self.env.invalidate_all()

        def count(records):
            with count_queries(self.env, invalidate=False) as queries:
                self.Case._raise("test.condition", records, impact=1.0)
            return queries.count

        open_small, open_large = count(small), count(large)
        bump_small, bump_large = count(small), count(large)
        inserts_per_100 = 3  # case, audit line, chatter message
        self.assertLessEqual(open_large - open_small, inserts_per_100 * (500 - 50) // 100 + 3)
        self.assertLess(open_large, 50, "500 cases opened in fewer than 50 queries")
        self.assertLessEqual(bump_large - bump_small, 5, "bumping: no query per record")
        self.assertEqual(
            self.Case.search_count(
                [("fingerprint", "!=", False), ("type_id", "=", self.case_type.id)]
            ),
            550,
        )
