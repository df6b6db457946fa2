"""The 通报 as a Word document (.docx, python-docx) that offices open, edit and send in Word or WPS.

Laid out after the official-document habit (GB/T 9704): A4, margins 37/35/28/26 mm, body in 仿宋_GB2312
三号 (16 pt) on a 28 pt line, first-level headings in 黑体, second-level in bold 仿宋, page numbers
"— 1 —" centred in the footer. Fonts are set by the names Word and WPS map to Chinese fonts, on the
East Asian slot too (python-docx's font.name sets only the Latin one, and Word then draws Chinese in
its default font); the font table names a fallback (仿宋, 黑体) for a computer without the GB2312 fonts.

Headings use Word's own Heading 1/2 styles, so the navigation pane lists the sections and an editor can
restyle them at once. Uploaded names go in as plain text runs: Word draws them as written.
"""

from __future__ import annotations

import io

from governance.briefing.notice import INDICATOR_HEADER, NO_PROBLEM_ADVICE, SECTIONS, Notice

BODY_FONT, HEADING_FONT = "仿宋_GB2312", "黑体"
FALLBACK = {"仿宋_GB2312": "仿宋", "黑体": "SimHei"}  # what Word uses when the font is missing
BODY_PT, TITLE_PT, TABLE_PT = 16, 22, 12
RED = "C00000"


def _fonts(rpr_owner, name: str) -> None:
    """Set every font slot (Latin, East Asian, complex) of a run or style to `name`, dropping theme fonts,
    which would otherwise win over an explicit name."""
    from docx.oxml.ns import qn

    rpr = rpr_owner.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:eastAsiaTheme", "w:hAnsiTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)
    fonts.set(qn("w:hint"), "eastAsia")


def _style(doc, name: str, font: str, size: float, *, bold: bool = False, color: str = "000000"):
    from docx.shared import Pt, RGBColor

    style = doc.styles[name]
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.color.rgb = RGBColor.from_string(color)
    _fonts(style.element, font)
    return style


def _run(paragraph, text: str, *, font: str = BODY_FONT, size: float | None = None, bold: bool | None = None,
         color: str | None = None):
    from docx.shared import Pt, RGBColor

    run = paragraph.add_run(text)
    _fonts(run._r, font)
    if size:
        run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold
    if color:
        run.font.color.rgb = RGBColor.from_string(color)
    return run


def _page_number(paragraph) -> None:
    """— PAGE — as a Word field, so it counts pages however the text is edited."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    _run(paragraph, "— ", font="宋体", size=14)
    run = _run(paragraph, "", font="宋体", size=14)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText" if text.strip() == "PAGE" else "w:t")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)
    _run(paragraph, " —", font="宋体", size=14)


def _border_below(paragraph, color: str = RED, size: int = 12) -> None:
    """The red rule under the masthead (w:pBdr/w:bottom; size in eighths of a point)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    ppr = paragraph._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", str(size)), ("w:space", "4"), ("w:color", color)):
        bottom.set(qn(k), v)
    border.append(bottom)
    ppr.append(border)


def _keep_together(table) -> None:
    """Rows never split across pages, and the header row repeats if a table must break."""
    from docx.oxml import OxmlElement

    for i, row in enumerate(table.rows):
        trpr = row._tr.get_or_add_trPr()
        trpr.append(OxmlElement("w:cantSplit"))
        if i == 0:
            trpr.append(OxmlElement("w:tblHeader"))


def _font_table(doc) -> None:
    """Name the GB2312 fonts in the font table with a fallback (w:altName) and the GB2312 charset, so Word
    on a computer without them substitutes a Chinese font rather than a Latin one."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    part = doc.part.part_related_by(RT.FONT_TABLE)
    entries = "".join(
        f'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:charset w:val="86"/>'
        f'<w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>'
        for name, alt in FALLBACK.items())
    blob = part.blob.decode("utf-8")
    part._blob = blob.replace("</w:fonts>", entries + "</w:fonts>").encode("utf-8")


def _charts(doc, pack, width) -> None:
    """附件：图表: each chart's picture (drawn once for the pack), its title and its takeaway."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Pt

    pack.render()
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    doc.add_heading("附件：图表", level=1)
    for i, chart in enumerate(pack.charts, 1):
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.keep_with_next = True
        p.paragraph_format.line_spacing = 1.0
        p.add_run().add_picture(io.BytesIO(chart.png), width=width)
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(p, f"图{i}　{chart.title}", font=HEADING_FONT, size=14)
        p = doc.add_paragraph()
        p.paragraph_format.first_line_indent = Pt(2 * BODY_PT)
        _run(p, chart.takeaway, size=14)


def to_docx(n: Notice, pack=None) -> bytes:
    """The notice as .docx bytes; with the pack, its charts follow the text as an attachment (附件)."""
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
    from docx.shared import Mm, Pt

    doc = Document()
    doc.core_properties.title = n.title
    doc.core_properties.subject = n.issue
    doc.core_properties.author = n.office
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(20)

    normal = _style(doc, "Normal", BODY_FONT, BODY_PT)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.paragraph_format.line_spacing = Pt(28)
    normal.paragraph_format.space_after = Pt(0)
    h1 = _style(doc, "Heading 1", HEADING_FONT, BODY_PT)
    h2 = _style(doc, "Heading 2", BODY_FONT, BODY_PT, bold=True)
    for h in (h1, h2):
        h.paragraph_format.space_before = Pt(6)
        h.paragraph_format.space_after = Pt(0)
        h.paragraph_format.first_line_indent = Pt(2 * BODY_PT)
        h.paragraph_format.keep_with_next = True
    _font_table(doc)

    def body(text: str) -> None:
        p = doc.add_paragraph()
        p.paragraph_format.first_line_indent = Pt(2 * BODY_PT)
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        _run(p, text)

    # masthead: the notice's name in red, the 期号, the office and the date over a red rule
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.line_spacing = Pt(40)
    _run(p, n.title, font=HEADING_FONT, size=TITLE_PT, color=RED)
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(p, n.issue)
    p = doc.add_paragraph()
    width = section.page_width - section.left_margin - section.right_margin
    p.paragraph_format.tab_stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
    _run(p, n.office, size=14)  # 四号, so a long office name and the date share the line
    _run(p, "\t" + n.date, size=14)
    _border_below(p)
    doc.add_paragraph()

    doc.add_heading(SECTIONS[0], level=1)
    body(n.overall)
    doc.add_heading(SECTIONS[1], level=1)
    for s in n.sections:
        doc.add_heading(s.heading, level=2)
        body(s.text)
        if s.rows:
            table = doc.add_table(rows=1 + len(s.rows), cols=len(INDICATOR_HEADER))
            table.style = "Table Grid"
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            _keep_together(table)
            for r, values in enumerate([INDICATOR_HEADER, *s.rows]):
                for c, value in enumerate(values):
                    cell = table.cell(r, c).paragraphs[0]
                    cell.paragraph_format.keep_with_next = r < len(s.rows)  # the table stays on one page
                    cell.paragraph_format.first_line_indent = Pt(0)
                    cell.paragraph_format.line_spacing = Pt(20)
                    cell.alignment = WD_ALIGN_PARAGRAPH.LEFT if c == 0 else WD_ALIGN_PARAGRAPH.CENTER
                    _run(cell, str(value), font=HEADING_FONT if r == 0 else BODY_FONT, size=TABLE_PT)
            doc.add_paragraph()
    doc.add_heading(SECTIONS[2], level=1)
    for i, problem in enumerate(n.problems, 1):
        body(f"{i}. {problem.text}")
    if not n.problems:
        body(n.no_problems)
    doc.add_heading(SECTIONS[3], level=1)
    for i, problem in enumerate(n.problems, 1):
        body(f"{i}. {problem.suggestion}")
    if not n.problems:
        body(NO_PROBLEM_ADVICE)
    doc.add_paragraph()
    p = doc.add_paragraph()
    p.paragraph_format.line_spacing = Pt(22)
    _run(p, n.footnote, size=12, color="595959")

    if pack is not None and pack.charts:
        _charts(doc, pack, width)

    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_number(footer)

    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
