/** @odoo-module */
/**
 * Graphs colour their series by position in a palette: whether "Met" came out
 * red or blue depended on which statuses the data happened to contain. For
 * the values below the colour carries the meaning instead (met is green,
 * breached red, at risk orange), whatever else is on the chart: in stacked
 * bars and lines split by one of these fields, in bars whose axis is one, and
 * in pies.
 */
import { patch } from "@web/core/utils/patch";
import { GraphRenderer } from "@web/views/graph/graph_renderer";

const GREEN = "#00A04A";
const BLUE = "#4EA7F2";
const YELLOW = "#FFBC2C";
const ORANGE = "#F48935";
const RED = "#EA6175";
const DARK_RED = "#982738";
const GREY = "#A4A8B6";
const DARK_GREY = "#545B70";

export const SEMANTIC_COLORS = {
    "wfmon.case": {
        sla_status: {
            on_track: BLUE,
            at_risk: ORANGE,
            breached: RED,
            paused: GREY,
            met: GREEN,
        },
        severity: { low: GREY, medium: BLUE, high: ORANGE, critical: RED },
        age_bucket: { d0_1: GREEN, d1_3: YELLOW, d3_7: ORANGE, d7: RED },
    },
    "wfmon.approval.request": {
        state: {
            pending: ORANGE,
            approved: GREEN,
            rejected: RED,
            cancelled: GREY,
            expired: DARK_GREY,
        },
        age_bucket: { d0_1: GREEN, d1_3: YELLOW, d3_7: ORANGE, d7: RED },
    },
    "wfmon.webhook.delivery": {
        state: { pending: BLUE, done: GREEN, failed: ORANGE, dead: RED },
    },
    "wfmon.inbound.event": {
        state: { received: BLUE, processed: GREEN, quarantined: RED, duplicate: GREY },
    },
};

/**
 * For each group-by of the graph: a map from the label a value is shown with
 * to its colour, or null when the field has no semantic colours.
 */
export function semanticColorsByLabel(metaData) {
    const { resModel, fields, groupBy } = metaData;
    const byField = SEMANTIC_COLORS[resModel] || {};
    return (groupBy || []).map((gb) => {
        const colors = byField[gb.fieldName];
        const selection = fields[gb.fieldName]?.selection;
        if (!colors || !selection) {
            return null;
        }
        const byLabel = {};
        for (const [value, label] of selection) {
            if (value in colors) {
                byLabel[label] = colors[value];
            }
        }
        return byLabel;
    });
}

function recolor(metaData, data, mode) {
    const maps = semanticColorsByLabel(metaData);
    const split = maps[1]; // series are the values of the second group-by
    const axis = maps[0]; // points are the values of the first
    if (mode !== "pie" && split) {
        for (const dataset of data.datasets) {
            const color = split[dataset.label];
            if (!color) {
                continue;
            }
            if (mode === "line") {
                dataset.borderColor = color;
                dataset.pointBackgroundColor = color;
                dataset.hoverBackgroundColor = color;
            } else {
                dataset.backgroundColor = color;
            }
        }
    } else if (mode === "bar" && axis && maps.length === 1) {
        for (const dataset of data.datasets) {
            const fallback = dataset.backgroundColor;
            dataset.backgroundColor = data.labels.map((label) => axis[label] || fallback);
        }
    } else if (mode === "pie" && axis && maps.length === 1) {
        for (const dataset of data.datasets) {
            if (!Array.isArray(dataset.backgroundColor)) {
                continue;
            }
            const colors = dataset.backgroundColor.map(
                (color, index) => axis[data.labels[index]] || color
            );
            dataset.backgroundColor = colors;
            dataset.hoverBackgroundColor = colors;
        }
    }
    return data;
}

patch(GraphRenderer.prototype, {
    getBarChartData() {
        return recolor(this.model.metaData, super.getBarChartData(...arguments), "bar");
    },
    getLineChartData() {
        return recolor(this.model.metaData, super.getLineChartData(...arguments), "line");
    },
    getPieChartData() {
        return recolor(this.model.metaData, super.getPieChartData(...arguments), "pie");
    },
});
