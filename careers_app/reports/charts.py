"""Server-rendered SVG bar charts: geometry here, markup in templates/reports/_chart.html."""
from __future__ import annotations

from dataclasses import dataclass

from ..domain.rules import Rule

WIDTH, HEIGHT = 320, 170
TOP, BOTTOM, LEFT, RIGHT = 12, 30, 34, 8
PLOT_HEIGHT = HEIGHT - TOP - BOTTOM
COLOURS = {"high": "#1e6b34", "good": "#4a8c3f", "mid": "#b36b00", "low": "#b3261e",
           "progress": "#3d6a9e", "none": "#8a9099"}


@dataclass(frozen=True)
class Bar:
    year: int
    percent: int | None
    met: int
    total: int
    x: float
    y: float
    width: float
    height: float
    css: str
    word: str

    @property
    def fill(self) -> str:
        return COLOURS[self.css]

    @property
    def label_y(self) -> float:
        return max(self.y - 3, TOP + 9)

    @property
    def centre(self) -> float:
        return self.x + self.width / 2


@dataclass(frozen=True)
class Chart:
    rule: Rule
    bars: list[Bar]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP
    baseline: int = HEIGHT - BOTTOM
    right: int = WIDTH - RIGHT

    @property
    def gridlines(self) -> list[tuple[int, float]]:
        return [(p, self.baseline - PLOT_HEIGHT * p / 100) for p in (0, 50, 100)]

    @property
    def description(self) -> str:
        parts = [f"Year {b.year}: " + (f"{b.percent}% ({b.met} of {b.total})"
                                       if b.percent is not None else "no pupils")
                 for b in self.bars]
        return "; ".join(parts) + "."


def bar_chart(rule: Rule, cells) -> Chart:
    """One bar per year group the rule measures; `cells` maps year group -> Cell."""
    years = list(rule.year_groups)
    slot = (WIDTH - LEFT - RIGHT) / max(len(years), 1)
    bars = []
    for index, year in enumerate(years):
        cell = cells[year]
        percent = cell.percent
        height = PLOT_HEIGHT * (percent or 0) / 100
        css, word = cell.band
        bars.append(Bar(year, percent, cell.met, cell.total, x=LEFT + index * slot + slot * 0.15,
                        y=HEIGHT - BOTTOM - height, width=slot * 0.7, height=height, css=css,
                        word=word))
    return Chart(rule, bars)
