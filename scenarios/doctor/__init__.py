"""`exolab doctor`: a capture made anywhere, judged against Exchange Online's rules.

``capture`` reads the file with scapy (streaming), ``conversation`` turns a
TCP stream into an SMTP conversation, ``keylog`` decrypts its TLS part with
an NSS key log, ``rules`` names the findings (pure), ``report`` prints them
with the texts of the explain message catalog.
"""

from __future__ import annotations

from pathlib import Path

from exolab.emulator.tenant import Tenant
from exolab.scenarios.doctor import endpoint, tenant_facts
from exolab.scenarios.doctor.capture import read_capture
from exolab.scenarios.doctor.conversation import build, is_smtp
from exolab.scenarios.doctor.errors import CaptureError
from exolab.scenarios.doctor.keylog import decrypt, read_keylog
from exolab.scenarios.doctor.report import Stream, render_text, stream_data
from exolab.scenarios.doctor.rules import Facts, Finding, judge

__all__ = ["CaptureError", "Finding", "Stream", "diagnose", "render_text", "stream_data"]


def diagnose(path: Path, keylog: Path | None = None, tenant: Tenant | None = None) -> list[Stream]:
    """Every SMTP conversation of the capture with its findings; CaptureError when unusable."""
    secrets = read_keylog(keylog) if keylog is not None else None
    capture = read_capture(path)
    streams = []
    for tcp in sorted(capture.streams, key=lambda s: s.first_seen):
        # SMTP by port or greeting; implicit TLS elsewhere counts when it names a Microsoft host
        if is_smtp(tcp) or endpoint.names_mail_host(build(tcp), capture.dns_names):
            streams.append(tcp)
    if not streams:
        raise CaptureError(f"{path}: no SMTP conversation in {capture.packets} packet(s)")
    out: list[Stream] = []
    decrypted_any = False
    for tcp in streams:
        conv = build(tcp)
        if secrets is not None and conv.tls is not None:
            decrypted_any |= decrypt(conv, secrets, tcp.events)
        host, _ = endpoint.identify(conv, capture.dns_names)
        facts = Facts(host)
        if tenant is not None:
            facts = Facts(
                host,
                tenant_facts.spf_networks(tenant),
                tenant_facts.public_ip(tenant, conv.client[0]),
                tenant_facts.accepted_domains(tenant),
                tenant_facts.spf_records(tenant),
            )
        out.append(Stream(conv, host, judge(conv, facts)))
    if secrets is not None and not decrypted_any and any(s.conversation.tls for s in out):
        raise CaptureError(f"{keylog}: the key log holds no secret for any TLS session in {path}")
    return out
