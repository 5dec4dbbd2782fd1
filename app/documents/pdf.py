"""Turn an autoescaped template under templates/pdf into A4 pages with embedded Chinese fonts and page numbers."""
import io
import math
import re
import threading
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from flask import render_template
from flask_babel import force_locale
from pypdf import PdfReader, PdfWriter
from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus.tables import CellStyle
from xhtml2pdf import pisa
from xhtml2pdf.config.resources import ResourceAccessPolicy
from xhtml2pdf.default import PML_ERROR

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"


@dataclass(frozen=True)
class Font:
    family: str  # the name the templates' CSS uses
    file: str

    @property
    def path(self) -> Path:
        return FONT_DIR / self.file


# The body's font-family list, in order: xhtml2pdf picks per character the first font that has it.
FONTS = (
    Font("song", "gbsn00lp.ttf"),  # AR PL SungtiL GB: the 宋体 of printed forms, GB2312 only
    Font("hei", "wqy-microhei.ttc"),  # WenQuanYi Micro Hei: titles, and every hanzi beyond GB2312 (names)
    Font("symbols", "DejaVuSans.ttf"),  # ☑ ☐ and the signs neither Chinese font has
)

# What a template may make the renderer read: the font files and nothing else, never the network.
# The server preset also bounds the document (10 MB, nesting 200) and the render (60 s) as a backstop.
POLICY = ResourceAccessPolicy.server(FONT_DIR, allow_remote=False)

# Limits on user text, applied by the context builders (`clean`, `lines`): what a printed page can
# usefully hold, and what keeps a hostile 100k-character field from costing seconds per page. A
# box of text must also fit one page: xhtml2pdf shrinks a table cell taller than a page until it
# is unreadable, so multi-line text is cut to a budget of printed lines (`lines`).
SHORT_TEXT = 200  # one-line fields: names, phones, addresses, units
LONG_TEXT = 3000  # descriptions, measures, opinions, comments, evidence, before the line budget
LINE_WIDTH = 58  # half-width characters on a line of a full-width box at 11 pt (a hanzi counts two)
ELLIPSIS = "…"

# Control characters (newline and tab are kept), zero-width characters, bidi marks, overrides and
# isolates that could reorder what is printed, line separators, byte-order marks, lone surrogates
# and non-characters.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060\u2066-\u2069"
                          "\ufeff\ud800-\udfff\ufffe\uffff]")
REPLACEMENT = "\ufffd"  # printed instead of a character none of the fonts can draw

PAGE_NUMBER_FONT = "DafeiSong"  # FONTS[0] as _register_fonts names it for ReportLab
PAGE_NUMBER_SIZE = 9
PAGE_NUMBER_Y = 28  # points above the bottom edge; every template keeps a bottom margin of at least 1.5 cm
PART_ROWS = 500  # rows per separately rendered part of a long document (see render_pdf_in_parts)

_fonts_lock = threading.Lock()
_coverage: frozenset[int] | None = None


class PdfError(RuntimeError):
    """A document could not be rendered (template or layout error reported by xhtml2pdf)."""


def _register_fonts() -> frozenset[int]:
    """Register the fonts with ReportLab once per process; the characters they can draw, together."""
    global _coverage
    if _coverage is not None:
        return _coverage
    with _fonts_lock:
        if _coverage is None:
            names = []
            for font in FONTS:
                name = f"Dafei{font.family.title()}"
                pdfmetrics.registerFont(TTFont(name, str(font.path)))
                names.append(name)
            # ReportLab starts every canvas, and every table cell, in Helvetica, which it never embeds:
            # a PDF naming it fails "fonts embedded" (pdffonts) even when no text is drawn with it.
            # A TrueType font put in its place is embedded only if something is drawn with it.
            rl_config.canvas_basefontname = PAGE_NUMBER_FONT
            CellStyle.fontname = PAGE_NUMBER_FONT  # read from rl_config when ReportLab was imported
            # Beyond the Basic Multilingual Plane (emoji, CJK extension B) ReportLab writes a ToUnicode
            # map that readers reject, so those characters count as undrawable too.
            _coverage = frozenset(c for n in names for c in pdfmetrics.getFont(n).face.charToGlyph if c <= 0xFFFF)
    return _coverage


def clean(value, limit: int = SHORT_TEXT) -> str:
    """User text made printable: dates as 2026-01-02, unprintable characters gone, at most `limit` characters.

    Characters no shipped font can draw (and emoji) become �, so the page shows that something is missing.
    """
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    text = _UNPRINTABLE.sub("", str(value).replace("\r\n", "\n").replace("\r", "\n"))
    if len(text) > limit:
        text = text[:limit - 1] + ELLIPSIS
    coverage = _register_fonts()
    if not {ord(c) for c in text} <= coverage:
        text = "".join(c if ord(c) in coverage or c.isspace() else REPLACEMENT for c in text)
    return text


def zh(label) -> str:
    """One of our lazily translated labels in Chinese, the language of every printed document."""
    with force_locale("zh"):
        return str(label)


def width(text: str) -> int:
    """Printed width in half-width characters: a hanzi or full-width sign counts two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def printed_lines(paragraphs: list[str], line_width: int = LINE_WIDTH) -> int:
    """About how many lines these paragraphs take in a box `line_width` half-width characters wide."""
    return sum(max(1, math.ceil(width(p) / line_width)) for p in paragraphs)


def lines(value, limit: int = LONG_TEXT, *, max_lines: int = 40, line_width: int = LINE_WIDTH) -> list[str]:
    """Multi-line user text as paragraphs (with CJK wrapping on, xhtml2pdf ignores <br/>: each is a <p>).

    At most `limit` characters and about `max_lines` printed lines of `line_width`; what is cut
    ends with …. Blank lines are dropped.
    """
    kept, used = [], 0
    for paragraph in (line.strip() for line in clean(value, limit).split("\n")):
        if not paragraph:
            continue
        needed = printed_lines([paragraph], line_width)
        if used + needed > max_lines:
            room = (max_lines - used) * line_width - 2
            if room > 0:
                cut, taken = "", 0
                for c in paragraph:
                    taken += width(c)
                    if taken > room:
                        break
                    cut += c
                kept.append(cut + ELLIPSIS)
            elif kept and not kept[-1].endswith(ELLIPSIS):
                kept[-1] += ELLIPSIS
            break
        kept.append(paragraph)
        used += needed
    return kept


def _html(template_name: str, context: dict) -> str:
    if not re.fullmatch(r"[a-z_]+\.html", template_name):
        raise ValueError(f"not a template under templates/pdf: {template_name!r}")
    # Printed documents are Chinese whatever language the person downloading them reads.
    with force_locale("zh"):
        return render_template(f"pdf/{template_name}", fonts=FONTS, **context)


def _convert(html: str, name: str) -> bytes:
    _register_fonts()
    out = io.BytesIO()
    try:
        status = pisa.CreatePDF(html, dest=out, encoding="utf-8", resource_policy=POLICY)
    except Exception as exc:  # xhtml2pdf raises layout, resource and limit errors of many classes
        raise PdfError(f"{name}: {exc}") from exc
    if status.err:
        errors = "; ".join(str(entry[2]) for entry in status.log if entry[0] == PML_ERROR)
        raise PdfError(f"{name}: {errors or 'xhtml2pdf reported an error'}")
    return out.getvalue()


def render_pdf(template_name: str, **context) -> bytes:
    """The template `templates/pdf/<template_name>` rendered with `context`, as a PDF with numbered pages.

    Needs an application context (Flask's Jinja environment). `context` holds plain, cleaned values
    (see `clean`/`lines`); the template escapes them, so user text is printed, never interpreted.
    """
    return number_pages(_convert(_html(template_name, context), template_name))


def render_pdf_in_parts(template_name: str, rows: Sequence, *, part_rows: int = PART_ROWS,
                        progress: Callable[[int, int], None] | None = None, **context) -> bytes:
    """A long list (a ledger) rendered `part_rows` rows at a time, then joined and numbered.

    Memory stays that of one part, and `progress(rows_done, rows_total)` is called after each part
    (an RQ job reports it). Each part starts on a new page; a list of up to `part_rows` rows is one part.
    The template gets `rows` (this part's) and `context`.
    """
    total = len(rows)
    writer = PdfWriter()
    for start in range(0, max(total, 1), part_rows):
        part = _convert(_html(template_name, {**context, "rows": rows[start:start + part_rows]}), template_name)
        reader = PdfReader(io.BytesIO(part))
        if not writer.pages and reader.metadata:
            writer.add_metadata({k: v for k, v in reader.metadata.items() if isinstance(v, str)})
        writer.append(reader)
        if progress is not None:
            progress(min(start + part_rows, total), total)
    joined = io.BytesIO()
    writer.write(joined)
    return number_pages(joined.getvalue())


def number_pages(pdf: bytes) -> bytes:
    """Print 第 X 页 共 Y 页 centred at the foot of every page.

    Done after rendering rather than with <pdf:pagecount>, which makes xhtml2pdf lay the whole
    document out twice, and which cannot count across the parts of a long document.
    """
    _register_fonts()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    total = len(writer.pages)
    stamps = io.BytesIO()
    sheet = canvas.Canvas(stamps, initialFontName=PAGE_NUMBER_FONT)
    for number, page in enumerate(writer.pages, start=1):
        page_width, page_height = float(page.mediabox.width), float(page.mediabox.height)
        sheet.setPageSize((page_width, page_height))
        sheet.setFont(PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
        sheet.drawCentredString(page_width / 2, PAGE_NUMBER_Y, f"第 {number} 页 共 {total} 页")
        sheet.showPage()
    sheet.save()
    for page, stamp in zip(writer.pages, PdfReader(stamps).pages):
        page.merge_page(stamp)
        page.compress_content_streams()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def warm_up() -> None:
    """Load the fonts and xhtml2pdf once (about 0.7 s), e.g. in an RQ worker before it forks its jobs."""
    render_pdf("base.html")
