"""No internal id, method name, field name or hash is shown to a non-administrator.

For each demo user who is not an administrator, every list, form, kanban and search
view of every model of the suite is rendered as that user (``get_views``, so that
``groups=`` is applied), and the records of the demo that user may read are read
with the fields those views show (``web_read``, as the web client does), their
chatter and to-dos included. The text a person would read is checked with
``technical_values`` (wfmon_core/tools/technical_text.py) against the vocabulary
of the database: model names, field names, selection keys, type codes, method
names, digests, JSON, planning ids.
"""

import re

from lxml import etree, html

from odoo.tests import tagged

from odoo.addons.wfmon_core.tests.common import WfmonTourCase
from odoo.addons.wfmon_core.tools.technical_text import technical_values

#: the demo's people who are not administrators (xml ids), by role
ROLES = {
    "store clerk": "wfmon_core.demo_user_clerk",
    "store manager": "wfmon_core.demo_user_store_manager",
    "warehouse supervisor": "wfmon_core.demo_user_supervisor",
    "regional manager": "wfmon_core.demo_user_regional",
    "Finance approver": "wfmon_distribution.demo_user_finance",
    "sales manager": "wfmon_distribution.demo_user_sales_manager",
}
VIEW_TYPES = ("list", "form", "kanban", "search")
#: attributes of a view node that people read
READ_ATTRIBUTES = ("string", "help", "placeholder", "confirm", "title", "aria-label", "sum")
#: field types whose values are words (numbers, dates and files are not checked)
WORD_TYPES = ("char", "text", "html", "selection", "many2one", "many2many", "one2many", "reference")
RECORDS_PER_MODEL = 60
HIDDEN = {"1", "True", "true"}
#: widgets that show a field path or a domain by the fields' labels, not their names
LABEL_WIDGETS = {"domain", "DynamicModelFieldSelectorChar", "field_selector"}


def hidden(node):
    """A node hidden for good (not one hidden on a condition)."""
    return node.get("invisible") in HIDDEN or node.get("column_invisible") in HIDDEN


def user_in_groups(env, node):
    """Whether the user of ``env`` sees a node with a ``groups`` attribute."""
    groups = node.get("groups")
    if not groups:
        return True
    for group in groups.split(","):
        group = group.strip()
        if group.startswith("!"):
            if env.user.has_group(group[1:]):
                return False
        elif env.user.has_group(group):
            return True
    return all(g.strip().startswith("!") for g in groups.split(","))


def html_text(value):
    if not value:
        return ""
    # One piece of text per node: table cells do not run into each other.
    return " ".join(html.fromstring(f"<div>{value}</div>").itertext())


def field_texts(model, fname, field, node, view_type):
    """The label, tooltip and choices of a field shown by ``node``."""
    where = f"{model} view: {fname}"
    if node.get("nolabel") not in HIDDEN and not node.get("string"):
        yield where, field["string"]
    if view_type == "search":
        return
    yield where, field.get("help")
    if field["type"] == "selection":
        for _key, label in field.get("selection") or ():
            yield where, label


def walk_arch(node, current, models, texts, shown, view_type="form"):
    """Collect the words of the visible nodes under ``node`` (of model ``current``)
    into ``texts`` and the fields shown into ``shown``; the sub-views of a
    one2many are walked with their own model."""
    for child in node:
        if not isinstance(child.tag, str) or hidden(child):
            if child.tail:
                texts.append((f"{current} view: text", child.tail))
            continue
        texts.extend(
            (f"{current} view: {attribute}", child.get(attribute))
            for attribute in READ_ATTRIBUTES
            if child.get(attribute)
        )
        if child.tail:
            texts.append((f"{current} view: text", child.tail))
        if child.tag != "field":
            if child.text:
                texts.append((f"{current} view: text", child.text))
            walk_arch(child, current, models, texts, shown, view_type)
            continue
        fname = child.get("name")
        field = models.get(current, {}).get("fields", {}).get(fname)
        if not field:
            continue
        texts.extend(field_texts(current, fname, field, child, view_type))
        # A search view shows no value; these widgets show labels, not names.
        if view_type != "search" and child.get("widget") not in LABEL_WIDGETS:
            shown.setdefault(current, set()).add(fname)
        for sub in child:
            if isinstance(sub.tag, str) and field.get("relation"):
                walk_arch(sub, field["relation"], models, texts, shown, view_type)


def record_spec(fields_of, name, depth=0):
    """The ``web_read`` specification of the word fields shown of ``name``."""
    result = {}
    for fname, field in fields_of.get(name, {}).items():
        if field["type"] not in WORD_TYPES:
            continue
        if field["type"] in ("many2one", "reference"):
            result[fname] = {"fields": {"display_name": {}}}
        elif field["type"] in ("one2many", "many2many"):
            co_model = field["relation"]
            nested = (
                record_spec(fields_of, co_model, depth + 1)
                if co_model in fields_of and depth < 2
                else {}
            )
            result[fname] = {"fields": nested or {"display_name": {}}, "limit": 40}
        else:
            result[fname] = {}
    return result


def shown_value(field, value):
    """The text a widget shows for ``value`` of ``field`` (not for sub-lists)."""
    if field["type"] == "selection":
        return dict(field["selection"]).get(value, value)
    if field["type"] in ("many2one", "reference"):
        return value.get("display_name")
    if field["type"] == "html":
        return html_text(value)
    return value


def collect_values(fields_of, name, rows, texts):
    """Append to ``texts`` the words the rows of ``web_read`` show."""
    for row in rows:
        for fname, value in row.items():
            field = fields_of.get(name, {}).get(fname)
            if not field or value in (False, None):
                continue
            where = f"{name}({row.get('id')}).{fname}"
            if field["type"] not in ("one2many", "many2many"):
                texts.append((where, shown_value(field, value)))
                continue
            subs = [v for v in value if isinstance(v, dict)]
            if subs and set(subs[0]) - {"id"} == {"display_name"}:
                texts.extend((where, v.get("display_name")) for v in subs)
            else:
                collect_values(fields_of, field["relation"], subs, texts)


def chatter_texts(env, model, records):
    """The messages, tracked changes and to-dos of ``records`` the user reads."""
    if "message_ids" in env[model]._fields:
        for message in env["mail.message"].search(
            [("model", "=", model), ("res_id", "in", records.ids)], limit=400
        ):
            where = f"{model}({message.res_id}) chatter"
            yield where, message.subject
            yield where, html_text(message.body)
            # sudo: the tracking lines the chatter shows under the message.
            for tracking in message.sudo().tracking_value_ids:
                yield where, tracking.old_value_char
                yield where, tracking.new_value_char
    if "activity_ids" in env[model]._fields:
        for activity in env["mail.activity"].search(
            [("res_model", "=", model), ("res_id", "in", records.ids)]
        ):
            where = f"{model}({activity.res_id}) to-do"
            yield where, activity.summary
            yield where, html_text(activity.note)
            yield where, activity.activity_type_id.name


class PlainLanguageMixin:
    """The vocabulary of the database and the reading of views and records as a user."""

    @classmethod
    def technical_vocabulary(cls, env):
        known = set()
        for name, Model in env.registry.items():
            known.add(name)
            for fname, field in Model._fields.items():
                if "_" in fname:
                    known.add(fname)
                if (
                    field.type == "selection"
                    and name.startswith("wfmon.")
                    and isinstance(field.selection, list)
                ):
                    known.update(key for key, _label in field.selection if isinstance(key, str))
        # sudo: codes of configuration records, whoever reads them later.
        for model in ("wfmon.case.type", "wfmon.event.type"):
            if model in env:
                known.update(
                    env[model].sudo().with_context(active_test=False).search([]).mapped("code")
                )
        return frozenset(token for token in known if token and ("_" in token or "." in token))

    @staticmethod
    def suite_models(env):
        return sorted(
            name
            for name, Model in env.registry.items()
            if name.startswith("wfmon.") and not Model._abstract
        )

    def shown_in_views(self, env, model):
        """``(texts, fields, described)``: what the views of ``model`` say to the
        user of ``env``, ``{model: set of field names shown}`` (sub-lists
        included), and the fields' descriptions by model."""
        # A kanban no action opens (the one Odoo makes up for a model without
        # any) is not a screen anyone reaches.
        # sudo: which views the model declares (configuration).
        declared = set(env["ir.ui.view"].sudo().search([("model", "=", model)]).mapped("type"))
        types = [t for t in VIEW_TYPES if t != "kanban" or "kanban" in declared]
        result = env[model].get_views([(False, view_type) for view_type in types])
        texts, shown = [], {}
        for view_type, view in result["views"].items():
            arch = etree.fromstring(view["arch"])
            texts.extend(
                (f"{model} {view_type} view", arch.get(attribute))
                for attribute in READ_ATTRIBUTES
                if arch.get(attribute)
            )
            walk_arch(arch, model, result["models"], texts, shown, view_type)
        return texts, shown, result["models"]

    def shown_in_records(self, env, model, shown, described, limit=RECORDS_PER_MODEL):
        """What the records of ``model`` the user may read show in those views."""
        Model = env[model].with_context(active_test=False)
        records = Model.search([], limit=limit, order="id desc")
        if not records:
            return [], records
        fields_of = {
            name: {fname: described[name]["fields"][fname] for fname in fnames}
            for name, fnames in shown.items()
            if name in described
        }
        texts = []
        spec = record_spec(fields_of, model)
        if spec:  # (an empty specification would read every field)
            collect_values(fields_of, model, records.web_read(spec), texts)
        texts.extend(chatter_texts(env, model, records))
        return texts, records

    @staticmethod
    def suite_views_of_other_models(env):
        """``{model: views}``: the views the suite adds to Odoo's models (the banners,
        buttons and fields on orders, pickings, invoices, tickets...)."""
        # sudo: which views the modules of the suite declare (configuration).
        data = (
            env["ir.model.data"]
            .sudo()
            .search([("module", "=like", "wfmon\\_%"), ("model", "=", "ir.ui.view")])
        )
        views = env["ir.ui.view"].sudo().browse(data.mapped("res_id")).exists()
        result = {}
        for view in views:
            if view.model and not view.model.startswith("wfmon.") and view.model in env:
                result.setdefault(view.model, view.browse())
                result[view.model] |= view
        return result

    def shown_by_suite_views(self, env, model, views, limit=20):
        """What the nodes the suite adds to ``model``'s views show the user of
        ``env``: their words, the labels and values of the fields they add (on the
        latest records the user may read), and those records' chatter."""
        texts, fnames = [], set()
        for view in views:
            where = f"{model} ({view.get_external_id()[view.id]})"
            for node in etree.fromstring(view.arch_db).iter():
                # Comments, xpaths and the attributes they set are not shown.
                if not isinstance(node.tag, str) or node.tag in ("attribute", "xpath"):
                    continue
                if any(
                    hidden(n) or not user_in_groups(env, n) for n in (node, *node.iterancestors())
                ):
                    continue
                texts.extend(
                    (where, node.get(attribute))
                    for attribute in READ_ATTRIBUTES
                    if node.get(attribute)
                )
                texts.extend((where, text) for text in (node.text, node.tail) if text)
                if node.tag == "field" and node.get("widget") not in LABEL_WIDGETS:
                    fnames.add(node.get("name"))
        Model = env[model]
        # Of those fields, the ones the user's own views keep (the groups of the
        # page or group they are added to apply too).
        kept = set(
            Model.get_views([(False, "form"), (False, "list")])["models"]
            .get(model, {})
            .get("fields", {})
        )
        names = [f for f in fnames if f in kept]
        # (fields_get of no name describes every field)
        described = (
            Model.fields_get(names, ["type", "string", "help", "selection", "relation"])
            if names
            else {}
        )
        for fname, field in described.items():
            texts.extend(
                (f"{model} field {fname}", text) for text in (field["string"], field.get("help"))
            )
        fields_of = {model: described}
        spec = record_spec(fields_of, model)
        if spec:  # (an empty specification would read every field)
            records = Model.search([], limit=limit, order="id desc")
            collect_values(fields_of, model, records.web_read(spec), texts)
        return texts

    def technical_shown_to(self, user, known):
        """``[(where, technical value, text)]`` shown to ``user``."""
        env = self.env(user=user)
        texts = []
        menus = env["ir.ui.menu"].load_menus(debug=False)
        texts.extend(
            ("menu", menu.get("name")) for menu in menus.values() if isinstance(menu, dict)
        )
        for model in self.suite_models(env):
            if not env[model].has_access("read"):
                continue
            view_texts, shown, described = self.shown_in_views(env, model)
            texts.extend(view_texts)
            if env[model]._transient:
                continue
            record_texts, _records = self.shown_in_records(env, model, shown, described)
            texts.extend(record_texts)
        for model, views in self.suite_views_of_other_models(env).items():
            if env[model].has_access("read"):
                texts.extend(self.shown_by_suite_views(env, model, views))
        found = []
        for where, text in texts:
            for value in technical_values(str(text) if text else "", known, snake_case=True):
                found.append((where, value, str(text)[:160]))
        return found


@tagged("post_install", "-at_install")
class TestPlainLanguage(PlainLanguageMixin, WfmonTourCase):
    def test_no_technical_value_reaches_a_role_that_is_not_administrator(self):
        known = self.technical_vocabulary(self.env)
        self.assertIn("sale.order", known)
        self.assertIn("action_confirm", technical_values("action_confirm", known))
        report = []
        for role, xmlid in ROLES.items():
            user = self.demo_user(xmlid)
            self.assertFalse(user.has_group("base.group_system"), role)
            for where, value, text in self.technical_shown_to(user, known):
                report.append(f"{role}: {where}: {value!r} in {text!r}")
        self.assertFalse(report, "\n" + "\n".join(dict.fromkeys(report)))

    def test_the_check_sees_what_an_administrator_is_shown(self):
        """The same reading finds the engine's values an administrator is shown
        (the fingerprint of approved values, the guarded method): it is not blind."""
        known = self.technical_vocabulary(self.env)
        admin = self.demo_user("base.user_admin")
        found = {value for _where, value, _text in self.technical_shown_to(admin, known)}
        self.assertTrue(any(re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", v) for v in found), found)

    def test_the_demo_case_and_request_forms_read_in_plain_words_in_the_browser(self):
        """In the browser: every open case of the demo as the regional manager (she
        sees them all) and the store clerk, every request waiting for Finance and
        for the sales manager, each form and each of its tabs, chatter included."""
        journeys = [
            ("wfmon_core.demo_user_regional", "wfmon_core.wfmon_case_action"),
            ("wfmon_core.demo_user_clerk", "wfmon_core.wfmon_case_action"),
            ("wfmon_core.demo_user_regional", "wfmon_approvals.wfmon_approval_request_action"),
            (
                "wfmon_distribution.demo_user_finance",
                "wfmon_approvals.wfmon_approval_request_action",
            ),
            (
                "wfmon_distribution.demo_user_sales_manager",
                "wfmon_approvals.wfmon_approval_request_action",
            ),
        ]
        # The sales manager's level waits for Finance's: Finance decides first.
        battery = self.env.ref("wfmon_distribution.demo_so_battery")
        self.env["wfmon.approval.request"].search(
            [
                ("res_model", "=", "sale.order"),
                ("res_id", "=", battery.id),
                ("state", "=", "pending"),
            ]
        ).with_user(self.demo_user("wfmon_distribution.demo_user_finance")).action_approve(
            reason="Northwind pays; release the credit."
        )
        for user_xmlid, action in journeys:
            user = self.demo_user(user_xmlid)
            with self.subTest(user=user.login):
                self.start_journey(
                    "wfmon_plain_language_tour", user, url=f"/odoo/action-{action}?view_type=list"
                )
