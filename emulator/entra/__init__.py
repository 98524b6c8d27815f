"""Mock Entra ID: the lab's login.microsoftonline.com token service and its signing keys.

Public surface:
- ``EntraService``: the lab ``Service`` (HTTPS on the lab address, port 443).
- ``TokenEndpoint``: the sans-IO decisions behind it (token, devicecode, approve).
- ``SigningKey`` / ``lab_public_keys(data_dir)``: the RS256 key in ``<data>/entra``
  and the kid -> public key map that XOAUTH2 validation trusts.
- ``tokens``: claim names, audiences and minting helpers; ``errors``: the AADSTS catalog.
"""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import rsa

from exolab.emulator.entra.endpoint import Answer, Approval, TokenEndpoint
from exolab.emulator.entra.keys import SigningKey
from exolab.emulator.entra.service import EntraApp, EntraService

KEY_DIRECTORY = "entra"


def lab_signing_key(data_dir: Path) -> SigningKey:
    """The lab's token-signing key (created on first use) in ``<data_dir>/entra``."""
    return SigningKey.load_or_create(data_dir / KEY_DIRECTORY)


def lab_public_keys(data_dir: Path) -> dict[str, rsa.RSAPublicKey]:
    """kid -> public key of every key the lab's tokens may be signed with."""
    key = lab_signing_key(data_dir)
    return {key.kid: key.public_key}


__all__ = [
    "Answer",
    "Approval",
    "EntraApp",
    "EntraService",
    "SigningKey",
    "TokenEndpoint",
    "lab_public_keys",
    "lab_signing_key",
]
