"""Panels: the key indicators of one organ over its years (configs/view.yml), drawn with matplotlib as SVG,
and the cross-year check 结转下年度 (Y) against 上年结转 (Y+1)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from ..config import load_config


@dataclass
class SeriesPoint:
    year: int
    value: float | None
    form: str
    doc: str
    ids: list[str]  # the indicators summed
    missing: list[str] = field(default_factory=list)  # ids without a value (the point is then None)


@dataclass
class Chart:
    name: str
    title: str
    share: bool
    series: dict[str, list[SeriesPoint]]
    svg: str = ""


@dataclass
class Panel:
    organ: str
    years: list[int]
    reports: dict[int, list[str]]  # year → doc ids (several files may report the same year)
    charts: list[Chart]
    cross_year: list[dict[str, Any]]


def organs_with_years(documents: list[dict[str, Any]]) -> dict[str, dict[int, list[dict[str, Any]]]]:
    """Organ → year → its documents, for organs with at least ``panel.min_years`` distinct years."""
    by_organ: dict[str, dict[int, list[dict[str, Any]]]] = {}
    for doc in documents:
        if doc.get("organ") and doc.get("year") is not None:
            by_organ.setdefault(doc["organ"], {}).setdefault(doc["year"], []).append(doc)
    min_years = load_config("view.yml")["panel"]["min_years"]
    return {organ: years for organ, years in sorted(by_organ.items()) if len(years) >= min_years}


def _ids_for(spec: dict[str, list[str]], form: str) -> list[str]:
    return spec.get(form) or spec.get("default") or []


def _sum(values: dict[str, Any], ids: list[str]) -> tuple[float | None, list[str]]:
    missing = [i for i in ids if values.get(i) is None]
    return (None if missing or not ids else sum(values[i] for i in ids)), missing


def series_point(spec: dict[str, Any], year: int, docs: list[dict[str, Any]],
                 values_of: dict[str, dict[str, Any]]) -> SeriesPoint:
    """The value of one series in one year: the first report of the year that has every number."""
    point = None
    for doc in docs:
        form = doc.get("form") or "none"
        values = values_of.get(doc["doc"], {})
        ids = _ids_for(spec["sum"], form)
        value, missing = _sum(values, ids)
        if spec.get("denominator") is not None:
            den_ids = _ids_for(spec["denominator"], form)
            den, den_missing = _sum(values, den_ids)
            missing += den_missing
            ids = ids + den_ids
            value = None if value is None or not den else value / den
        candidate = SeriesPoint(year, value, form, doc["doc"], ids, missing)
        if point is None or (point.value is None and value is not None):
            point = candidate
    assert point is not None
    return point


def build_panel(organ: str, years: dict[int, list[dict[str, Any]]], values_of: dict[str, dict[str, Any]],
                cross_year: list[dict[str, Any]]) -> Panel:
    cfg = load_config("view.yml")["panel"]
    charts = []
    for chart_spec in cfg["charts"]:
        series = {s["name"]: [series_point(s, y, years[y], values_of) for y in sorted(years)]
                  for s in chart_spec["series"]}
        chart = Chart(chart_spec["name"], chart_spec["title"], bool(chart_spec.get("share")), series)
        chart.svg = draw_chart(chart)
        charts.append(chart)
    prefix = f"cross_year.carried.{organ}."
    checks = [c for c in cross_year if c.get("name", "").startswith(prefix)]
    return Panel(organ, sorted(years), {y: [d["doc"] for d in docs] for y, docs in sorted(years.items())},
                 charts, checks)


def draw_chart(chart: Chart) -> str:
    """The chart as inline SVG (text kept as text; labels in ASCII: no CJK font is assumed on the machine)."""
    if all(p.value is None for points in chart.series.values() for p in points):
        return ""  # nothing to draw: the page says so
    try:
        import matplotlib
    except ImportError as err:
        raise ImportError("matplotlib is missing (panel charts): pip install 'govreport[data]'") from err

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    markers = {"pre2019": "s", "v2019": "o", "v2021": "^"}
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "govreport", "font.size": 9}):
        fig, ax = plt.subplots(figsize=(6, 2.8))
        for name, points in chart.series.items():
            xs = [p.year for p in points]
            ys = [float("nan") if p.value is None else p.value * (100 if chart.share else 1) for p in points]
            line = ax.plot(xs, ys, label=name, linewidth=1.5)[0]
            for p, y in zip(points, ys):
                ax.plot([p.year], [y], marker=markers.get(p.form, "x"), color=line.get_color(), linestyle="none")
        ax.set_xticks(sorted({p.year for pts in chart.series.values() for p in pts}))
        ax.set_ylabel("%" if chart.share else "count")
        ax.grid(alpha=0.3)
        ax.legend(loc="best", fontsize=8, title="markers: ■ pre2019 ● v2019 ▲ v2021", title_fontsize=7)
        fig.tight_layout()
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None})
        plt.close(fig)
    svg = buf.getvalue()
    return svg[svg.index("<svg"):]  # inline: without the XML prolog and doctype
