"""A grouped bar chart as a standalone SVG document, with the standard library only."""

from __future__ import annotations

import math
from html import escape

__all__ = ("bar_chart",)

_COLOURS = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#b07aa1")


def _nice_ceiling(value: float) -> tuple[float, float]:
    """An axis top at or above ``value`` and a round tick step (1, 2 or 5 x 10^k)."""
    if value <= 0:
        return 1.0, 0.25
    raw = value / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return step * math.ceil(value / step), step


def _short(value: float) -> str:
    for limit, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= limit:
            return f"{value / limit:.3g}{suffix}"
    return f"{value:.3g}"


def bar_chart(
    title: str,
    groups: list[str],
    series: dict[str, list[float]],
    unit: str,
    *,
    width: int = 720,
    height: int = 380,
) -> str:
    """Draw ``series[name][i]`` as bars grouped by ``groups[i]``, values printed on top.

    Args:
        title: the heading drawn above the plot.
        groups: one label per group of bars (the x axis).
        series: one list of values per bar colour, in the order of ``groups``.
        unit: the y axis label.
        width, height: the picture's size in pixels.

    Returns:
        The SVG document as text.
    """
    left, right, top, bottom = 78, 16, 46, 74
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((v for values in series.values() for v in values), default=0.0)
    axis_top, step = _nice_ceiling(peak)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{width / 2}" y="24" text-anchor="middle" font-size="15" '
        f'font-weight="bold">{escape(title)}</text>',
    ]
    tick = 0.0
    while tick <= axis_top + step / 2:
        y = top + plot_h - plot_h * tick / axis_top
        out.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#ddd"/>'
        )
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{_short(tick)}</text>')
        tick += step
    out.append(
        f'<text transform="translate(18 {top + plot_h / 2}) rotate(-90)" '
        f'text-anchor="middle">{escape(unit)}</text>'
    )
    names = list(series)
    group_w = plot_w / max(len(groups), 1)
    bar_w = group_w * 0.8 / max(len(names), 1)
    for g, label in enumerate(groups):
        x0 = left + g * group_w + group_w * 0.1
        for s, name in enumerate(names):
            value = series[name][g] if g < len(series[name]) else 0.0
            bar_h = plot_h * value / axis_top
            x, y = x0 + s * bar_w, top + plot_h - bar_h
            colour = _COLOURS[s % len(_COLOURS)]
            out.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w * 0.92:.1f}" '
                f'height="{bar_h:.1f}" fill="{colour}"><title>{escape(name)}: '
                f"{value:,.0f}</title></rect>"
            )
            out.append(
                f'<text x="{x + bar_w * 0.46:.1f}" y="{y - 4:.1f}" text-anchor="middle" '
                f'font-size="11">{_short(value)}</text>'
            )
        out.append(
            f'<text x="{x0 + group_w * 0.4:.1f}" y="{top + plot_h + 18}" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    out.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        f'stroke="#333"/>'
    )
    legend_y = height - 22
    x = left
    for s, name in enumerate(names):
        colour = _COLOURS[s % len(_COLOURS)]
        out.append(f'<rect x="{x}" y="{legend_y - 10}" width="12" height="12" fill="{colour}"/>')
        out.append(f'<text x="{x + 17}" y="{legend_y}">{escape(name)}</text>')
        x += 24 + 7 * len(name)
    out.append("</svg>")
    return "\n".join(out) + "\n"
