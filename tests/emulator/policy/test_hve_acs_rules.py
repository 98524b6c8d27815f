"""The HVE and ACS rules on their own: no socket, the demo tenant, a fixed lab time."""

from __future__ import annotations

from datetime import datetime, timedelta

from exolab.emulator.clock import utc
from exolab.emulator.policy import acs, hve
from exolab.emulator.policy.facts import Credentials, MailCommand, RcptCommand, SessionFacts
from exolab.emulator.replies import catalog
from exolab.emulator.tenant import Tenant, load_default_tenant, parse_assignment

NOW = utc(2026, 6, 1, 9, 0)


def tenant(*pairs: str) -> Tenant:
    return load_default_tenant([parse_assignment(p) for p in pairs])


def session(
    t: Tenant,
    identity: str | None = None,
    rcpts: int = 0,
    now: datetime = NOW,
    mail_from: str | None = None,
) -> SessionFacts:
    return SessionFacts(
        t,
        "smtp.hve.mx.microsoft",
        587,
        "127.20.0.10",
        "203.0.113.39",
        now,
        tls_version="TLSv1.3",
        helo="mfp",
        esmtp=True,
        identity=identity,
        mail_from=mail_from,
        rcpt_count=rcpts,
    )


def test_hve_basic_ignores_the_tenant_smtp_auth_switch() -> None:
    t = tenant("TransportConfig.SmtpClientAuthenticationDisabled=true")
    verdict = hve.check_basic_credentials(
        Credentials(session(t), "LOGIN", "scan-hve@contoso.com", "Hve-Scan-1!")
    )
    assert verdict.reply is catalog.AUTH_SUCCESS


def test_hve_basic_ends_on_the_retirement_date() -> None:
    t = tenant()
    day = utc(2028, 9, 1, 0, 0)
    creds = Credentials(session(t, now=day), "LOGIN", "scan-hve@contoso.com", "Hve-Scan-1!")
    assert hve.check_basic_credentials(creds).reply is catalog.HVE_BASIC_RETIRED
    before = Credentials(
        session(t, now=day - timedelta(seconds=1)), "LOGIN", "scan-hve@contoso.com", "Hve-Scan-1!"
    )
    assert hve.check_basic_credentials(before).accepted


def test_hve_recipient_rules() -> None:
    t = tenant()
    sender = "scan-hve@contoso.com"
    assert hve.check_rcpt(
        RcptCommand(session(t, sender, mail_from=sender), "a@fabrikam.com")
    ).reply is (catalog.HVE_EXTERNAL_RECIPIENT)
    full = session(t, sender, rcpts=50, mail_from=sender)
    assert (
        hve.check_rcpt(RcptCommand(full, "bob@contoso.com")).reply
        is catalog.HVE_TOO_MANY_RECIPIENTS
    )
    assert hve.check_rcpt(
        RcptCommand(session(t, sender, 49, mail_from=sender), "bob@contoso.com")
    ).accepted


def test_hve_app_access_waits_for_the_delay() -> None:
    t = tenant(
        'HveAccount[scan-hve@contoso.com].AllowedAppIds=["app-1"]',
        "HveAccount[scan-hve@contoso.com].AppAccessChanged=2026-06-01T08:56:00Z",
    )
    account = t.find_hve_account("scan-hve@contoso.com")
    assert account is not None
    assert not hve.app_access_effective(t, account, "app-1", NOW.timestamp())
    assert hve.app_access_effective(t, account, "APP-1", (NOW + timedelta(minutes=1)).timestamp())
    assert not hve.app_access_effective(t, account, "app-2", (NOW + timedelta(hours=1)).timestamp())


def test_acs_credentials_and_the_older_username_form() -> None:
    t = tenant()
    ok, identity = acs.check_credentials(
        Credentials(session(t), "LOGIN", "acs-scanner", "lab-acs-secret~1")
    )
    assert ok.accepted and identity == "acs-scanner"
    legacy = "contoso-acs.3c0a5e11-ac50-4d1e-9f2a-6b7c8d9e0f1a.9188040d-6c67-4c5b-b112-36a304b66dad"
    assert acs.check_credentials(Credentials(session(t), "LOGIN", legacy, "lab-acs-secret~1"))[
        0
    ].accepted
    bad, who = acs.check_credentials(Credentials(session(t), "LOGIN", "acs-scanner", "x"))
    assert bad.reply is catalog.ACS_AUTH_FAILED and who is None


def test_acs_limits_count_per_minute_then_per_hour() -> None:
    counters = acs.SendingCounters()
    start = NOW.timestamp()
    for i in range(30):
        counters.sent("contoso-acs", start + i)
    assert counters.usage("contoso-acs", start + 30) == (30, 30)
    assert counters.usage("contoso-acs", start + 90) == (0, 30)
    t = tenant()
    mail = MailCommand(session(t, "acs-scanner"), "DoNotReply@notify.contoso.com")
    assert acs.check_mail(acs.AcsMail(mail, 30, 30)).reply is catalog.ACS_RATE_LIMITED
    assert acs.check_mail(acs.AcsMail(mail, 0, 100)).reply is catalog.ACS_RATE_LIMITED
    assert acs.check_mail(acs.AcsMail(mail, 29, 99)).accepted


def test_acs_secret_expires_at_its_end_date() -> None:
    app = "3c0a5e11-ac50-4d1e-9f2a-6b7c8d9e0f1a"
    t = tenant(f"App[{app}].ClientSecretEndDateTime=2026-06-01T09:00:00Z")
    at_end = Credentials(session(t), "LOGIN", "acs-scanner", "lab-acs-secret~1")
    verdict, identity = acs.check_credentials(at_end)
    assert (verdict.reply, verdict.rule, identity) == (
        catalog.ACS_SECRET_EXPIRED,
        "acs_client_secret_not_expired",
        None,
    )
    before = Credentials(
        session(t, now=NOW - timedelta(seconds=1)), "LOGIN", "acs-scanner", "lab-acs-secret~1"
    )
    assert acs.check_credentials(before)[0].accepted


def test_size_limits_are_each_services_own() -> None:
    t = tenant(
        "HighVolumeEmail.MaxMessageSize=2048",
        "CommunicationService[contoso-acs].MaxMessageSize=4096",
    )
    hve_mail = MailCommand(
        session(t, identity="scan-hve@contoso.com"), "scan-hve@contoso.com", 3000
    )
    assert hve.check_mail(hve_mail).reply is catalog.HVE_MAIL_SIZE_EXCEEDED
    acs_session = session(t, identity="acs-scanner")
    fits = acs.AcsMail(MailCommand(acs_session, "DoNotReply@notify.contoso.com", 3000))
    assert acs.check_mail(fits).accepted
    # ACS is not the tenant's Exchange: the tenant's own limit does not apply to it
    lowered = tenant("Limits.MaxMessageSize=1024")
    big = acs.AcsMail(
        MailCommand(session(lowered, identity="acs-scanner"), "DoNotReply@notify.contoso.com", 5000)
    )
    assert acs.check_mail(big).accepted


def test_acs_fifty_recipients_an_email() -> None:
    t, sender = tenant(), "DoNotReply@notify.contoso.com"

    def rcpt(count: int) -> RcptCommand:
        return RcptCommand(session(t, "acs-scanner", count, mail_from=sender), "a@fabrikam.com")

    assert acs.check_rcpt(rcpt(49)).accepted
    assert acs.check_rcpt(rcpt(50)).reply is catalog.ACS_TOO_MANY_RECIPIENTS
