"""The SVG charts: labels fit their column; the whole name stays in each bar's title."""

import re

from dashboards.charts import LABEL_CHARS, bar_chart


def test_a_long_label_is_shortened_but_the_bar_title_keeps_it_whole():
    name = "Assessment that guides instruction in every classroom"

    svg = bar_chart(label="Goals per system goal", categories=[name], series=[("Goals", [3])])

    labels = re.findall(r'text-anchor="end"[^>]*>([^<]*)</text>', svg)
    assert labels == [name[: LABEL_CHARS - 1].rstrip() + "…"]
    assert f"<title>{name}, Goals: 3</title>" in svg


def test_a_short_label_is_left_alone():
    svg = bar_chart(label="Goals by status", categories=["Draft"], series=[("Goals", [1])])

    assert re.findall(r'text-anchor="end"[^>]*>([^<]*)</text>', svg) == ["Draft"]
