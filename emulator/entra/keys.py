"""The lab's token-signing key: RSA 2048, kept in the data directory, published as JWKS.

A restarted lab keeps its key (``<data>/entra/signing-key.pem``) so tokens a
device already holds stay valid. The key id is the base64url SHA-1 thumbprint
of the public key (Entra's ``kid`` / ``x5t`` are certificate thumbprints of
the same shape).
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

KEY_FILE = "signing-key.pem"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _int_bytes(value: int) -> bytes:
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


@lru_cache(maxsize=4)
def _parse_key(pem: bytes) -> rsa.RSAPrivateKey | None:
    """The RSA key in ``pem`` (None for another kind), parsed once per process: the labs of
    a run start from the same key file, and a key object is immutable."""
    # the lab's own key: no primality tests of p and q (tens of ms) at every start
    key = serialization.load_pem_private_key(
        pem, password=None, unsafe_skip_rsa_key_validation=True
    )
    return key if isinstance(key, rsa.RSAPrivateKey) else None


@dataclass(frozen=True)
class SigningKey:
    """One RSA key pair with its key id."""

    private_key: rsa.RSAPrivateKey

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(rsa.generate_private_key(public_exponent=65537, key_size=2048))

    @classmethod
    def load_or_create(cls, directory: Path) -> SigningKey:
        """The key in ``directory``, created (mode 0600) on first use."""
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / KEY_FILE
        if path.exists():
            key = _parse_key(path.read_bytes())
            if key is None:
                raise ValueError(f"{path}: expected an RSA private key")
            return cls(key)
        made = cls.generate()
        try:  # O_EXCL: two services starting together keep one key
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return cls.load_or_create(directory)
        with os.fdopen(fd, "wb") as out:
            out.write(made.private_pem())
        return made

    def private_pem(self) -> bytes:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    @property
    def public_key(self) -> rsa.RSAPublicKey:
        return self.private_key.public_key()

    @property
    def kid(self) -> str:
        der = self.public_key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return _b64url(hashlib.sha1(der).digest())

    def jwk(self, issuer: str | None = None) -> dict[str, Any]:
        """The public key as a JWK entry of Entra's discovery/keys document."""
        numbers = self.public_key.public_numbers()
        entry: dict[str, Any] = {
            "kty": "RSA",
            "use": "sig",
            "kid": self.kid,
            "x5t": self.kid,
            "n": _b64url(_int_bytes(numbers.n)),
            "e": _b64url(_int_bytes(numbers.e)),
        }
        if issuer:
            entry["issuer"] = issuer
        return entry


def public_keys_from_jwks(document: dict[str, Any]) -> dict[str, rsa.RSAPublicKey]:
    """kid -> public key from a JWKS document (what a relying party would fetch)."""
    out: dict[str, rsa.RSAPublicKey] = {}
    for entry in document.get("keys", []):
        if entry.get("kty") != "RSA":
            continue
        n = int.from_bytes(base64.urlsafe_b64decode(entry["n"] + "=" * (-len(entry["n"]) % 4)))
        e = int.from_bytes(base64.urlsafe_b64decode(entry["e"] + "=" * (-len(entry["e"]) % 4)))
        out[str(entry["kid"])] = rsa.RSAPublicNumbers(e, n).public_key()
    return out
