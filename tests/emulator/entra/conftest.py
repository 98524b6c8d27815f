"""Fixtures for the token service: the demo tenant, a fixed lab clock, a signing key."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from exolab.emulator.clock import FixedClock, utc
from exolab.emulator.entra import SigningKey, TokenEndpoint
from exolab.emulator.tenant import Tenant, load_default_tenant

_KEY = SigningKey.generate()  # RSA generation is slow: one per test session
_OTHER_KEY = SigningKey.generate()


@pytest.fixture
def tenant() -> Tenant:
    return load_default_tenant()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(utc(2026, 5, 4, 9, 30))


@pytest.fixture
def key() -> SigningKey:
    return _KEY


@pytest.fixture
def other_key() -> SigningKey:
    return _OTHER_KEY


def make_endpoint(tenant: Tenant, clock: FixedClock, key: SigningKey) -> TokenEndpoint:
    holder = {"tenant": tenant}
    return TokenEndpoint(
        lambda: holder["tenant"], clock, lambda purpose: random.Random(f"1:{purpose}"), key
    )


@pytest.fixture
def endpoint(tenant: Tenant, clock: FixedClock, key: SigningKey) -> TokenEndpoint:
    return make_endpoint(tenant, clock, key)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "lab"
