"""Compact transcript tests for the sans-IO client (mitmproxy Playbook style).

A script is the session as lines: ``S: ...`` is fed to the machine, ``* tls``
reports a finished handshake, ``* eof`` a closed connection. Everything the
machine emits is rendered the same way (``C: ...``, ``> starttls``,
``> close``, ``= outcome STAGE [code]``) and the whole thing must equal the
script.
"""

from __future__ import annotations

from exolab.devices.client.config import ClientConfig
from exolab.devices.client.events import Close, Event, Finished, Send, StartTls
from exolab.devices.client.machine import SmtpClient
from exolab.devices.quirks.base import QuirkChain


def render(events: list[Event]) -> list[str]:
    out: list[str] = []
    for e in events:
        if isinstance(e, Send):
            out += [f"C: {line}".rstrip() for line in e.lines]
        elif isinstance(e, StartTls):
            out.append("> starttls")
        elif isinstance(e, Close):
            out.append("> close")
        elif isinstance(e, Finished):
            r = e.result
            code = f" {r.reply.code}" if r.reply is not None else ""
            out.append(f"= {r.outcome} {r.stage}{code}")
    return out


def play(script: str, config: ClientConfig, quirks: QuirkChain | None = None) -> SmtpClient:
    lines = [ln.strip() for ln in script.strip().splitlines() if ln.strip()]
    client = SmtpClient(config, quirks)
    got: list[str] = []
    for line in lines:
        if line.startswith("S: "):
            got.append(line)
            got += render(client.receive_data(line[3:].encode() + b"\r\n"))
        elif line == "* tls":
            got.append(line)
            got += render(client.tls_started())
        elif line == "* eof":
            got.append(line)
            got += render(client.connection_closed())
    assert got == lines, "\n".join(got)
    return client
