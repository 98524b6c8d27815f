"""Report writers: the terminal table, JSON, JUnit XML and one self-contained HTML file.

Each reads ``ScenarioResult`` values only; none runs anything.
"""

from exolab.scenarios.reports.html import render_html
from exolab.scenarios.reports.json_report import render_json
from exolab.scenarios.reports.junit import render_junit
from exolab.scenarios.reports.table import Progress, render_table

__all__ = ["Progress", "render_html", "render_json", "render_junit", "render_table"]
