"""A scan job and the MIME message a real device sends for it (stdlib ``email`` only).

``parse_job_spec("pages=3,format=pdf,size=2MB,subject=スキャン,filename=スキャン.pdf")``
gives a ``Job``; ``build_message`` turns it into RFC 5322 bytes (CRLF) with
the profile's header set and encodings: Subject as RFC 2047 encoded words in
UTF-8 or ISO-2022-JP, attachment names as RFC 2231 or RFC 2047, Message-ID
from the seeded RNG and Date from the injected clock.

The pages are drawn from a generator of their own with a fixed seed, so
the same job at the same second gives the same pages whatever the send's
seed (which still makes each boundary and Message-ID): a process that
sends many scans (the scenario runner, a fleet of a thousand devices)
draws each kind of page once and keeps the last few small ones, drawn and
base64-encoded, instead of drawing one per send.

``email`` builds every message, but it writes a payload one line at a time
(a 2 MB scan is 36,000 lines of base64): each attachment is given to it as a
one-line stand-in, and the base64 lines, already ending in CRLF as the
generator would end them, take the stand-in's place in the flattened bytes.
Should the stand-in occur anywhere else (a subject that quotes it), the real
payloads go into the tree and ``email`` writes them itself: the same bytes.
"""

from __future__ import annotations

import random
import re
from base64 import encodebytes
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.header import Header
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from exolab.devices._validation import from_validation_error
from exolab.devices.clock import Clock
from exolab.devices.errors import JobError
from exolab.devices.pages import FileKind, PageFormat, ScanFile, render
from exolab.devices.profile import Encoding, Profile

SIZE_UNITS = {"": 1, "B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}
_SIZE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([KMG]?B?)\s*$", re.IGNORECASE)
MAX_SIZE = 1024**3
CACHED_SCAN_BYTES = 2 * 1024**2
"""Scans expected to stay under this are kept for reuse (the last few per process)."""
CACHED_SCANS = 16
"""How many such scans a process keeps (a scan kept is its base64 only: up to ~2.8 MB)."""
PAGELESS_DATE = datetime(2000, 1, 1, tzinfo=UTC)
"""What stands for the date of pages that carry none (JPEG and TIFF)."""
PAGE_SEED = 0x5CA7
"""The seed of every scan's page generator (the send's own generator is not used for pages)."""
TEXT_PAGE_BYTES = 400 * 1024
"""About what one text page weighs as PDF, JPEG or TIFF (for the estimate above)."""
WIRE_POLICY = policy.compat32.clone(linesep="\r\n")
STAND_IN = "=_exolab_attachment_{}_="
"""The one-line payload an attachment has while ``email`` flattens the message around it."""


class Job(BaseModel):
    """One scan: pages, file format, target attachment size, subject and file name."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    pages: int = Field(default=1, ge=1, le=500)
    format: Literal["pdf", "jpeg", "tiff"] = "pdf"
    size: int | None = Field(
        default=None, gt=0, le=MAX_SIZE, description="Target attachment bytes (before base64)."
    )
    subject: str = "Scanned document"
    filename: str | None = Field(default=None, description="Default: scan.<ext>.")
    body: str = "Please open the attached file."


def parse_size(text: str, source: str = "--job") -> int:
    """``2MB`` -> 2097152 (KB/MB/GB are powers of 1024, as device panels show them)."""
    m = _SIZE.match(text)
    if m is None:
        raise JobError(source, "size", f"a size like 512KB, 2MB or 1.5GB, got {text!r}")
    unit = m.group(2).upper()
    unit = unit if unit.endswith("B") or unit == "" else unit + "B"
    return int(float(m.group(1)) * SIZE_UNITS[unit])


def parse_job_spec(spec: str, source: str = "--job") -> Job:
    """``key=value`` pairs separated by commas; keys are the Job fields."""
    data: dict[str, Any] = {}
    for item in (p for p in spec.split(",") if p.strip()):
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep:
            raise JobError(
                source, item.strip(), "key=value (keys: " + ", ".join(Job.model_fields) + ")"
            )
        if key not in Job.model_fields:
            raise JobError(source, key, "one of " + ", ".join(Job.model_fields))
        if key in data:
            raise JobError(source, key, "given once")
        data[key] = parse_size(value, source) if key == "size" else value.strip()
    try:
        return Job.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(JobError, source, exc) from None


def _message_id_text(number: str, hostname: str, sender: str) -> str:
    domain = sender.rpartition("@")[2] or "localhost"
    return f"<{number}.{hostname}@{domain}>"


@dataclass(frozen=True)
class Attachment(FileKind):
    """One scanned file as the message carries it: its name suffix, MIME type and base64 lines."""

    body: bytes
    """The payload on the wire: base64 in 76-character lines, each ending in CRLF."""


def _attachment(file: Attachment, payload: str, name: str, enc: Encoding) -> MIMEBase:
    part = MIMEBase(file.maintype, file.subtype)
    part.set_payload(payload)  # base64 text, as email.encoders.encode_base64 leaves it
    part["Content-Transfer-Encoding"] = "base64"
    if name.isascii():
        part.set_param("name", name)
        part.add_header("Content-Disposition", "attachment", filename=name)
    elif enc.filename_style == "rfc2231":
        part.set_param("name", name, charset=enc.filename_charset)
        part.add_header(
            "Content-Disposition", "attachment", filename=(enc.filename_charset, "", name)
        )
    else:
        encoded = Header(name, enc.filename_charset).encode()
        part.set_param("name", encoded)
        part.add_header("Content-Disposition", "attachment", filename=encoded)
    return part


def file_names(job: Job, files: Sequence[FileKind]) -> list[str]:
    names = []
    for f in files:
        stem, dot, ext = (job.filename or f"scan.{f.extension}").rpartition(".")
        if not dot:
            stem, ext = ext, f.extension
        names.append(f"{stem}{f.suffix}.{ext}")
    return names


def build_message(
    job: Job,
    profile: Profile,
    *,
    header_from: str,
    recipients: Sequence[str],
    clock: Clock,
    rng: random.Random,
) -> bytes:
    """The message bytes (CRLF line endings) a device with this profile sends."""
    pages_now = clock.now()
    # the pages' bytes depend on the date to the second, and only in a PDF
    page_date = _to_the_second(pages_now) if job.format == "pdf" else PAGELESS_DATE
    boundary = f"{rng.getrandbits(64):016x}"  # seeded, not email's own random
    date = format_datetime(clock.now())
    number = f"{rng.getrandbits(64):016x}"
    message_id = _message_id_text(number, profile.greeting.hostname, header_from)
    fixed = _Fixed(
        job, profile.encoding, tuple(profile.headers.items()), profile.greeting.hostname,
        header_from, tuple(recipients), page_date,
    )  # fmt: skip
    if _estimate(job) <= CACHED_SCAN_BYTES and _sent_before(fixed):
        template = _template(fixed)
        if template is not None:
            filled = template.fill(boundary, date, number)
            if filled is not None:
                return filled
    return _flatten(fixed, boundary, date, message_id)


@dataclass(frozen=True)
class _Fixed:
    """Everything of a message but its boundary, Date and Message-ID."""

    job: Job
    enc: Encoding
    headers: tuple[tuple[str, str], ...]
    hostname: str
    header_from: str
    recipients: tuple[str, ...]
    page_date: datetime


def _flatten(fixed: _Fixed, boundary: str, date: str, message_id: str) -> bytes:
    """The message as ``email`` writes it (the stand-ins spliced, see the module text)."""
    job, enc = fixed.job, fixed.enc
    files = _scan_files(job, fixed.page_date)
    msg = MIMEMultipart()
    msg.set_boundary(f"=_exolab_{boundary}")
    if fixed.header_from:  # a firmware quirk may leave From out altogether
        msg["From"] = fixed.header_from
    msg["To"] = ", ".join(fixed.recipients)
    subject: str | Header = job.subject
    if not job.subject.isascii():
        subject = Header(job.subject, enc.subject_charset)
    msg["Subject"] = subject  # type: ignore[assignment]  # compat32 accepts Header objects
    msg["Date"] = date
    msg["Message-ID"] = message_id
    for name, value in fixed.headers:
        msg[name] = value
    msg.attach(MIMEText(job.body, "plain", enc.body_charset))
    parts = []
    for i, (file, name) in enumerate(zip(files, file_names(job, files), strict=True)):
        part = _attachment(file, STAND_IN.format(i) + "\n", name, enc)
        msg.attach(part)
        parts.append(part)
    spliced = _splice(msg.as_bytes(policy=WIRE_POLICY), [f.body for f in files])
    if spliced is not None:
        return spliced
    for part, file in zip(parts, files, strict=True):
        part.set_payload(file.body.decode("ascii"))
    del files
    return msg.as_bytes(policy=WIRE_POLICY)


TEMPLATE_BOUNDARY = "5ca7b0da5ca7b0da"
TEMPLATE_NUMBER = "5ca71d5ca71d5ca7"
TEMPLATE_DATE = format_datetime(PAGELESS_DATE)
"""What a template holds where each message has its own boundary, Message-ID number and Date."""


@dataclass(frozen=True)
class _Template:
    """A flattened message with stand-ins for the three values that differ per message.

    ``email`` writes a boundary, a Message-ID number (16 hex digits each) and a
    Date (``format_datetime``: one width, spaces and comma in the same places)
    the same way whatever their digits and letters, as long as no line that
    holds one is folded (checked): so the message with the real values is the
    template with the stand-ins replaced. A thousand sends of one job flatten
    the message once instead of a thousand times.
    """

    pieces: tuple[bytes, ...]  # the text around the stand-ins
    order: tuple[int, ...]  # which value goes after each piece: 0 boundary, 1 Date, 2 number

    def fill(self, boundary: str, date: str, number: str) -> bytes | None:
        values = (boundary.encode("ascii"), date.encode("ascii"), number.encode("ascii"))
        if len(values[1]) != len(TEMPLATE_DATE) or any(len(v) != 16 for v in values[::2]):
            return None
        out = [self.pieces[0]]
        for which, piece in zip(self.order, self.pieces[1:], strict=True):
            out += (values[which], piece)
        return b"".join(out)


_STAND_IN_VALUES = tuple(
    t.encode("ascii") for t in (TEMPLATE_BOUNDARY, TEMPLATE_DATE, TEMPLATE_NUMBER)
)
"""The stand-ins, in the order of ``_Template.order``'s numbers."""


def _stand_ins(wire: bytes) -> list[tuple[int, int]]:
    """(offset, which) of every stand-in in ``wire``, in order.

    ``bytes.find`` per stand-in: a regular expression over the three took
    about 5 ms a pass over a one-page scan, and a template needs the whole
    message searched.
    """
    found = []
    for which, value in enumerate(_STAND_IN_VALUES):
        at = wire.find(value)
        while at >= 0:
            found.append((at, which))
            at = wire.find(value, at + len(value))
    return sorted(found)


_SENT: dict[_Fixed, None] = {}
"""The messages sent once, oldest first: a second send of one makes its template."""


def _sent_before(fixed: _Fixed) -> bool:
    """Whether a message like ``fixed`` was sent before (this one is remembered).

    A template costs a flatten and a search of the whole message: worth it
    from the second send of a message on, not for one sent once (most
    scenarios send each message once, a fleet the same one thousands of
    times).
    """
    if fixed in _SENT:
        return True
    _SENT[fixed] = None
    if len(_SENT) > 4 * CACHED_SCANS:
        _SENT.pop(next(iter(_SENT)), None)  # the oldest (another thread may have taken it)
    return False


@lru_cache(maxsize=CACHED_SCANS)
def _template(fixed: _Fixed) -> _Template | None:
    """The message of ``fixed`` as a template; None when a stand-in line is folded or a
    stand-in shows up anywhere else (such messages are flattened each time)."""
    message_id = _message_id_text(TEMPLATE_NUMBER, fixed.hostname, fixed.header_from)
    wire = _flatten(fixed, TEMPLATE_BOUNDARY, TEMPLATE_DATE, message_id)
    boundary = f"=_exolab_{TEMPLATE_BOUNDARY}".encode("ascii")
    lines = (
        b'\r\nContent-Type: multipart/mixed; boundary="' + boundary + b'"\r\n',
        b"\r\nDate: " + TEMPLATE_DATE.encode("ascii") + b"\r\n",
        b"\r\nMessage-ID: " + message_id.encode("ascii", "replace") + b"\r\n",
    )
    # each line once, counting a first line (without the CRLF before it) too
    if any(wire.count(line) + wire.startswith(line[2:]) != 1 for line in lines):
        return None
    found = _stand_ins(wire)
    kinds = [which for _, which in found]
    delimiters = wire.count(b"\r\n--" + boundary)
    if kinds.count(1) != 1 or kinds.count(2) != 1 or kinds.count(0) != delimiters + 1:
        return None
    pieces, start = [], 0
    for at, which in found:
        if at < start:  # two stand-ins overlap: not a message a template can hold
            return None
        pieces.append(wire[start:at])
        start = at + len(_STAND_IN_VALUES[which])
    pieces.append(wire[start:])
    return _Template(tuple(pieces), tuple(kinds))


def _splice(wire: bytes, bodies: Sequence[bytes]) -> bytes | None:
    """``wire`` with each stand-in line replaced by its payload, or None when a stand-in is not
    found exactly once (the payloads then go through ``email`` itself)."""
    pieces: list[bytes] = []
    start = 0
    for i, body in enumerate(bodies):
        line = (STAND_IN.format(i) + "\r\n").encode("ascii")
        at = wire.find(line, start)
        if at < 0 or wire.count(line) != 1:
            return None
        pieces += (wire[start:at], body)
        start = at + len(line)
    pieces.append(wire[start:])
    return b"".join(pieces)


def _to_the_second(when: datetime) -> datetime:
    """A PDF's dates carry whole seconds in UTC."""
    return when.astimezone(UTC).replace(microsecond=0)


def _scan_files(job: Job, page_date: datetime) -> tuple[Attachment, ...]:
    """The job's files; small ones come from the few kept per process."""
    if _estimate(job) > CACHED_SCAN_BYTES:
        return _draw(job.format, job.pages, job.size, page_date)
    return _drawn(job.format, job.pages, job.size, page_date)


def _estimate(job: Job) -> int:
    return job.size if job.size is not None else job.pages * TEXT_PAGE_BYTES


@lru_cache(maxsize=CACHED_SCANS)
def _drawn(
    fmt: PageFormat, pages: int, size: int | None, page_date: datetime
) -> tuple[Attachment, ...]:
    return _draw(fmt, pages, size, page_date)


def _draw(
    fmt: PageFormat, pages: int, size: int | None, page_date: datetime
) -> tuple[Attachment, ...]:
    pages_rng = random.Random(PAGE_SEED)
    return tuple(_encoded(f) for f in render(fmt, pages, size, pages_rng, page_date))


def _encoded(file: ScanFile) -> Attachment:
    body = encodebytes(file.data).replace(b"\n", b"\r\n")
    return Attachment(file.suffix, file.extension, file.maintype, file.subtype, body)


def attachment_bytes(job: Job) -> int | None:
    """The job's declared attachment size, for the device's own limit check."""
    return job.size
