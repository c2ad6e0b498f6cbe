"""Self-contained HTML reports."""

from lunarops.report.html import render_report

__all__ = ["render_report"]
