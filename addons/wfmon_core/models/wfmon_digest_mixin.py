"""Deterministic digest of a record's history, for approvers and managers.

The summary itself is :mod:`..tools.digest` (plain Python, unit-tested, no
model of any kind): this mixin feeds it the record's events, batched, and
shows the result. A model opts in with ``_inherit`` and extends
:meth:`_wfmon_digest_events` / :meth:`_wfmon_digest_open_items`.
"""

from collections import defaultdict
from datetime import datetime, time

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import html2plaintext

from ..tools import digest as digest_tools


class WfmonDigestMixin(models.AbstractModel):
    _name = "wfmon.digest.mixin"
    _description = "History digest"

    digest_html = fields.Html(
        string="Digest",
        compute="_compute_digest_html",
        sanitize=False,
        help="What happened in order, who decided what, amounts and deadlines, and what "
        "is still open, built from the audit trail, the decisions and the chatter. "
        "The same history always gives the same digest; no model writes it.",
    )
    digest_event_count = fields.Integer(string="Events in History", compute="_compute_digest_html")

    def write(self, vals):
        # The digest is the records' own story: nobody types one in (a write
        # would only reach the cache, so it is refused rather than ignored).
        if {"digest_html", "digest_event_count"} & set(vals):
            raise AccessError(
                self.env._("The digest is built from the history; it cannot be written.")
            )
        return super().write(vals)

    # ------------------------------------------------------------------
    # Hooks (batched: one search per source of events for all of self)
    # ------------------------------------------------------------------
    def _wfmon_digest_events(self):
        """``{record.id: [event dict, ...]}`` (keys of :mod:`..tools.digest`).

        The base gives the people's messages in the chatter; extensions add
        their trail with ``super()`` and read it for all records at once."""
        result = defaultdict(list)
        if "message_ids" not in self._fields or not self.ids:
            return result
        messages = self.env["mail.message"].search(
            [
                ("model", "=", self._name),
                ("res_id", "in", self.ids),
                ("message_type", "=", "comment"),
            ],
            order="date, id",
        )
        for message in messages:
            text = html2plaintext(message.body or "").strip()
            if not text:
                continue
            result[message.res_id].append(
                {
                    "date": message.date,
                    "kind": "message",
                    "label": self.env._("Message"),
                    "author": message.author_id.name or None,
                    "text": text,
                }
            )
        return result

    def _wfmon_digest_open_items(self):
        """``{record.id: [open item dict, ...]}``: what is still to be done.

        The base gives the open activities (to-dos with their due date)."""
        result = defaultdict(list)
        if "activity_ids" not in self._fields or not self.ids:
            return result
        activities = self.env["mail.activity"].search(
            [
                ("res_model", "=", self._name),
                ("res_id", "in", self.ids),
                *self._wfmon_digest_activity_domain(),
            ],
            order="date_deadline, id",
        )
        for activity in activities:
            result[activity.res_id].append(
                {
                    "key": f"activity-{activity.id}",
                    "label": activity.summary or activity.activity_type_id.name or "",
                    "by": activity.user_id.name or None,
                    "since": activity.create_date,
                    "deadline": datetime.combine(activity.date_deadline, time.max)
                    if activity.date_deadline
                    else None,
                }
            )
        return result

    def _wfmon_digest_activity_domain(self):
        """Extra domain on the activities listed as open items (a model whose
        own open item already stands for some of its to-dos leaves them out)."""
        return []

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    def _wfmon_digest_titles(self):
        _ = self.env._
        return {
            "timeline": _("What happened"),
            "decisions": _("Who decided what"),
            "amounts": _("Amounts"),
            "deadlines": _("Deadlines"),
            "still_open": _("Still open"),
            "nothing": _("Nothing."),
            "system": _("System"),
            "omitted": _("{count} more event(s) left out: {kinds}"),
            "on_behalf_of": _("for {name}"),
            "moved": _("moved {count} time(s), first {first}"),
            "passed": _("passed"),
            "overdue": _("overdue"),
            "since": _("since {date}"),
            "due": _("due {date}"),
            "summary": _("{events} event(s) from {first} to {last}; {people} person(s) involved."),
        }

    def _wfmon_digest(self, now=None):
        """``{record.id: tools.digest.Digest}`` of these records."""
        real = self.filtered("id")
        events = real._wfmon_digest_events()
        items = real._wfmon_digest_open_items()
        now = now or fields.Datetime.now()
        return {
            record.id: digest_tools.build(
                events.get(record.id, []), now=now, open_items=items.get(record.id, [])
            )
            for record in real
        }

    @api.depends_context("uid", "tz", "lang")
    def _compute_digest_html(self):
        digests = self._wfmon_digest()
        tz = self.env.user.tz or "UTC"
        titles = self._wfmon_digest_titles()
        for record in self:
            found = digests.get(record.id)
            if found is None:
                record.digest_html = False
                record.digest_event_count = 0
                continue
            # render_html escapes every value it is given.
            record.digest_html = Markup(digest_tools.render_html(found, tz=tz, titles=titles))
            record.digest_event_count = found.event_count
