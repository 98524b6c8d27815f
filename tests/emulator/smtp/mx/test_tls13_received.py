"""The MX stamps a TLS 1.3 session the way real EOP front ends do (CONFIRMED on the MX)."""

from __future__ import annotations

import asyncio
import smtplib
import ssl

from exolab.emulator.server import Lab
from tests.emulator.smtp.conftest import client_context
from tests.emulator.smtp.mx.conftest import MX

MESSAGE = b"From: scanner@contoso.com\r\nTo: alice@contoso.com\r\nSubject: TLS\r\n\r\nscan\r\n"


async def test_a_tls_1_3_session_shows_version_and_cipher_in_received(lab: Lab) -> None:
    address, port = lab.endpoint(MX, 25)

    def send() -> str:
        with smtplib.SMTP(address, port, source_address=("127.20.0.10", 0), timeout=20) as c:
            c._host = MX  # type: ignore[attr-defined]  # SNI, as a device sends
            c.ehlo("mfp-01.contoso.local")
            c.starttls(context=client_context(lab))
            assert isinstance(c.sock, ssl.SSLSocket)
            version = c.sock.version() or ""
            c.sendmail("scanner@contoso.com", ["alice@contoso.com"], MESSAGE)
            return version

    assert await asyncio.to_thread(send) == "TLSv1.3"
    (message,) = lab.store.messages(mailbox="alice@contoso.com")
    received = [v for name, v in message.headers_added if name == "Received"]
    mx_hop = [v for v in received if ".prod.protection.outlook.com" in v]
    assert mx_hop, received
    assert "with Microsoft SMTP Server (version=TLS1_3, cipher=TLS_AES_256_GCM_SHA384)" in mx_hop[0]
