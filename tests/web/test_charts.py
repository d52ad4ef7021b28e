"""The console's inline SVG bar charts: bars in proportion, values written as asked, rates against
their natural maximum rather than the largest value."""

from __future__ import annotations

import re

from yikatong.web.charts import bar_chart


def _widths(svg: str) -> list[float]:
    return [float(w) for w in re.findall(r'<rect [^>]*width="([\d.]+)"', svg)]


def test_bars_are_in_proportion_and_money_is_written_in_yuan():
    svg = str(bar_chart([("第一食堂", 125_000), ("员工超市", 62_500)], title="日结"))
    big, small = _widths(svg)
    assert abs(small / big - 0.5) < 0.01
    assert "¥1,250.00" in svg or "¥1250.00" in svg


def test_rates_are_drawn_against_their_full_scale():
    svg = str(bar_chart([("10086 热线", 0.6), ("400 热线", 0.3)], title="SLA", value_text=lambda v: f"{v:.0%}",
                        full=1.0))
    sixty, thirty = _widths(svg)
    full = bar_chart([("满分", 1.0)], title="SLA", value_text=str, full=1.0)
    (hundred,) = _widths(str(full))
    assert abs(sixty / hundred - 0.6) < 0.01 and abs(thirty / hundred - 0.3) < 0.01
    assert ">60%<" in svg and "<title>" in svg and "<script" not in svg


def test_labels_are_escaped():
    svg = str(bar_chart([("<b>坏</b>", 1)], title="x", value_text=str))
    assert "<b>" not in svg and "&lt;b&gt;" in svg
