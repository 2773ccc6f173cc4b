"""Server-rendered SVG line charts (no script): score history and the portfolio's average.

The SVG is accessible on its own (role="img", <title> and <desc>); pages also give the data as a
table in a <details> element. Colours come from classes in static/engagement.css, with
presentation attributes as a fallback (no inline style: the CSP forbids it).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from itertools import count

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 14, 30
_ids = count(1)


def _x(day: date, start: date, end: date) -> float:
    span = max((end - start).days, 1)
    return LEFT + (WIDTH - LEFT - RIGHT) * (day - start).days / span


def _y(value: float) -> float:
    value = min(100.0, max(0.0, value))
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / 100.0)


def line_chart(
    points: Sequence[tuple[date, float]],
    start: date,
    end: date,
    title: str,
    description: str,
    bands: tuple[float, float] | None = None,
    band_labels: tuple[str, str] = ("", ""),
    date_format: str = "%m/%d",
) -> Markup:
    """A 0–100 line over [start, end]; `bands` draws the red and green threshold lines."""
    uid = next(_ids)
    parts = [
        f'<svg class="score-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="chart-title-{uid} chart-desc-{uid}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-title-{uid}">{escape(title)}</title>',
        f'<desc id="chart-desc-{uid}">{escape(description)}</desc>',
    ]
    x0, x1 = LEFT, WIDTH - RIGHT
    if bands is not None:
        red, green = bands
        # Shaded zones: below red, between, above green.
        parts.append(
            f'<rect class="zone zone-red" x="{x0}" y="{_y(red):.1f}" width="{x1 - x0}" '
            f'height="{_y(0) - _y(red):.1f}" fill="#fee2e2"/>'
        )
        parts.append(
            f'<rect class="zone zone-green" x="{x0}" y="{_y(100):.1f}" width="{x1 - x0}" '
            f'height="{_y(green) - _y(100):.1f}" fill="#dcfce7"/>'
        )
        for value, css, label in (
            (red, "band-red", band_labels[0]),
            (green, "band-green", band_labels[1]),
        ):
            y = _y(value)
            parts.append(
                f'<line class="band-line {css}" x1="{x0}" x2="{x1}" y1="{y:.1f}" y2="{y:.1f}" '
                f'stroke="#a8a29e" stroke-dasharray="5 4"/>'
            )
            if label:
                parts.append(
                    f'<text class="band-label" x="{x1 - 4}" y="{y - 4:.1f}" text-anchor="end" '
                    f'font-size="11" fill="#57534e">{escape(label)}</text>'
                )
    for tick in (0, 25, 50, 75, 100):
        y = _y(tick)
        parts.append(
            f'<line class="grid" x1="{x0}" x2="{x1}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e7e5e4"/>'
        )
        parts.append(
            f'<text class="tick" x="{x0 - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#57534e">{tick}</text>'
        )
    for day in _date_ticks(start, end):
        x = _x(day, start, end)
        parts.append(
            f'<text class="tick" x="{x:.1f}" y="{HEIGHT - 10}" text-anchor="middle" '
            f'font-size="11" fill="#57534e">{escape(day.strftime(date_format))}</text>'
        )
    ordered = sorted(p for p in points if start <= p[0] <= end)
    if ordered:
        coords = " ".join(f"{_x(d, start, end):.1f},{_y(v):.1f}" for d, v in ordered)
        parts.append(
            f'<polyline class="series" points="{coords}" fill="none" stroke="#0f5f73" '
            f'stroke-width="2.5" stroke-linejoin="round"/>'
        )
        last_day, last_value = ordered[-1]
        parts.append(
            f'<circle class="series-end" cx="{_x(last_day, start, end):.1f}" '
            f'cy="{_y(last_value):.1f}" r="4" fill="#0f5f73"/>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every interpolated text is escaped above


def _date_ticks(start: date, end: date, count_: int = 6) -> list[date]:
    span = (end - start).days
    if span <= 0:
        return [start]
    step = max(1, round(span / (count_ - 1)))
    ticks = [start.fromordinal(start.toordinal() + i) for i in range(0, span + 1, step)]
    if ticks[-1] != end and (end - ticks[-1]).days > step / 2:
        ticks.append(end)
    return ticks
