"""Microsoft's HVE cmdlets, as its pages write them, mapped to HveAccount settings."""

from __future__ import annotations

import pytest

from exolab.emulator.admin.cmdlets import CmdletError
from exolab.emulator.admin.hve import unwrap_secure_strings
from exolab.emulator.admin.shell import assignments
from exolab.emulator.clock import utc
from exolab.emulator.tenant import Tenant, load_default_tenant, parse_assignment

TENANT = load_default_tenant()
NOW = utc(2026, 6, 1, 9, 0)
APP = "11111111-1111-1111-1111-111111111111"


def applied(items: list[str]) -> Tenant:
    """The demo tenant after the settings: each is valid and the whole validates."""
    return load_default_tenant([parse_assignment(i) for i in items])


@pytest.mark.parametrize(
    "password",
    [
        "(ConvertTo-SecureString -String 'Hve P@ss!' -AsPlainText -Force)",
        '(ConvertTo-SecureString "Hve P@ss!" -AsPlainText -Force)',
        "(convertto-securestring -String 'Hve P@ss!' -AsPlainText:$true -Force)",
        "'Hve P@ss!'",
    ],
)
def test_new_mail_user_hve_account_in_the_documented_form(password: str) -> None:
    items = assignments(
        f"New-MailUser -HVEAccount -Name HVEAccount01 -Password {password} "
        "-PrimarySmtpAddress HVEAccount01@contoso.com",
        TENANT,
    )
    account = applied(items).find_hve_account("hveaccount01@contoso.com")
    assert account is not None
    assert (account.display_name, account.password) == ("HVEAccount01", "Hve P@ss!")
    assert account.billing_policy_id is None  # cannot send until a policy is attached


@pytest.mark.parametrize(
    ("command", "message"),
    [
        ("New-MailUser -Name X -PrimarySmtpAddress x@contoso.com -Password p", "-HVEAccount"),
        ("New-MailUser -HVEAccount -Name X -Password p", "required"),
        ("New-MailUser -HVEAccount -Name X -PrimarySmtpAddress x@fabrikam.com -Password p", "accepted"),
        ("New-MailUser -HVEAccount -Name X -PrimarySmtpAddress alice@contoso.com -Password p", "already"),
        ("New-MailUser -HVEAccount -Name X -PrimarySmtpAddress x@contoso.com -Password p -Foo 1", "-foo"),
    ],
)  # fmt: skip
def test_new_mail_user_refusals_name_what_is_wrong(command: str, message: str) -> None:
    with pytest.raises(CmdletError, match=message):
        assignments(command, TENANT)


def test_add_hve_app_access_is_stamped_with_the_lab_time() -> None:
    items = assignments(
        f'Add-HVEAppAccess -Identity scan-hve@contoso.com -AppIds "{APP}"', TENANT, NOW
    )
    account = applied(items).find_hve_account("scan-hve@contoso.com")
    assert account is not None
    assert account.allowed_app_ids == (APP,) and account.app_access_changed == NOW


def test_remove_hve_app_access_keeps_the_others() -> None:
    other = "22222222-2222-2222-2222-222222222222"
    tenant = applied(
        assignments(
            f'Add-HVEAppAccess -Identity scan-hve@contoso.com -AppIds "{APP}","{other}"', TENANT
        )
    )
    items = assignments(f"Remove-HVEAppAccess -Identity scan-hve@contoso.com -AppIds {APP}", tenant)
    account = applied(items).find_hve_account("scan-hve@contoso.com")
    assert account is not None and account.allowed_app_ids == (other,)


def test_at_most_ten_allowed_apps_and_only_guids() -> None:
    ten = ",".join(f"{n:08d}-1111-4111-8111-111111111111" for n in range(10))
    tenant = applied(
        assignments(f"Add-HVEAppAccess -Identity scan-hve@contoso.com -AppIds {ten}", TENANT)
    )
    with pytest.raises(CmdletError, match="at most 10"):
        assignments(f"Add-HVEAppAccess -Identity scan-hve@contoso.com -AppIds {APP}", tenant)
    with pytest.raises(CmdletError, match="GUID"):
        assignments("Add-HVEAppAccess -Identity scan-hve@contoso.com -AppIds scanner-app", TENANT)
    with pytest.raises(CmdletError, match="no HVE account"):
        assignments(f"Add-HVEAppAccess -Identity alice@contoso.com -AppIds {APP}", TENANT)


def test_billing_policy_attach_and_detach() -> None:
    detached = applied(
        assignments(
            'Set-HVEAccountBillingPolicy -Identity "scan-hve@contoso.com" -BillingPolicyId ""',
            TENANT,
        )
    )
    account = detached.find_hve_account("scan-hve@contoso.com")
    assert account is not None and not account.billing_policy_id
    attached = applied(
        assignments(
            f"Set-HVEAccountBillingPolicy -Identity scan-hve@contoso.com -BillingPolicyId {APP}",
            detached,
        )
    )
    account = attached.find_hve_account("scan-hve@contoso.com")
    assert account is not None and account.billing_policy_id == APP


def test_set_mail_user_password_and_addresses() -> None:
    items = assignments(
        "Set-MailUser -Identity scan-hve@contoso.com -Password (ConvertTo-SecureString "
        "-String 'n3w' -AsPlainText -Force) -EmailAddresses SMTP:scan-hve@contoso.com,"
        "smtp:scans@contoso.com",
        TENANT,
    )
    account = applied(items).find_hve_account("scans@contoso.com")
    assert account is not None and account.password == "n3w"
    with pytest.raises(CmdletError, match="Add="):
        assignments(
            'Set-MailUser -Identity scan-hve@contoso.com -EmailAddresses @{Add="a@contoso.com"}',
            TENANT,
        )


def test_secure_string_unwrapping_leaves_other_text_alone() -> None:
    text = "Set-MailUser -Identity a -Password (ConvertTo-SecureString -String 'x y' -AsPlainText -Force)"
    assert unwrap_secure_strings(text) == "Set-MailUser -Identity a -Password 'x y'"
    assert unwrap_secure_strings("Set-TransportConfig -X $true") == "Set-TransportConfig -X $true"
