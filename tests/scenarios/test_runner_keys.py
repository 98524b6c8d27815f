"""Every lab of a run starts from the run's key material instead of generating its own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from exolab.emulator.entra.keys import SigningKey
from exolab.scenarios.loader import find_scenario
from exolab.scenarios.runner import RunOptions, run_all, run_keys

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


def test_a_run_keeps_its_keys_and_the_next_run_reads_them(tmp_path: Path) -> None:
    cache = tmp_path / "cache" / "scenario-keys"
    first = run_keys(cache)
    assert {str(name) for name in first} >= set(KEY_FILES)
    assert all(f.stat().st_mode & 0o077 == 0 for f in cache.rglob("*") if f.is_file())
    assert run_keys(cache) == first  # new RSA keys would differ: these were read back


def test_damaged_or_readable_kept_keys_are_replaced(tmp_path: Path) -> None:
    cache = tmp_path / "scenario-keys"
    kept = run_keys(cache)
    (cache / "ca-key.pem").write_bytes(b"-----BEGIN PRIVATE KEY-----\nnot a key\n")
    renewed = run_keys(cache)
    assert renewed[Path("ca-key.pem")] != kept[Path("ca-key.pem")]
    assert run_keys(cache) == renewed  # the new set was kept whole
    (cache / "entra" / "signing-key.pem").chmod(0o644)  # a key others can read is not reused
    assert run_keys(cache) != renewed


def test_nowhere_to_keep_keys_still_gives_a_run_its_keys(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    assert {str(name) for name in run_keys(blocked / "scenario-keys")} >= set(KEY_FILES)
    assert {str(name) for name in run_keys(None)} >= set(KEY_FILES)


def test_the_leaf_keys_a_run_made_are_kept_private_for_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from exolab.emulator import tls
    from exolab.scenarios import runner

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    kept = tmp_path / "exolab" / runner.LEAF_KEYS_FILE
    tls.LabCA(tmp_path / "ca").leaf("kept-leaf.test")  # this process makes its key
    runner.keep_leaf_keys()
    assert kept.stat().st_mode & 0o077 == 0
    stored = json.loads(kept.read_text("utf-8"))
    assert stored["kept-leaf.test"] == tls.leaf_keys_pem()["kept-leaf.test"].decode()
    # a later process adopts them before its first lab
    stored["adopt-me.test"] = stored.pop("kept-leaf.test")
    kept.write_text(json.dumps(stored), "utf-8")
    runner._adopt_leaf_keys(kept)
    assert tls.leaf_keys_pem()["adopt-me.test"] == tls.leaf_keys_pem()["kept-leaf.test"]
    kept.chmod(0o644)  # keys others can read are not taken
    stored["not-taken.test"] = stored.pop("adopt-me.test")
    kept.write_text(json.dumps(stored), "utf-8")
    runner._adopt_leaf_keys(kept)
    assert "not-taken.test" not in tls.leaf_keys_pem()
