"""Letters as Word (.docx, python-docx) and PDF (WeasyPrint), on the council's letterhead.

The merged text arrives as plain text; both writers treat it as text (python-docx runs, and
an autoescaping Django template for the PDF's HTML), so merged values can never become markup.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field

from django.template.loader import render_to_string

from correspondence.rendering.sandbox import paragraphs

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_CONTENT_TYPE = "application/pdf"


@dataclass(frozen=True)
class Letter:
    letterhead_name: str
    letterhead_address: list[str]
    letterhead_contact: list[str]
    footer: str
    date: str
    reference: str
    recipient: list[str]
    subject: str
    body: str
    # The council's logo (PNG or JPEG bytes, checked when uploaded), and where it goes.
    logo: bytes = b""
    logo_content_type: str = ""
    logo_position: str = "right"
    paragraphs: list[list[str]] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "paragraphs", paragraphs(self.body))

    @property
    def logo_data_uri(self) -> str:
        """The logo inline in the PDF's HTML (WeasyPrint fetches nothing from outside)."""
        if not self.logo:
            return ""
        return f"data:{self.logo_content_type};base64,{base64.b64encode(self.logo).decode()}"


# Printed size of the logo: this wide at most, and no taller than this.
LOGO_MAX_WIDTH_MM = 45
LOGO_MAX_HEIGHT_MM = 22


def render_docx(letter: Letter) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(11)
    section = document.sections[0]
    # The letterhead sits in the page header, as it would on council stationery.
    header = section.header
    head = header.paragraphs[0]
    if letter.logo:
        align = {
            "left": WD_ALIGN_PARAGRAPH.LEFT,
            "centre": WD_ALIGN_PARAGRAPH.CENTER,
            "right": WD_ALIGN_PARAGRAPH.RIGHT,
        }
        head.alignment = align.get(letter.logo_position, WD_ALIGN_PARAGRAPH.RIGHT)
        head.add_run().add_picture(io.BytesIO(letter.logo), **_logo_size(letter.logo))
        head = header.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    name_run = head.add_run(letter.letterhead_name)
    name_run.bold = True
    name_run.font.size = Pt(14)
    for line in [*letter.letterhead_address, *letter.letterhead_contact]:
        head.add_run().add_break()
        head.add_run(line).font.size = Pt(9)
    if letter.footer:
        foot = section.footer.paragraphs[0]
        foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
        foot.add_run(letter.footer).font.size = Pt(8)

    def lines_paragraph(lines: list[str]) -> None:
        para = document.add_paragraph()
        for i, line in enumerate(lines):
            if i:
                para.add_run().add_break()
            para.add_run(line)

    if letter.recipient:
        lines_paragraph(letter.recipient)
    meta = document.add_paragraph()
    meta.add_run(f"Our ref: {letter.reference}")
    meta.add_run().add_break()
    meta.add_run(f"Date: {letter.date}")
    subject = document.add_paragraph()
    subject.add_run(letter.subject).bold = True
    for para_lines in letter.paragraphs:
        lines_paragraph(para_lines)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _logo_size(logo: bytes) -> dict:
    """Width or height for python-docx, keeping the logo within the printed box."""
    from docx.shared import Mm
    from PIL import Image

    with Image.open(io.BytesIO(logo)) as image:
        width, height = image.size
    if width * LOGO_MAX_HEIGHT_MM >= height * LOGO_MAX_WIDTH_MM:
        return {"width": Mm(LOGO_MAX_WIDTH_MM)}
    return {"height": Mm(LOGO_MAX_HEIGHT_MM)}


def render_pdf(letter: Letter) -> bytes:
    # Imported here: WeasyPrint takes a second to load and only letters need it.
    from weasyprint import HTML

    html = render_to_string(
        "correspondence/letter.html",
        {
            "letter": letter,
            "logo_max_width_mm": LOGO_MAX_WIDTH_MM,
            "logo_max_height_mm": LOGO_MAX_HEIGHT_MM,
        },
    )
    return bytes(HTML(string=html).write_pdf())


def merge_pdfs(parts: list[bytes]) -> bytes:
    """One PDF of `parts` in order (a batch's letters, to print in one go): the files the
    cases keep, not a new rendering, so the print is exactly what each case records."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for part in parts:
        writer.append(io.BytesIO(part))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
