"""Real scan pages: multi-page PDF, JPEG or TIFF files made with Pillow.

Without a target size a page looks like a scanned text page (white paper,
grey text bars). With a target size the page is incompressible noise whose
pixel count is calibrated so the file lands near the target; one page image
is reused for every page, so memory holds one page, not many copies.
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from PIL import Image, ImageDraw

PageFormat = Literal["pdf", "jpeg", "tiff"]
A4_RATIO = math.sqrt(2)  # height / width
JPEG_QUALITY = 95
DPI = 150


@dataclass(frozen=True)
class FileKind:
    """What a scanned file is: its name suffix and MIME type."""

    suffix: str  # "" for the whole document, "-2" for page 2 of a JPEG set
    extension: str
    maintype: str
    subtype: str


@dataclass(frozen=True)
class ScanFile(FileKind):
    """One attachment: its name suffix, MIME type and bytes."""

    data: bytes


def text_page(rng: random.Random, width: int = 1240) -> Image.Image:
    """A plausible scanned text page (A4 at 150 dpi)."""
    height = round(width * A4_RATIO)
    img = Image.new("L", (width, height), 250)
    draw = ImageDraw.Draw(img)
    y = 120
    while y < height - 140:
        x = 100
        while x < width - 140:
            word = rng.randint(20, 110)
            draw.rectangle((x, y, min(x + word, width - 100), y + 14), fill=rng.randint(20, 90))
            x += word + rng.randint(10, 22)
        y += rng.randint(26, 40)
    return img


def noise_page(rng: random.Random, pixels: int) -> Image.Image:
    """An incompressible RGB page of about ``pixels`` pixels, A4 shaped."""
    width = max(16, round(math.sqrt(pixels / A4_RATIO)))
    height = max(16, round(width * A4_RATIO))
    return Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))


def _encode(images: list[Image.Image], fmt: PageFormat, when: datetime | None = None) -> bytes:
    buf = io.BytesIO()
    first, rest = images[0], images[1:]
    if fmt == "pdf":
        # The PDF's dates come from the device clock, not Pillow's wall clock: same job, same bytes.
        stamp = (when or datetime(2000, 1, 1, tzinfo=UTC)).astimezone(UTC).utctimetuple()
        first.save(
            buf,
            "PDF",
            save_all=True,
            append_images=rest,
            resolution=DPI,
            quality=JPEG_QUALITY,
            subsampling=0,
            creationDate=stamp,
            modDate=stamp,
        )
    elif fmt == "tiff":
        first.save(buf, "TIFF", save_all=True, append_images=rest, dpi=(DPI, DPI))
    else:
        first.save(buf, "JPEG", quality=JPEG_QUALITY, subsampling=0, dpi=(DPI, DPI))
    return buf.getvalue()


def _bytes_per_pixel(fmt: PageFormat, rng: random.Random) -> float:
    if fmt == "tiff":
        return 3.0  # uncompressed RGB
    probe = noise_page(rng, 256 * 362)
    return len(_encode([probe], "jpeg")) / (probe.width * probe.height)


def render(
    fmt: PageFormat, pages: int, target: int | None, rng: random.Random, when: datetime
) -> list[ScanFile]:
    """The files a device attaches for this scan (one PDF/TIFF, or one JPEG per page).

    ``when`` (the device clock) dates the PDF, so the same job gives the same bytes.
    """
    if target is None:
        page_images = [text_page(rng) for _ in range(pages)]
    else:
        per_page = max(1, target // pages)
        bpp = _bytes_per_pixel(fmt, rng)
        page = noise_page(rng, max(256, int(per_page / bpp)))
        page_images = [page] * pages  # the same object: one copy in memory
    if fmt == "jpeg":
        return [
            ScanFile(
                f"-{i + 1}" if pages > 1 else "", "jpg", "image", "jpeg", _encode([img], "jpeg")
            )
            for i, img in enumerate(page_images)
        ]
    ext, maintype, subtype = (
        ("pdf", "application", "pdf") if fmt == "pdf" else ("tif", "image", "tiff")
    )
    return [ScanFile("", ext, maintype, subtype, _encode(page_images, fmt, when))]
