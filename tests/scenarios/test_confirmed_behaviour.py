"""The fidelity audit's second half: every published behaviour that is not a reply text.

``tests/emulator/replies/test_confirmed_replies.py`` holds the published reply lines.
This table holds what Microsoft documents about the service's *behaviour* (ports, TLS,
switches, limits, where a message lands) with its public source, and the scenarios
and tests that prove the lab reproduces it. A behaviour must keep at least one proof:
renaming or deleting a scenario or test that one of these rows names fails here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from exolab.scenarios.loader import load_catalog

ROOT = Path(__file__).resolve().parents[2]
MFD_DOC = "https://learn.microsoft.com/en-us/exchange/mail-flow-best-practices/how-to-set-up-a-multifunction-device-or-application-to-send-email-using-microsoft-365-or-office-365"
SUBMISSION_DOC = "https://learn.microsoft.com/en-us/exchange/troubleshoot/send-emails/smtp-submission-improvements"
LEGACY_TLS_DOC = "https://learn.microsoft.com/en-us/exchange/clients-and-mobile-in-exchange-online/opt-in-exchange-online-endpoint-for-legacy-tls-using-smtp-auth"
TIMELINE_BLOG = "https://techcommunity.microsoft.com/blog/exchange/updated-exchange-online-smtp-auth-basic-authentication-deprecation-timeline/4489835"
HEADERS_DOC = "https://learn.microsoft.com/en-us/defender-office-365/message-headers-eop-mdo"
MULTI_GEO_DOC = "https://learn.microsoft.com/en-us/microsoft-365/enterprise/configure-multi-geo-in-region-routing"
HVE_DOC = "https://learn.microsoft.com/en-us/exchange/mail-flow-best-practices/troubleshoot-high-volume-email-m365"
ACS_DOC = "https://learn.microsoft.com/en-us/azure/communication-services/quickstarts/email/send-email-smtp/smtp-authentication"
TERRL_BLOG = "https://techcommunity.microsoft.com/blog/exchange/introducing-exchange-online-tenant-outbound-email-limits/4372797"


@dataclass(frozen=True)
class Behaviour:
    what: str
    source: str
    proofs: tuple[str, ...]
    """Scenario ids, or ``tests/path.py::test_name``."""


BEHAVIOURS: tuple[Behaviour, ...] = (
    Behaviour(
        "smtp.office365.com serves 587 and 25 with STARTTLS",
        MFD_DOC,
        ("modern-587-inside", "modern-25-inside"),
    ),
    Behaviour(
        "no implicit TLS: a handshake on 587 meets the plaintext banner",
        "https://github.com/mattermost/mattermost/issues/954",
        ("implicit-tls-587",),
    ),
    Behaviour(
        "nothing answers on 465 (the connection times out)",
        "https://github.com/dani-garcia/vaultwarden/issues/1008",
        (
            "fixed-465",
            "tests/emulator/smtp/test_submission.py::test_port_465_stays_silent_and_is_recorded",
        ),
    ),
    Behaviour(
        "SMTP AUTH is a tenant switch with a per-mailbox override",
        MFD_DOC,
        ("tenant-disabled", "mailbox-disabled", "mailbox-overrides-tenant"),
    ),
    Behaviour(
        "SMTP AUTH with a password is incompatible with security defaults",
        MFD_DOC,
        ("security-defaults", "oauth-security-defaults"),
    ),
    Behaviour("a submitted message is saved in Sent Items", SUBMISSION_DOC, ("sent-items-copy",)),
    Behaviour(
        "TLS 1.0 and 1.1 are refused on smtp.office365.com (at AUTH, then closed)",
        LEGACY_TLS_DOC,
        ("tls10-submission", "tls11-submission"),
    ),
    Behaviour(
        "smtp-legacy.office365.com admits TLS 1.0/1.1 only with AllowLegacyTLSClients",
        LEGACY_TLS_DOC,
        ("tls10-legacy-opted-in", "tls10-legacy-not-opted-in", "tls11-legacy-opted-in"),
    ),
    Behaviour(
        "the MX refuses TLS 1.0/1.1 and accepts the same device in plaintext",
        "https://techcommunity.microsoft.com/blog/exchange/understanding-email-scenarios-if-tls-versions-cannot-be-agreed-on-with-exchange-/2065089",
        ("legacy-tls-fallback", "tls10-rsa-mx"),
    ),
    Behaviour(
        "the MX speaks TLS 1.3 (TLS_AES_256_GCM_SHA384) and stamps it in Received",
        "https://github.com/search?q=%22version%3DTLS1_3%2C+cipher%3DTLS_AES_256_GCM_SHA384%22"
        "+mail.protection.outlook.com&type=code",
        (
            "tests/emulator/smtp/mx/test_tls13_received.py::"
            "test_a_tls_1_3_session_shows_version_and_cipher_in_received",
            "tests/emulator/test_tls.py::"
            "test_tls13_picks_aes_256_gcm_first_even_when_the_client_prefers_aes_128",
        ),
    ),
    Behaviour(
        "TLS 1.2 sessions use ECDHE-RSA-AES256-GCM-SHA384",
        "https://github.com/rss2email/rss2email/issues/81",
        ("tests/emulator/test_tls.py::test_tls12_picks_ecdhe_rsa_aes256_gcm",),
    ),
    Behaviour(
        "basic SMTP AUTH: on through 2026, off by default for existing tenants from the end of "
        "December 2026 (an administrator can turn it back on), off for new tenants",
        TIMELINE_BLOG,
        (
            "basic-before-retirement",
            "basic-after-retirement",
            "basic-re-enabled",
            "basic-new-tenant-default-off",
            "basic-after-removal",
        ),
    ),
    Behaviour(
        "direct send: any accepted-domain sender, no AUTH, internal recipients",
        MFD_DOC,
        ("spf-listed-site",),
    ),
    Behaviour("direct send cannot reach external recipients", MFD_DOC, ("outside-recipient",)),
    Behaviour(
        "direct send without a matching SPF record may land in Junk Email",
        MFD_DOC,
        ("unlisted-site", "unlisted-site-spf-fixed", "dynamic-ip-site"),
    ),
    Behaviour(
        "smtp.office365.com without credentials refuses MAIL FROM (5.7.57)",
        MFD_DOC,
        ("classic-anonymous-mail", "pop-before-smtp"),
    ),
    Behaviour(
        "RejectDirectSend refuses anonymous mail from the tenant's own domains",
        "https://techcommunity.microsoft.com/blog/exchange/introducing-more-control-over-direct-send-in-exchange-online/4408790",
        ("reject-direct-send",),
    ),
    Behaviour(
        "an inbound connector (by IP) relays to external recipients; another IP is refused",
        MFD_DOC,
        ("ip-connector", "connector-wrong-ip"),
    ),
    Behaviour(
        "connection filtering: banned IPs refused at RCPT",
        "https://github.com/JamBrain/JamBrain/issues/271",
        ("blocklisted-ip", "banned-sender", "customer-block-list"),
    ),
    Behaviour(
        "Directory-Based Edge Blocking refuses unknown recipients at RCPT",
        "https://github.com/maxsptz/emailpyspam/issues/23",
        ("missing-recipient",),
    ),
    Behaviour(
        "SCL -1/0/1 to the Inbox, 5/6/9 to Junk Email",
        "https://learn.microsoft.com/en-us/defender-office-365/anti-spam-spam-confidence-level-scl-about",
        (
            "tests/emulator/policy/test_spam.py::"
            "test_scl_is_a_service_value_and_the_folder_follows_the_thresholds",
        ),
    ),
    Behaviour(
        "DMARC p=reject is not a rejection: oreject, delivered to Junk Email",
        HEADERS_DOC,
        (
            "tests/emulator/policy/test_authresults.py::test_dmarc_outcomes",
            "tests/emulator/policy/test_inbound_judge.py::"
            "test_spf_fail_from_the_own_domain_is_spoof_in_junk",
        ),
    ),
    Behaviour(
        "compauth reasons (6xx: an accepted domain spoofed)",
        HEADERS_DOC,
        (
            "tests/emulator/policy/test_authresults.py::test_compauth_reasons_for_own_and_foreign_domains",
        ),
    ),
    Behaviour(
        "X-Forefront-Antispam-Report and Authentication-Results on accepted mail",
        HEADERS_DOC,
        ("tests/emulator/smtp/mx/test_wire.py::test_office_site_lands_in_the_inbox_with_spf_pass",),
    ),
    Behaviour(
        "three concurrent connections per mailbox; the fourth is refused",
        SUBMISSION_DOC,
        ("four-concurrent-connections",),
    ),
    Behaviour(
        "30 messages a minute: the excess is delayed, not refused",
        SUBMISSION_DOC,
        ("message-rate-delayed",),
    ),
    Behaviour("10,000 recipients a day per mailbox", SUBMISSION_DOC, ("daily-recipient-limit",)),
    Behaviour(
        "SIZE 157286400 advertised; MaxSendSize enforced after the data",
        "https://github.com/jstedfast/MailKit/issues/1770",
        ("oversized-scan", "size-declared-too-large"),
    ),
    Behaviour(
        "an oversized header block is refused at the end of data",
        "https://github.com/jstedfast/MailKit/issues/904",
        ("header-too-large",),
    ),
    Behaviour(
        "the tenant external recipient rate limit reports outside recipients in an NDR",
        TERRL_BLOG,
        ("tenant-external-limit", "trial-tenant-external-limit"),
    ),
    Behaviour(
        "no per-mailbox 2,000 external recipients a day (the plan was cancelled)",
        "https://petri.com/exchange-online-cancels-external-recipient-limit/",
        (
            "tests/emulator/policy/test_submission_throttles.py::"
            "test_no_per_mailbox_cap_of_2000_external_recipients_a_day",
        ),
    ),
    Behaviour(
        "store throttles and per-recipient hourly limits",
        "https://learn.microsoft.com/en-us/troubleshoot/exchange/email-delivery/ndr/non-delivery-reports-in-exchange-online",
        ("recipient-thread-limit", "recipient-hourly-limit"),
    ),
    Behaviour(
        "mailbox full: the sender's at the end of data, a recipient's in an NDR",
        SUBMISSION_DOC,
        ("mailbox-full", "recipient-mailbox-full-ndr"),
    ),
    Behaviour(
        "an unknown internal recipient on submission comes back as an NDR (5.1.10)",
        "https://learn.microsoft.com/en-us/troubleshoot/exchange/email-delivery/ndr/non-delivery-reports-in-exchange-online",
        ("unknown-recipient-ndr", "ndr-to-a-made-up-sender"),
    ),
    Behaviour(
        "multi-geo attribution: wrong region, no mail subscription, transient ATTR55",
        MULTI_GEO_DOC,
        ("wrong-region", "no-mail-subscription", "attr55-then-success"),
    ),
    Behaviour(
        "a missing or malformed From header is refused (5.7.512)",
        SUBMISSION_DOC,
        ("no-from-header", "no-from-header-direct-send"),
    ),
    Behaviour(
        "AUTH PLAIN and AUTH before STARTTLS are not offered (504 5.7.4)",
        "https://github.com/mattermost/mattermost/issues/954",
        ("plain-only", "auth-before-starttls"),
    ),
    Behaviour(
        "a command before EHLO gets 503 5.5.2; an unknown one 500 5.3.3 after a delay",
        "https://github.com/nette/mail/issues/71",
        (
            "starttls-before-ehlo",
            "proxy-header-before-ehlo",
            "tests/emulator/smtp/test_submission.py::test_sequence_errors_and_unknown_commands",
        ),
    ),
    Behaviour(
        "HVE ignores the tenant's SMTP AUTH switch, allows 50 recipients, internal only, needs "
        "a billing policy",
        HVE_DOC,
        (
            "hve-delivers-smtp-auth-disabled",
            "hve-51st-recipient",
            "hve-outside-recipient",
            "hve-no-billing-policy",
        ),
    ),
    Behaviour(
        "HVE OAuth only for apps on the account's allowed list",
        "https://learn.microsoft.com/en-sg/powershell/module/exchangepowershell/add-hveappaccess",
        ("hve-oauth-allowed-app", "hve-app-not-allowed"),
    ),
    Behaviour(
        "ACS relay: SMTP Username and client secret, verified senders, 30 a minute",
        ACS_DOC,
        ("acs-delivers", "acs-wrong-secret", "acs-unverified-sender", "acs-31st-message"),
    ),
    Behaviour(
        "new accepted domains get MX hosts under mx.microsoft",
        "https://techcommunity.microsoft.com/t5/exchange-team-blog/implementing-inbound-smtp-dane-with-dnssec-for-exchange-online/ba-p/3939694",
        ("mx-microsoft-host",),
    ),
)

TEST_REF = re.compile(r"^(?P<path>tests/[\w/]+\.py)::(?P<name>test_\w+)$")


def _ids() -> set[str]:
    return {item.id for item in load_catalog()}


def test_every_scenario_a_behaviour_names_is_in_the_catalog() -> None:
    ids = _ids()
    named = {p for b in BEHAVIOURS for p in b.proofs if not TEST_REF.match(p)}
    assert named - ids == set()


@pytest.mark.parametrize("behaviour", BEHAVIOURS, ids=lambda b: b.what[:40])
def test_every_behaviour_has_a_source_and_a_proof_that_exists(behaviour: Behaviour) -> None:
    assert behaviour.source.startswith("https://")
    assert behaviour.proofs
    for proof in behaviour.proofs:
        ref = TEST_REF.match(proof)
        if ref is None:
            continue
        text = (ROOT / ref["path"]).read_text("utf-8")
        assert re.search(rf"^(async )?def {ref['name']}\(", text, re.MULTILINE), proof
