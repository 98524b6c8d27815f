"""Every lab of a run starts from the run's key material instead of generating its own."""

from __future__ import annotations

from pathlib import Path

from exolab.emulator.entra.keys import SigningKey
from exolab.scenarios.loader import find_scenario
from exolab.scenarios.runner import RunOptions, run_all

KEY_FILES = ("ca.pem", "ca-key.pem", "intermediate.pem", "entra/signing-key.pem")


async def test_the_labs_of_one_run_share_one_ca_and_signing_key(tmp_path: Path) -> None:
    items = [find_scenario(name) for name in ("tenant-disabled", "plain-only")]
    results = await run_all(items, RunOptions(jobs=2, keep_data=tmp_path))
    assert [r.status for r in results] == ["passed", "passed"]
    first, second = (tmp_path / item.scenario.id for item in items)
    for name in KEY_FILES:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert (first / "ca-key.pem").stat().st_mode & 0o077 == 0  # a key stays private


async def test_a_kept_directory_keeps_the_keys_it_already_has(tmp_path: Path) -> None:
    item = find_scenario("tenant-disabled")
    kept = tmp_path / item.scenario.id
    kept.mkdir()
    (kept / "entra").mkdir()
    own = SigningKey.generate().private_pem()
    (kept / "entra" / "signing-key.pem").write_bytes(own)
    (result,) = await run_all([item], RunOptions(keep_data=tmp_path))
    assert result.status == "passed"
    assert (kept / "entra" / "signing-key.pem").read_bytes() == own
