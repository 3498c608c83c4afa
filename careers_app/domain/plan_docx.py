"""Turning a Word (.docx) action plan into the plan text that plan_table reads.

Headings become "## Title" and "### Heading" lines, other paragraphs plain lines, and each
table row one tab-separated line whose cells mark their paragraphs with <p>...</p> (line
breaks inside a paragraph with <br>), so several actions in one cell stay apart. A cell
merged across columns fills its first column and leaves the others blank; a cell merged
down rows counts once, in its first row; a row that is one cell across the whole table is
a heading. Pure: bytes in, text out; no Flask, no database.
"""
from __future__ import annotations

import html
import io
import zipfile

from .plan_cells import cell_items

MAX_UNPACKED = 50 * 1024 * 1024  # a 2 MB upload that unpacks to more is not a plan
WORD_MAIN_PART = "word/document.xml"


class WordFileError(ValueError):
    """The upload is not a Word document we can read."""


def _check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        raise WordFileError("That is not a Word document (.docx). In Word, choose "
                            "File > Save As > Word Document.") from None
    if WORD_MAIN_PART not in names:
        raise WordFileError("That file is not a Word document (.docx); an older .doc file "
                            "must be saved again as .docx.")
    if unpacked > MAX_UNPACKED:
        raise WordFileError("The Word document is too large to read.")


def _one_line(text: str) -> str:
    return " ".join(text.replace("\t", " ").split())


def _paragraph_line(paragraph) -> str:
    text = _one_line(paragraph.text)
    if not text:
        return ""
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    if style == "Title":
        return f"## {text}"
    if style.startswith("Heading"):
        return f"### {text}"
    runs = [run for run in paragraph.runs if run.text.strip()]
    if runs and all(run.bold for run in runs) and len(text) <= 120:
        return f"**{text}**"
    return text


def _cell_markup(tc, parent) -> str:
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    parts = []
    for p in tc.iter(qn("w:p")):  # nested tables' paragraphs too: nothing is lost
        lines = [_one_line(line) for line in Paragraph(p, parent).text.split("\n")]
        text = "<br>".join(html.escape(line) for line in lines if line)
        if text:
            parts.append(f"<p>{text}</p>")
    return " ".join(parts)


def _row_line(tr, table, width: int) -> str:
    tcs = tr.tc_lst
    if width > 1 and len(tcs) == 1 and (tcs[0].grid_span or 1) >= width:
        # One cell across the whole table: a heading row inside the table.
        text = _one_line(" ".join(cell_items(_cell_markup(tcs[0], table))))
        return f"### {text}" if text else ""
    cells = [""] * (tr.grid_before or 0)
    for tc in tr.tc_lst:
        continued = tc.vMerge == "continue"
        cells.append("" if continued else _cell_markup(tc, table))
        cells.extend([""] * ((tc.grid_span or 1) - 1))
    return "\t".join(cells)


def docx_to_text(data: bytes) -> str:
    """The plan text of a .docx file. Raises WordFileError for anything else."""
    _check_zip(data)
    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:  # python-docx raises many kinds for a damaged file
        raise WordFileError("The Word document cannot be read: it may be damaged. Open it "
                            "in Word and save it again.") from error
    lines = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            width = len(block._tbl.tblGrid.gridCol_lst)
            lines.extend(_row_line(tr, block, width) for tr in block._tbl.tr_lst)
            lines.append("")
        else:
            line = _paragraph_line(block)
            if line:
                lines.append(line)
    return "\n".join(lines) + "\n"
