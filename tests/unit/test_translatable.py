"""Every Python file of the suite can be read by the translation extractor.

Odoo exports a module's texts with Babel's Python extractor (keywords ``_`` and
``_lt``, as ``odoo.tools.translate.TranslationModuleReader`` calls it). Among
the arguments of a ``_()`` call Babel evaluates each string literal; an
f-string there (``partner=f" {partner.name}"``) raises, and Odoo then logs the
file and drops the rest of its texts from the template, so they are never
translated. Compute such a value before the call."""

from pathlib import Path

import pytest

babel_extract = pytest.importorskip("babel.messages.extract")

ADDONS = Path(__file__).resolve().parents[2] / "addons"
FILES = sorted(ADDONS.glob("*/**/*.py"))


@pytest.mark.parametrize("path", FILES, ids=lambda path: str(path.relative_to(ADDONS)))
def test_texts_extract(path):
    with path.open("rb") as source:
        try:
            list(
                babel_extract.extract(
                    "python",
                    source,
                    keywords={"_": None, "_lt": None},
                    options={"encoding": "UTF-8"},
                )
            )
        except Exception as error:  # what Odoo's reader catches, logs and goes on from
            pytest.fail(f"{path.relative_to(ADDONS)}: the translation extractor fails: {error!r}")


def test_a_formatted_argument_is_caught():
    """The failure this guards against, shown on a two-line sample."""
    import io

    sample = b'_("%(who)s is late", who=f" {name}")\n'
    with pytest.raises(NameError):
        list(babel_extract.extract("python", io.BytesIO(sample), keywords={"_": None}))
