"""The console's switches: the new ones in Japanese, each one's cmdlet doing what it says."""

from __future__ import annotations

import pytest

from exolab.emulator.admin.shell import assignments
from exolab.emulator.admin.switches import switch_states
from exolab.emulator.tenant import (
    TenantError,
    load_default_tenant,
    parse_assignment,
    parse_tenant,
)

TENANT = load_default_tenant()


def test_dbeb_and_restricted_senders_are_shown_as_the_admin_centers_show_them() -> None:
    states = {s["key"]: s for s in switch_states(TENANT, "ja")}
    dbeb = states["Tenant.DirectoryBasedEdgeBlocking"]
    assert dbeb["group_label"] == "Exchange 管理センター"
    assert dbeb["path"] == "メール フロー > 承認済みドメイン > contoso.com > 権限のあるドメイン"
    assert dbeb["on"] is True
    assert (
        dbeb["cmdlet_flip"] == "Set-AcceptedDomain -Identity contoso.com -DomainType InternalRelay"
    )
    restricted = states["Mailbox[scanner@contoso.com].RestrictedSender"]
    assert restricted["group_label"] == "Microsoft Defender ポータル"
    assert restricted["path"].endswith("制限付きエンティティ")
    english = {s["key"]: s for s in switch_states(TENANT, "en")}
    assert english["Tenant.DirectoryBasedEdgeBlocking"]["label"].startswith("Directory-Based Edge")


def test_each_switch_cmdlet_maps_back_to_its_own_key_and_value() -> None:
    """What the console prints as the cmdlet that flips a switch really flips it in the lab."""
    for state in switch_states(TENANT, "en"):
        stored = (not state["on"]) if state["inverted"] else state["on"]
        flipped = "false" if stored else "true"
        if state["cmdlet_flip"].startswith("Get-"):
            continue  # Microsoft's protection restricts a sender; no cmdlet does
        items = assignments(state["cmdlet_flip"], TENANT)
        assert f"{state['key']}={flipped}" in items, (state["cmdlet_flip"], items)


@pytest.mark.parametrize(
    "item",
    ["Tenant.DirectoryBasedEdgeBlocking=maybe", "Mailbox[bob@contoso.com].RestrictedSender=2"],
)
def test_a_bad_value_for_a_new_switch_is_refused_as_in_the_tenant_file(item: str) -> None:
    document = TENANT.model_dump(by_alias=True, mode="json", exclude_none=True)
    with pytest.raises(TenantError):
        parse_tenant(document, "test", [parse_assignment(item)])
