"""Building Word documents in tests, the way a careers leader's plan is laid out."""
from __future__ import annotations

import io
import re

import docx

_PARAGRAPH = re.compile(r"<(p|li)\b[^>]*>(.*?)</\1>", re.S)
_TAGS = re.compile(r"<[^>]+>")
_SPACE_RUN = re.compile(r" {3,}")


def _fill(cell, markup: str) -> None:
    """A cell's paragraphs from the seed's <p>/<li> markup; a run of spaces in the seed text
    was a line break in the document, so it becomes one."""
    found = _PARAGRAPH.findall(markup) or [("p", markup)]
    first = True
    for tag, inner in found:
        text = _TAGS.sub("", inner).strip()
        if not text:
            continue
        paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
        if tag == "li":
            paragraph.style = "List Bullet"
        for index, line in enumerate(_SPACE_RUN.split(text)):
            if index:
                paragraph.add_run().add_break()
            paragraph.add_run(line.strip())
        first = False


def plan_text_to_docx(text: str) -> bytes:
    """A .docx with the seed text's title, headings, paragraphs and tables."""
    document = docx.Document()
    rows: list[list[str]] = []

    def flush() -> None:
        if not rows:
            return
        table = document.add_table(rows=0, cols=max(len(r) for r in rows))
        for cells in rows:
            row = table.add_row()
            for cell, markup in zip(row.cells, cells):
                _fill(cell, markup)
        rows.clear()

    for line in text.splitlines():
        if "\t" in line:
            rows.append(line.split("\t"))
        elif line.strip():  # a blank line inside a table keeps the table going
            flush()
            if line.startswith("## "):
                document.add_paragraph(line[3:], style="Title")
            elif line.startswith("### "):
                document.add_heading(line[4:], level=2)
            elif line.startswith("**"):
                document.add_paragraph().add_run(line.strip("* ")).bold = True
            else:
                document.add_paragraph(line)
    flush()
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
