"""The header writers: the EOP block an admin reads, one Received for both front ends, and
client text that cannot break a field."""

from __future__ import annotations

import email
import email.policy

from hypothesis import given
from hypothesis import strategies as st

from exolab.emulator.clock import utc
from exolab.emulator.mail.headers import Hop, Stamp, header_text, inbound_headers, received

FRONT_END = "SN1NAM02FT025.eop-nam02.prod.protection.outlook.com"


def hop(helo: str | None = "mfd.contoso.local", tls: str | None = None) -> Hop:
    return Hop(
        helo=helo,
        client_ip="203.0.113.39",
        by_host=FRONT_END,
        by_ip="10.152.72.107",
        when=utc(2025, 6, 2, 9, 30),
        tls_version=tls,
        cipher="ECDHE-RSA-AES256-GCM-SHA384" if tls else None,
    )


def stamp(helo: str | None = "mfd.contoso.local", spf: str = "pass") -> Stamp:
    return Stamp(
        hop=hop(helo),
        spf=spf,
        spf_domain="contoso.com",
        dmarc="pass",
        dmarc_action="none",
        header_from="contoso.com",
        compauth="pass",
        compauth_reason="100",
        scl=1,
        sfv="NSPM",
        cat="NONE",
    )


def test_the_block_an_admin_reads() -> None:
    block = inbound_headers(stamp())
    assert [name for name, _ in block] == [
        "Authentication-Results",
        "Received-SPF",
        "X-MS-Exchange-Organization-AuthSource",
        "X-MS-Exchange-Organization-AuthAs",
        "X-MS-Exchange-Organization-SCL",
        "X-Forefront-Antispam-Report",
        "X-Microsoft-Antispam",
        "Received",
    ]
    headers = dict(block)
    assert headers["X-MS-Exchange-Organization-AuthAs"] == "Anonymous"
    report = headers["X-Forefront-Antispam-Report"]
    assert report.startswith("CIP:203.0.113.39;CTRY:;LANG:en;SCL:1;SRV:;IPV:NLI;SFV:NSPM;")
    assert "H:mfd.contoso.local;" in report and "CAT:NONE;" in report
    assert headers["Received-SPF"] == (
        "Pass (protection.outlook.com: domain of contoso.com designates 203.0.113.39 as "
        "permitted sender) receiver=protection.outlook.com; client-ip=203.0.113.39; "
        "helo=mfd.contoso.local;"
    )


def test_one_received_for_both_front_ends() -> None:
    assert received(hop()) == (
        "Received",
        f"from mfd.contoso.local (203.0.113.39) by {FRONT_END} (10.152.72.107) with Microsoft "
        "SMTP Server id 15.20.8722.16 via Frontend Transport; Mon, 2 Jun 2025 09:30:00 +0000",
    )
    submission = Hop(
        "mfp-01",
        "203.0.113.39",
        "AM0PR02CA0134.eurprd02.prod.outlook.com",
        utc(2025, 6, 2),
        tls_version="TLSv1.3",
        cipher="TLS_AES_256_GCM_SHA384",
    )
    assert received(submission)[1] == (
        "from mfp-01 (203.0.113.39) by AM0PR02CA0134.eurprd02.prod.outlook.com with Microsoft "
        "SMTP Server (version=TLS1_3, cipher=TLS_AES_256_GCM_SHA384) id 15.20.8722.16 via "
        "Frontend Transport; Mon, 2 Jun 2025 00:00:00 +0000"
    )
    assert (
        "(version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384)"
        in received(hop(tls="TLSv1.2"))[1]
    )
    assert received(hop(helo=None))[1].startswith("from unknown (203.0.113.39)")


def test_header_text_is_one_line() -> None:
    assert header_text("evil.example\rX-Injected: yes") == "evil.example X-Injected: yes"
    assert header_text("a\r\n\tb\x00c") == "a b c"
    assert header_text("\r\n") == "unknown"
    assert len(header_text("x" * 10_000)) == 255


@given(helo=st.text())
def test_client_text_cannot_break_a_header(helo: str) -> None:
    block = inbound_headers(stamp(helo=helo))
    raw = "".join(f"{k}: {v}\r\n" for k, v in block) + "\r\nbody\r\n"
    for _name, value in block:
        assert value.isprintable()
    parsed = email.message_from_string(raw, policy=email.policy.compat32)
    assert [k for k, _ in block] == list(parsed.keys())
