"""Every AUTH outcome of spec section 3, driven by the tenant, through the stated order."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exolab.emulator.clock import utc
from exolab.emulator.policy import submission
from exolab.emulator.policy.facts import AuthCommand
from exolab.emulator.policy.verdict import Verdict
from exolab.emulator.replies import catalog
from exolab.emulator.replies.model import Reply
from tests.emulator.policy.factories import creds, session, tenant


def enhanced(v: Verdict) -> str:
    return f"{v.reply.code} {v.reply.enhanced}"


def test_scanner_signs_in() -> None:
    v = submission.check_basic_credentials(creds())
    assert v.reply is catalog.AUTH_SUCCESS and v.accepted


def test_wrong_password_classic_and_new_wording() -> None:
    assert submission.check_basic_credentials(creds(password="nope")).reply is catalog.AUTH_FAILED
    t = tenant("Lab.WrongPasswordReply=5.7.139")
    v = submission.check_basic_credentials(creds(password="nope", t=t))
    assert v.reply is catalog.AUTH_BAD_CREDENTIALS and v.rule == "credentials_valid"


def test_unknown_user_looks_like_a_wrong_password() -> None:
    v = submission.check_basic_credentials(creds(username="ghost@contoso.com"))
    assert v.reply is catalog.AUTH_FAILED


def test_alice_follows_the_tenant_switch() -> None:
    v = submission.check_basic_credentials(creds("alice@contoso.com", "Alice-Pass-1"))
    assert v.reply is catalog.AUTH_DISABLED_TENANT
    t = tenant("TransportConfig.SmtpClientAuthenticationDisabled=false")
    assert submission.check_basic_credentials(
        creds("alice@contoso.com", "Alice-Pass-1", t=t)
    ).accepted


def test_mailbox_setting_overrides_the_tenant_both_ways() -> None:
    t = tenant("Mailbox[alice@contoso.com].SmtpClientAuthenticationDisabled=false")
    assert submission.check_basic_credentials(
        creds("alice@contoso.com", "Alice-Pass-1", t=t)
    ).accepted
    t = tenant(
        "TransportConfig.SmtpClientAuthenticationDisabled=false",
        "Mailbox[scanner@contoso.com].SmtpClientAuthenticationDisabled=true",
    )
    assert submission.check_basic_credentials(creds(t=t)).reply is catalog.AUTH_DISABLED_MAILBOX


def test_shared_and_unlicensed_mailboxes_get_5_7_3() -> None:
    t = tenant("Mailbox[frontdesk@contoso.com].Password=Desk-1")
    v = submission.check_basic_credentials(creds("frontdesk@contoso.com", "Desk-1", t=t))
    assert v.reply is catalog.AUTH_FAILED and "shared" in v.reason
    t = tenant("Mailbox[scanner@contoso.com].Licensed=false")
    v = submission.check_basic_credentials(creds(t=t))
    assert v.reply is catalog.AUTH_FAILED and "licence" in v.reason


def test_security_defaults() -> None:
    t = tenant("SecurityDefaults.IsEnabled=true")
    assert submission.check_basic_credentials(creds(t=t)).reply is catalog.AUTH_SECURITY_DEFAULTS


def test_per_user_mfa_and_conditional_access() -> None:
    t = tenant("Mailbox[scanner@contoso.com].MfaRequired=true")
    assert submission.check_basic_credentials(creds(t=t)).reply is catalog.AUTH_CONDITIONAL_ACCESS
    t = tenant(
        'ConditionalAccessPolicy=[{DisplayName="Block legacy", ExcludeTrustedIps=["203.0.113.0/24"]}]'
    )
    # from the office (trusted location) it passes, from home it is blocked
    assert submission.check_basic_credentials(creds(t=t)).accepted
    v = submission.check_basic_credentials(creds(t=t, public_ip="198.51.100.77"))
    assert v.reply is catalog.AUTH_CONDITIONAL_ACCESS and "Block legacy" in v.reason


def test_authentication_policy_blocks_basic() -> None:
    t = tenant("AuthenticationPolicy.AllowBasicAuthSmtp=false")
    v = submission.check_basic_credentials(creds(password="wrong", t=t))
    assert v.reply is catalog.AUTH_BASIC_DISABLED, "pre-auth: wins over a wrong password"


OFF = "BasicAuthRetirement.ReEnabled=false"


DEFAULT_OFF = catalog.AUTH_BASIC_DEFAULT_OFF
REMOVED = catalog.AUTH_BASIC_RETIRED


@pytest.mark.parametrize(
    ("when", "settings_", "expected"),
    [
        (utc(2026, 12, 31, 23, 59), (OFF,), None),
        (utc(2027, 1, 15), (OFF,), DEFAULT_OFF),
        (utc(2027, 1, 15), (), None),  # the demo tenant's admin turned it back on
        (utc(2027, 1, 15), ("BasicAuthRetirement.ReEnabled=true",), None),
        (utc(2027, 2, 1), (OFF, "Tenant.Created=2027-01-20"), DEFAULT_OFF),  # a new tenant
        (utc(2027, 1, 15), (OFF, "BasicAuthRetirement.DefaultOffReply=5.7.30"), REMOVED),
        (
            utc(2027, 9, 1),
            ("BasicAuthRetirement.ReEnabled=true", "BasicAuthRetirement.RemovedFrom=2027-09-01"),
            REMOVED,
        ),
        (utc(2026, 6, 1), ("BasicAuthRetirement.RemovedFrom=2026-05-01",), REMOVED),
    ],
)
def test_basic_auth_retirement(
    when: object, settings_: tuple[str, ...], expected: Reply | None
) -> None:
    t = tenant(*settings_) if settings_ else None
    v = submission.check_basic_credentials(creds(t=t, now=when))
    if expected is None:
        assert v.accepted
    else:
        assert v.reply is expected
        assert v.rule == "basic_auth_retired"


def test_default_off_reply_is_the_policy_block_text_and_overrides_later_checks() -> None:
    """Default-off answers 535 5.7.139 (a tenant choice), before the password or switches."""
    assert (DEFAULT_OFF.code, DEFAULT_OFF.enhanced) == (535, "5.7.139")
    assert DEFAULT_OFF.text == catalog.AUTH_BASIC_DISABLED.text
    assert (REMOVED.code, REMOVED.enhanced) == (550, "5.7.30")
    t = tenant(OFF, "AuthenticationPolicy.AllowBasicAuthSmtp=false")
    v = submission.check_basic_credentials(creds(t=t, now=utc(2027, 1, 15), password="wrong"))
    assert v.reply is DEFAULT_OFF


def test_auth_command_order() -> None:
    def cmd(mech: str = "LOGIN", known: bool = True, **kw: Any) -> AuthCommand:
        return AuthCommand(session(**kw), mech, known)

    def refusal(command: AuthCommand) -> Reply:
        verdict = submission.check_auth_command(command)
        assert verdict is not None, "expected a refusal, got None (go on with the exchange)"
        return verdict.reply

    assert refusal(cmd(helo=None)) is catalog.HELLO_FIRST
    assert refusal(cmd(tls_version=None)) is catalog.AUTH_UNRECOGNIZED
    assert refusal(cmd("PLAIN", False)) is catalog.AUTH_UNRECOGNIZED
    v = submission.check_auth_command(cmd(tls_version="TLSv1"))
    assert v is not None and v.reply is catalog.AUTH_LEGACY_TLS and v.closes
    assert refusal(cmd(identity="scanner@contoso.com")) is catalog.AUTH_ALREADY
    assert submission.check_auth_command(cmd()) is None
    # the legacy endpoint lets TLS 1.0 through to the credential checks
    assert (
        submission.check_auth_command(
            cmd(tls_version="TLSv1", endpoint="smtp-legacy.office365.com")
        )
        is None
    )


@pytest.mark.parametrize("code", [421, 535, 550])
def test_legacy_endpoint_needs_the_opt_in(code: int) -> None:
    t = tenant(f"Lab.LegacyTlsReplyCode={code}")
    v = submission.check_basic_credentials(
        creds(t=t, tls_version="TLSv1.1", endpoint="smtp-legacy.office365.com")
    )
    assert v.reply.enhanced == f"{str(code)[0]}.7.67" and v.reply.code == code
    assert v.reply.text == catalog.AUTH_LEGACY_TLS_NOT_OPTED_IN.text
    assert v.closes is (code == 421)
    t = tenant("TransportConfig.AllowLegacyTLSClients=true")
    ok = submission.check_basic_credentials(
        creds(t=t, tls_version="TLSv1.1", endpoint="smtp-legacy.office365.com")
    )
    assert ok.accepted


@settings(max_examples=200, deadline=None)
@given(
    username=st.sampled_from(
        ["scanner@contoso.com", "alice@contoso.com", "ghost@contoso.com", "SCANNER@contoso.com"]
    ),
    password=st.sampled_from(["Scan-2-Mail!", "Alice-Pass-1", "", "x"]),
    tenant_off=st.booleans(),
    mailbox_setting=st.sampled_from(["unset", "true", "false"]),
    sd=st.booleans(),
    policy_basic=st.booleans(),
)
def test_success_only_when_every_switch_allows(
    username: str,
    password: str,
    tenant_off: bool,
    mailbox_setting: str,
    sd: bool,
    policy_basic: bool,
) -> None:
    pairs = [
        f"TransportConfig.SmtpClientAuthenticationDisabled={str(tenant_off).lower()}",
        f"SecurityDefaults.IsEnabled={str(sd).lower()}",
        f"AuthenticationPolicy.AllowBasicAuthSmtp={str(policy_basic).lower()}",
    ]
    if mailbox_setting != "unset":
        pairs.append(
            f"Mailbox[{username.lower()}].SmtpClientAuthenticationDisabled={mailbox_setting}"
        )
    if username.startswith("ghost") and mailbox_setting != "unset":
        pairs.pop()
    t = tenant(*pairs)
    v = submission.check_basic_credentials(creds(username, password, t=t))
    mbx = t.find_mailbox(username)
    right = mbx is not None and mbx.password == password
    enabled = mbx is not None and not t.smtp_auth_disabled_for(mbx)[0]
    assert v.accepted == (right and enabled and not sd and policy_basic)
    assert v.reply.code in (235, 535)
    if not policy_basic:
        assert v.reply is catalog.AUTH_BASIC_DISABLED
    elif not right:
        assert v.rule == "credentials_valid"


def test_auth_after_helo_is_not_offered() -> None:
    """HELO gets no extension list, so AUTH is unrecognized (504 5.7.4), not a 334 prompt."""
    v = submission.check_auth_command(AuthCommand(session(esmtp=False), "LOGIN", True))
    assert v is not None and v.reply is catalog.AUTH_UNRECOGNIZED
    assert submission.check_auth_command(AuthCommand(session(), "LOGIN", True)) is None
