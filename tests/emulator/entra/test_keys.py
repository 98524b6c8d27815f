"""The token-signing key: kept in the data directory, read once per process per file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from exolab.emulator.entra import SigningKey


def test_a_restarted_lab_keeps_its_key_and_copies_of_one_file_share_it(
    tmp_path: Path, key: SigningKey
) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "one" / "signing-key.pem").write_bytes(key.private_pem())
    first = SigningKey.load_or_create(tmp_path / "one")
    assert first.kid == key.kid
    shutil.copytree(tmp_path / "one", tmp_path / "two")
    # labs of one run start from the same file: its key is parsed once
    assert SigningKey.load_or_create(tmp_path / "two").private_key is first.private_key


def test_a_key_file_that_is_not_rsa_is_refused(tmp_path: Path) -> None:
    other = ec.generate_private_key(ec.SECP256R1())
    pem = other.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    (tmp_path / "signing-key.pem").write_bytes(pem)
    with pytest.raises(ValueError, match="expected an RSA private key"):
        SigningKey.load_or_create(tmp_path)
