"""Reading the dashboards' spreadsheet data the way the spreadsheet client does."""

import json
import re
from itertools import product

DASHBOARDS = {
    "operations": "wfmon_spreadsheet_dashboard.spreadsheet_dashboard_operations",
    "integration": "wfmon_spreadsheet_dashboard.spreadsheet_dashboard_integration_health",
}
#: data source references in cell formulas: (function, id, rest of the arguments)
FORMULA_REF = re.compile(
    r"\b(PIVOT\.VALUE|PIVOT\.HEADER|PIVOT|ODOO\.LIST\.HEADER|ODOO\.LIST)\(([^)]*)\)"
)
ODOO_LINK = re.compile(r"\(odoo://view/(\{.*\})\)$")


def spreadsheet_data(env, key):
    """The JSON of a shipped dashboard, as stored on its record."""
    return json.loads(env.ref(DASHBOARDS[key]).sudo().spreadsheet_data)


def cells(data):
    """``(sheet name, cell reference, content)`` of every cell."""
    for sheet in data["sheets"]:
        for ref, cell in sheet["cells"].items():
            if cell.get("content"):
                yield sheet["name"], ref, cell["content"]


def formula_refs(data):
    """``(sheet, ref, function, source id, [arguments])`` of every data formula."""
    for sheet, ref, content in cells(data):
        if not content.startswith("="):
            continue
        for function, args in FORMULA_REF.findall(content):
            parts = [part.strip().strip('"') for part in args.split(",")]
            yield sheet, ref, function, parts[0], parts[1:]


def odoo_charts(data):
    """The definitions of the charts that read Odoo models."""
    for sheet in data["sheets"]:
        for figure in sheet["figures"]:
            chart = figure["data"]
            if chart["type"].startswith("odoo_"):
                yield chart


def scorecards(data):
    for sheet in data["sheets"]:
        for figure in sheet["figures"]:
            if figure["data"]["type"] == "scorecard":
                yield figure["data"]


def view_links(data):
    """The actions of the ``odoo://view/...`` links of the section titles."""
    for _sheet, _ref, content in cells(data):
        match = ODOO_LINK.search(content)
        if match:
            yield json.loads(match.group(1))


def groupby_spec(dimension):
    name = dimension["fieldName"]
    return f"{name}:{dimension['granularity']}" if dimension.get("granularity") else name


def measure_specs(pivot):
    """Aggregate specs as the spreadsheet pivot sends them to ``read_group``."""
    specs = []
    for measure in pivot["measures"]:
        if measure["fieldName"] == "__count":
            specs.append("__count")
        else:
            field, aggregator = measure["fieldName"], measure["aggregator"]
            specs.append(f"{field}_{aggregator}_id:{aggregator}({field})")
    return specs


def run_pivot(env, pivot):
    """Run a pivot's queries as ``env``'s user, as the spreadsheet does: one
    ``read_group`` per combination of row and column group-by prefixes.

    Return ``{(row specs, column specs): groups}``.
    """
    Model = env[pivot["model"]].with_context(**pivot.get("context") or {})
    rows = [groupby_spec(d) for d in pivot["rows"]]
    columns = [groupby_spec(d) for d in pivot["columns"]]
    results = {}
    for row_depth, col_depth in product(range(len(rows) + 1), range(len(columns) + 1)):
        groupby = rows[:row_depth] + columns[:col_depth]
        results[(tuple(rows[:row_depth]), tuple(columns[:col_depth]))] = Model.read_group(
            pivot["domain"], measure_specs(pivot), groupby, lazy=False
        )
    return results


def cell_counts(env, pivot):
    """``{(row value, column value): count}`` of a pivot with one row and one
    column group-by (many2one values by id), as ``env``'s user."""
    (row,) = [groupby_spec(d) for d in pivot["rows"]]
    (column,) = [groupby_spec(d) for d in pivot["columns"]]
    groups = run_pivot(env, pivot)[((row,), (column,))]

    def key(value):
        return value[0] if isinstance(value, tuple | list) else value

    return {(key(g[row]), key(g[column])): g["__count"] for g in groups}
