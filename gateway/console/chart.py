"""Geometry of the traffic chart (stacked bars of requests per bucket and dialect), computed here
so the template only draws rectangles: inline SVG, no script, no library."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence
from zoneinfo import ZoneInfo

from dialects.kit.dialect import Dialect
from gateway.console.traffic_stats import Series

WIDTH, HEIGHT = 880, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 28


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    color: str
    title: str


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    total: int
    legend: list[tuple[str, str, int]]  # (label, color, requests)


def _nice_max(value: int) -> int:
    """The axis top: four equal steps of 1, 2 or 5 times a power of ten, at least `value`."""
    raw = max(value, 1) / 4
    magnitude = 10 ** max(len(str(int(raw))) - 1, 0)
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return int(step * 4)


def colours_of(dialects: Sequence[Dialect]) -> dict[str, str]:
    return {d.name: d.colour for d in dialects}


def labels_of(dialects: Sequence[Dialect]) -> dict[str, str]:
    return {d.name: d.label for d in dialects}


def build_chart(series: Series, timezone: str, dialects: Sequence[Dialect]) -> Chart:
    """`dialects`: the registered ones, stacked and listed in the legend in their order."""
    names = [d.name for d in dialects]
    colours, labels = colours_of(dialects), labels_of(dialects)
    buckets = len(next(iter(series.counts.values()), []))
    stacks = [sum(series.counts.get(d, [0] * buckets)[i] for d in series.counts) for i in range(buckets)]
    top = _nice_max(max(stacks, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(buckets, 1)
    gap = min(6.0, slot * 0.2)
    zone = ZoneInfo(timezone or "UTC")
    label_format = "%H:%M" if series.window != "week" else "%a %Hh"
    bars: list[Bar] = []
    x_ticks: list[Tick] = []
    every = {"hour": 2, "day": 3, "week": 4}.get(series.window, 1)
    for i in range(buckets):
        x = LEFT + i * slot + gap / 2
        base = float(TOP + plot_h)
        start = (series.start + series.width * i).astimezone(zone)
        for dialect in (*names, *(d for d in series.counts if d not in names)):
            n = series.counts.get(dialect, [0] * buckets)[i]
            if not n:
                continue
            h = plot_h * n / top
            base -= h
            bars.append(Bar(round(x, 1), round(base, 1), round(slot - gap, 1), round(h, 1),
                            colours.get(dialect, "#888"), f"{labels.get(dialect, dialect)}: {n} requests from "
                                                         f"{start:%Y-%m-%d %H:%M}"))
        if i % every == 0:
            x_ticks.append(Tick(round(LEFT + i * slot + slot / 2, 1), start.strftime(label_format)))
    y_ticks = [Tick(round(TOP + plot_h - plot_h * k / 4, 1), str(top * k // 4)) for k in range(5)]
    legend = [(labels[d], colours[d], sum(series.counts.get(d, []))) for d in names]
    return Chart(WIDTH, HEIGHT, bars, y_ticks, x_ticks, LEFT, WIDTH - RIGHT, TOP, TOP + plot_h, sum(stacks), legend)
