"""Every view the suite adds applies to what its own parents give it, not to what a
sibling (another extension of the same parent) adds.

Odoo applies the extensions of one view by priority, then by age (id). On a fresh
database a module's views are younger than those of the modules it depends on; on a
database upgraded with ``-u all`` a view new in the upgrade is younger than every view
that existed before it, whichever module it belongs to. An extension that finds its
anchor in a sibling works on a fresh install and breaks the upgrade (an xpath that
"cannot be located in parent view"). Such an extension inherits from the view that
adds its anchor instead. ``make test-upgrade`` checks a real upgrade."""

from collections import defaultdict

from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestViewInheritance(TransactionCase):
    def _suite_views(self):
        data = self.env["ir.model.data"].search(
            [("model", "=", "ir.ui.view"), ("module", "=like", "%wfmon%")]
        )
        return self.env["ir.ui.view"].browse(data.mapped("res_id")).exists()

    def _combined_without_suite_siblings(self, view, suite):
        """The arch of ``view``'s root with ``view``, its ancestors and every view
        that is not the suite's: the extensions the suite's other views add left
        out. Raises ``ValueError`` when an xpath of the path finds no anchor."""
        path = view
        while path[-1].inherit_id:
            path |= path[-1].inherit_id
        root = path[-1]
        # What Odoo combines for the nearest primary view on the path (the tree of
        # every view of the path), minus the suite's views off the path.
        tree = path.filtered(lambda v: v.mode == "primary")._get_inheriting_views()
        hierarchy = defaultdict(list)
        for node in tree:
            if node in path or node not in suite:
                hierarchy[node.inherit_id].append(node)
        return root._combine(hierarchy)

    def test_no_extension_view_depends_on_a_sibling(self):
        suite = self._suite_views()
        extensions = suite.filtered(lambda v: v.inherit_id and v.mode == "extension")
        self.assertGreater(len(extensions), 20)
        found = []
        for view in extensions:
            try:
                self._combined_without_suite_siblings(view, suite)
            except ValueError as error:
                found.append(f"{view.xml_id} ({view.inherit_id.xml_id}): {error}")
        self.assertFalse(
            found,
            "these views find an anchor only in another extension of their parent: "
            "inherit from the view that adds it\n" + "\n".join(found),
        )

    def test_the_check_finds_a_view_that_depends_on_its_sibling(self):
        """Core's priority view adds the digest; a view of the case form that
        writes beside the digest without inheriting from that view is caught."""
        suite = self._suite_views()
        form = self.env.ref("wfmon_core.wfmon_case_view_form")
        beside = self.env["ir.ui.view"].create(
            {
                "name": "wfmon.case.form.beside.digest",
                "model": "wfmon.case",
                "inherit_id": form.id,
                "arch": '<xpath expr="//field[@name=\'digest_html\']" position="after">'
                '<field name="summary"/></xpath>',
            }
        )
        with self.assertRaises(ValueError):
            self._combined_without_suite_siblings(beside, suite | beside)
        beside.inherit_id = self.env.ref("wfmon_core.wfmon_case_view_form_priority")
        self._combined_without_suite_siblings(beside, suite | beside)
