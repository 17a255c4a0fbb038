"""Bar charts as inline SVG, drawn on the server (no JavaScript, prints, works in PDFs).

Each chart has a <title> and <desc> for screen readers and is always shown next to a table
of the same numbers. A suppressed value gets no bar, only its "<5" label.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from django.utils.safestring import SafeString, mark_safe

from feedback.disclosure import Figure

# Each bar has its label on the line above it, so the drawing is narrow (360 units, a
# phone's width): 16 units of text read as about 16 px on a phone and on a desktop column.
LABEL_HEIGHT = 22
BAR_HEIGHT = 18
GAP = 10
PLOT_WIDTH = 280
VALUE_WIDTH = 80
FONT_SIZE = 16
LABEL_CHARS = 40
COLOURS = ("#1d70b8", "#003078")


def _value_text(value: Figure) -> str:
    if value is None:
        return "not measured"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    bars: Sequence[tuple[str, Figure]],
) -> SafeString:
    """A horizontal bar per (label, value). Values: numbers, "<5" or None."""
    numbers = [float(v) for _, v in bars if isinstance(v, int | float)]
    top = max(numbers, default=0.0) or 1.0
    step = LABEL_HEIGHT + BAR_HEIGHT + GAP
    height = len(bars) * step
    width = PLOT_WIDTH + VALUE_WIDTH
    summary = "; ".join(f"{label}: {_value_text(value)}" for label, value in bars)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)} {escape(summary)}</desc>',
    ]
    for index, (label, value) in enumerate(bars):
        label_y = index * step + LABEL_HEIGHT - 6
        y = index * step + LABEL_HEIGHT
        short = (
            label
            if len(label) <= LABEL_CHARS
            else label[: LABEL_CHARS - 1] + "\N{HORIZONTAL ELLIPSIS}"
        )
        bar_width = 0.0
        bar = ""
        if isinstance(value, int | float) and value:
            bar_width = max(1.0, PLOT_WIDTH * float(value) / top)
            bar = (
                f'<rect x="0" y="{y}" width="{bar_width:.1f}" '
                f'height="{BAR_HEIGHT}" fill="{COLOURS[index % 2]}"></rect>'
            )
        parts.append(
            f'<text x="0" y="{label_y}" font-size="{FONT_SIZE}" '
            f'fill="#0b0c0c">{escape(short)}</text>{bar}'
            f'<text x="{bar_width + 4:.1f}" y="{y + BAR_HEIGHT - 3}" font-size="{FONT_SIZE}" '
            f'fill="#0b0c0c">{escape(_value_text(value))}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text above is escaped
