"""Every tenant setting has its cmdlet, or is listed with the reason it has none."""

from __future__ import annotations

import pytest

from exolab.emulator.admin import coverage
from exolab.emulator.admin.cmdlets import CmdletError
from exolab.emulator.admin.coverage import COVERAGE, PAGES, ByCmdlet, NoCmdlet, entry_for
from exolab.emulator.admin.shell import assignments, known
from exolab.emulator.tenant import load_default_tenant


def test_every_tenant_setting_is_mapped_to_a_cmdlet_or_listed_as_having_none() -> None:
    forgotten = [key for key in coverage.setting_keys() if entry_for(key) is None]
    assert not forgotten, (
        "tenant settings with neither a cmdlet nor a reason for none: map each in "
        f"emulator/admin (and COVERAGE) or list it in COVERAGE as lab/service/portal: {forgotten}"
    )


def test_the_walk_sees_the_settings_of_every_section() -> None:
    keys = coverage.setting_keys()
    for key in (
        "Mailbox[].ProhibitSendReceiveQuota",
        "Blocklist.IPBlockList",
        "Limits.RecipientsPerMessage",
        "Lab.AsOf",
        "Fault[].Stage",
    ):
        assert key in keys


def test_no_entry_names_a_setting_the_model_does_not_have() -> None:
    keys = set(coverage.setting_keys())
    sections = {k.partition(".")[0] for k in keys}
    stale = [
        k
        for k in COVERAGE
        if k not in keys and not (k.endswith(".*") and k.removesuffix(".*") in sections)
    ]
    assert not stale


def test_each_mapped_parameter_is_one_the_admin_shell_reads_and_has_its_page() -> None:
    by_name = {k.name: k for k in known()}
    for key, entry in COVERAGE.items():
        if isinstance(entry, NoCmdlet):
            assert entry.why, key
            continue
        assert entry.cmdlet in by_name, (key, entry.cmdlet)
        taken = {p.lower() for p in by_name[entry.cmdlet].parameters} | {"identity"}
        assert entry.parameter.lower() in taken, (key, entry)
        assert PAGES[entry.cmdlet].startswith("https://learn.microsoft.com/"), entry.cmdlet
    assert set(PAGES) == set(by_name)


def test_a_refusal_lists_the_newly_mapped_cmdlets_too() -> None:
    with pytest.raises(CmdletError) as refused:
        assignments("Set-Nothing -Foo 1", load_default_tenant())
    for name in ("Set-Mailbox -ProhibitSendQuota", "Set-HostedConnectionFilterPolicy -IPBlockList"):
        assert name in str(refused.value)


def test_the_mapped_entries_cover_the_settings_named_for_this_audit() -> None:
    for key in (
        "Mailbox[].ProhibitSendReceiveQuota",
        "Mailbox[].MaxReceiveSize",
        "Mailbox[].RestrictedSender",
        "Blocklist.IPBlockList",
        "InboundConnector[].TlsSenderCertificateName",
    ):
        assert isinstance(COVERAGE[key], ByCmdlet), key
