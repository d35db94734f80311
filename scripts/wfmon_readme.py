"""README.rst of an addon, generated from its readme/*.md fragments the way OCA's
oca-gen-addon-readme lays it out (title, license badge, description, table of contents,
Configuration, Usage, Known issues / Roadmap, Credits). `python3 scripts/wfmon.py readme`
writes them; tests/test_readmes.py fails when one is out of date.

The fragments use a small subset of Markdown, converted here without pandoc: ``##`` headings
(not in DESCRIPTION.md), paragraphs, ``-``/``*``/``1.`` lists (nested by indentation, with
continuation lines), pipe tables, fenced code blocks, `code`, **bold**, *italic* and
[links](https://...).
"""

import ast
import hashlib
import pathlib
import re

# (fragment, section title); DESCRIPTION has no title of its own.
SECTIONS = (
    ("DESCRIPTION", None),
    ("INSTALL", "Installation"),
    ("CONFIGURE", "Configuration"),
    ("USAGE", "Usage"),
    ("ROADMAP", "Known issues / Roadmap"),
    ("HISTORY", "Changelog"),
)
# Underline characters: level 1 is a section of the README, fragments' headings start at 2.
UNDERLINES = '=-~^"'
LICENSES = {
    "LGPL-3": ("LGPL--3", "http://www.gnu.org/licenses/lgpl-3.0-standalone.html"),
    "AGPL-3": ("AGPL--3", "http://www.gnu.org/licenses/agpl-3.0-standalone.html"),
}

ITEM = re.compile(r"^(?P<indent> *)(?P<marker>[-*]|\d+\.) (?P<text>.*)$")
HEADING = re.compile(r"^(?P<hashes>#{1,6}) (?P<text>.+?)\s*#*$")
FENCE = re.compile(r"^```(?P<lang>[\w+-]*)\s*$")
INLINE = re.compile(
    r"(?P<code>`[^`]+`)"
    r"|(?P<link>\[(?P<label>[^\]]+)\]\((?P<url>[^)\s]+)\))"
    r"|(?P<strong>\*\*[^*]+\*\*)"
    r"|(?P<em>(?<![\w*])\*[^*\s](?:[^*]*[^*\s])?\*(?![\w*]))"
)
# Characters allowed right before / after inline markup in reStructuredText.
BEFORE_OK = set(" \t-:/'\"<([{")
AFTER_OK = set(" \t-.,:;!?\\/'\")]}>")


class ReadmeError(ValueError):
    pass


def _plain(text):
    """Plain text: escape what reStructuredText would read as markup."""
    text = text.replace("\\", "\\\\")
    text = re.sub(r"(?<=\w)_(?=\W|$)", r"\\_", text)  # word_ is a reference
    return text.replace("|", "\\|")


def inline(text):
    """One line (or table cell) of Markdown inline markup as reStructuredText."""
    out, pos = [], 0
    for match in INLINE.finditer(text):
        if match.start() > pos:
            out.append(("text", _plain(text[pos : match.start()])))
        if match["code"]:
            out.append(("markup", f"``{match['code'][1:-1]}``"))
        elif match["link"]:
            out.append(("markup", f"`{match['label']} <{match['url']}>`__"))
        else:
            out.append(("markup", match.group(0)))
        pos = match.end()
    if pos < len(text):
        out.append(("text", _plain(text[pos:])))
    result = ""
    for index, (kind, value) in enumerate(out):
        if kind == "markup":
            if result and result[-1] not in BEFORE_OK:
                result += "\\ "
            result += value
            following = out[index + 1][1] if index + 1 < len(out) else ""
            if following and following[0] not in AFTER_OK:
                result += "\\ "
        else:
            result += value
    return result


def _table(rows):
    cells = [[c.strip() for c in row.strip().strip("|").split("|")] for row in rows]
    if len(cells) < 2 or not all(re.fullmatch(r":?-+:?", c) for c in cells[1]):
        raise ReadmeError(f"a table needs a header and a separator line: {rows[0]!r}")
    out = [".. list-table::", "   :header-rows: 1", ""]
    for row in [cells[0], *cells[2:]]:
        for index, cell in enumerate(row):
            out.append(f"   {'*' if index == 0 else ' '} - {inline(cell)}".rstrip())
    return out + [""]


def _parse_list(lines):
    """Items of a (nested) Markdown list: dicts with marker, indent, paragraphs, children."""
    root = {"children": [], "indent": -1, "content": -1}
    stack = [root]
    blank = False
    for line in lines:
        if not line.strip():
            blank = True
            continue
        match = ITEM.match(line)
        if match:
            indent = len(match["indent"])
            while len(stack) > 1 and stack[-1]["indent"] >= indent:
                stack.pop()
            item = {
                "marker": match["marker"],
                "indent": indent,
                "content": indent + len(match["marker"]) + 1,
                "paragraphs": [[match["text"]]],
                "children": [],
            }
            stack[-1]["children"].append(item)
            stack.append(item)
        else:
            indent = len(line) - len(line.lstrip())
            while len(stack) > 2 and stack[-1]["content"] > indent:
                stack.pop()
            item = stack[-1]
            if blank and not item["children"]:
                item["paragraphs"].append([line.strip()])
            elif item["children"]:
                raise ReadmeError(f"text after a nested list is not supported: {line!r}")
            else:
                item["paragraphs"][-1].append(line.strip())
        blank = False
    return root["children"]


def _render_list(items, indent=0):
    out = []
    for item in items:
        marker = "-" if item["marker"] in "-*" else item["marker"]
        pad = " " * indent
        sub = " " * (indent + len(marker) + 1)
        for index, paragraph in enumerate(item["paragraphs"]):
            text = inline(" ".join(paragraph))
            out.append(f"{pad}{marker} {text}" if index == 0 else f"{sub}{text}")
            if len(item["paragraphs"]) > 1:
                out.append("")
        if item["children"]:
            out.append("")
            out.extend(_render_list(item["children"], indent + len(marker) + 1))
            out.append("")
    return out


def _list_end(lines, start):
    """Index of the first line after the list starting at ``start``."""
    end = start + 1
    while end < len(lines):
        current = lines[end]
        if current.strip() and not current.startswith(" ") and not ITEM.match(current):
            break
        if not current.strip() and (
            end + 1 >= len(lines)
            or (not lines[end + 1].startswith(" ") and not ITEM.match(lines[end + 1]))
        ):
            break
        if FENCE.match(current.strip()):
            raise ReadmeError("code blocks inside list items are not supported")
        end += 1
    return end


def _paragraph_end(lines, start):
    end = start
    while end < len(lines) and lines[end].strip():
        if end > start and any(p.match(lines[end]) for p in (ITEM, HEADING, FENCE)):
            break
        end += 1
    return end


def md_to_rst(text, first_level=2, allow_headings=True):
    """Markdown fragment -> reStructuredText lines; its shallowest heading gets first_level."""
    lines = text.splitlines()
    levels = sorted({len(m["hashes"]) for m in map(HEADING.match, lines) if m})
    if levels and not allow_headings:
        raise ReadmeError("DESCRIPTION.md takes no headings")
    out, index = [], 0
    while index < len(lines):
        line = lines[index]
        fence, heading = FENCE.match(line), HEADING.match(line)
        if not line.strip():
            index += 1
            continue
        if fence:
            end = index + 1
            while end < len(lines) and not lines[end].startswith("```"):
                end += 1
            if end == len(lines):
                raise ReadmeError("unclosed code block")
            lang = fence["lang"]
            out += [f".. code-block:: {lang}" if lang else "::", ""]
            out += [f"    {code}".rstrip() for code in lines[index + 1 : end]] + [""]
            index = end + 1
        elif heading:
            level = first_level + levels.index(len(heading["hashes"]))
            title = inline(heading["text"])
            out += [title, UNDERLINES[level - 1] * len(title), ""]
            index += 1
        elif line.lstrip().startswith("|"):
            end = index
            while end < len(lines) and lines[end].lstrip().startswith("|"):
                end += 1
            out += _table(lines[index:end])
            index = end
        elif ITEM.match(line):
            end = _list_end(lines, index)
            out += _render_list(_parse_list(lines[index:end])) + [""]
            index = end
        else:
            end = _paragraph_end(lines, index)
            out += [inline(" ".join(part.strip() for part in lines[index:end])), ""]
            index = end
    return out


def readme_rst(addon):
    """The README.rst text of the addon directory ``addon``."""
    addon = pathlib.Path(addon)
    manifest = ast.literal_eval((addon / "__manifest__.py").read_text(encoding="utf-8"))
    fragments = {}
    for name, _title in SECTIONS:
        path = addon / "readme" / f"{name}.md"
        if path.exists():
            fragments[name] = path.read_text(encoding="utf-8")
    if "DESCRIPTION" not in fragments:
        raise ReadmeError(f"{addon.name}: readme/DESCRIPTION.md is missing")
    contributors = addon / "readme" / "CONTRIBUTORS.md"
    digest = hashlib.sha256()
    for name in sorted(fragments):
        digest.update(fragments[name].encode())
    title = manifest["name"]
    out = [
        "=" * len(title),
        title,
        "=" * len(title),
        "",
        "..",
        "   !! This file is generated by scripts/wfmon.py readme from readme/*.md:",
        "   !! edit those and run `make readme`; changes made here are overwritten.",
        f"   !! source digest: sha256:{digest.hexdigest()}",
        "",
    ]
    license_ = LICENSES.get(manifest.get("license", ""))
    if license_:
        out += [
            f".. |badge1| image:: https://img.shields.io/badge/licence-{license_[0]}-blue.png",
            f"    :target: {license_[1]}",
            f"    :alt: License: {manifest['license']}",
            "",
            "|badge1|",
            "",
        ]
    out += md_to_rst(fragments["DESCRIPTION"], allow_headings=False)
    out += ["**Table of contents**", "", ".. contents::", "   :local:", ""]
    for name, section in SECTIONS[1:]:
        if name in fragments:
            out += [section, "=" * len(section), ""] + md_to_rst(fragments[name])
    out += ["Credits", "=======", "", "Authors", "-------", ""]
    out += [f"- {author.strip()}" for author in manifest.get("author", "").split(",")] + [""]
    if contributors.exists():
        out += ["Contributors", "------------", ""] + md_to_rst(contributors.read_text())
    text = "\n".join(out)
    return re.sub(r"\n{3,}", "\n\n", text).rstrip() + "\n"


def write_readmes(addons_dir, names, check=False):
    """Write (or, with check, compare) README.rst of each addon; returns the stale ones."""
    stale = []
    for name in names:
        path = pathlib.Path(addons_dir) / name / "README.rst"
        text = readme_rst(path.parent)
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != text:
            stale.append(name)
            if not check:
                path.write_text(text, encoding="utf-8")
    return stale
