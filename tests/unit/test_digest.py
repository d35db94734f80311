"""Tests of wfmon_core/tools/digest.py (loaded by path, odoo-free).

All datetimes are naive UTC; Brussels is UTC+1 in March 2024 (before the DST change).
"""

import random
from datetime import UTC, datetime, timedelta, timezone

import pytest
from conftest import load_tool

dg = load_tool("wfmon_core", "digest")

T0 = datetime(2024, 3, 4, 9, 0)


def at(hours):
    return T0 + timedelta(hours=hours)


def history():
    """A replenishment case: opened, seen again 40 times, routed for approval,
    approved by a delegate at level 1, breached, deadline moved, level 2 pending."""
    events = [
        {
            "date": at(0),
            "kind": "open",
            "label": "Opened",
            "author": "Low-stock scanner",
            "automated": True,
            "amount": 12000,
            "currency": "EUR",
            "deadline": at(48),
            "deadline_label": "Resolution deadline",
            "opens": "case",
            "open_label": "Case resolution",
        }
    ]
    events += [
        {
            "date": at(1 + i),
            "kind": "bump",
            "label": "Seen again",
            "automated": True,
            "text": f"on hand {40 - i}",
        }
        for i in range(40)
    ]
    events += [
        {
            "date": at(50),
            "kind": "submit",
            "label": "Approval requested",
            "author": "Bob",
            "decision": "requested",
            "amount": 14500,
            "currency": "EUR",
            "opens": "level-1",
            "open_label": "Store manager approval",
        },
        {
            "date": at(52),
            "kind": "approve",
            "label": "Level 1",
            "author": "Alice",
            "decision": "approved",
            "on_behalf_of": "Carol",
            "text": "within budget",
            "closes": "level-1",
            "opens": "level-2",
            "open_label": "Finance approval",
        },
        {
            "date": at(53),
            "kind": "sla",
            "label": "SLA status",
            "old": "On Track",
            "new": "Breached",
            "automated": True,
        },
        {
            "date": at(54),
            "kind": "deadline",
            "label": "Deadline moved",
            "author": "Alice",
            "deadline": at(96),
            "deadline_label": "Resolution deadline",
            "text": "supplier ETA Friday",
        },
        {
            "date": at(55),
            "kind": "message",
            "author": "Dan",
            "text": "Finance\n\n  will look   today",
        },
    ]
    return events


def test_timeline_condenses_repeats_in_order():
    digest = dg.build(history())
    assert digest.event_count == 46
    assert (digest.first, digest.last) == (at(0), at(55))
    labels = [(line.label, line.count) for line in digest.timeline]
    assert labels == [
        ("Opened", 1),
        ("Seen again", 40),
        ("Approval requested", 1),
        ("Level 1", 1),
        ("SLA status", 1),
        ("Deadline moved", 1),
        ("message", 1),
    ]
    bumps = digest.timeline[1]
    assert (bumps.start, bumps.end, bumps.text) == (at(1), at(40), "on hand 1")
    assert digest.timeline[-1].text == "Finance will look today"


def test_input_order_does_not_matter():
    events = history()
    shuffled = events[:]
    random.Random(3).shuffle(shuffled)
    assert dg.build(shuffled) == dg.build(events)


def test_equal_dates_keep_input_order():
    events = [
        {"date": T0, "kind": "a", "label": "First"},
        {"date": T0, "kind": "b", "label": "Second"},
    ]
    assert [line.label for line in dg.build(events).timeline] == ["First", "Second"]


def test_runs_break_on_any_difference_and_decisions_never_merge():
    events = [
        {"date": at(0), "kind": "remind", "label": "Reminded", "automated": True},
        {"date": at(1), "kind": "remind", "label": "Reminded", "automated": True},
        {"date": at(2), "kind": "remind", "label": "Reminded", "author": "Eve"},
        {"date": at(3), "kind": "sla", "label": "SLA", "old": "a", "new": "b"},
        {"date": at(4), "kind": "sla", "label": "SLA", "old": "b", "new": "c"},
        {"date": at(5), "kind": "approve", "label": "Approved", "author": "Al", "decision": "ok"},
        {"date": at(6), "kind": "approve", "label": "Approved", "author": "Al", "decision": "ok"},
        {"date": at(7), "kind": "remind", "label": "Reminded", "automated": True},
    ]
    assert [line.count for line in dg.build(events).timeline] == [2, 1, 1, 1, 1, 1, 1]


def test_who_decided_what():
    decisions = dg.build(history()).decisions
    assert [(d.author, d.decision, d.on_behalf_of) for d in decisions] == [
        ("Bob", "requested", None),
        ("Alice", "approved", "Carol"),
    ]
    assert decisions[1].text == "within budget" and decisions[0].amount == 14500


def test_amounts_and_deadlines():
    digest = dg.build(history(), now=at(60))
    assert [(a.label, a.amount, a.currency) for a in digest.amounts] == [
        ("Opened", 12000.0, "EUR"),
        ("Approval requested", 14500.0, "EUR"),
    ]
    (deadline,) = digest.deadlines
    assert deadline.label == "Resolution deadline"
    assert (deadline.deadline, deadline.first, deadline.moves) == (at(96), at(48), 1)
    assert (deadline.set_by, deadline.passed) == ("Alice", False)
    assert dg.build(history(), now=at(100)).deadlines[0].passed is True
    assert dg.build(history()).deadlines[0].passed is None


def test_repeated_equal_amounts_are_listed_once():
    events = [
        {"date": at(i), "kind": "bump", "label": "Impact", "amount": 500.0} for i in range(5)
    ] + [{"date": at(9), "kind": "bump", "label": "Impact", "amount": 700.0}]
    assert [a.amount for a in dg.build(events).amounts] == [500.0, 700.0]


def test_what_is_still_open():
    digest = dg.build(
        history(),
        now=at(60),
        open_items=[
            {"key": "activity-7", "label": "Call the supplier", "by": "Dan", "deadline": at(58)},
            {"key": "level-2", "by": "Finance team"},
        ],
    )
    items = {item.key: item for item in digest.still_open}
    assert list(items) == ["case", "level-2", "activity-7"]
    # the case's item follows its deadline as it moves
    assert (items["case"].deadline, items["case"].overdue) == (at(96), False)
    assert (items["level-2"].label, items["level-2"].since, items["level-2"].by) == (
        "Finance approval",
        at(52),
        "Finance team",
    )
    assert items["level-2"].overdue is None  # no deadline: not judged
    assert items["activity-7"].overdue is True
    closed = history() + [{"date": at(70), "kind": "resolve", "closes": "case"}]
    assert "case" not in {item.key for item in dg.build(closed).still_open}


def test_long_timelines_are_shortened_around_the_decisions():
    events = []
    for i in range(60):
        events.append({"date": at(2 * i), "kind": "sla", "label": "Status", "new": str(i)})
        if i == 30:
            events.append(
                {"date": at(2 * i + 1), "kind": "ok", "label": "Approved", "decision": "approved"}
            )
    digest = dg.build(events, max_lines=10)
    parts = digest.timeline
    lines = [p for p in parts if isinstance(p, dg.Line)]
    gaps = [p for p in parts if isinstance(p, dg.Gap)]
    assert len(lines) == 10
    assert any(line.decision == "approved" for line in lines)
    assert [line.new for line in lines[:5]] == ["0", "1", "2", "3", "4"]
    assert [line.new for line in lines[-4:]] == ["56", "57", "58", "59"]
    assert sum(gap.count for gap in gaps) == 61 - 10
    assert gaps[0].kinds == (("Status", 26),)
    assert len(dg.build(events, max_lines=0).timeline) == 61


def test_render_text():
    text = dg.render_text(dg.build(history(), now=at(60)), tz="Europe/Brussels")
    assert text.splitlines()[0] == (
        "46 event(s) from 2024-03-04 10:00 to 2024-03-06 17:00; 3 person(s) involved."
    )
    bumps = "2024-03-04 11:00 \u2013 2024-03-06 02:00  System: Seen again \u00d740 \u2014 on hand 1"
    assert f"  {bumps}\n" in text
    assert "  2024-03-06 14:00  Alice: Level 1 (approved) for Carol \u2014 within budget" in text
    assert "  2024-03-06 15:00  System: SLA status (On Track \u2192 Breached)" in text
    assert (
        "  2024-03-06 16:00  Resolution deadline: 2024-03-08 10:00 "
        "(moved 1 time(s), first 2024-03-06 10:00) \u2014 Alice"
    ) in text
    assert "  Finance approval (since 2024-03-06 14:00) \u2014 Alice" in text
    for title in ("What happened", "Who decided what", "Amounts", "Deadlines", "Still open"):
        assert f"\n{title}\n" in text


def test_render_translated_titles():
    titles = {"timeline": "Historique", "system": "Système", "nothing": "Rien."}
    text = dg.render_text(dg.build([]), titles=titles)
    assert text.startswith("Rien.\n\nHistorique\n  Rien.")


def test_render_html_escapes_everything():
    hostile = "<script>alert(1)</script>"
    events = [
        {
            "date": T0,
            "kind": "message",
            "label": hostile,
            "author": 'Mallory "><img src=x onerror=alert(1)>',
            "text": "<b>bold</b> & co",
            "old": "<i>",
            "new": "</ul>",
            "currency": "<u>",
            "amount": 1,
            "decision": hostile,
            "opens": "x",
            "open_label": hostile,
        }
    ]
    out = dg.render_html(dg.build(events), titles={"amounts": "<h1>Amounts</h1>"})
    assert "<script>" not in out and "<img" not in out and "<b>" not in out
    assert "<h1>" not in out and "<i>" not in out and "<u>" not in out and "</ul></li>" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "Mallory &quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in out
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co" in out
    # the only tags are the renderer's own
    tags = {tag.split()[0].strip("/") for tag in out.replace(">", "<").split("<")[1::2]}
    assert tags <= {"div", "p", "h5", "ul", "li", "span"}


def test_dates_aware_and_iso_strings_are_utc():
    events = [
        {"date": "2024-03-04T10:00:00+01:00", "kind": "a"},
        {"date": datetime(2024, 3, 4, 9, 30, tzinfo=UTC), "kind": "b"},
        {"date": datetime(2024, 3, 4, 12, 0, tzinfo=timezone(timedelta(hours=2))), "kind": "c"},
    ]
    digest = dg.build(events)
    assert [(line.kind, line.start) for line in digest.timeline] == [
        ("a", T0),
        ("b", at(0.5)),
        ("c", at(1)),
    ]


def test_long_texts_are_cut():
    digest = dg.build([{"date": T0, "kind": "m", "text": "x" * 500}], text_limit=20)
    assert digest.timeline[0].text == "x" * 19 + "\u2026"


def test_people_counts_persons_not_the_system():
    digest = dg.build(history())
    assert digest.people == (("Alice", 2), ("Bob", 1), ("Dan", 1))


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({"kind": "a"}, "event 0: 'date' is required"),
        ({"date": T0}, "event 0: 'kind' is required"),
        ({"date": "yesterday", "kind": "a"}, "event 0: date: not an ISO date"),
        ({"date": 12, "kind": "a"}, "event 0: date: expected a datetime"),
        ({"date": T0, "kind": "a", "amount": "12"}, "amount must be a number"),
        ({"date": T0, "kind": "a", "amount": float("nan")}, "amount must be a number"),
        ({"date": T0, "kind": "a", "automated": 1}, "automated must be True or False"),
        ({"date": T0, "kind": "a", "deadline": "soon"}, "deadline: not an ISO date"),
        ({"date": T0, "kind": "a", "amout": 1}, r"unknown key\(s\) \['amout'\]"),
        ("not a dict", "expected a dict"),
    ],
)
def test_bad_events_are_refused(event, message):
    with pytest.raises(ValueError, match=message):
        dg.build([event])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"open_items": [{"label": "x"}]}, "open item 0: 'key' is required"),
        ({"open_items": [{"key": "x", "due": T0}]}, "unknown key"),
        ({"max_lines": -1}, "max_lines"),
        ({"text_limit": 0}, "text_limit"),
    ],
)
def test_bad_options_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        dg.build([], **kwargs)


def test_empty_history():
    digest = dg.build([])
    assert digest.timeline == () and digest.event_count == 0 and digest.first is None
    assert dg.render_text(digest).count("Nothing.") == 6
    assert "Nothing." in dg.render_html(digest)
