"""Deterministic digest of a long history (stdlib only, never imports odoo).

An approval request or a case with many events gets a short structured summary
for its approvers and managers, built from its audit log, decisions and chatter
without any language model: the same history always gives the same digest.

Input: plain event dicts, in any order. Only ``date`` and ``kind`` are required.

=============== ============================================================
key             meaning
=============== ============================================================
date            ``datetime`` (naive = UTC, aware is converted) or ISO string
kind            short code of what happened (``'state'``, ``'approve'``,
                ``'message'``, ``'bump'``...): events are condensed by it
label           what happened, in words (default: ``kind``)
author          who did it (``None``: the system)
automated       done by the system rather than a person (default ``False``)
old, new        value before / after (shown ``old -> new``)
text            reason, message or details, as plain text (convert HTML first)
amount          an amount named by the event; ``currency``: its code or symbol
deadline        a deadline the event set (``datetime`` / ISO / ``None``);
                ``deadline_label`` names it (default: ``label``)
decision        set on decisions: what was decided (``'approved'``...); such
                events also go to "who decided what" and are never condensed
on_behalf_of    whom a delegate decided for
opens, closes   key of a matter the event opens / closes (``'level-2'``);
                ``open_label`` names what it opens (default: ``label``); a
                matter opened with a deadline keeps the latest deadline set
                under the same ``deadline_label``
=============== ============================================================

Output (:func:`build`): a :class:`Digest` with the sections

* ``timeline``: what happened in order; consecutive events of the same kind by
  the same author with the same values become one line with a count (40 bumps
  are one line "x40" with their first and last date); past ``max_lines`` the
  middle of the story is left out with a count of what was left out, while
  decisions always stay;
* ``decisions``: who decided what, when, on whose behalf, why;
* ``amounts`` and ``deadlines``: every amount named, every deadline set (the
  current one per label, how often it moved, whether it has passed);
* ``still_open``: what the events opened and did not close, plus the
  ``open_items`` the caller knows of (pending levels, activities).

:func:`render_text` and :func:`render_html` write it out; the HTML escapes
every value (the caller wraps it in ``Markup``). Section titles and the few
words the renderers add come from ``titles``, so the caller can translate them.
"""

import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

EVENT_KEYS = frozenset(
    {
        "date",
        "kind",
        "label",
        "author",
        "automated",
        "old",
        "new",
        "text",
        "amount",
        "currency",
        "deadline",
        "deadline_label",
        "decision",
        "on_behalf_of",
        "opens",
        "open_label",
        "closes",
    }
)
OPEN_ITEM_KEYS = frozenset({"key", "label", "since", "by", "deadline"})
#: words the renderers add; pass ``titles`` with the same keys to translate them
TITLES = {
    "timeline": "What happened",
    "decisions": "Who decided what",
    "amounts": "Amounts",
    "deadlines": "Deadlines",
    "still_open": "Still open",
    "nothing": "Nothing.",
    "system": "System",
    "omitted": "{count} more event(s) left out: {kinds}",
    "on_behalf_of": "for {name}",
    "moved": "moved {count} time(s), first {first}",
    "passed": "passed",
    "overdue": "overdue",
    "since": "since {date}",
    "due": "due {date}",
    "summary": "{events} event(s) from {first} to {last}; {people} person(s) involved.",
}
DASH, ARROW, TIMES, TO, ELLIPSIS = "\u2014", "\u2192", "\u00d7", "\u2013", "\u2026"
DEFAULT_MAX_LINES = 30
DEFAULT_TEXT_LIMIT = 200


# --------------------------------------------------------------------------
# Value objects
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Event:
    """One input event, checked and normalised (see the module docstring)."""

    index: int
    date: datetime
    kind: str
    label: str
    author: str | None = None
    automated: bool = False
    old: str | None = None
    new: str | None = None
    text: str | None = None
    amount: float | None = None
    currency: str | None = None
    deadline: datetime | None = None
    deadline_label: str | None = None
    decision: str | None = None
    on_behalf_of: str | None = None
    opens: str | None = None
    open_label: str | None = None
    closes: str | None = None

    @property
    def milestone(self) -> bool:
        """Decisions and events opening or closing a matter are never condensed."""
        return bool(self.decision or self.opens or self.closes)

    @property
    def run_key(self) -> tuple:
        """Events with equal keys in a row become one timeline line."""
        return (
            self.kind,
            self.label,
            self.author,
            self.automated,
            self.old,
            self.new,
            self.amount,
            self.currency,
            self.deadline,
        )


@dataclass(frozen=True)
class Line:
    """A timeline line: one event, or ``count`` alike events in a row from
    ``start`` to ``end`` (``text`` is the latest one's)."""

    start: datetime
    end: datetime
    count: int
    kind: str
    label: str
    author: str | None
    automated: bool
    old: str | None
    new: str | None
    text: str | None
    amount: float | None
    currency: str | None
    deadline: datetime | None
    decision: str | None
    on_behalf_of: str | None


@dataclass(frozen=True)
class Gap:
    """Timeline lines left out: how many events, and how many of each label."""

    count: int
    kinds: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Decision:
    """Who decided what."""

    date: datetime
    author: str | None
    decision: str
    label: str
    text: str | None
    on_behalf_of: str | None
    automated: bool
    amount: float | None
    currency: str | None


@dataclass(frozen=True)
class Amount:
    """An amount an event named (repeats in a row are kept once)."""

    date: datetime
    label: str
    amount: float
    currency: str | None
    author: str | None


@dataclass(frozen=True)
class Deadline:
    """A deadline's current value, when and by whom it was last set, how often it moved."""

    label: str
    deadline: datetime
    set_at: datetime
    set_by: str | None
    first: datetime
    moves: int
    passed: bool | None


@dataclass(frozen=True)
class OpenItem:
    """A matter still open."""

    key: str
    label: str
    since: datetime | None
    by: str | None
    deadline: datetime | None
    overdue: bool | None


@dataclass(frozen=True)
class Digest:
    """The structured digest; see the module docstring."""

    timeline: tuple  # of Line and Gap
    decisions: tuple[Decision, ...]
    amounts: tuple[Amount, ...]
    deadlines: tuple[Deadline, ...]
    still_open: tuple[OpenItem, ...]
    event_count: int
    first: datetime | None
    last: datetime | None
    people: tuple[tuple[str, int], ...]


# --------------------------------------------------------------------------
# Input
# --------------------------------------------------------------------------
def _datetime(value, what: str) -> datetime:
    """``value`` as a naive UTC datetime."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{what}: not an ISO date and time: {value!r}") from None
    if not isinstance(value, datetime):
        raise ValueError(f"{what}: expected a datetime, got {value!r}")
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def _text(value, limit: int | None = None) -> str | None:
    """``value`` as one line of text (whitespace collapsed), cut at ``limit``;
    ``None`` for ``None`` or blank."""
    if value is None or value is False:
        return None
    text = re.sub(r"\s+", " ", str(value)).strip()
    if not text:
        return None
    if limit is not None and len(text) > limit:
        text = text[: max(limit - 1, 0)].rstrip() + ELLIPSIS
    return text


def _event(index: int, raw: Mapping, text_limit: int) -> Event:
    """Check and normalise one event dict."""
    where = f"event {index}"
    if not isinstance(raw, Mapping):
        raise ValueError(f"{where}: expected a dict, got {raw!r}")
    unknown = set(raw) - EVENT_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {sorted(unknown)}")
    for key in ("date", "kind"):
        if raw.get(key) in (None, ""):
            raise ValueError(f"{where}: {key!r} is required")
    amount = raw.get("amount")
    if amount is not None:
        if isinstance(amount, bool) or not isinstance(amount, (int, float)) or amount != amount:
            raise ValueError(f"{where}: amount must be a number, got {amount!r}")
        amount = float(amount)
    automated = raw.get("automated", False)
    if not isinstance(automated, bool):
        raise ValueError(f"{where}: automated must be True or False, got {automated!r}")
    deadline = raw.get("deadline")
    label = _text(raw.get("label")) or _text(raw["kind"])
    return Event(
        index=index,
        date=_datetime(raw["date"], f"{where}: date"),
        kind=str(raw["kind"]),
        label=label,
        author=_text(raw.get("author")),
        automated=automated,
        old=_text(raw.get("old"), text_limit),
        new=_text(raw.get("new"), text_limit),
        text=_text(raw.get("text"), text_limit),
        amount=amount,
        currency=_text(raw.get("currency")),
        deadline=None if deadline in (None, False) else _datetime(deadline, f"{where}: deadline"),
        deadline_label=_text(raw.get("deadline_label")) or label,
        decision=_text(raw.get("decision")),
        on_behalf_of=_text(raw.get("on_behalf_of")),
        opens=_text(raw.get("opens")),
        open_label=_text(raw.get("open_label")) or label,
        closes=_text(raw.get("closes")),
    )


# --------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------
def _line(run: list[Event]) -> Line:
    first, last = run[0], run[-1]
    return Line(
        start=first.date,
        end=last.date,
        count=len(run),
        kind=first.kind,
        label=first.label,
        author=first.author,
        automated=first.automated,
        old=first.old,
        new=first.new,
        text=last.text,
        amount=first.amount,
        currency=first.currency,
        deadline=first.deadline,
        decision=first.decision,
        on_behalf_of=first.on_behalf_of,
    )


def _runs(events: list[Event]) -> list[Line]:
    """Condense alike events in a row into single lines."""
    lines, run = [], []
    for event in events:
        if run and not event.milestone and not run[-1].milestone:
            if event.run_key == run[-1].run_key:
                run.append(event)
                continue
        if run:
            lines.append(_line(run))
        run = [event]
    if run:
        lines.append(_line(run))
    return lines


def _shorten(lines: list[Line], max_lines: int) -> list:
    """Keep every decision, then the earliest and latest lines up to ``max_lines``;
    each stretch left out becomes a :class:`Gap`."""
    if max_lines <= 0 or len(lines) <= max_lines:
        return list(lines)
    keep = {i for i, line in enumerate(lines) if line.decision}
    budget = max(max_lines - len(keep), 0)
    others = [i for i in range(len(lines)) if i not in keep]
    head = (budget + 1) // 2
    keep.update(others[:head])
    keep.update(others[len(others) - (budget - head) :] if budget - head else [])
    result, gap = [], []
    for i, line in enumerate(lines):
        if i in keep:
            if gap:
                result.append(_gap(gap))
                gap = []
            result.append(line)
        else:
            gap.append(line)
    if gap:
        result.append(_gap(gap))
    return result


def _gap(lines: list[Line]) -> Gap:
    counts: dict[str, int] = {}
    for line in lines:
        counts[line.label] = counts.get(line.label, 0) + line.count
    kinds = tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
    return Gap(count=sum(counts.values()), kinds=kinds)


def _amounts(events: list[Event]) -> tuple[Amount, ...]:
    result: list[Amount] = []
    for event in events:
        if event.amount is None:
            continue
        previous = result[-1] if result else None
        if previous and (previous.label, previous.amount, previous.currency) == (
            event.label,
            event.amount,
            event.currency,
        ):
            continue
        result.append(Amount(event.date, event.label, event.amount, event.currency, event.author))
    return tuple(result)


def _deadlines(events: list[Event], now: datetime | None) -> tuple[Deadline, ...]:
    by_label: dict[str, list[Event]] = {}
    for event in events:
        if event.deadline is not None:
            by_label.setdefault(event.deadline_label, []).append(event)
    result = []
    for label, sets in by_label.items():
        moves = sum(1 for a, b in zip(sets, sets[1:], strict=False) if a.deadline != b.deadline)
        last = sets[-1]
        result.append(
            Deadline(
                label=label,
                deadline=last.deadline,
                set_at=last.date,
                set_by=last.author,
                first=sets[0].deadline,
                moves=moves,
                passed=None if now is None else last.deadline < now,
            )
        )
    return tuple(result)


def _still_open(
    events: list[Event], open_items: Iterable[Mapping], now: datetime | None
) -> tuple[OpenItem, ...]:
    """Matters the events opened and did not close, merged with ``open_items``.

    An item opened with a deadline follows that deadline: a later event setting
    a deadline of the same ``deadline_label`` moves the item's deadline too.
    """
    items: dict[str, dict] = {}
    for event in events:
        if event.opens:
            items[event.opens] = {
                "key": event.opens,
                "label": event.open_label,
                "since": event.date,
                "by": event.author,
                "deadline": None,
                "deadline_label": event.deadline_label if event.deadline else None,
            }
        if event.deadline is not None:
            for item in items.values():
                if item["deadline_label"] == event.deadline_label:
                    item["deadline"] = event.deadline
        if event.closes:
            items.pop(event.closes, None)
    for position, raw in enumerate(open_items):
        where = f"open item {position}"
        if not isinstance(raw, Mapping):
            raise ValueError(f"{where}: expected a dict, got {raw!r}")
        unknown = set(raw) - OPEN_ITEM_KEYS
        if unknown:
            raise ValueError(f"{where}: unknown key(s) {sorted(unknown)}")
        key = _text(raw.get("key"))
        if not key:
            raise ValueError(f"{where}: 'key' is required")
        item = items.setdefault(
            key, {"key": key, "label": key, "since": None, "by": None, "deadline": None}
        )
        if _text(raw.get("label")):
            item["label"] = _text(raw.get("label"))
        if _text(raw.get("by")):
            item["by"] = _text(raw.get("by"))
        for name in ("since", "deadline"):
            if raw.get(name):
                item[name] = _datetime(raw[name], f"{where}: {name}")
    return tuple(
        OpenItem(
            key=item["key"],
            label=item["label"],
            since=item["since"],
            by=item["by"],
            deadline=item["deadline"],
            overdue=None if now is None or item["deadline"] is None else item["deadline"] < now,
        )
        for item in items.values()
    )


def build(
    events: Iterable[Mapping],
    *,
    now: datetime | None = None,
    open_items: Iterable[Mapping] = (),
    max_lines: int = DEFAULT_MAX_LINES,
    text_limit: int = DEFAULT_TEXT_LIMIT,
) -> Digest:
    """The digest of ``events`` (see the module docstring).

    ``now`` (naive UTC) marks deadlines passed and open items overdue; without
    it they are not judged. ``open_items``: dicts with ``key`` (required),
    ``label``, ``since``, ``by``, ``deadline``, merged over the matters the
    events left open. ``max_lines``: longest timeline (0 = no limit).
    ``text_limit``: longest text kept per value (longer is cut with an ellipsis).
    ``ValueError`` names the first bad event.
    """
    if isinstance(max_lines, bool) or not isinstance(max_lines, int) or max_lines < 0:
        raise ValueError(f"max_lines must be an integer >= 0, got {max_lines!r}")
    if isinstance(text_limit, bool) or not isinstance(text_limit, int) or text_limit < 1:
        raise ValueError(f"text_limit must be an integer >= 1, got {text_limit!r}")
    now = None if now is None else _datetime(now, "now")
    checked = [_event(i, raw, text_limit) for i, raw in enumerate(events)]
    checked.sort(key=lambda e: (e.date, e.index))
    decisions = tuple(
        Decision(
            e.date,
            e.author,
            e.decision,
            e.label,
            e.text,
            e.on_behalf_of,
            e.automated,
            e.amount,
            e.currency,
        )
        for e in checked
        if e.decision
    )
    people: dict[str, int] = {}
    for event in checked:
        if event.author and not event.automated:
            people[event.author] = people.get(event.author, 0) + 1
    return Digest(
        timeline=tuple(_shorten(_runs(checked), max_lines)),
        decisions=decisions,
        amounts=_amounts(checked),
        deadlines=_deadlines(checked, now),
        still_open=_still_open(checked, open_items, now),
        event_count=len(checked),
        first=checked[0].date if checked else None,
        last=checked[-1].date if checked else None,
        people=tuple(sorted(people.items(), key=lambda item: (-item[1], item[0]))),
    )


# --------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------
def _when(value: datetime, tz: ZoneInfo) -> str:
    local = value.replace(tzinfo=UTC).astimezone(tz)
    return local.strftime("%Y-%m-%d %H:%M")


def _money(amount: float, currency: str | None) -> str:
    text = f"{amount:,.2f}"
    return f"{text} {currency}" if currency else text


class _Writer:
    """Turns digest parts into phrases (plain text; the HTML renderer escapes them)."""

    def __init__(self, tz: str, titles: Mapping[str, str] | None):
        self.tz = ZoneInfo(tz)
        self.titles = {**TITLES, **(titles or {})}

    def when(self, value: datetime | None) -> str:
        return _when(value, self.tz) if value else ""

    def who(self, name: str | None) -> str:
        return name or self.titles["system"]

    def line(self, line: Line) -> tuple[str, str]:
        """``(when, what)`` of a timeline line."""
        when = self.when(line.start)
        if line.count > 1 and line.end != line.start:
            when = f"{when} {TO} {self.when(line.end)}"
        what = f"{self.who(line.author)}: {line.label}"
        if line.decision and line.decision.lower() != line.label.lower():
            what += f" ({line.decision})"
        if line.count > 1:
            what += f" {TIMES}{line.count}"
        if line.old is not None or line.new is not None:
            what += f" ({line.old or DASH} {ARROW} {line.new or DASH})"
        if line.amount is not None:
            what += f", {_money(line.amount, line.currency)}"
        if line.deadline is not None:
            what += ", " + self.titles["due"].format(date=self.when(line.deadline))
        if line.on_behalf_of:
            what += " " + self.titles["on_behalf_of"].format(name=line.on_behalf_of)
        if line.text:
            what += f" {DASH} {line.text}"
        return when, what

    def gap(self, gap: Gap) -> str:
        kinds = ", ".join(f"{label} {TIMES}{count}" for label, count in gap.kinds)
        return self.titles["omitted"].format(count=gap.count, kinds=kinds)

    def decision(self, d: Decision) -> tuple[str, str]:
        what = f"{self.who(d.author)}: {d.decision}"
        if d.on_behalf_of:
            what += " " + self.titles["on_behalf_of"].format(name=d.on_behalf_of)
        if d.label.lower() != d.decision.lower():
            what += f" ({d.label})"
        if d.amount is not None:
            what += f", {_money(d.amount, d.currency)}"
        if d.text:
            what += f" {DASH} {d.text}"
        return self.when(d.date), what

    def amount(self, a: Amount) -> tuple[str, str]:
        return self.when(
            a.date
        ), f"{a.label}: {_money(a.amount, a.currency)} ({self.who(a.author)})"

    def deadline(self, d: Deadline) -> tuple[str, str]:
        what = f"{d.label}: {self.when(d.deadline)}"
        notes = []
        if d.moves:
            notes.append(self.titles["moved"].format(count=d.moves, first=self.when(d.first)))
        if d.passed:
            notes.append(self.titles["passed"])
        if notes:
            what += f" ({'; '.join(notes)})"
        return self.when(d.set_at), f"{what} {DASH} {self.who(d.set_by)}"

    def open_item(self, item: OpenItem) -> tuple[str, str]:
        notes = []
        if item.since:
            notes.append(self.titles["since"].format(date=self.when(item.since)))
        if item.deadline:
            notes.append(self.titles["due"].format(date=self.when(item.deadline)))
        if item.overdue:
            notes.append(self.titles["overdue"])
        what = item.label + (f" ({', '.join(notes)})" if notes else "")
        if item.by:
            what += f" {DASH} {item.by}"
        return "", what

    def summary(self, digest: Digest) -> str:
        if not digest.event_count:
            return self.titles["nothing"]
        return self.titles["summary"].format(
            events=digest.event_count,
            first=self.when(digest.first),
            last=self.when(digest.last),
            people=len(digest.people),
        )

    def sections(self, digest: Digest) -> list[tuple[str, list[tuple[str, str]]]]:
        """``[(title, [(when, what), ...]), ...]`` in reading order."""
        timeline = [
            self.line(part) if isinstance(part, Line) else (ELLIPSIS, self.gap(part))
            for part in digest.timeline
        ]
        return [
            (self.titles["timeline"], timeline),
            (self.titles["decisions"], [self.decision(d) for d in digest.decisions]),
            (self.titles["amounts"], [self.amount(a) for a in digest.amounts]),
            (self.titles["deadlines"], [self.deadline(d) for d in digest.deadlines]),
            (self.titles["still_open"], [self.open_item(i) for i in digest.still_open]),
        ]


def render_text(digest: Digest, *, tz: str = "UTC", titles: Mapping[str, str] | None = None) -> str:
    """The digest as plain text; dates in ``tz``; ``titles`` overrides :data:`TITLES`."""
    writer = _Writer(tz, titles)
    out = [writer.summary(digest)]
    for title, rows in writer.sections(digest):
        out.append("")
        out.append(title)
        if not rows:
            out.append(f"  {writer.titles['nothing']}")
        for when, what in rows:
            out.append(f"  {when}  {what}" if when else f"  {what}")
    return "\n".join(out)


def render_html(digest: Digest, *, tz: str = "UTC", titles: Mapping[str, str] | None = None) -> str:
    """The digest as an HTML fragment in which every value is escaped.

    Safe to wrap in ``markupsafe.Markup`` as it is: nothing from the events
    (names, texts, labels, titles) reaches the output unescaped.
    """
    writer = _Writer(tz, titles)
    esc = html.escape
    out = ['<div class="o_wfmon_digest">', f"<p>{esc(writer.summary(digest))}</p>"]
    for title, rows in writer.sections(digest):
        out.append(f"<h5>{esc(title)}</h5>")
        if not rows:
            out.append(f'<p class="text-muted">{esc(writer.titles["nothing"])}</p>')
            continue
        out.append("<ul>")
        for when, what in rows:
            stamp = f'<span class="text-muted">{esc(when)}</span> ' if when else ""
            out.append(f"<li>{stamp}{esc(what)}</li>")
        out.append("</ul>")
    out.append("</div>")
    return "".join(out)
