"""Small bar charts drawn on the server as SVG: no script, no inline style, a title for each bar.

Every chart stands next to a table of the same numbers, which is what screen readers use;
the chart itself is one image with a label.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BAR_HEIGHT = 22
GAP = 8
# Narrow enough that the 12 px text stays legible when a phone scales the chart down.
LABEL_WIDTH = 190
BAR_AREA = 180
VALUE_WIDTH = 50
# Colours of the series, readable on white (contrast above 4.5:1 for the text ones).
FILLS = ("#0b5ed7", "#146c43")
TEXT_FILL = "#212529"


# About as many characters of a 12 px label as fit in LABEL_WIDTH; longer ones are shortened
# with an ellipsis (the bar's title and the table beside the chart give the whole name).
LABEL_CHARS = 26


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1].rstrip() + "…"


def _number(value, unit: str = "") -> str:
    return (f"{value:g}" if isinstance(value, float) else str(value)) + unit


def bar_chart(
    *,
    label: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    unit: str = "",
    scale_max: float | None = None,
) -> SafeString:
    """A horizontal bar chart of one or two series over the categories.

    `unit` follows each value ("%"); `scale_max` fixes the full bar length (100 for shares).
    """
    peak = scale_max or max([float(v) for _, values in series for v in values] + [0.0]) or 1.0
    group = len(series) * BAR_HEIGHT + GAP
    bars_height = max(len(categories) * group, group)
    # Two series get a legend under the bars, so colour is never the only key.
    legend = len(series) > 1
    height = bars_height + (BAR_HEIGHT if legend else 0)
    width = LABEL_WIDTH + BAR_AREA + VALUE_WIDTH
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="dashboard-chart" role="img" '
        f'aria-label="{escape(label)}" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet">',
        f"<title>{escape(label)}</title>",
    ]
    for index, category in enumerate(categories):
        top = index * group
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{top + BAR_HEIGHT * len(series) / 2 + 4:g}" '
            f'text-anchor="end" font-size="12" fill="{TEXT_FILL}">{escape(_short(category))}</text>'
        )
        for number, (name, values) in enumerate(series):
            value = values[index]
            bar = round(BAR_AREA * float(value) / peak, 1)
            y = top + number * BAR_HEIGHT
            text = f"{escape(category)}, {escape(name)}: {escape(_number(value, unit))}"
            parts.append(
                f'<g><title>{text}</title><rect x="{LABEL_WIDTH}" y="{y}" width="{bar:g}" '
                f'height="{BAR_HEIGHT - 4}" fill="{FILLS[number % len(FILLS)]}"/>'
                f'<text x="{LABEL_WIDTH + bar + 4:g}" y="{y + BAR_HEIGHT - 8}" font-size="12" '
                f'fill="{TEXT_FILL}">{escape(_number(value, unit))}</text></g>'
            )
    if legend:
        x = LABEL_WIDTH
        for number, (name, _) in enumerate(series):
            parts.append(
                f'<rect x="{x}" y="{bars_height + 4}" width="12" height="12" '
                f'fill="{FILLS[number % len(FILLS)]}"/><text x="{x + 16}" y="{bars_height + 14}" '
                f'font-size="12" fill="{TEXT_FILL}">{escape(name)}</text>'
            )
            x += 24 + 8 * len(name)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
