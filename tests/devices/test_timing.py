"""Per-stage waits read back from a device transcript (pipelined replies answer in order)."""

from __future__ import annotations

from exolab.devices.result import Direction, TranscriptLine
from exolab.devices.timing import stage_times


def _lines(*rows: tuple[float, Direction, str]) -> list[TranscriptLine]:
    return [TranscriptLine(t, d, line) for t, d, line in rows]


SUBMISSION = _lines(
    (0.000, "*", "resolve smtp.office365.com"),
    (0.150, "*", "connect 127.10.0.1:587 from 127.20.0.10"),
    (0.160, "S", "220 HOST Microsoft ESMTP MAIL Service ready"),
    (0.160, "C", "EHLO MFP-SIM"),
    (0.163, "S", "250-HOST Hello [203.0.113.39]"),
    (0.163, "S", "250 SMTPUTF8"),
    (0.163, "C", "STARTTLS"),
    (0.165, "S", "220 2.0.0 SMTP server ready"),
    (0.172, "*", "TLS established: TLSv1.3 TLS_AES_256_GCM_SHA384"),
    (0.172, "C", "EHLO MFP-SIM"),
    (0.173, "S", "250 SMTPUTF8"),
    (0.173, "C", "AUTH LOGIN"),
    (0.174, "S", "334 VXNlcm5hbWU6"),
    (0.174, "C", "c2Nhbm5lcg=="),
    (0.175, "S", "334 UGFzc3dvcmQ6"),
    (0.175, "C", "U2Nhbg=="),
    (0.180, "S", "235 2.7.0 Authentication successful"),
    (0.180, "C", "MAIL FROM:<scanner@contoso.com>"),
    (0.180, "C", "RCPT TO:<alice@contoso.com>"),
    (0.180, "C", "DATA"),
    (0.181, "S", "250 2.1.0 Sender OK"),
    (0.231, "S", "250 2.1.5 Recipient OK"),
    (0.232, "S", "354 Start mail input; end with <CRLF>.<CRLF>"),
    (0.232, "C", "<message: 386713 bytes>"),
    (0.240, "C", "."),
    (0.261, "S", "250 2.0.0 OK <id@contoso.com>"),
    (0.261, "C", "QUIT"),
    (0.265, "S", "221 2.0.0 Service closing transmission channel"),
    (0.268, "*", "outcome delivered at EOD"),
)


def test_each_stage_waits_for_its_own_reply_in_order() -> None:
    times = stage_times(SUBMISSION)
    assert times == {
        "dns": [0.15],
        "connect": [0.01],
        "ehlo": [0.003, 0.001],
        "starttls": [0.002],
        "tls": [0.007],
        "auth": [0.007],  # AUTH to 235, both 334 rounds inside
        "mail": [0.001],
        "rcpt": [0.051],  # pipelined: RCPT's answer waited behind MAIL's
        "data": [0.052],
        "eod": [0.021],  # from the final "." (the body's own time is not a reply wait)
        "quit": [0.004],
    }


def test_a_retry_adds_samples_and_a_failed_connect_none() -> None:
    retried = _lines(
        (0.0, "*", "connect 127.10.0.1:25"),
        (0.1, "*", "connect failed: Connection refused"),
        (0.2, "*", "timeout: retry 1 of 2 in 1s"),
        (1.2, "*", "connect 127.10.0.1:25"),
        (1.3, "S", "220 ready"),
        (1.3, "C", "EHLO MFP-SIM"),
        (1.5, "S", "421 4.3.2 busy"),
    )
    assert stage_times(retried) == {"connect": [0.1], "ehlo": [0.2]}
    assert stage_times([]) == {}
