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
    if bands is not None:
        parts += _band_parts(bands, band_labels)
    parts += _grid_parts()
    parts += _date_tick_parts(start, end, date_format)
    parts += _series_parts(sorted(p for p in points if start <= p[0] <= end), start, end)
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every interpolated text is escaped in the parts


X0, X1 = LEFT, WIDTH - RIGHT


def _band_parts(bands: tuple[float, float], labels: tuple[str, str]) -> list[str]:
    """Shaded zones (below red, above green) and the two threshold lines with their labels."""
    red, green = bands
    parts = [
        f'<rect class="zone zone-red" x="{X0}" y="{_y(red):.1f}" width="{X1 - X0}" '
        f'height="{_y(0) - _y(red):.1f}" fill="#fee2e2"/>',
        f'<rect class="zone zone-green" x="{X0}" y="{_y(100):.1f}" width="{X1 - X0}" '
        f'height="{_y(green) - _y(100):.1f}" fill="#dcfce7"/>',
    ]
    for value, css, label in ((red, "band-red", labels[0]), (green, "band-green", labels[1])):
        y = _y(value)
        parts.append(
            f'<line class="band-line {css}" x1="{X0}" x2="{X1}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#a8a29e" stroke-dasharray="5 4"/>'
        )
        if label:
            parts.append(
                f'<text class="band-label" x="{X1 - 4}" y="{y - 4:.1f}" text-anchor="end" '
                f'font-size="11" fill="#57534e">{escape(label)}</text>'
            )
    return parts


def _grid_parts() -> list[str]:
    parts = []
    for tick in (0, 25, 50, 75, 100):
        y = _y(tick)
        parts.append(
            f'<line class="grid" x1="{X0}" x2="{X1}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e7e5e4"/>'
        )
        parts.append(
            f'<text class="tick" x="{X0 - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#57534e">{tick}</text>'
        )
    return parts


def _date_tick_parts(start: date, end: date, date_format: str) -> list[str]:
    return [
        f'<text class="tick" x="{_x(day, start, end):.1f}" y="{HEIGHT - 10}" '
        f'text-anchor="middle" font-size="11" fill="#57534e">'
        f"{escape(day.strftime(date_format))}</text>"
        for day in _date_ticks(start, end)
    ]


def _series_parts(ordered: list[tuple[date, float]], start: date, end: date) -> list[str]:
    """The line through the points (oldest first) and a dot on the last one."""
    if not ordered:
        return []
    coords = " ".join(f"{_x(d, start, end):.1f},{_y(v):.1f}" for d, v in ordered)
    last_day, last_value = ordered[-1]
    return [
        f'<polyline class="series" points="{coords}" fill="none" stroke="#0f5f73" '
        f'stroke-width="2.5" stroke-linejoin="round"/>',
        f'<circle class="series-end" cx="{_x(last_day, start, end):.1f}" '
        f'cy="{_y(last_value):.1f}" r="4" fill="#0f5f73"/>',
    ]


def _date_ticks(start: date, end: date, count_: int = 6) -> list[date]:
    span = (end - start).days
    if span <= 0:
        return [start]
    step = max(1, round(span / (count_ - 1)))
    ticks = [start.fromordinal(start.toordinal() + i) for i in range(0, span + 1, step)]
    if ticks[-1] != end and (end - ticks[-1]).days > step / 2:
        ticks.append(end)
    return ticks
