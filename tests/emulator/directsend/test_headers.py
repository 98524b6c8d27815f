"""The stamped EOP header block: syntax of the anti-spam headers doc, and safety of client text."""

from __future__ import annotations

import email
import email.policy

from hypothesis import given
from hypothesis import strategies as st

from exolab.emulator.clock import utc
from exolab.emulator.mail.headers import Stamp, inbound_headers
from exolab.emulator.policy.authresults import SpfResult, composite_auth, evaluate_dmarc
from exolab.emulator.policy.spam import spam_verdict
from exolab.emulator.tenant.model import SpamFilter


def stamp(spf: str = "pass", helo: str = "mfd.contoso.local", tls: str | None = None) -> Stamp:
    result = SpfResult(spf, "contoso.com")  # type: ignore[arg-type]
    dmarc = evaluate_dmarc(result, "contoso.com", "v=DMARC1; p=none")
    compauth = composite_auth(dmarc, own_domain=True)
    return Stamp(
        helo=helo,
        public_ip="203.0.113.39",
        frontend_host="SN1NAM02FT025.eop-nam02.prod.protection.outlook.com",
        frontend_ip="10.152.72.107",
        when=utc(2025, 6, 2, 9, 30),
        spf=result,
        dmarc=dmarc,
        compauth=compauth,
        verdict=spam_verdict(SpamFilter(), result, dmarc, compauth),
        tls_version=tls,
        cipher="ECDHE-RSA-AES256-GCM-SHA384" if tls else None,
    )


def test_the_block_an_admin_reads() -> None:
    headers = dict(inbound_headers(stamp()))
    assert headers["Authentication-Results"] == (
        "spf=pass (sender IP is 203.0.113.39) smtp.mailfrom=contoso.com; "
        "dkim=none (message not signed) header.d=none;"
        "dmarc=pass action=none header.from=contoso.com;compauth=pass reason=100"
    )
    assert headers["X-MS-Exchange-Organization-SCL"] == "1"
    assert headers["X-MS-Exchange-Organization-AuthAs"] == "Anonymous"
    report = headers["X-Forefront-Antispam-Report"]
    assert report.startswith("CIP:203.0.113.39;CTRY:;LANG:en;SCL:1;SRV:;IPV:NLI;SFV:NSPM;")
    assert "H:mfd.contoso.local;" in report and "CAT:NONE;" in report
    assert headers["Received"] == (
        "from mfd.contoso.local (203.0.113.39) by SN1NAM02FT025.eop-nam02.prod.protection.outlook.com "
        "(10.152.72.107) with Microsoft SMTP Server id 15.20.8722.16 via Frontend Transport; "
        "Mon, 2 Jun 2025 09:30:00 +0000"
    )
    assert headers["Received-SPF"].startswith(
        "Pass (protection.outlook.com: domain of contoso.com designates 203.0.113.39"
    )


def test_a_failing_own_domain_message() -> None:
    headers = dict(inbound_headers(stamp("fail")))
    assert "spf=fail (sender IP is 203.0.113.39)" in headers["Authentication-Results"]
    assert headers["Authentication-Results"].endswith("compauth=fail reason=601")
    assert "SFV:SPM;" in headers["X-Forefront-Antispam-Report"]
    assert "CAT:SPOOF;" in headers["X-Forefront-Antispam-Report"]
    assert headers["X-MS-Exchange-Organization-SCL"] == "6"


def test_tls_shows_in_received() -> None:
    received = dict(inbound_headers(stamp(tls="TLSv1.2")))["Received"]
    assert "(version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384)" in received


@given(helo=st.text())
def test_client_text_cannot_break_a_header(helo: str) -> None:
    block = inbound_headers(stamp(helo=helo))
    raw = "".join(f"{k}: {v}\r\n" for k, v in block) + "\r\nbody\r\n"
    for _name, value in block:
        assert "\r" not in value and "\n" not in value
    parsed = email.message_from_string(raw, policy=email.policy.compat32)
    assert [k for k, _ in block] == list(parsed.keys())
