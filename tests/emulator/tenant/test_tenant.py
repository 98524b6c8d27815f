"""The tenant: the embedded demo world, files, overrides, and the errors they give."""

from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exolab.emulator.tenant import TenantError, load_default_tenant, load_tenant, parse_assignment
from exolab.emulator.tenant.loader import default_document


def test_demo_world_is_what_the_issue_promises() -> None:
    tenant = load_default_tenant()
    assert tenant.tenant.name == "contoso.com"
    assert tenant.tenant.mx_host == "contoso-com.mail.protection.outlook.com"
    assert tenant.transport_config.smtp_client_authentication_disabled is True
    assert tenant.transport_config.allow_legacy_tls_clients is False
    assert tenant.security_defaults.is_enabled is False
    scanner = tenant.find_mailbox("scanner@contoso.com")
    assert scanner is not None and scanner.licensed and scanner.password == "Scan-2-Mail!"
    assert tenant.smtp_auth_disabled_for(scanner) == (False, "Mailbox")
    for user in ("alice@contoso.com", "bob@contoso.com"):
        mailbox = tenant.find_mailbox(user)
        assert mailbox is not None and mailbox.licensed
        assert tenant.smtp_auth_disabled_for(mailbox) == (True, "Tenant")
    frontdesk = tenant.find_mailbox("frontdesk@contoso.com")
    assert frontdesk is not None
    assert frontdesk.recipient_type_details == "SharedMailbox" and not frontdesk.licensed
    sites = {s.name: (s.source, s.public_ip) for s in tenant.site}
    assert sites["office"] == ("127.20.0.10", "203.0.113.39")
    assert sites["branch"] == ("127.20.0.20", "198.51.100.20")
    assert sites["blocklisted"] == ("127.20.0.66", "192.0.2.66")
    assert [d.name for d in tenant.external_domain] == ["fabrikam.com"]
    assert "partner@fabrikam.com" in tenant.external_domain[0].mailboxes
    assert tenant.dns.txt["contoso.com"] == (
        "v=spf1 ip4:203.0.113.39 include:spf.protection.outlook.com -all",
    )


def test_a_mailbox_is_found_among_thousands_and_a_changed_tenant_is_never_answered_stale() -> None:
    tenant = load_default_tenant()
    template = tenant.find_mailbox("alice@contoso.com")
    assert template is not None
    many = tuple(
        template.model_copy(
            update={
                "primary_smtp_address": f"user{i}@contoso.com",
                "email_addresses": (f"u{i}@contoso.com",),
            }
        )
        for i in range(3000)
    )
    big = tenant.model_copy(update={"mailbox": (*tenant.mailbox, *many)})
    found = big.find_mailbox(" U2999@Contoso.com ")
    assert found is not None and found.primary_smtp_address == "user2999@contoso.com"
    assert big.find_mailbox("user3000@contoso.com") is None
    # a tenant changed after a lookup is a new tenant with a new list: looked up afresh
    smaller = big.model_copy(update={"mailbox": tenant.mailbox})
    assert smaller.find_mailbox("user2999@contoso.com") is None
    assert big.find_mailbox("user2999@contoso.com") is found
    # the first mailbox that holds an address owns it, as a search in order would say
    twin = template.model_copy(update={"display_name": "the second alice"})
    doubled = tenant.model_copy(update={"mailbox": (*tenant.mailbox, twin)})
    assert doubled.find_mailbox("alice@contoso.com") is template


def test_lookups_are_case_insensitive_and_nat_defaults() -> None:
    tenant = load_default_tenant()
    assert tenant.find_mailbox("Alice@Contoso.COM") is tenant.find_mailbox("alice@contoso.com")
    assert tenant.is_accepted_domain("someone@CONTOSO.com")
    assert not tenant.is_accepted_domain("partner@fabrikam.com")
    assert tenant.public_ip_for("127.20.0.10") == "203.0.113.39"
    assert tenant.public_ip_for("127.0.0.1") == tenant.lab.default_public_ip


def test_set_examples_from_the_issue() -> None:
    tenant = load_default_tenant(
        [
            parse_assignment("TransportConfig.AllowLegacyTLSClients=true"),
            parse_assignment("Mailbox[alice@contoso.com].SmtpClientAuthenticationDisabled=false"),
        ],
        as_of=date(2027, 1, 15),
    )
    assert tenant.transport_config.allow_legacy_tls_clients is True
    alice = tenant.find_mailbox("alice@contoso.com")
    assert alice is not None and tenant.smtp_auth_disabled_for(alice) == (False, "Mailbox")
    assert tenant.lab.as_of == datetime(2027, 1, 15, tzinfo=UTC)


def test_set_can_edit_dns_and_add_a_connector() -> None:
    spf = "v=spf1 ip4:203.0.113.39 ip4:198.51.100.20 include:spf.protection.outlook.com ~all"
    tenant = load_default_tenant(
        [
            parse_assignment(f"Dns.TXT[contoso.com]={spf}"),
            parse_assignment('InboundConnector[Branch].SenderIPAddresses=["198.51.100.20"]'),
        ]
    )
    assert tenant.dns.txt["contoso.com"] == (spf,)
    assert tenant.inbound_connector[0].admits_ip("198.51.100.20")
    assert not tenant.inbound_connector[0].admits_ip("203.0.113.39")


@pytest.mark.parametrize(
    ("assignment", "key", "expected"),
    [
        (
            "TransportConfig.AllowLegacyTLSClient=true",
            "TransportConfig.AllowLegacyTLSClient",
            "unknown setting",
        ),
        ("Limits.MessagesPerMinute=lots", "Limits.MessagesPerMinute", "valid integer"),
        (
            "Mailbox[alice@contoso.com].Licensed=maybe",
            "Mailbox[alice@contoso.com].Licensed",
            "boolean",
        ),
        ("Site[office].PublicIp=1.2.3", "Site[office].PublicIp", "pattern"),
    ],
)
def test_bad_override_names_the_key_and_expectation(
    assignment: str, key: str, expected: str
) -> None:
    with pytest.raises(TenantError) as caught:
        load_default_tenant([parse_assignment(assignment)])
    assert caught.value.key == key
    assert expected in str(caught.value)
    assert "--set" in str(caught.value)


def test_assignment_without_equals_is_refused() -> None:
    with pytest.raises(TenantError, match="Key=Value"):
        parse_assignment("TransportConfig.AllowLegacyTLSClients")


def test_bad_file_names_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "tenant.toml"
    broken.write_text("[TransportConfig]\nSmtpClientAuthenticationDisabled = 'perhaps'\n")
    with pytest.raises(TenantError) as caught:
        load_tenant(broken)
    assert str(broken) in str(caught.value)
    assert caught.value.key == "TransportConfig.SmtpClientAuthenticationDisabled"

    not_toml = tmp_path / "nope.toml"
    not_toml.write_text("[unclosed\n")
    with pytest.raises(TenantError, match="not valid TOML"):
        load_tenant(not_toml)
    with pytest.raises(TenantError, match="file not found"):
        load_tenant(tmp_path / "missing.toml")


def test_duplicate_addresses_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "dup.toml"
    path.write_text(
        '[[Mailbox]]\nPrimarySmtpAddress = "a@contoso.com"\n'
        '[[Mailbox]]\nPrimarySmtpAddress = "b@contoso.com"\nEmailAddresses = ["A@contoso.com"]\n'
    )
    with pytest.raises(TenantError, match="more than one mailbox"):
        load_tenant(path)


@given(st.text(max_size=60))
def test_any_override_text_gives_a_tenant_or_a_tenant_error(text: str) -> None:
    """Whatever a user types after --set, the answer is a tenant or one clear error."""
    try:
        load_default_tenant([parse_assignment(text)])
    except TenantError as error:
        assert str(error)


def test_the_default_tenant_is_parsed_once_and_each_caller_gets_its_own_copy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = default_document()
    seven = [parse_assignment("Lab.Seed=7")]

    def parsed_again(text: str) -> None:
        raise AssertionError("the embedded default tenant was parsed a second time")

    monkeypatch.setattr(tomllib, "loads", parsed_again)
    first["Lab"]["Seed"] = 99
    first["Mailbox"].clear()
    second = default_document()
    assert second["Lab"]["Seed"] != 99 and second["Mailbox"]
    assert load_default_tenant(seven).lab.seed == 7
    assert load_default_tenant().lab.seed == second["Lab"]["Seed"]
