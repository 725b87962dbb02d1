"""On a phone every table of the officers' pages folds into one card per row, and each cell shows its
column's name from ``data-label`` (``static/portal.css``): a cell without one is a bare number nobody
can read. This walks every page template of every app (not the admin's, whose changelists Django
draws, nor print-only and form-grid templates) and finds each body cell without a label."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Not phone card tables: the admin's own pages, an A4 print, and a form laid out as a grid of inputs.
EXEMPT = {
    "governance/templates/admin/governance/event_history.html",
    "villages/templates/villages/admin_completeness.html",
    "security/templates/security/agreement_print.html",
    "residential/templates/residential/meeting_form.html",
}
BODY = re.compile(r"<tbody>(.*?)</tbody>", re.S)
CELL = re.compile(r"<td\b[^>]*>")


def unlabelled_cells(text: str) -> list[str]:
    """The opening tags of body cells with neither ``data-label`` nor ``colspan`` (an empty-list row)."""
    return [
        tag
        for body in BODY.findall(text)
        for tag in CELL.findall(body)
        if "data-label" not in tag and "colspan" not in tag
    ]


def test_the_scan_finds_a_cell_without_a_label():
    assert unlabelled_cells('<tbody><tr><td data-label="户号">1</td><td>2</td></tr></tbody>') == ["<td>"]
    assert unlabelled_cells('<tbody><tr><td colspan="3">无</td></tr></tbody><td>x</td>') == []


def test_every_page_table_cell_names_its_column():
    templates = sorted(ROOT.glob("*/templates/**/*.html"))
    assert len(templates) > 50
    missing = {
        str(path.relative_to(ROOT)): cells
        for path in templates
        if str(path.relative_to(ROOT)) not in EXEMPT and (cells := unlabelled_cells(path.read_text()))
    }
    assert missing == {}
