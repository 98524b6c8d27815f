from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from exolab.devices import LabNetwork, NetworkError
from exolab.devices.network import parse_host_port

ENDPOINTS = {
    "endpoints": {
        "smtp.office365.com": {
            "address": "127.10.0.1",
            "ports": {"587": 40123, "25": 40124, "465": 40125},
        },
        "contoso-com.mail.protection.outlook.com": {
            "address": "127.10.0.3",
            "ports": {"25": 40126},
        },
    },
    "dns": {"address": "127.10.0.53", "port": 40153},
    "sites": {
        "office": {"source": "127.20.0.10", "public": "203.0.113.39"},
        "branch": {"source": "127.20.0.20", "public": "198.51.100.20"},
    },
    "ca_pem": "/abs/ca.pem",
    "api": "http://127.10.0.5:8080",
}


def test_reads_endpoints_json(tmp_path: Path) -> None:
    (tmp_path / "endpoints.json").write_text(json.dumps(ENDPOINTS))
    net = LabNetwork.from_data_dir(tmp_path)
    assert net.dns is not None and (net.dns.address, net.dns.port) == ("127.10.0.53", 40153)
    assert net.port_for("127.10.0.1", 587) == 40123
    assert net.port_for("127.10.0.1", 2525) == 2525  # not mapped: the real port
    assert net.port_for("192.0.2.1", 25) == 25
    assert net.source_for("branch") == "127.20.0.20"
    assert net.source_for(None) == "127.20.0.10"
    assert net.ca_pem == Path("/abs/ca.pem")
    with pytest.raises(NetworkError) as info:
        net.source_for("mars")
    assert "office, branch" in info.value.expected
    with pytest.raises(ValidationError):
        net.dns.port = 1  # type: ignore[misc]  # frozen


def test_bad_endpoints(tmp_path: Path) -> None:
    with pytest.raises(NetworkError, match="exolab serve"):
        LabNetwork.from_data_dir(tmp_path)
    (tmp_path / "endpoints.json").write_text("{")
    with pytest.raises(NetworkError, match="valid JSON"):
        LabNetwork.from_data_dir(tmp_path)
    (tmp_path / "endpoints.json").write_text(json.dumps({"dns": {"port": 53}}))
    with pytest.raises(NetworkError) as info:
        LabNetwork.from_data_dir(tmp_path)
    assert info.value.field == "dns.address"


def test_for_resolver_and_host_port() -> None:
    net = LabNetwork.for_resolver(parse_host_port("127.10.0.53:5353"))
    assert net.dns is not None and net.dns.port == 5353 and not net.sites
    assert net.source_for(None) is None
    assert parse_host_port("10.0.0.1") == ("10.0.0.1", 53)
    with pytest.raises(NetworkError):
        parse_host_port("x:notaport")


def test_lab_without_dns_yet(tmp_path: Path) -> None:
    (tmp_path / "endpoints.json").write_text(json.dumps({**ENDPOINTS, "dns": {}}))
    assert LabNetwork.from_data_dir(tmp_path).dns is None
