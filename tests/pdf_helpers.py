"""Reading PDFs as a person would: their text (pypdf, or poppler where installed), fonts and ink on the page."""
import io
import shutil
import subprocess
import tempfile
from pathlib import Path

from PIL import Image
from pypdf import PdfReader

from tests.services import unavailable


def pages_text(pdf: bytes) -> list[str]:
    """The text of each page, without the spaces and line breaks layout puts between characters."""
    return ["".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def fonts(pdf: bytes) -> dict[str, bool]:
    """Every font the pages use → whether its program is embedded (FontFile, FontFile2 or FontFile3)."""
    found = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            found[str(font["/BaseFont"])] = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return found


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        unavailable(f"{name} is not installed (apt-get install poppler-utils)")
    return path


def _run(tool: str, pdf: bytes, *args: str, folder: Path) -> str:
    """Run a poppler tool on `pdf` (written to `folder`); its standard output. Page images go to `folder`."""
    (folder / "doc.pdf").write_bytes(pdf)
    extra = {"pdftoppm": [str(folder / "page")], "pdftotext": ["-"]}.get(tool, [])
    return subprocess.run([_tool(tool), *args, str(folder / "doc.pdf"), *extra],
                          capture_output=True, text=True, check=True).stdout


def pdftotext(pdf: bytes) -> str:
    """poppler's reading of the text, spaces removed (layout mode spaces Chinese out)."""
    with tempfile.TemporaryDirectory() as folder:
        return "".join(_run("pdftotext", pdf, "-layout", folder=Path(folder)).split())


def pdffonts(pdf: bytes) -> list[tuple[str, str]]:
    """(font name, the "emb" column) for each font poppler lists."""
    with tempfile.TemporaryDirectory() as folder:
        lines = _run("pdffonts", pdf, folder=Path(folder)).splitlines()[2:]
    return [(line.split()[0], line.split()[-5]) for line in lines if line.strip()]


def dark_pixels(pdf: bytes, page: int = 1, dpi: int = 50) -> int:
    """How many pixels of the page, drawn by pdftoppm, are dark: ink, not paper."""
    with tempfile.TemporaryDirectory() as folder:
        _run("pdftoppm", pdf, "-r", str(dpi), "-png", "-f", str(page), "-l", str(page), folder=Path(folder))
        with Image.open(next(Path(folder).glob("page*.png"))) as image:
            histogram = image.convert("L").histogram()
    return sum(histogram[:128])


def smallest_text(pdf: bytes) -> float:
    """The size, in points as printed, of the smallest text: a shrunk box shows up here."""
    sizes = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        def visit(text, cm, tm, font, size):
            if text.strip():
                sizes.append(size * (abs(cm[0] * tm[0] + cm[2] * tm[1]) or abs(tm[0])))
        page.extract_text(visitor_text=visit)
    return min(sizes)
