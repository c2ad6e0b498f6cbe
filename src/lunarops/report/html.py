"""One self-contained HTML report per run: plotly's JavaScript inlined, images embedded, no network needed."""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from plotly.offline import get_plotlyjs

from lunarops import __version__
from lunarops.atomic import write_text_atomic
from lunarops.numformat import format_number
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
.note{color:#4a5568;font-size:13px}.caption{color:#6b7785;font-size:12px}
nav a{margin-right:14px;color:#14213d;font-size:14px}
"""


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
    links = [("key-results", "Key results")] if key_results else []
    links += [(s.name, s.title) for s in stages] + [("glossary", "Glossary")]
    body = [_section_key_results(key_results)] if key_results else []
    body += [
        "<nav>" + "".join(f"<a href='#{html.escape(a)}'>{html.escape(t)}</a>" for a, t in links) + "</nav>",
        _section_run(run_info),
    ]
    body += [_section(stage) for stage in stages]
    body.append(_section_glossary())
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title><style>{CSS}</style>",
        f"<script type='text/javascript'>{get_plotlyjs()}</script></head><body>",
        f"<header><h1>{html.escape(title)}</h1><p>{html.escape(subtitle)}</p></header><main>",
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
    head = "<tr><th>item</th><th style='text-align:left'>value</th><th style='text-align:left'>from</th></tr>"
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
    head = "<tr><th>term</th><th style='text-align:left'>meaning</th><th style='text-align:left'>source</th></tr>"
    return f"<section id='glossary'><h2>Glossary</h2><table>{head}{rows}</table></section>"


def _section_run(run_info: dict[str, Any]) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(str(k))}</td><td>{html.escape(str(v))}</td></tr>" for k, v in run_info.items()
    )
    return f"<section id='run'><h2>Run</h2><table>{rows}</table></section>"


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


def _format(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return format_number(value)
    return html.escape(str(value))


def _summary_label(key: str, summary: dict[str, Any]) -> str:
    """The key as shown: the campaign's imleo_kg is labelled by what it measures (e.g. mass launched to TLI)."""
    if key == "imleo_kg" and "imleo_label" in summary:
        return f"{summary['imleo_label']}, kg (imleo_kg)"
    return key


def _summary_table(summary: dict[str, Any]) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(_summary_label(str(k), summary))}</td><td>{_format(v)}</td>"
        f"<td>{html.escape(summary_unit(str(k)))}</td></tr>"
        for k, v in summary.items()
        if not isinstance(v, dict | list) and k != "imleo_label"
    )
    return f"<table><tr><th>value</th><th></th><th>unit</th></tr>{rows}</table>"


def _figure(figure: Figure) -> str:
    body = ""
    if figure.plotly is not None:
        body = figure.plotly.to_html(full_html=False, include_plotlyjs=False, config={"displaylogo": False})
    elif figure.png is not None:
        encoded = base64.b64encode(figure.png).decode("ascii")
        body = f"<img alt='{html.escape(figure.title)}' style='max-width:100%' src='data:image/png;base64,{encoded}'>"
    caption = f"<p class='caption'>{html.escape(figure.caption)}</p>" if figure.caption else ""
    return f"<h3>{html.escape(figure.title)}</h3>{body}{caption}"


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
    return f"<h3>{html.escape(table.title)}</h3><div class='scroll'>{rendered}</div>"
