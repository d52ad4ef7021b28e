"""Small charts drawn on the server as inline SVG (no JavaScript, nothing from another site): a
horizontal bar per item, negative values to the left of the zero line. Only presentation
attributes are used (no ``style``), so the console's Content-Security-Policy allows it."""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup, escape

from yikatong.core.money import format_yuan

WIDTH = 720
LABEL_W = 170
VALUE_W = 110
ROW_H = 30
BAR_H = 18
PAD = 10
FONT = "PingFang SC, Microsoft YaHei, Noto Sans CJK SC, sans-serif"


def _short(text: str, limit: int = 12) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def yuan(fen: int) -> str:
    return f"¥{format_yuan(fen)}"


def bar_chart(items: list[tuple[str, int | float]], *, title: str, value_text: Callable[[int | float], str] = yuan,
              full: float | None = None) -> Markup:
    """One bar per ``(label, value)``, scaled to the largest magnitude, or to ``full`` when the
    values have a natural maximum (a rate's 100 %, a rating's 5); each value written by
    ``value_text`` (by default fen in yuan)."""
    if not items:
        return Markup("")
    low = min(0, *(v for _, v in items))
    high = max(0, *(v for _, v in items), full or 0)
    span = (high - low) or 1
    plot = WIDTH - LABEL_W - VALUE_W - 2 * PAD
    zero_x = LABEL_W + PAD + plot * (-low) / span
    height = PAD * 2 + ROW_H * len(items)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {WIDTH} {height}" '
             f'width="{WIDTH}" height="{height}" font-family="{FONT}" font-size="13">',
             f"<title>{escape(title)}</title>"]
    for i, (name, value) in enumerate(items):
        y = PAD + i * ROW_H
        length = plot * abs(value) / span
        x = zero_x if value >= 0 else zero_x - length
        colour = "#0b5cad" if value >= 0 else "#b42318"
        parts.append(f'<g class="bar"><title>{escape(name)}: {escape(value_text(value))}</title>'
                     f'<text x="{LABEL_W}" y="{y + ROW_H / 2 + 4:.1f}" text-anchor="end" fill="#1f2937">'
                     f"{escape(_short(name))}</text>"
                     f'<rect x="{x:.1f}" y="{y + (ROW_H - BAR_H) / 2:.1f}" width="{max(length, 1):.1f}" '
                     f'height="{BAR_H}" rx="3" fill="{colour}"/>'
                     f'<text x="{LABEL_W + PAD + plot + 8}" y="{y + ROW_H / 2 + 4:.1f}" fill="#475467">'
                     f"{escape(value_text(value))}</text></g>")
    parts.append(f'<line x1="{zero_x:.1f}" y1="{PAD / 2}" x2="{zero_x:.1f}" y2="{height - PAD / 2}" '
                 f'stroke="#98a2b3" stroke-width="1"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
