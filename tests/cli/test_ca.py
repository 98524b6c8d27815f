"""`exolab ca`: the lab root as a device imports it, checked with openssl."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from exolab.emulator.tls import LabCA
from tests.cli.processes import exolab, one_error_line


def _openssl_fingerprint(path: Path, form: str) -> str:
    out = subprocess.run(
        ["openssl", "x509", "-inform", form, "-in", str(path), "-noout", "-fingerprint", "-sha256"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return out.strip().split("=", 1)[1]


def test_exports_pem_and_der_of_one_root_with_the_fingerprint_openssl_computes(
    tmp_path: Path,
) -> None:
    data, out = tmp_path / "data", tmp_path / "export"
    proc = exolab("ca", "--data", str(data), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    pem, der = out / "exolab-root-ca.pem", out / "exolab-root-ca.der"
    root = x509.load_pem_x509_certificate(pem.read_bytes())
    assert root.public_bytes(serialization.Encoding.DER) == der.read_bytes()
    printed = dict(line.split(None, 1) for line in proc.stdout.splitlines())
    assert (
        printed["SHA-256"] == _openssl_fingerprint(pem, "PEM") == _openssl_fingerprint(der, "DER")
    )
    assert "exolab Global Root CA" in printed["subject"]


def test_the_exported_root_is_the_one_the_lab_serves_with(tmp_path: Path) -> None:
    proc = exolab("ca", "--data", str(tmp_path), "--json")
    exported = json.loads(proc.stdout)
    assert exported["pem"] == str(tmp_path / "ca.pem")
    assert LabCA(tmp_path).fingerprint() == exported["sha256"]


def test_a_data_dir_that_cannot_be_made_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    proc = exolab("ca", "--data", str(blocker / "sub"))
    assert proc.returncode == 2
    assert "--data" in one_error_line(proc, "ca")
