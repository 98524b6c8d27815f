"""The token service client's HTTPS settings (its exchanges are in test_sources.py)."""

from __future__ import annotations

from pathlib import Path

from exolab.devices.network import LabNetwork
from exolab.devices.oauth import TokenServiceClient
from exolab.emulator.tls import LabCA


def test_every_client_of_one_lab_ca_shares_one_verify_context(tmp_path: Path) -> None:
    """Loading the system store costs ~45 ms a context; a run's clients all trust the same CA."""
    ca = LabCA(tmp_path)
    network = LabNetwork.for_resolver(ca_pem=ca.pem_path)
    first = TokenServiceClient(network)._ssl()
    assert TokenServiceClient(network, tenant="contoso.com")._ssl() is first
    assert ca.der_path.read_bytes() in first.get_ca_certs(binary_form=True)
    assert TokenServiceClient(network, verify_certificate=False)._ssl() is not first
