"""The dashboards' JSON files are what tools/dashboards.py writes, and hold
together: every formula names a data source that exists, figures read cells
that exist, ids are unique. (The Odoo tests check the models and fields.)"""

import json
import re

import pytest
from conftest import load_tool

dashboards = load_tool("wfmon_spreadsheet_dashboard", "dashboards")
SOURCE = re.compile(r'\b(PIVOT\.VALUE|PIVOT|ODOO\.LIST\.HEADER|ODOO\.LIST)\("?(\d+)"?')


def test_files_are_up_to_date():
    """Run `python3 addons/wfmon_spreadsheet_dashboard/tools/dashboards.py`
    after changing the definitions."""
    assert dashboards.main(["--check"]) == 0


@pytest.fixture(params=sorted(dashboards.DASHBOARDS))
def data(request):
    return json.loads((dashboards.FILES / request.param).read_text(encoding="utf-8"))


def test_formulas_name_existing_sources(data):
    seen = set()
    for sheet in data["sheets"]:
        for cell in sheet["cells"].values():
            for function, source in SOURCE.findall(cell["content"]):
                kind = "lists" if function.startswith("ODOO.LIST") else "pivots"
                assert source in data[kind], cell["content"]
                seen.add((kind, source))
    unused = {("pivots", p) for p in data["pivots"]} | {("lists", lst) for lst in data["lists"]}
    assert unused - seen == set(), "every data source shows in a cell"


def test_figures_read_cells_that_exist_and_ids_are_unique(data):
    sheets = {sheet["name"]: sheet for sheet in data["sheets"]}
    ids = []
    for sheet in data["sheets"]:
        for figure in sheet["figures"]:
            ids.append(figure["id"])
            chart = figure["data"]
            if chart["type"] == "scorecard":
                name, _sep, ref = chart["keyValue"].partition("!")
                assert ref in sheets[name]["cells"]
            else:
                assert chart["type"] in ("odoo_bar", "odoo_line", "odoo_pie")
                assert chart["metaData"]["resModel"].startswith("wfmon.")
    assert len(ids) == len(set(ids))
    filters = {f["id"] for f in data["globalFilters"]}
    for source in [*data["pivots"].values(), *data["lists"].values()]:
        assert set(source["fieldMatching"]) <= filters


def test_pivot_ids_follow_their_keys(data):
    for key, pivot in data["pivots"].items():
        assert pivot["id"] == pivot["formulaId"] == key
    assert data["pivotNextId"] == len(data["pivots"]) + 1
    assert data["listNextId"] == len(data["lists"]) + 1
