"""The hybrid mix as a server-rendered SVG (no script): a stacked bar a month — human touch
below, digital touch above — with the month's human share written over it and the stage's
target share as a marker line in each bar. Accessible on its own (role="img", <title>,
<desc>); the page gives the numbers as a table too. Colours come from classes in
static/success.css, with presentation attributes as a fallback.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import count

from markupsafe import Markup, escape

from success.mix import MonthMix

WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 22, 30
HUMAN, DIGITAL = "#0f5f73", "#86c5a4"
_ids = count(1)


def _nice_max(value: float) -> float:
    """A round top for the axis (in hours): 1, 2, 5, 10, 20, 50…"""
    top = 1.0
    while top < value:
        for step in (2, 2.5, 2):
            top *= step
            if top >= value:
                break
    return top


def _bar_parts(
    month: MonthMix, x: float, bar: float, per_hour: float, target: float | None
) -> list[str]:
    """One month: its two stacked bars, its share above them, its label, its target tick."""
    human_h = per_hour * month.human / 60.0
    digital_h = per_hour * month.digital / 60.0
    base = TOP + (HEIGHT - TOP - BOTTOM)
    share = month.human_share
    label = "—" if share is None else f"{share:.0f}%"
    parts = [
        f'<rect class="bar-human" x="{x:.1f}" y="{base - human_h:.1f}" width="{bar:.1f}" '
        f'height="{human_h:.1f}" fill="{HUMAN}"/>'
        f'<rect class="bar-digital" x="{x:.1f}" y="{base - human_h - digital_h:.1f}" '
        f'width="{bar:.1f}" height="{digital_h:.1f}" fill="{DIGITAL}"/>',
        f'<text class="share" x="{x + bar / 2:.1f}" y="{base - human_h - digital_h - 5:.1f}" '
        f'text-anchor="middle" font-size="11" fill="#1c1917">{label}</text>'
        f'<text class="tick" x="{x + bar / 2:.1f}" y="{HEIGHT - 10}" text-anchor="middle" '
        f'font-size="11" fill="#57534e">{month.month.strftime("%y/%m")}</text>',
    ]
    if target is not None and share is not None and month.touch_minutes:
        y = base - (human_h + digital_h) * target / 100.0
        parts.append(
            f'<line class="target" x1="{x - 3:.1f}" x2="{x + bar + 3:.1f}" y1="{y:.1f}" '
            f'y2="{y:.1f}" stroke="#b45309" stroke-width="2" stroke-dasharray="4 2"/>'
        )
    return parts


def mix_chart(
    months: Sequence[MonthMix], targets: Sequence[float], title: str, description: str
) -> Markup:
    """Stacked monthly bars of human and digital touch hours, each month's human share above
    its bar and its stage's target share as a tick inside it."""
    uid = next(_ids)
    top = _nice_max(max((m.touch_minutes for m in months), default=0.0) / 60.0 or 1.0)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(months), 1)
    bar = slot * 0.6
    parts = [
        f'<svg class="mix-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="mix-title-{uid} mix-desc-{uid}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="mix-title-{uid}">{escape(title)}</title>',
        f'<desc id="mix-desc-{uid}">{escape(description)}</desc>',
    ]
    for tick in (0.0, top / 2, top):
        y = TOP + plot_h * (1 - tick / top)
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#e7e5e4"/><text class="tick" x="{LEFT - 6}" y="{y + 4:.1f}" '
            f'text-anchor="end" font-size="11" fill="#57534e">{tick:g}h</text>'
        )
    for index, month in enumerate(months):
        x = LEFT + slot * index + (slot - bar) / 2
        target = targets[index] if index < len(targets) else None
        parts += _bar_parts(month, x, bar, plot_h / top, target)
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every interpolated text is escaped or numeric
