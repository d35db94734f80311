"""The Operations and Integration Health dashboards, as spreadsheet data.

Odoo ships its dashboards as JSON files saved from the spreadsheet editor
(``spreadsheet_dashboard_sale/data/files/*.json``). These two are described
here instead, section by section, so that a change is a readable diff; the
JSON files under ``data/files`` are written from this module::

    python3 addons/wfmon_spreadsheet_dashboard/tools/dashboards.py

``tests/unit/test_spreadsheet_dashboards.py`` fails when a file is not what
this module writes, and the module's Odoo tests check every model, field,
measure, group-by and domain they name against the registry.

The tables are dynamic pivot tables (``=PIVOT(id, rows)``): they grow with
the data, up to the number of rows given. Figures read the ``Data`` sheet.
Every query runs as the user who opens the dashboard, so record rules decide
what each role sees: a store manager's figures are those of their stores.

Plain Python: no import of Odoo.
"""

import json
import sys
import uuid
from pathlib import Path

VERSION = 21  # o-spreadsheet data version of Odoo 18's own dashboard files
ODOO_VERSION = 12
NAMESPACE = uuid.UUID("6f0d5d8e-5b0e-4a57-9d61-0f6f1e0c7a10")
ROW_HEIGHT = 23  # o-spreadsheet's default row height, in pixels
FILES = Path(__file__).resolve().parent.parent / "data" / "files"

LOCALE = {
    "name": "English (US)",
    "code": "en_US",
    "thousandsSeparator": ",",
    "decimalSeparator": ".",
    "dateFormat": "mm/dd/yyyy",
    "timeFormat": "hh:mm:ss",
    "formulaArgSeparator": ",",
    "weekStart": 7,
}
STYLES = {
    "1": {"textColor": "#01666b", "bold": True, "fontSize": 16},  # section title
    "2": {"bold": True, "fontSize": 11, "textColor": "#434343"},  # table header
    "3": {"textColor": "#666666", "italic": True},  # note
}
FORMATS = {"1": "0.0", "2": "0"}
GREEN_BG, ORANGE_BG, RED_BG, BLUE_BG = "#EEF9F1", "#FFF7ED", "#FDEDED", "#EFF6FF"


def uid(name):
    """A stable id (figures, filters): the same on every build."""
    return str(uuid.uuid5(NAMESPACE, name))


def odoo_link(text, model, view_type, domain, context=None):
    """A cell that opens the records behind a section (what Odoo's own
    dashboards put in their titles)."""
    view = {
        "viewType": view_type,
        "action": {
            "domain": domain,
            "context": context or {},
            "modelName": model,
            "views": [[False, v] for v in dict.fromkeys([view_type, "list", "form"])],
        },
        "threshold": 0,
        "name": text,
    }
    return f"[{text}](odoo://view/{json.dumps(view, separators=(',', ':'))})"


def dimension(spec):
    """``"resolved_at:month"`` → a pivot row/column definition."""
    name, _sep, granularity = spec.partition(":")
    return {"fieldName": name, "granularity": granularity} if granularity else {"fieldName": name}


class Filters:
    """The dashboard's global filters and how each data source matches them."""

    def __init__(self, period=False, site=False):
        self.period = uid("filter.period") if period else None
        self.site = uid("filter.site") if site else None

    def definitions(self):
        result = []
        if self.period:
            result.append(
                {
                    "id": self.period,
                    "type": "date",
                    "label": "Period",
                    "defaultValue": "last_three_months",
                    "rangeType": "relative",
                }
            )
        if self.site:
            result.append(
                {
                    "id": self.site,
                    "type": "relation",
                    "label": "Store / Warehouse",
                    "modelName": "wfmon.site",
                    "defaultValue": [],
                    "defaultValueDisplayNames": [],
                    "rangeType": "year",
                }
            )
        return result

    def matching(self, date=None, site=None):
        """Field matching: ``date`` and ``site`` are field paths of the model."""
        result = {}
        if self.period and date:
            result[self.period] = {"chain": date, "type": "datetime", "offset": 0}
        if self.site and site:
            result[self.site] = {"chain": site, "type": "many2one"}
        return result


class Sheet:
    """A sheet being laid out top to bottom; ``row`` is the next free row."""

    def __init__(self, name, col_sizes, grid_lines=False):
        self.id = uid(f"sheet.{name}")
        self.name = name
        self.col_sizes = col_sizes
        self.grid_lines = grid_lines
        self.cells, self.styles, self.formats, self.rows = {}, {}, {}, {}
        self.figures = []
        self.row = 0

    @staticmethod
    def ref(col, row):
        return f"{chr(ord('A') + col)}{row + 1}"

    def set(self, col, row, content, style=None, fmt=None):
        ref = self.ref(col, row)
        self.cells[ref] = {"content": content}
        if style:
            self.styles[ref] = int(style)
        if fmt:
            self.formats[ref] = int(fmt)
        return ref

    def height(self, row):
        return self.rows.get(str(row), {}).get("size", ROW_HEIGHT)

    def y(self, row):
        return sum(self.height(r) for r in range(row))

    def x(self, col):
        return sum(self.col_sizes[:col])

    def title(self, content, col=0):
        self.rows[str(self.row)] = {"size": 40}
        self.set(col, self.row, content, style=1)
        self.row += 1

    def note(self, text, col=0):
        self.set(col, self.row, text, style=3)
        self.row += 1

    def pivot_table(self, pivot_id, max_rows, col=0):
        """``=PIVOT(id, max_rows)``: the table spills below and to the right."""
        self.set(col, self.row, f'=PIVOT("{pivot_id}", {max_rows})')
        # column headers (group, measure) + rows (the total included) + a gap
        self.row += 2 + max_rows + 2

    def list_table(self, list_id, columns, rows, col=0):
        for index, field in enumerate(columns):
            self.set(col + index, self.row, f'=ODOO.LIST.HEADER({list_id},"{field}")', style=2)
        for position in range(1, rows + 1):
            for index, field in enumerate(columns):
                self.set(
                    col + index, self.row + position, f'=ODOO.LIST({list_id},{position},"{field}")'
                )
        self.row += rows + 2

    def figure(self, name, data, width, height, col=0):
        self.figures.append(
            {
                "id": uid(f"figure.{self.name}.{name}"),
                "x": self.x(col),
                "y": self.y(self.row),
                "width": width,
                "height": height,
            }
            | {"tag": "chart", "data": data}
        )

    def skip_pixels(self, height):
        self.row += -(-height // ROW_HEIGHT) + 1

    def to_json(self):
        return {
            "id": self.id,
            "name": self.name,
            "colNumber": max(len(self.col_sizes), 8),
            "rowNumber": max(self.row + 10, 100),
            "rows": self.rows,
            "cols": {str(i): {"size": size} for i, size in enumerate(self.col_sizes)},
            "merges": [],
            "cells": self.cells,
            "styles": self.styles,
            "formats": self.formats,
            "borders": {},
            "conditionalFormats": [],
            "figures": self.figures,
            "tables": [],
            "areGridLinesVisible": self.grid_lines,
            "isVisible": True,
            "headerGroups": {"ROW": [], "COL": []},
            "dataValidationRules": [],
            "comments": {},
        }


def scorecard(title, key_value, background):
    return {
        "type": "scorecard",
        "title": {"text": title, "bold": True, "color": "#434343"},
        "keyValue": key_value,
        "baselineMode": "text",
        "baselineColorUp": "#00A04A",
        "baselineColorDown": "#DC6965",
        "background": background,
        "humanize": False,
    }


def odoo_chart(kind, model, group_by, measure, domain, matching, stacked=False):
    chart = {
        "type": f"odoo_{kind}",
        "title": {"text": ""},
        "background": "#FFFFFF",
        "legendPosition": "top" if stacked else "none",
        "metaData": {
            "groupBy": group_by,
            "measure": measure,
            "order": None,
            "resModel": model,
            "mode": kind,
        },
        "searchParams": {
            "comparison": None,
            "context": {},
            "domain": domain,
            "groupBy": group_by,
            "orderBy": [],
        },
        "verticalAxisPosition": "left",
        "stacked": stacked,
        "fieldMatching": matching,
    }
    if kind == "line":
        chart.update(fillArea=True, cumulative=False)
    return chart


class Dashboard:
    def __init__(self, filters):
        self.filters = filters
        self.pivots, self.lists = {}, {}
        self.sheet = Sheet("Dashboard", [190, 110, 110, 110, 110, 110, 110, 110])
        self.data = Sheet("Data", [260, 120], grid_lines=True)
        self.data.set(0, 0, "Figure", style=2)
        self.data.set(1, 0, "Value", style=2)
        self.data.row = 1

    def pivot(self, name, model, domain, rows, columns, measures, matching, context=None):
        pivot_id = str(len(self.pivots) + 1)
        self.pivots[pivot_id] = {
            "type": "ODOO",
            "fieldMatching": matching,
            "context": context or {},
            "domain": domain,
            "id": pivot_id,
            "measures": [
                {"id": f"{field}:{agg}", "fieldName": field, "aggregator": agg}
                for field, agg in measures
            ],
            "model": model,
            "name": name,
            "sortedColumn": None,
            "formulaId": pivot_id,
            "columns": [dimension(spec) for spec in columns],
            "rows": [dimension(spec) for spec in rows],
        }
        return pivot_id

    def odoo_list(self, name, model, domain, columns, order, matching, context=None):
        list_id = str(len(self.lists) + 1)
        self.lists[list_id] = {
            "columns": columns,
            "domain": domain,
            "model": model,
            "context": context or {},
            "orderBy": [{"name": field, "asc": asc} for field, asc in order],
            "id": list_id,
            "name": name,
            "fieldMatching": matching,
        }
        return list_id

    def kpi(self, label, formula, fmt=None):
        """A figure of the Data sheet; returns its reference for a scorecard."""
        self.data.set(0, self.data.row, label)
        ref = self.data.set(1, self.data.row, formula, fmt=fmt)
        self.data.row += 1
        return f"Data!{ref}"

    def scorecards(self, cards):
        """A row of scorecards: ``[(title, data ref, background)]``."""
        width = 180
        for index, (title, ref, background) in enumerate(cards):
            self.sheet.figures.append(
                {
                    "id": uid(f"figure.scorecard.{title}"),
                    "x": 10 + index * (width + 10),
                    "y": self.sheet.y(self.sheet.row) + 10,
                    "width": width,
                    "height": 105,
                    "tag": "chart",
                    "data": scorecard(title, ref, background),
                }
            )
        self.sheet.skip_pixels(125)

    def to_json(self):
        return {
            "version": VERSION,
            "sheets": [self.sheet.to_json(), self.data.to_json()],
            "styles": STYLES,
            "formats": FORMATS,
            "borders": {},
            "revisionId": "START_REVISION",
            "uniqueFigureIds": True,
            "settings": {"locale": LOCALE},
            "pivots": self.pivots,
            "pivotNextId": len(self.pivots) + 1,
            "customTableStyles": {},
            "odooVersion": ODOO_VERSION,
            "globalFilters": self.filters.definitions(),
            "lists": self.lists,
            "listNextId": len(self.lists) + 1,
            "chartOdooMenusReferences": {},
        }


OPEN = [["is_open", "=", True]]
RESOLVED = [["state", "=", "resolved"]]
BREACHES = [["action", "=", "sla"], ["new_value", "=", "breached"]]
DECIDED = [["state", "in", ["approved", "rejected"]]]
PENDING = [["state", "=", "pending"]]
COUNT = ("__count", "sum")


def operations():
    """Cases and approvals, for everyone who works them (store staff and
    managers see their stores', operations managers all of their companies)."""
    filters = Filters(period=True, site=True)
    board = Dashboard(filters)
    sheet = board.sheet
    on_site = filters.matching(site="site_id")

    kpi_cases = board.pivot(
        "Open cases by SLA status", "wfmon.case", OPEN, [], ["sla_status"], [COUNT], on_site
    )
    kpi_age = board.pivot(
        "Open cases by age", "wfmon.case", OPEN, [], ["age_bucket"], [COUNT], on_site
    )
    sla = board.pivot(
        "SLA met % by month (resolved cases)",
        "wfmon.case",
        RESOLVED,
        ["resolved_at:month"],
        [],
        [("resolved_in_sla", "avg"), COUNT],
        filters.matching(date="resolved_at", site="site_id"),
    )
    pending = board.pivot(
        "Pending approvals by store / warehouse and age",
        "wfmon.approval.request",
        PENDING,
        ["site_id"],
        ["age_bucket"],
        [COUNT],
        on_site,
    )
    sheet_cards = [
        (
            "Open cases",
            board.kpi("Open cases", f'=PIVOT.VALUE({kpi_cases},"__count:sum")'),
            BLUE_BG,
        ),
        (
            "Breached",
            board.kpi(
                "Open cases, SLA breached",
                f'=PIVOT.VALUE({kpi_cases},"__count:sum","sla_status","breached")',
            ),
            RED_BG,
        ),
        (
            "At risk",
            board.kpi(
                "Open cases, SLA at risk",
                f'=PIVOT.VALUE({kpi_cases},"__count:sum","sla_status","at_risk")',
            ),
            ORANGE_BG,
        ),
        (
            "Open > 7 days",
            board.kpi(
                "Open cases older than 7 days",
                f'=PIVOT.VALUE({kpi_age},"__count:sum","age_bucket","d7")',
            ),
            ORANGE_BG,
        ),
        (
            "SLA met (%)",
            board.kpi(
                "Cases resolved within SLA in the period (%)",
                f'=PIVOT.VALUE({sla},"resolved_in_sla:avg")',
                fmt=1,
            ),
            GREEN_BG,
        ),
        (
            "Pending approvals",
            board.kpi("Pending approvals", f'=PIVOT.VALUE({pending},"__count:sum")'),
            BLUE_BG,
        ),
    ]
    board.scorecards(sheet_cards)

    sheet.title(
        odoo_link(
            "Open cases by store / warehouse and age",
            "wfmon.case",
            "pivot",
            OPEN,
            {"pivot_row_groupby": ["site_id"], "pivot_column_groupby": ["age_bucket"]},
        )
    )
    site_age = board.pivot(
        "Open cases by store / warehouse and age",
        "wfmon.case",
        OPEN,
        ["site_id"],
        ["age_bucket"],
        [COUNT],
        on_site,
    )
    sheet.pivot_table(site_age, 12)

    sheet.title(
        odoo_link(
            "Open cases by type and severity",
            "wfmon.case",
            "pivot",
            OPEN,
            {"pivot_row_groupby": ["type_id"], "pivot_column_groupby": ["severity"]},
        )
    )
    type_severity = board.pivot(
        "Open cases by type and severity",
        "wfmon.case",
        OPEN,
        ["type_id"],
        ["severity"],
        [COUNT],
        on_site,
    )
    sheet.pivot_table(type_severity, 16)

    sheet.title("SLA met % by month (resolved cases)")
    sheet.figure(
        "sla_met",
        odoo_chart(
            "line",
            "wfmon.case",
            ["resolved_at:month"],
            "resolved_in_sla",
            RESOLVED,
            filters.matching(date="resolved_at", site="site_id"),
        ),
        width=430,
        height=280,
    )
    sheet.figure(
        "breaches",
        odoo_chart(
            "bar",
            "wfmon.case.log",
            ["date:week"],
            "__count",
            BREACHES,
            filters.matching(date="date", site="case_id.site_id"),
        ),
        width=430,
        height=280,
        col=4,
    )
    sheet.set(4, sheet.row - 1, "SLA breaches by week", style=1)
    sheet.skip_pixels(280)
    sheet.pivot_table(sla, 12)

    sheet.title(
        odoo_link(
            "SLA breaches by week",
            "wfmon.case.log",
            "list",
            BREACHES,
        )
    )
    breaches = board.pivot(
        "SLA breaches by week",
        "wfmon.case.log",
        BREACHES,
        ["date:week"],
        [],
        [COUNT],
        filters.matching(date="date", site="case_id.site_id"),
    )
    sheet.pivot_table(breaches, 12)

    sheet.title(
        odoo_link(
            "Approval turnaround (hours) by store / warehouse and value band",
            "wfmon.approval.request",
            "pivot",
            DECIDED,
            {"pivot_row_groupby": ["site_id"], "pivot_column_groupby": ["value_band"]},
        )
    )
    sheet.note("Decided requests (approved or rejected) of the period: average hours to decide.")
    latency = board.pivot(
        "Approval turnaround by store / warehouse and value band",
        "wfmon.approval.request",
        DECIDED,
        ["site_id"],
        ["value_band"],
        [("turnaround_hours", "avg")],
        filters.matching(date="date_decided", site="site_id"),
    )
    sheet.pivot_table(latency, 12)

    sheet.title(
        odoo_link(
            "Pending approvals by store / warehouse and age",
            "wfmon.approval.request",
            "pivot",
            PENDING,
            {"pivot_row_groupby": ["site_id"], "pivot_column_groupby": ["age_bucket"]},
        )
    )
    sheet.pivot_table(pending, 12)
    return board


def integration_health():
    """Endpoints, dead letters and quarantined inbound events, for the
    monitoring managers (the integration models are theirs)."""
    filters = Filters(period=True)
    board = Dashboard(filters)
    sheet = board.sheet
    failing_domain = [["type_id.code", "=", "integration.endpoint_failing"], *OPEN]
    dead_domain = [["state", "=", "dead"]]
    quarantined_domain = [["state", "=", "quarantined"]]
    failing = board.odoo_list(
        "Failing endpoints (open cases)",
        "wfmon.case",
        failing_domain,
        ["source_name", "first_seen", "sla_status", "user_id"],
        [("first_seen", False)],
        {},
    )
    dead = board.pivot(
        "Dead letters by endpoint",
        "wfmon.webhook.delivery",
        dead_domain,
        ["endpoint_id"],
        [],
        [COUNT],
        {},
    )
    quarantined = board.pivot(
        "Quarantined inbound events by source",
        "wfmon.inbound.event",
        quarantined_domain,
        ["source_id"],
        [],
        [COUNT],
        {},
    )
    backlog = board.pivot(
        "Deliveries waiting to be sent",
        "wfmon.webhook.delivery",
        [["state", "in", ["pending", "failed"]]],
        [],
        [],
        [COUNT],
        {},
    )
    failing_count = board.pivot(
        "Open 'endpoint failing' cases",
        "wfmon.case",
        failing_domain,
        [],
        [],
        [COUNT],
        {},
    )
    board.scorecards(
        [
            (
                "Failing endpoints",
                board.kpi("Endpoints failing", f'=PIVOT.VALUE({failing_count},"__count:sum")'),
                RED_BG,
            ),
            (
                "Dead letters",
                board.kpi("Dead letters", f'=PIVOT.VALUE({dead},"__count:sum")'),
                ORANGE_BG,
            ),
            (
                "Quarantined inbound",
                board.kpi(
                    "Quarantined inbound events", f'=PIVOT.VALUE({quarantined},"__count:sum")'
                ),
                ORANGE_BG,
            ),
            (
                "Waiting to be sent",
                board.kpi(
                    "Deliveries pending or retrying", f'=PIVOT.VALUE({backlog},"__count:sum")'
                ),
                BLUE_BG,
            ),
        ]
    )

    sheet.title(
        odoo_link("Failing endpoints", "wfmon.case", "list", failing_domain),
    )
    sheet.list_table(failing, ["source_name", "first_seen", "sla_status", "user_id"], 5)

    sheet.title("Webhook endpoints")
    sheet.note("Health over the last 24 hours; archived endpoints included.")
    endpoints = board.odoo_list(
        "Webhook endpoints",
        "wfmon.webhook.endpoint",
        [],
        [
            "name",
            "active",
            "health",
            "success_rate_24h",
            "p95_latency_ms",
            "consecutive_failures",
            "pending_count",
            "dead_count",
        ],
        [("name", True)],
        {},
        context={"active_test": False},
    )
    sheet.list_table(
        endpoints,
        [
            "name",
            "active",
            "health",
            "success_rate_24h",
            "p95_latency_ms",
            "consecutive_failures",
            "pending_count",
            "dead_count",
        ],
        10,
    )

    sheet.title(
        odoo_link("Dead letters by endpoint", "wfmon.webhook.delivery", "list", dead_domain)
    )
    sheet.pivot_table(dead, 10)
    sheet.title(
        odoo_link(
            "Quarantined inbound events by source",
            "wfmon.inbound.event",
            "list",
            quarantined_domain,
        )
    )
    sheet.pivot_table(quarantined, 10)

    sheet.title("Failed delivery attempts by day")
    sheet.figure(
        "failed_attempts",
        odoo_chart(
            "bar",
            "wfmon.webhook.attempt",
            ["create_date:day"],
            "__count",
            [["success", "=", False]],
            filters.matching(date="create_date"),
        ),
        width=860,
        height=280,
    )
    sheet.skip_pixels(280)
    return board


DASHBOARDS = {
    "operations_dashboard.json": operations,
    "integration_health_dashboard.json": integration_health,
}


def render(build):
    """The JSON text of a dashboard, as the data file holds it."""
    return json.dumps(build().to_json(), indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv=None):
    check = "--check" in (argv or [])
    stale = []
    for filename, build in DASHBOARDS.items():
        path = FILES / filename
        text = render(build)
        if check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(filename)
        else:
            path.write_text(text, encoding="utf-8")
            sys.stdout.write(f"wrote {path}\n")
    if stale:
        sys.stderr.write("out of date: " + ", ".join(stale) + "\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
