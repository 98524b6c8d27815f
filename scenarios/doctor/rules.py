"""Findings: each Exchange Online rule a conversation breaks or will break, judged from the client.

Pure: a ``Conversation`` (and the endpoint it looks like) in, findings out.
A finding names the catalog reply the device gets or would get from
Exchange Online (``None`` when Exchange answers with silence or a failed
handshake) and a fix id of the explain message catalog, so the cause and
the action read the same as ``exolab explain`` in English and Japanese.
Rules are listed in the order a session meets them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field

from exolab.emulator.replies.catalog import by_id
from exolab.scenarios.context import spf_with
from exolab.scenarios.doctor import endpoint, tls
from exolab.scenarios.doctor.conversation import Conversation, address, login_name

TLS_1_2 = 0x0303


@dataclass(frozen=True)
class Facts:
    """What a rule may look at besides the conversation."""

    host: str | None
    """The Microsoft host name the conversation looks like (None: not told)."""
    spf_networks: dict[str, tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]] | None = None
    """Domain -> the networks its SPF record in the tenant's zone covers (None: no tenant given)."""
    public_ip: str | None = None
    """The client's public address through the tenant's NAT table, if the tenant maps it."""
    accepted_domains: tuple[str, ...] = ()
    spf_records: dict[str, str] = field(default_factory=dict)
    """Domain -> its SPF record as the zone has it (the fix keeps what it lists)."""


@dataclass(frozen=True)
class Finding:
    rule: str
    reply_id: str | None
    fix: str
    context: dict[str, str] = field(default_factory=dict)
    seen: str | None = None
    """The reply (``421 4.7.66``) or alert the capture shows, when the rule is about it."""

    @property
    def reply(self) -> str | None:
        """``421 4.7.66``: the code and enhanced code of the catalog reply (or the one seen)."""
        if self.reply_id is None:
            return self.seen
        entry = by_id(self.reply_id)
        return f"{entry.code} {entry.enhanced}" if entry.enhanced else str(entry.code)


Rule = Callable[[Conversation, Facts], Finding | None]


def implicit_tls(conv: Conversation, facts: Facts) -> Finding | None:
    if not conv.implicit_tls:
        return None
    fix = "fixed_port_465" if conv.server[1] == 465 else "use_starttls"
    return Finding("implicit_tls", None, fix, {"port": str(conv.server[1])})


def tls_below_1_2(conv: Conversation, facts: Facts) -> Finding | None:
    hello = conv.tls.client_hello if conv.tls else None
    if hello is None or hello.max_version >= TLS_1_2:
        return None
    version = tls.version_name(hello.max_version) or ""
    if facts.host == endpoint.LEGACY:
        return Finding(
            "tls_below_1_2",
            "auth.legacy_tls.not_opted_in",
            "opt_in_legacy_tls",
            {"tls_version": version},
        )
    return Finding("tls_below_1_2", "auth.legacy_tls", "update_tls", {"tls_version": version})


def rsa_only_suites(conv: Conversation, facts: Facts) -> Finding | None:
    hello = conv.tls.client_hello if conv.tls else None
    if hello is None:
        return None
    real = [s for s in hello.cipher_suites if s not in tls.GREASE and s not in (0x00FF, 0x5600)]
    if real and all(tls.is_rsa_key_exchange(s) for s in real):
        return Finding("rsa_only_suites", None, "rsa_only_suites")
    return None


def no_sni(conv: Conversation, facts: Facts) -> Finding | None:
    hello = conv.tls.client_hello if conv.tls else None
    if hello is None or hello.sni:
        return None
    return Finding("no_sni", None, "no_sni")


def auth_before_starttls(conv: Conversation, facts: Facts) -> Finding | None:
    if conv.implicit_tls:
        return None
    for line in conv.lines:
        if line.encrypted:
            break
        if line.dir == "C" and line.text.upper().startswith("AUTH"):
            return Finding("auth_before_starttls", "auth.unrecognized", "auth_before_starttls")
    return None


def auth_plain(conv: Conversation, facts: Facts) -> Finding | None:
    for line in conv.verb_lines("AUTH"):
        words = line.text.upper().split()
        if len(words) > 1 and words[1] == "PLAIN":
            return Finding("auth_plain", "auth.unrecognized", "plain_only")
    return None


def no_auth_on_submission(conv: Conversation, facts: Facts) -> Finding | None:
    if not conv.dialogue_complete or not endpoint.is_submission(facts.host, conv.server[1]):
        return None
    if conv.verb_lines("MAIL") and not conv.verb_lines("AUTH"):
        fix = "enable_starttls" if not conv.starttls else "no_auth_submission"
        return Finding("no_auth_on_submission", "mail.not_authenticated", fix)
    return None


def sender_differs_from_login(conv: Conversation, facts: Facts) -> Finding | None:
    login = login_name(conv)
    mails = conv.verb_lines("MAIL")
    sender = address(mails[0].text.split(":", 1)[-1]) if mails else None
    if login is None or sender is None or "@" not in login or sender == login:
        return None
    return Finding(
        "sender_differs_from_login",
        "mail.send_as_denied",
        "send_as_envelope",
        {"mailbox": login, "sender": sender},
    )


def direct_send_external(conv: Conversation, facts: Facts) -> Finding | None:
    if conv.verb_lines("AUTH") or not endpoint.is_mx(facts.host, conv.server[1]):
        return None
    domains = set(facts.accepted_domains)
    own = endpoint.tenant_domain_of_mx(facts.host)
    if own:
        domains.add(own)
    mails = conv.verb_lines("MAIL")
    sender = address(mails[0].text.split(":", 1)[-1]) if mails else None
    if not domains and sender and "@" in sender:
        domains.add(sender.rsplit("@", 1)[1])
    for line in conv.verb_lines("RCPT"):
        rcpt = address(line.text.split(":", 1)[-1]) or ""
        if "@" in rcpt and domains and rcpt.rsplit("@", 1)[1] not in domains:
            return Finding(
                "direct_send_external",
                "rcpt.relay_denied",
                "direct_send_external",
                {"recipient": rcpt},
            )
    return None


def spf_not_covering(conv: Conversation, facts: Facts) -> Finding | None:
    if (
        facts.spf_networks is None
        or conv.verb_lines("AUTH")
        or not endpoint.is_mx(facts.host, conv.server[1])
    ):
        return None
    mails = conv.verb_lines("MAIL")
    sender = address(mails[0].text.split(":", 1)[-1]) if mails else None
    if sender is None or "@" not in sender:
        return None
    domain = sender.rsplit("@", 1)[1]
    if domain not in facts.spf_networks and domain not in facts.accepted_domains:
        return None  # a domain the tenant neither owns nor publishes SPF for: not ours to judge
    public = facts.public_ip or conv.client[0]
    try:
        ip = ipaddress.ip_address(public)
    except ValueError:
        return None
    if any(ip in net for net in facts.spf_networks.get(domain, ())):
        return None
    record = spf_with(facts.spf_records.get(domain, ""), public)
    return Finding(
        "spf_not_covering", None, "add_site_to_spf", {"public_ip": public, "spf_record": record}
    )


def server_ended_session(conv: Conversation, facts: Facts) -> Finding | None:
    replies = [line for line in conv.lines if line.dir == "S" and line.text[:3].isdigit()]
    if conv.tls and conv.tls.server_alert and conv.tls.server_alert != "close_notify":
        alert = conv.tls.server_alert
        return Finding("server_ended_session", None, "session_ended", {"code": alert}, alert)
    if not replies or not conv.closed_by_server:
        return None
    last = replies[-1].text
    if last.startswith("221") or last[0] in "23":
        return None
    parts = last.split(" ", 2)
    if len(parts) > 1 and not parts[1][:1].isdigit():
        parts = parts[:1]  # no enhanced status code
    code = " ".join(parts[:2])
    return Finding("server_ended_session", None, "session_ended", {"code": code}, code)


RULES: tuple[Rule, ...] = (
    implicit_tls,
    tls_below_1_2,
    rsa_only_suites,
    no_sni,
    auth_before_starttls,
    auth_plain,
    no_auth_on_submission,
    sender_differs_from_login,
    direct_send_external,
    spf_not_covering,
    server_ended_session,
)


def judge(conv: Conversation, facts: Facts) -> list[Finding]:
    return [f for rule in RULES if (f := rule(conv, facts)) is not None]
