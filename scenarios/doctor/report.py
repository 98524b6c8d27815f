"""A diagnosed capture as data (``--json``) and as text for a terminal, in English or Japanese."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scapy.layers.tls.crypto.suites import _tls_cipher_suites

from exolab.scenarios.doctor import tls
from exolab.scenarios.doctor.conversation import Conversation
from exolab.scenarios.doctor.rules import Finding
from exolab.scenarios.messages import Lang, Messages

_SIGALGS = {
    0x0401: "rsa_pkcs1_sha256", 0x0501: "rsa_pkcs1_sha384", 0x0601: "rsa_pkcs1_sha512",
    0x0403: "ecdsa_secp256r1_sha256", 0x0503: "ecdsa_secp384r1_sha384", 0x0603: "ecdsa_secp521r1_sha512",
    0x0804: "rsa_pss_rsae_sha256", 0x0805: "rsa_pss_rsae_sha384", 0x0806: "rsa_pss_rsae_sha512",
    0x0807: "ed25519", 0x0808: "ed448", 0x0201: "rsa_pkcs1_sha1", 0x0203: "ecdsa_sha1",
}  # fmt: skip


@dataclass
class Stream:
    conversation: Conversation
    host: str | None
    findings: list[Finding] = field(default_factory=list)


def shown_lines(conv: Conversation) -> list[tuple[str, str, bool]]:
    """The dialogue as (dir, text, encrypted) with credentials hidden: a report is often shared.

    After ``AUTH LOGIN`` the first answer is the user name (shown: it is who
    signed in) and the second the password; every other mechanism's initial
    response and answers carry secrets. Counted by the client's own lines, not
    by the server's prompts, so pipelined answers after a refusal are hidden too.
    """
    out = []
    hidden_left, shown_left = 0, 0
    for line in conv.lines:
        text = line.text
        if line.dir == "C":
            words = text.split()
            if len(words) >= 2 and words[0].upper() == "AUTH":
                login = words[1].upper() == "LOGIN"
                if len(words) >= 3:
                    text = (
                        f"{words[0]} {words[1]} {words[2] if login else '<credentials not shown>'}"
                    )
                    shown_left, hidden_left = 0, 1
                else:
                    shown_left, hidden_left = (1, 1) if login else (0, 1)
            elif shown_left:
                shown_left -= 1
            elif hidden_left:
                hidden_left -= 1
                text = "<password not shown>" if text != "*" else text
        out.append((line.dir, text, line.encrypted))
    return out


def suite_name(suite: int) -> str:
    name = _tls_cipher_suites.get(suite)
    return str(name) if name else f"0x{suite:04X}"


def _tls_data(conv: Conversation) -> dict[str, Any] | None:
    if conv.tls is None:
        return None
    hello, server = conv.tls.client_hello, conv.tls.server_hello
    return {
        "mode": "implicit" if conv.implicit_tls else "starttls",
        "client_max_version": tls.version_name(hello.max_version) if hello else None,
        "client_versions": [
            tls.version_name(v) for v in hello.supported_versions if v not in tls.GREASE
        ]
        if hello
        else [],
        "cipher_suites": [suite_name(s) for s in hello.cipher_suites if s not in tls.GREASE]
        if hello
        else [],
        "sni": hello.sni if hello else None,
        "signature_algorithms": [_SIGALGS.get(a, f"0x{a:04X}") for a in hello.signature_algorithms]
        if hello
        else [],
        "server_version": tls.version_name(server.version) if server else None,
        "server_cipher_suite": suite_name(server.cipher_suite) if server else None,
        "server_alert": conv.tls.server_alert,
        "client_alert": conv.tls.client_alert,
        "decrypted": conv.decrypted,
    }


def _messages(lang: Lang, finding: Finding) -> Messages:
    return Messages(lang, **finding.context)


def stream_data(stream: Stream, lang: Lang = "en") -> dict[str, Any]:
    conv = stream.conversation
    return {
        "client": {"address": conv.client[0], "port": conv.client[1]},
        "server": {"address": conv.server[0], "port": conv.server[1], "looks_like": stream.host},
        "tls": _tls_data(conv),
        "smtp": [
            {"dir": d, "line": text, "encrypted": encrypted}
            for d, text, encrypted in shown_lines(conv)
        ],
        "findings": [
            {
                "rule": f.rule,
                "reply": f.reply,
                "reply_id": f.reply_id,
                "title": _messages(lang, f)(f"doctor.rule.{f.rule}"),
                "why": _messages(lang, f)(f"fix.{f.fix}.cause"),
                "fix": _messages(lang, f)(f"fix.{f.fix}.action"),
            }
            for f in stream.findings
        ],
    }


def render_text(streams: list[Stream], lang: Lang) -> str:
    msg = Messages(lang)
    out: list[str] = []
    for number, stream in enumerate(streams, 1):
        conv = stream.conversation
        out.append(
            f"== {msg('doctor.conversation')} {number}: {conv.client[0]}:{conv.client[1]}"
            f" -> {conv.server[0]}:{conv.server[1]}"
        )
        out.append(
            f"   {msg('doctor.looks_like')}: {stream.host or msg('doctor.unknown_endpoint')}"
        )
        data = _tls_data(conv)
        if data is not None:
            out.append(
                f"   {msg('doctor.tls')} ({data['mode']}): {msg('doctor.client_offered')} "
                f"{data['client_max_version']}, SNI {data['sni'] or '-'}, "
                f"{len(data['cipher_suites'])} suites"
            )
            if data["server_version"]:
                out.append(
                    f"   {msg('doctor.server_chose')}: {data['server_version']} {data['server_cipher_suite']}"
                )
            if data["server_alert"]:
                out.append(f"   {msg('doctor.server_alert')}: {data['server_alert']}")
        out.append(f"   {msg('doctor.dialogue')}:")
        for d, text, encrypted in shown_lines(conv):
            arrow = "→" if d == "C" else "←"
            out.append(f"     {arrow} {text}{' [TLS]' if encrypted else ''}")
        if (conv.starttls or conv.implicit_tls) and not conv.decrypted:
            out.append(f"     · {msg('doctor.encrypted_hidden')}")
        if not stream.findings:
            out.append(f"   {msg('doctor.no_findings')}")
        for finding in stream.findings:
            fm = _messages(lang, finding)
            out.append(f"   !! {fm(f'doctor.rule.{finding.rule}')}")
            out.append(f"      {msg('doctor.reply')}: {finding.reply or msg('doctor.no_reply')}")
            out.append(f"      {msg('ui.cause')}: {fm(f'fix.{finding.fix}.cause')}")
            out.append(f"      {msg('ui.fix')}: {fm(f'fix.{finding.fix}.action')}")
        out.append("")
    total = sum(len(s.findings) for s in streams)
    out.append(msg("doctor.total", total=len(streams), passed=total))
    return "\n".join(out) + "\n"
