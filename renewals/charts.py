"""The leader's report's charts as server-rendered SVG (no script): grouped bars, one group per
measure or quarter, one bar per series (took part / did not), each bar's percentage written
over it and a line at 100%. Accessible on its own (role="img", <title>, <desc>); the page gives
the numbers as tables too. Colours come from classes in static/renewals.css, with presentation
attributes as a fallback (the CSP forbids inline style).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import count

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 250
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 22, 48
COLOURS = ("#0f5f73", "#c2a66b")
_ids = count(1)


def _top(values: Sequence[float | None]) -> float:
    """The axis top in percent: 100, or the next 20 above the largest value."""
    largest = max((v for v in values if v is not None), default=0.0) * 100
    top = 100.0
    while top < largest:
        top += 20.0
    return top


def grouped_bars(
    groups: Sequence[tuple[str, Sequence[float | None]]],
    series: Sequence[str],
    title: str,
    description: str,
) -> Markup:
    """Bars of ratios (0.5 = 50%) per group and series; None draws no bar and writes "—"."""
    uid = next(_ids)
    top = _top([v for _, values in groups for v in values])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    base = TOP + plot_h
    slot = plot_w / max(len(groups), 1)
    bar = slot * 0.7 / max(len(series), 1)
    parts = [
        f'<svg class="bar-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="bars-title-{uid} bars-desc-{uid}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="bars-title-{uid}">{escape(title)}</title>',
        f'<desc id="bars-desc-{uid}">{escape(description)}</desc>',
    ]
    for tick in (0.0, top / 2, 100.0, top) if top > 100 else (0.0, 50.0, 100.0):
        y = TOP + plot_h * (1 - tick / top)
        css = "grid grid-full" if tick == 100 else "grid"
        parts.append(
            f'<line class="{css}" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{"#a8a29e" if tick == 100 else "#e7e5e4"}"/>'
            f'<text class="tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" '
            f'font-size="11" fill="#57534e">{tick:.0f}%</text>'
        )
    for index, (label, values) in enumerate(groups):
        x0 = LEFT + slot * index + slot * 0.15
        for position, value in enumerate(values):
            x = x0 + bar * position
            css = f"bar bar-{position}"
            if value is None:
                text, height = "—", 0.0
            else:
                text, height = f"{value * 100:.0f}%", plot_h * min(value * 100, top) / top
            parts.append(
                f'<rect class="{css}" x="{x:.1f}" y="{base - height:.1f}" width="{bar - 2:.1f}" '
                f'height="{height:.1f}" fill="{COLOURS[position % len(COLOURS)]}"/>'
                f'<text class="value" x="{x + bar / 2 - 1:.1f}" y="{base - height - 4:.1f}" '
                f'text-anchor="middle" font-size="11" fill="#1c1917">{text}</text>'
            )
        parts.append(
            f'<text class="tick" x="{LEFT + slot * (index + 0.5):.1f}" y="{HEIGHT - 30}" '
            f'text-anchor="middle" font-size="12" fill="#57534e">{escape(label)}</text>'
        )
    legend_x = LEFT
    for position, name in enumerate(series):
        parts.append(
            f'<rect class="bar bar-{position}" x="{legend_x}" y="{HEIGHT - 16}" width="12" '
            f'height="12" fill="{COLOURS[position % len(COLOURS)]}"/>'
            f'<text class="legend" x="{legend_x + 16}" y="{HEIGHT - 6}" font-size="12" '
            f'fill="#1c1917">{escape(name)}</text>'
        )
        legend_x += 36 + sum(12 if ord(c) > 255 else 7 for c in name)  # wide and narrow glyphs
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every interpolated text is escaped or numeric
