"""Each addon's README.rst is generated from its readme/*.md fragments (scripts/wfmon_readme.py,
`make readme`), reads as valid reStructuredText, and the fragments stand on their own.
Plain pytest, no Odoo."""

import ast
import importlib.util
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ADDONS = REPO / "addons"
sys.path.insert(0, str(REPO / "scripts"))
wfmon_readme = importlib.import_module("wfmon_readme")

ADDON_NAMES = sorted(
    path.parent.name
    for path in ADDONS.glob("*/__manifest__.py")
    if ast.literal_eval(path.read_text(encoding="utf-8")).get("installable", True)
)
SUITE = [name for name in ADDON_NAMES if not name.startswith("test_")]


@pytest.mark.parametrize("name", ADDON_NAMES)
def test_readme_rst_is_generated_from_the_fragments(name):
    expected = wfmon_readme.readme_rst(ADDONS / name)
    current = (ADDONS / name / "README.rst").read_text(encoding="utf-8")
    assert current == expected, f"{name}/README.rst is out of date: run `make readme`"


@pytest.mark.parametrize("name", ADDON_NAMES)
def test_readme_rst_is_valid_restructuredtext(name):
    if importlib.util.find_spec("docutils") is None:
        pytest.skip("docutils (one of Odoo's requirements) is not installed")
    from docutils.core import publish_doctree

    text = (ADDONS / name / "README.rst").read_text(encoding="utf-8")
    # halt_level 2: any warning (broken table, unknown reference, bad title level) raises.
    publish_doctree(text, settings_overrides={"halt_level": 2, "report_level": 2})


@pytest.mark.parametrize("name", SUITE)
def test_suite_modules_have_every_fragment(name):
    missing = [
        fragment
        for fragment in ("DESCRIPTION", "CONFIGURE", "USAGE", "ROADMAP")
        if not (ADDONS / name / "readme" / f"{fragment}.md").exists()
    ]
    assert not missing, f"{name}/readme/ lacks {missing}"


@pytest.mark.parametrize("name", ADDON_NAMES)
def test_fragments_do_not_point_back_to_the_repository_readme(name):
    for path in (ADDONS / name / "readme").glob("*.md"):
        text = path.read_text(encoding="utf-8")
        assert "README.md" not in text, f"{path}: a module's readme stands on its own"
        assert "../shared" not in text, f"{path}: links outside the repository"


def test_markdown_subset():
    rst = wfmon_readme.md_to_rst(
        "## Title\n\nSome `code`s and **bold**, a [link](https://x.test/) and word_.\n\n"
        "- one\n  continued\n  - nested `a`\n- two\n\n"
        "| a | b |\n|---|---|\n| `x` | |\n\n```python\nprint(1)\n```\n"
    )
    assert rst == [
        "Title",
        "-----",
        "",
        "Some ``code``\\ s and **bold**, a `link <https://x.test/>`__ and word\\_.",
        "",
        "- one continued",
        "",
        "  - nested ``a``",
        "",
        "- two",
        "",
        ".. list-table::",
        "   :header-rows: 1",
        "",
        "   * - a",
        "     - b",
        "   * - ``x``",
        "     -",
        "",
        ".. code-block:: python",
        "",
        "    print(1)",
        "",
    ]
