"""The LAN address plan, the missing-address message and site prefixes, without a network."""

from __future__ import annotations

import ipaddress

import pytest

from exolab.emulator.lan import LanError, add_commands, lab_addresses, lan_network
from exolab.emulator.tenant import Tenant, TenantError, load_tenant, parse_assignment


def test_every_host_sharing_a_port_gets_its_own_address_and_the_api_none() -> None:
    addresses = lab_addresses(ipaddress.IPv4Network("198.18.4.0/24"))
    assert addresses == [
        "198.18.4.1",  # smtp.office365.com
        "198.18.4.2",  # smtp-legacy.office365.com
        "198.18.4.3",  # the tenant MX
        "198.18.4.4",  # login.microsoftonline.com
        "198.18.4.6",  # smtp.hve.mx.microsoft
        "198.18.4.7",  # smtp-hve.office365.com
        "198.18.4.8",  # smtp.azurecomm.net
        "198.18.4.53",  # the lab DNS
    ]


@pytest.mark.parametrize("prefix", ["198.18.4.0/27", "not-a-network", "2001:db8::/64"])
def test_a_prefix_without_room_or_not_ipv4_is_refused(prefix: str) -> None:
    with pytest.raises(LanError, match=f"--lan {prefix}"):
        lan_network(prefix)


def test_the_commands_use_the_prefix_length_and_the_interface() -> None:
    assert add_commands(["198.18.4.1"], 24, "eth1") == ["ip addr add 198.18.4.1/24 dev eth1"]


def _tenant(*assignments: str) -> Tenant:
    return load_tenant(None, [parse_assignment(a) for a in assignments], None)


def test_the_longest_prefix_wins_and_an_exact_source_beats_any_prefix() -> None:
    tenant = _tenant(
        'Site[office].SourcePrefixes=["198.18.0.0/16"]',
        'Site[branch].SourcePrefixes=["198.18.7.0/24", "127.20.0.0/16"]',
    )
    names = [
        site.name if site else None
        for site in map(tenant.site_for_source, ["198.18.7.9", "198.18.8.9", "127.20.0.10"])
    ]
    assert names == ["branch", "office", "office"]


def test_a_source_prefix_that_is_no_network_is_a_tenant_error() -> None:
    with pytest.raises(TenantError):
        _tenant('Site[office].SourcePrefixes=["198.18.0.0/33"]')
