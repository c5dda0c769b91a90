"""Charts drawn on the server as SVG: no script, no library, nothing loaded from elsewhere."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from intake.web.dashboard import FlowDay

IN_COLOUR = "#1f5f99"
OUT_COLOUR = "#3d9a5b"


def flow_chart(days: Sequence[FlowDay], *, title: str, in_label: str, out_label: str) -> str:
    """Paired bars per day (opened, closed), a few gridlines, dates every week."""
    width, height = 760, 260
    left, right, top, bottom = 40, 10, 28, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([1, *(d.inflow for d in days), *(d.outflow for d in days)])
    scale = _nice_ceiling(peak)
    slot = plot_w / max(1, len(days))
    bar = max(1.0, slot * 0.38)
    parts = [
        (
            f'<svg class="chart" role="img" aria-labelledby="flow-title" viewBox="0 0 {width} {height}" '
            f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet">'
        ),
        f'<title id="flow-title">{escape(title)}</title>',
    ]
    for i in range(5):
        value = scale * i / 4
        y = top + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d0d5da" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="#444">{value:g}</text>'
        )
    for i, day in enumerate(days):
        x = left + slot * i + slot / 2
        for offset, value, colour, label in (
            (-bar, day.inflow, IN_COLOUR, in_label),
            (0, day.outflow, OUT_COLOUR, out_label),
        ):
            h = plot_h * value / scale
            parts.append(
                f'<rect class="bar" x="{x + offset:.1f}" y="{top + plot_h - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{colour}"><title>{day.day.isoformat()} {escape(label)}: {value}</title></rect>'
            )
        if (len(days) - 1 - i) % 7 == 0:
            parts.append(
                f'<text x="{x:.1f}" y="{height - 10}" text-anchor="middle" font-size="11" fill="#444">'
                f"{day.day.strftime('%d/%m')}</text>"
            )
    parts.append(_legend(left, 14, ((in_label, IN_COLOUR), (out_label, OUT_COLOUR))))
    parts.append("</svg>")
    return "".join(parts)


def bar_list(items: Sequence[tuple[str, int]], *, title: str) -> str:
    """Horizontal bars with their labels and counts (the age buckets)."""
    width, row = 360, 26
    label_w = 110
    height = row * len(items) + 8
    peak = max([1, *(n for _, n in items)])
    parts = [
        (
            f'<svg class="chart chart-small" role="img" aria-labelledby="ages-title" '
            f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
        ),
        f'<title id="ages-title">{escape(title)}</title>',
    ]
    for i, (label, count) in enumerate(items):
        y = 4 + i * row
        w = (width - label_w - 50) * count / peak
        parts.append(f'<text x="0" y="{y + 16}" font-size="12" fill="#222">{escape(label)}</text>')
        parts.append(
            f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="16" fill="{IN_COLOUR}"/>'
        )
        parts.append(
            f'<text x="{label_w + w + 6:.1f}" y="{y + 16}" font-size="12" fill="#222">{count}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _legend(x: int, y: int, entries: Sequence[tuple[str, str]]) -> str:
    out = []
    for label, colour in entries:
        out.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{colour}"/>')
        out.append(f'<text x="{x + 14}" y="{y}" font-size="12" fill="#222">{escape(label)}</text>')
        x += 24 + 8 * len(label)
    return "".join(out)


def _nice_ceiling(value: int) -> int:
    """A round axis maximum at or above the value: 1, 2, 5, 10, 20, 50, ..."""
    step = 1
    while True:
        for m in (1, 2, 5):
            if step * m >= value:
                return step * m
        step *= 10
