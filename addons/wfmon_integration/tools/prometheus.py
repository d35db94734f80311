"""Rendering of Prometheus text exposition format (version 0.0.4)."""

import re

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_NAME_RE = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")


def escape_label(value):
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def render(families):
    """Text of ``families``: an iterable of ``(name, type, help, samples)``
    where ``samples`` is a list of ``(labels_dict, value)``."""
    lines = []
    for name, kind, help_text, samples in families:
        if not _NAME_RE.match(name):
            raise ValueError(f"invalid metric name {name!r}")
        lines.append(f"# HELP {name} {help_text}")
        lines.append(f"# TYPE {name} {kind}")
        for labels, value in samples:
            if labels:
                inner = ",".join(
                    f'{key}="{escape_label(val)}"' for key, val in sorted(labels.items())
                )
                lines.append(f"{name}{{{inner}}} {float(value):g}")
            else:
                lines.append(f"{name} {float(value):g}")
    return "\n".join(lines) + "\n"
