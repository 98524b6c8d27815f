from __future__ import annotations

import base64
import email
import email.policy
import io
import random
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Literal

import pytest
from PIL import Image, TiffImagePlugin

from exolab.devices.clock import FrozenClock
from exolab.devices.errors import JobError
from exolab.devices.job import Job, build_message, parse_job_spec, parse_size
from exolab.devices.profile import Profile, list_profiles, load_profile

CLOCK = FrozenClock(datetime(2026, 3, 1, 9, 55, tzinfo=UTC))


def profile(**encoding: str) -> Profile:
    base = load_profile("starttls-modern")
    return base.model_copy(update={"encoding": base.encoding.model_copy(update=encoding)})


def build(job: Job, prof: Profile | None = None, seed: int = 7) -> tuple[bytes, EmailMessage]:
    raw = build_message(
        job,
        prof or profile(),
        header_from="scanner@contoso.com",
        recipients=["alice@contoso.com"],
        clock=CLOCK,
        rng=random.Random(seed),
    )
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return raw, msg


def test_spec_parsing() -> None:
    job = parse_job_spec("pages=3,format=pdf,size=2MB,subject=スキャン,filename=スキャン.pdf")
    assert job == Job(
        pages=3, format="pdf", size=2 * 1024**2, subject="スキャン", filename="スキャン.pdf"
    )
    assert parse_size("512KB") == 524288 and parse_size("1.5 gb") == 1610612736
    assert parse_size("40M") == 40 * 1024**2 and parse_size("123") == 123


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ("pages=0", "pages"),
        ("pages=x", "pages"),
        ("format=gif", "format"),
        ("size=lots", "size"),
        ("colour=red", "colour"),
        ("pages", "pages"),
        ("pages=1,pages=2", "pages"),
    ],
)
def test_bad_specs_name_the_field(spec: str, field: str) -> None:
    with pytest.raises(JobError) as info:
        parse_job_spec(spec)
    assert info.value.source == "--job" and info.value.field == field
    assert str(info.value).startswith(f"--job: {field}: ")


@pytest.mark.parametrize("charset", ["utf-8", "iso-2022-jp"])
@pytest.mark.parametrize("style", ["rfc2231", "rfc2047"])
def test_japanese_subject_and_filename_round_trip(charset: str, style: str) -> None:
    job = Job(subject="スキャン文書 2026年3月", filename="スキャン.pdf")
    raw, msg = build(
        job, profile(subject_charset=charset, filename_style=style, filename_charset=charset)
    )
    assert raw.isascii()  # 7-bit on the wire
    assert f"=?{charset}?b?".encode() in raw.lower()
    if style == "rfc2231":
        assert f"filename*={charset}''".encode() in raw
    assert msg["subject"] == "スキャン文書 2026年3月"
    (att,) = msg.iter_attachments()
    assert att.get_filename() == "スキャン.pdf"


def test_headers_date_message_id_and_determinism() -> None:
    raw, msg = build(Job())
    assert msg["X-Mailer"] == "exolab-sim/starttls-modern"
    assert msg["Date"] == "Sun, 01 Mar 2026 09:55:00 +0000"
    assert msg["Message-ID"].endswith(".MFP-SIM@contoso.com>")
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    assert build(Job(), seed=7)[0] == raw
    assert build(Job(), seed=8)[1]["Message-ID"] != msg["Message-ID"]


def test_pdf_really_opens_with_pages() -> None:
    _, msg = build(Job(pages=3))
    (att,) = msg.iter_attachments()
    assert att.get_content_type() == "application/pdf" and att.get_filename() == "scan.pdf"
    data = att.get_content()
    assert data.startswith(b"%PDF-")
    # Pillow cannot read PDFs back; check the page tree and the page images instead
    assert b"/Count 3" in data and data.count(b"/Type /Page\n") == 3


def test_jpeg_one_per_page_and_tiff_multipage() -> None:
    _, msg = build(Job(pages=2, format="jpeg", filename="doc"))
    atts = list(msg.iter_attachments())
    assert [a.get_filename() for a in atts] == ["doc-1.jpg", "doc-2.jpg"]
    img = Image.open(io.BytesIO(atts[0].get_content()))
    assert img.format == "JPEG" and img.size[1] > img.size[0]
    _, msg = build(Job(pages=3, format="tiff"))
    (att,) = msg.iter_attachments()
    tif = Image.open(io.BytesIO(att.get_content()))
    assert tif.format == "TIFF" and isinstance(tif, TiffImagePlugin.TiffImageFile)
    assert tif.n_frames == 3


@pytest.mark.parametrize(
    ("fmt", "target"), [("pdf", 2 * 1024**2), ("tiff", 3 * 1024**2), ("jpeg", 1024**2)]
)
def test_target_size_is_reached(fmt: Literal["pdf", "jpeg", "tiff"], target: int) -> None:
    job = Job(pages=2, format=fmt, size=target)
    _, msg = build(job)
    total = sum(len(a.get_content()) for a in msg.iter_attachments())
    assert 0.85 * target <= total <= 1.15 * target


def test_beyond_exchange_limit_40mb() -> None:
    target = 40 * 1024**2
    raw, msg = build(Job(pages=4, size=target))
    (att,) = msg.iter_attachments()
    assert 0.85 * target <= len(att.get_content()) <= 1.15 * target
    assert len(raw) > 35 * 1024**2 * 4 // 3  # base64 on the wire: beyond a 35 MB limit


def test_the_pdf_is_dated_by_the_device_clock_not_the_wall_clock(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Same job and seed, same bytes, even when the wall clock has moved on (Pillow reads it)."""
    import time

    first, msg = build(Job())
    later = time.gmtime(time.mktime(time.gmtime()) + 3600)
    monkeypatch.setattr("PIL.PdfImagePlugin.time.gmtime", lambda *_: later)
    assert build(Job())[0] == first
    (pdf,) = msg.iter_attachments()
    assert b"/CreationDate (D:20260301095500Z)" in pdf.get_content()  # CLOCK above


@pytest.mark.parametrize(("style", "from_field"), [("missing", None), ("name-only", "Scanner")])
def test_sloppy_from_header_quirk_leaves_from_out_or_bare(
    style: str, from_field: str | None
) -> None:
    base = load_profile("no-from-header")
    chain = base.model_copy(
        update={"quirks": [base.quirks[0].model_copy(update={"params": {"style": style}})]}
    ).quirk_chain()
    raw = build_message(
        Job(),
        base,
        header_from=chain.header_from("scanner@contoso.com"),
        recipients=["alice@contoso.com"],
        clock=CLOCK,
        rng=random.Random(7),
    )
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    assert msg["From"] == from_field
    assert msg.get_all("From") in (None, [from_field])


def test_sends_of_one_job_draw_their_pages_once_and_differ_in_their_ids() -> None:
    """The pages come from a generator of their own: a fleet's thousand sends of one job
    draw them once, while each send's seed still makes its own Message-ID."""
    from datetime import timedelta

    from exolab.devices import job as job_module

    job = Job(subject="cache probe", pages=2)
    second = CLOCK.now() + timedelta(days=321)  # a second no other test draws pages for
    before = job_module._drawn.cache_info()
    seen = []
    for seed, fraction in ((11, 0.1), (12, 0.7)):  # a running clock: same second
        raw = build_message(
            job,
            profile(),
            header_from="scanner@contoso.com",
            recipients=["alice@contoso.com"],
            clock=FrozenClock(second + timedelta(seconds=fraction)),
            rng=random.Random(seed),
        )
        parsed = email.message_from_bytes(raw, policy=email.policy.compat32)
        seen.append((_attachments(raw), parsed["Message-ID"]))
    drawn = job_module._draw(job.format, job.pages, job.size, second.replace(microsecond=0))
    assert seen[0][0] == seen[1][0] == [base64.b64decode(drawn[0].body)]
    assert seen[0][1] != seen[1][1]
    after = job_module._drawn.cache_info()
    # drawn once: the second send makes its template from the pages the first one drew
    assert (after.misses - before.misses, after.hits - before.hits) == (1, 1)


def _attachments(raw: bytes) -> list[bytes]:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return [part.get_content() for part in msg.iter_attachments()]


def test_a_large_scan_is_not_kept() -> None:
    from exolab.devices import job as job_module

    before = job_module._drawn.cache_info()
    build(Job(size=job_module.CACHED_SCAN_BYTES + 1, format="jpeg"))
    after = job_module._drawn.cache_info()
    assert (after.hits, after.misses) == (before.hits, before.misses)


def _built(job: Job, prof: Profile, seed: int) -> tuple[bytes, int]:
    """The message and the next number the device's generator gives after building it."""
    rng = random.Random(seed)
    raw = build_message(
        job,
        prof,
        header_from="scanner@contoso.com",
        recipients=["alice@contoso.com", "bob@fabrikam.com"],
        clock=CLOCK,
        rng=rng,
    )
    return raw, rng.getrandbits(64)


def _as_email_writes_it(
    monkeypatch: pytest.MonkeyPatch, job: Job, prof: Profile, seed: int
) -> tuple[bytes, int]:
    """The same with nothing kept or spliced: pages drawn afresh, payloads written by email."""
    from exolab.devices import job as job_module

    with monkeypatch.context() as m:
        m.setattr(job_module, "CACHED_SCAN_BYTES", 0)
        m.setattr(job_module, "_splice", lambda wire, bodies: None)
        return _built(job, prof, seed)


@pytest.mark.parametrize(
    ("job", "encoding"),
    [
        (Job(), {}),
        (Job(format="jpeg", pages=3, filename="スキャン.jpg"), {"filename_style": "rfc2047"}),
        (Job(format="tiff", pages=2, subject="スキャン"), {"subject_charset": "iso-2022-jp"}),
        (Job(size=300_000, body="行1\n.行2"), {"body_charset": "iso-2022-jp"}),
        (Job(size=3_000_000, format="jpeg"), {}),  # never kept: only spliced
    ],
)
def test_the_kept_and_spliced_message_is_the_one_email_writes_itself(
    monkeypatch: pytest.MonkeyPatch, job: Job, encoding: dict[str, str]
) -> None:
    prof = profile(**encoding)
    expected = _as_email_writes_it(monkeypatch, job, prof, seed=5)
    assert _built(job, prof, seed=5) == expected
    assert _built(job, prof, seed=5) == expected  # the pages kept from the build before


def test_a_message_that_quotes_the_stand_in_is_written_by_email(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from exolab.devices.job import STAND_IN

    prof = profile(body_charset="iso-2022-jp")  # 7bit: the body is on the wire as typed
    for job, quoted in (
        (Job(subject=STAND_IN.format(0)), 0),
        (Job(format="jpeg", pages=2, body=f"see {STAND_IN.format(1)}\nthanks"), 1),
    ):
        raw, after = _built(job, prof, seed=5)
        assert (raw, after) == _as_email_writes_it(monkeypatch, job, prof, seed=5)
        assert raw.count(STAND_IN.format(quoted).encode()) == 1  # the quote, not a payload
        assert len(_attachments(raw)) == job.pages


def test_sends_of_one_job_flatten_the_message_once() -> None:
    """A fleet's sends of one job differ only in boundary, Date and Message-ID: from the second
    send on, the message is flattened once and each send fills those three in; a message sent
    once (most scenarios) is only flattened."""
    from datetime import timedelta

    from exolab.devices import job as job_module

    job = Job(subject="template probe", format="jpeg")
    counts = []
    for seed, minutes in ((21, 0), (22, 7), (23, 9), (24, 11)):
        before = job_module._template.cache_info()
        build_message(
            job,
            profile(),
            header_from="scanner@contoso.com",
            recipients=["alice@contoso.com"],
            clock=FrozenClock(CLOCK.now() + timedelta(minutes=minutes)),
            rng=random.Random(seed),
        )
        after = job_module._template.cache_info()
        counts.append((after.misses - before.misses, after.hits - before.hits))
    assert counts == [(0, 0), (1, 0), (0, 1), (0, 1)]


@pytest.mark.parametrize("name", sorted(p.name for p in list_profiles()))
def test_a_filled_template_is_the_message_email_writes_for_its_values(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    from datetime import timedelta, timezone

    from exolab.devices.job import TEMPLATE_BOUNDARY, TEMPLATE_DATE, TEMPLATE_NUMBER

    prof = load_profile(name)
    cases = [
        (Job(), "scanner@contoso.com", UTC),
        (Job(format="jpeg", pages=2, subject="スキャン"), "", timezone(timedelta(hours=-5))),
        (Job(subject=f"re {TEMPLATE_NUMBER} {TEMPLATE_DATE}"), "a@b.example", UTC),
        (Job(body=f"--=_exolab_{TEMPLATE_BOUNDARY}\n"), "scanner@contoso.com", UTC),
        # two stand-ins overlapping ("…5ca7" ends one and starts the other)
        (Job(subject=f"x {TEMPLATE_NUMBER[:-4]}{TEMPLATE_BOUNDARY}"), "a@b.example", UTC),
        (Job(format="tiff"), "x" * 70 + "@" + "long-domain" * 6 + ".example", UTC),
        (Job(), "scänner@contoso.com", timezone(timedelta(hours=9))),
    ]
    for seed, (job, sender, tz) in enumerate(cases):
        clock = FrozenClock(datetime(2026, 7, 4, 23, 59, 59, 999_000, tzinfo=tz))

        def made(
            seed: int = seed, job: Job = job, sender: str = sender, clock: FrozenClock = clock
        ) -> bytes:
            return build_message(
                job,
                prof,
                header_from=sender,
                recipients=["alice@contoso.com", "bob@fabrikam.com"],
                clock=clock,
                rng=random.Random(seed),
            )

        made(seed + 100)  # the template, if the message makes one
        filled = made()
        with monkeypatch.context() as m:
            m.setattr("exolab.devices.job.CACHED_SCAN_BYTES", 0)  # neither kept nor templated
            assert filled == made()
