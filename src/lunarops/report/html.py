"""One self-contained HTML report per run: plotly's JavaScript inlined, images embedded, no network needed."""

from __future__ import annotations

import base64
import contextvars
import html
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from plotly.offline import get_plotlyjs

from lunarops import __version__
from lunarops.atomic import write_text_atomic
from lunarops.numformat import format_number, format_value
from lunarops.report.glossary import GLOSSARY
from lunarops.runner.stage import Figure, StageResult, Table
from lunarops.units import unit_of as summary_unit  # the unit a summary key's name carries

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d2733;background:#f6f7f9}
header{background:#14213d;color:#fff;padding:18px 32px}header h1{margin:0;font-size:22px}
header p{margin:4px 0 0;color:#c9d3e6;font-size:13px}
main{max-width:1200px;margin:0 auto;padding:16px 32px}
section{background:#fff;border-radius:8px;padding:16px 24px;margin:18px 0;box-shadow:0 1px 3px rgba(0,0,0,.08)}
h2{font-size:19px;margin:4px 0 12px;color:#14213d}h3{font-size:15px;margin:18px 0 6px}
table{border-collapse:collapse;font-size:13px;margin:6px 0}
td,th{border-bottom:1px solid #e3e6ea;padding:4px 10px;text-align:right}
th{background:#eef1f5}td:first-child,th:first-child{text-align:left}
.scroll{overflow-x:auto;max-height:520px;overflow-y:auto}
.note{color:#4a5568;font-size:13px}.caption{color:#56606c;font-size:13px}
nav a{margin-right:14px;color:#14213d;font-size:14px}
figure{margin:0}
a:focus,a:focus-visible{outline:3px solid #d97706;outline-offset:2px}
nav ul{list-style:none;margin:0;padding:0}nav li{display:inline-block}
.sr-only{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);border:0}
.skip{position:absolute;left:-9999px}.skip:focus{left:8px;top:8px;background:#fff;color:#14213d;padding:6px;z-index:9}
@page{size:A4;margin:14mm}
@media print{body{background:#fff;color:#000;font-size:10.5pt}header{background:none;color:#000;padding:0 0 8px}
header p,.note,.caption{color:#000}main{max-width:none;padding:0}.skip,.modebar-container{display:none}
section{box-shadow:none;border-radius:0;padding:0;margin:0 0 12px}section+section{break-before:page}
.scroll{max-height:none;overflow:visible}table{font-size:8.5pt;width:100%;word-break:break-word}
thead{display:table-header-group}tr,figure,img{break-inside:avoid}h2,h3{break-after:avoid}
img,.js-plotly-plot,.plot-container{max-width:100%!important}th{background:none;border-bottom:1.5px solid #000}}
"""

#: Okabe & Ito (2008) colour-blind-safe palette, "Color Universal Design" (https://jfly.uni-koeln.de/color/);
#: the report's default colours for traces that set none.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
_DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
_SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "star")

# Print: plotly draws at the screen's width; before printing, redraw every chart at the page's width.
_PRINT_JS = """window.addEventListener('beforeprint',function(){document.querySelectorAll('.js-plotly-plot')
.forEach(function(g){Plotly.relayout(g,{width:680})})});window.addEventListener('afterprint',function(){
document.querySelectorAll('.js-plotly-plot').forEach(function(g){Plotly.relayout(g,{width:null,autosize:true})})});"""


def render_report(
    path: Path,
    title: str,
    subtitle: str,
    stages: Sequence[StageResult],
    run_info: dict[str, Any],
    key_results: Sequence[tuple[str, str, str]] = (),
) -> Path:
    """Write the HTML report for a run's stages (in order) and return its path: the title, the key results
    (rows of item, value with unit, where it comes from; lunarops.runner.headline), the run table, the stages'
    sections and a glossary of the abbreviations used."""
    _ANCHORS.set({})  # headings' ids from 1 in every report (per thread / context: reports may render at once)
    links = [("key-results", "Key results")] if key_results else []
    links += [(s.name, s.title) for s in stages] + [("glossary", "Glossary")]
    body = [_section_key_results(key_results)] if key_results else []
    toc = "".join(f"<li><a href='#{html.escape(a)}'>{html.escape(t)}</a></li>" for a, t in links)
    body += [f"<nav aria-label='Contents'><ul>{toc}</ul></nav>", _section_run(run_info)]
    body += [_section(stage) for stage in stages]
    body.append(_section_glossary())
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title><style>{CSS}</style>",
        f"<script type='text/javascript'>{get_plotlyjs()}</script><script>{_PRINT_JS}</script></head><body>",
        "<a class='skip' href='#main'>Skip to the report</a>",
        f"<header><h1>{html.escape(title)}</h1><p>{html.escape(subtitle)}</p></header><main id='main'>",
        *body,
    ]
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts.append(f"<p class='caption'>lunarops {__version__}, generated {generated}.</p></main></body></html>")
    return write_text_atomic(path, "\n".join(parts))


def _section_key_results(rows: Sequence[tuple[str, str, str]]) -> str:
    """The key results: what, value with unit, where it comes from (summary keys, tables)."""
    body = "".join(
        f"<tr><td>{html.escape(item)}</td><td style='text-align:left'>{html.escape(value)}</td>"
        f"<td class='caption' style='text-align:left'>{html.escape(source)}</td></tr>"
        for item, value, source in rows
    )
    head = ("<thead><tr><th scope='col'>item</th><th scope='col' style='text-align:left'>value</th>"
            "<th scope='col' style='text-align:left'>from</th></tr></thead>")
    return (
        "<section id='key-results'><h2>Key results</h2><table>" + head + body + "</table>"
        "<p class='note'>From the stages' summaries below (summary.json); percentiles and probabilities over the "
        "operations' Monte Carlo runs. Abbreviations: see the glossary at the end.</p></section>"
    )


def _section_glossary() -> str:
    """The abbreviations the report uses, defined, with sources."""
    rows = "".join(
        f"<tr><td>{html.escape(t.term)}</td><td style='text-align:left'>{html.escape(t.definition)}</td>"
        f"<td class='caption' style='text-align:left'>{html.escape(t.source)}</td></tr>"
        for t in GLOSSARY
    )
    head = ("<thead><tr><th scope='col'>term</th><th scope='col' style='text-align:left'>meaning</th>"
            "<th scope='col' style='text-align:left'>source</th></tr></thead>")
    return f"<section id='glossary'><h2>Glossary</h2><table>{head}{rows}</table></section>"


def _section_run(run_info: dict[str, Any]) -> str:
    rows = "".join(
        f"<tr><th scope='row'>{html.escape(str(k))}</th><td style='text-align:left'>{html.escape(str(v))}</td></tr>"
        for k, v in run_info.items()
    )
    return f"<section id='run'><h2>Run</h2><table aria-label='Run'>{rows}</table></section>"


def _section(stage: StageResult) -> str:
    out = [f"<section id='{html.escape(stage.name)}'><h2>{html.escape(stage.title)}</h2>"]
    if stage.summary:
        out.append("<h3>Summary</h3>" + _summary_table(stage.summary))
    for figure in stage.figures:
        out.append(_figure(figure))
    for table in stage.tables:
        out.append(_table(table))
    for note in stage.notes:
        out.append(f"<p class='note'>{html.escape(note)}</p>")
    out.append("</section>")
    return "\n".join(out)


def _is_identifier(key: str) -> bool:
    """A summary key whose whole-number value is a label, not a quantity (a seed, an id, a year)."""
    return key.endswith(("seed", "_id", "year"))


def _format(value: Any, key_is_identifier: bool = False) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, int) and not isinstance(value, bool) and key_is_identifier:
        return html.escape(str(value))  # a seed or an id is pasted back as it is: no separators
    if isinstance(value, float | int) and not isinstance(value, bool):
        return html.escape(format_value(value))  # one style for every number: 43,824 as 21,162
    return html.escape(str(value))


def _summary_label(key: str, summary: dict[str, Any]) -> str:
    """The key as shown: the campaign's imleo_kg is labelled by what it measures (e.g. mass launched to TLI)."""
    if key == "imleo_kg" and "imleo_label" in summary:
        return f"{summary['imleo_label']}, kg (imleo_kg)"
    return key


def _summary_table(summary: dict[str, Any]) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(_summary_label(str(k), summary))}</td><td>{_format(v, _is_identifier(str(k)))}</td>"
        f"<td>{html.escape(summary_unit(str(k)))}</td></tr>"
        for k, v in summary.items()
        if not isinstance(v, dict | list) and k != "imleo_label"
    )
    head = "<thead><tr><th scope='col'>quantity</th><th scope='col'>value</th><th scope='col'>unit</th></tr></thead>"
    return f"<table aria-label='Summary'>{head}{rows}</table>"


def _figure(figure: Figure) -> str:
    """A figure as <figure>: its title as heading, a text alternative (the PNG's alt; for a chart, the kind, axes
    and series, read by screen readers) and its caption."""
    anchor = _anchor(figure.title)
    body = described = ""
    if figure.plotly is not None:
        shown = _accessible_style(figure.plotly)
        body = shown.to_html(full_html=False, include_plotlyjs=False, config={"displaylogo": False})
        body += f"<p class='sr-only' id='{anchor}-text'>{html.escape(_describe(shown))}</p>"
        described = f" aria-describedby='{anchor}-text'"
    elif figure.png is not None:
        encoded = base64.b64encode(figure.png).decode("ascii")
        alt = html.escape(f"{figure.title}. {figure.caption}" if figure.caption else figure.title)
        body = f"<img alt='{alt}' style='max-width:100%' src='data:image/png;base64,{encoded}'>"
    caption = f"<figcaption class='caption'>{html.escape(figure.caption)}</figcaption>" if figure.caption else ""
    return (f"<figure aria-labelledby='{anchor}'{described}><h3 id='{anchor}'>{html.escape(figure.title)}</h3>"
            f"{body}{caption}</figure>")


_ANCHORS: contextvars.ContextVar[dict[str, int]] = contextvars.ContextVar("report_anchors")


def _anchor(title: str) -> str:
    """A unique id for a heading (figures and tables share titles, e.g. "Mass launched per year")."""
    slug = "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")[:48] or "item"
    used = _ANCHORS.get(None)
    if used is None:
        used = {}
        _ANCHORS.set(used)
    used[slug] = used.get(slug, 0) + 1
    return f"h-{slug}" if used[slug] == 1 else f"h-{slug}-{used[slug]}"


def _axis_title(axis: Any) -> str:
    title = getattr(axis, "title", None)
    return str(getattr(title, "text", None) or "") if title is not None else ""


def _describe(fig: Any) -> str:
    """A chart's text alternative from its layout and traces: the kind, the axes' titles and the series' names."""
    kinds = sorted({str(t.type) for t in fig.data})
    layout = fig.layout
    axes = []
    for name in sorted(k for k in layout.to_plotly_json() if k.startswith(("xaxis", "yaxis"))):
        text = _axis_title(layout[name])
        if text:
            axes.append(f"{'horizontal' if name.startswith('x') else 'vertical'} axis: {text}")
    if any(k in ("scatter3d", "surface") for k in kinds):
        axes.append("3D, axes " + ", ".join(_axis_title(getattr(layout.scene, a)) or a for a in ("xaxis", "yaxis",
                                                                                                "zaxis")))
    names = list(dict.fromkeys(str(t.name) for t in fig.data if t.name))
    series = "; series: " + ", ".join(names[:12]) + (f" and {len(names) - 12} more" if len(names) > 12 else "")
    return "Chart (" + ", ".join(kinds) + "); " + "; ".join(dict.fromkeys(axes)) + (series if names else "") + "."


def _accessible_style(fig: Any) -> Any:
    """A copy of a plotly figure readable without colour: colour-blind-safe colours (Okabe-Ito) for traces that
    set none, and, where two or more lines or marker series differ only by colour, a line dash or marker symbol per
    series (the same for a series' traces in every subplot). Traces that set a dash or a symbol, bands (a fill and
    the edge it fills to) and other trace types are left as they are."""
    shown = type(fig)(fig)
    if not shown.layout.colorway:
        shown.update_layout(colorway=OKABE_ITO)
    traces = list(shown.data)
    lines, markers = [], []
    for i, trace in enumerate(traces):
        if trace.type not in ("scatter", "scattergl") or trace.fill not in (None, "none"):
            continue
        if i + 1 < len(traces) and getattr(traces[i + 1], "fill", None) in ("tonexty", "tonextx"):
            continue  # the edge of a band
        mode = trace.mode or "lines"
        if "lines" in mode and trace.line.width is not None and trace.line.width >= 4:
            continue  # a bar drawn as a thick line (timelines: one row per trace): a dash would read as gaps
        if "lines" in mode and trace.line.width != 0:
            lines.append(trace)
        elif mode == "markers":
            markers.append(trace)
    # dashes the layout's shapes use (e.g. dotted threshold lines a caption names) are kept for them
    taken = {str(shape.line.dash) for shape in shown.layout.shapes if shape.line is not None and shape.line.dash}
    dashes = [dash for dash in _DASHES if dash not in taken] or list(_DASHES)
    if len({t.name for t in lines}) >= 2 and not any(t.line.dash for t in lines):
        style = {name: dashes[k % len(dashes)] for k, name in enumerate(dict.fromkeys(t.name for t in lines))}
        for trace in lines:
            trace.line.dash = style[trace.name]
    if len({t.name for t in markers}) >= 2 and not any(t.marker.symbol for t in markers):
        symbol = {name: _SYMBOLS[k % len(_SYMBOLS)] for k, name in enumerate(dict.fromkeys(t.name for t in markers))}
        for trace in markers:
            trace.marker.symbol = symbol[trace.name]
    return shown


def _readable_times(frame: pd.DataFrame) -> pd.DataFrame:
    """Times in one format in every table, 'YYYY-MM-DD HH:MM:SS' (UTC): datetime columns, and ISO 8601 texts in
    columns named ..._utc."""
    out = frame
    for column in frame.columns:
        values = frame[column]
        named = isinstance(column, str) and column.endswith("_utc")
        textual = values.dtype == object or pd.api.types.is_string_dtype(values)
        if pd.api.types.is_datetime64_any_dtype(values) or (named and textual):
            times = pd.to_datetime(values, utc=True, errors="coerce", format="ISO8601")
            if times.notna().sum() == values.notna().sum():  # every value a time: reformat
                out = out.copy() if out is frame else out
                out[column] = times.dt.strftime("%Y-%m-%d %H:%M:%S").where(times.notna(), "")
    return out


def _table(table: Table) -> str:
    frame: pd.DataFrame = _readable_times(table.frame)
    rendered = frame.to_html(index=False, border=0, float_format=format_number, na_rep="")
    anchor = _anchor(table.title)
    # column headers with scope and the table named by its heading, for screen readers
    rendered = rendered.replace("<th>", "<th scope='col'>").replace(
        '<table class="dataframe">', f"<table class='dataframe' aria-labelledby='{anchor}'>", 1)
    return f"<h3 id='{anchor}'>{html.escape(table.title)}</h3><div class='scroll' tabindex='0'>{rendered}</div>"
