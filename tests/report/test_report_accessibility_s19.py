"""Session 19 accessibility review of the HTML report (WCAG 2.1 AA basics): the document's language, one h1 and no
skipped heading level, a text alternative for every figure, column headers with scope, a skip link and a table of
contents, print CSS, and charts readable without colour (dashes per series, a colour-blind-safe palette)."""

from __future__ import annotations

import itertools
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from lunarops.report import render_report
from lunarops.report.html import OKABE_ITO, _accessible_style, _summary_table
from lunarops.runner.stage import Figure, StageResult, Table

# a 1x1 PNG (the signature and the chunks of a valid image; the report only embeds the bytes)
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


class _Page(HTMLParser):
    """The tags of a page in order, with their attributes, and the text inside each heading."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _two_lines() -> go.Figure:
    fig = go.Figure()
    for site in ("Connecting Ridge", "Bussey 2010 point B"):
        fig.add_trace(go.Scatter(x=[0, 1, 2], y=[1, 2, 3], name=site, mode="lines"))
    fig.update_layout(xaxis_title="time (UTC)", yaxis_title="elevation [deg]")
    return fig


def _report(tmp_path: Path) -> str:
    fan = go.Figure([go.Scatter(x=[0, 1], y=[2, 3], name="p95", line={"width": 0}, showlegend=False),
                     go.Scatter(x=[0, 1], y=[0, 1], name="p5-p95", fill="tonexty"),
                     go.Scatter(x=[0, 1], y=[1, 2], name="p50")])
    stages = [
        StageResult("sky", "Sky", summary={"n_times": 43824, "sun_elevation_min_deg": -2.103},
                    figures=[Figure("Sun and Earth elevation", plotly=_two_lines(), caption="read: the Sun's height"),
                             Figure("Illumination map", png=PNG, caption="fraction of time lit, 0-1")],
                    tables=[Table("Sites", pd.DataFrame({"site": ["A"], "ground_height_m": [1850.0]}))]),
        StageResult("operations", "Operations", figures=[Figure("Monte Carlo fan", plotly=fan)],
                    tables=[Table("Event log", pd.DataFrame({"event": ["x"] * 3, "value": [1.0, 2.0, 3.0]}))]),
    ]
    path = render_report(tmp_path / "r.html", "Title", "subtitle", stages, {"run id": "x"},
                         [("Base site", "Connecting Ridge", "scenario")])
    return path.read_text()


def test_language_headings_alt_text_and_table_headers(tmp_path: Path) -> None:
    text = _report(tmp_path)
    page = _Page()
    page.feed(text)
    html_tag = next(a for t, a in page.tags if t == "html")
    assert html_tag["lang"] == "en"
    levels = [int(t[1]) for t, _ in page.tags if re.fullmatch(r"h[1-6]", t)]
    assert levels.count(1) == 1 and levels[0] == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels))  # no level skipped going down
    # every image has an alt text saying more than its title: the caption too
    images = [a for t, a in page.tags if t == "img"]
    assert len(images) == 1 and images[0]["alt"] == "Illumination map. fraction of time lit, 0-1"
    # every chart is a <figure> named by its heading and described in text (kind, axes, series)
    figures = [a for t, a in page.tags if t == "figure"]
    assert len(figures) == 3 and all(f.get("aria-labelledby") for f in figures)
    ids = {a.get("id") for _, a in page.tags}
    assert all(f["aria-labelledby"] in ids for f in figures)
    described = [f for f in figures if f.get("aria-describedby")]
    assert len(described) == 2  # the two plotly charts
    assert ("Chart (scatter); horizontal axis: time (UTC); vertical axis: elevation [deg]; series: Connecting Ridge, "
            "Bussey 2010 point B.") in text
    # every column header has a scope; the run table's rows are headed by their names
    headers = [a for t, a in page.tags if t == "th"]
    assert headers and all(a.get("scope") in ("col", "row") for a in headers)
    assert "<th scope='row'>run id</th>" in text
    # summary: the first column is the quantity (it was headed "value"), numbers grouped as in the tables
    assert "<th scope='col'>quantity</th><th scope='col'>value</th><th scope='col'>unit</th>" in text
    assert "<td>n_times</td><td>43,824</td>" in text
    # tables named by their headings for screen readers
    assert "aria-labelledby='h-event-log'" in text and "<h3 id='h-event-log'>Event log</h3>" in text


def test_skip_link_contents_and_print_css(tmp_path: Path) -> None:
    text = _report(tmp_path)
    assert text.index("<a class='skip' href='#main'>") < text.index("<header>")
    assert "<main id='main'>" in text
    assert "<nav aria-label='Contents'><ul><li><a href='#key-results'>Key results</a></li>" in text
    css = text[text.index("<style>"):text.index("</style>")]
    assert "@media print" in css
    # scrolling boxes would cut long tables on paper; headers repeat on every page; figures not split
    print_css = css[css.index("@media print"):]
    assert ".scroll{max-height:none;overflow:visible}" in print_css
    assert "thead{display:table-header-group}" in print_css and "figure,img{break-inside:avoid}" in print_css
    assert "window.addEventListener('beforeprint'" in text  # charts redrawn at the page's width


def test_lines_told_apart_without_colour() -> None:
    shown = _accessible_style(_two_lines())
    assert [t.line.dash for t in shown.data] == ["solid", "dash"]
    assert tuple(shown.layout.colorway) == OKABE_ITO
    # the same series in a second subplot keeps its style; the caller's figure is not changed
    fig = _two_lines()
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], name="Connecting Ridge", showlegend=False))
    shown = _accessible_style(fig)
    assert [t.line.dash for t in shown.data] == ["solid", "dash", "solid"]
    assert fig.data[0].line.dash is None
    # a figure whose author chose dashes, and a fan's band (edge and fill), are left as they are
    chosen = go.Figure([go.Scatter(y=[1, 2], name="a", line={"dash": "dot"}), go.Scatter(y=[2, 3], name="b")])
    assert [t.line.dash for t in _accessible_style(chosen).data] == ["dot", None]
    fan = go.Figure([go.Scatter(y=[2, 3], name="p95", line={"width": 0}), go.Scatter(y=[0, 1], name="band",
                     fill="tonexty"), go.Scatter(y=[1, 2], name="p50")])
    assert [t.line.dash for t in _accessible_style(fan).data] == [None, None, None]
    # marker-only series get a symbol each
    dots = go.Figure([go.Scatter(y=[1], name="Sun", mode="markers"), go.Scatter(y=[2], name="Earth", mode="markers")])
    assert [t.marker.symbol for t in _accessible_style(dots).data] == ["circle", "square"]


def test_timeline_bars_and_the_layouts_dotted_thresholds_keep_their_meaning() -> None:
    # session 19 review: 10 px timeline rows got dashes (a dotted row read as many short windows), and a chart whose
    # caption says "dotted: the reserve thresholds" (dotted shapes) got a dotted series
    bars = go.Figure([go.Scatter(x=[0, 1], y=[k, k], mode="lines", line={"width": 10}, name=f"row {k}")
                      for k in range(3)])
    assert [t.line.dash for t in _accessible_style(bars).data] == [None, None, None]
    power = go.Figure([go.Scatter(x=[0, 1], y=[1, 2], name=n) for n in ("load", "served", "storage", "a", "b")])
    power.add_hline(y=0.2, line={"dash": "dot"})
    dashes = [t.line.dash for t in _accessible_style(power).data]
    assert "dot" not in dashes and len(set(dashes)) == 5


def test_a_seed_and_a_year_print_without_separators() -> None:
    # a seed is pasted back into a scenario, a year read as a date: no thousands separators; quantities keep them
    table = _summary_table({"seed": 20300101, "first_year": 2031, "hours": 43824})
    assert "20300101" in table and ">2031<" in table and "43,824" in table
