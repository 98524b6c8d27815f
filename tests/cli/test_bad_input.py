"""Command lines a user gets wrong: each is one line on stderr naming what is wrong, exit 2.

Every case runs the real `exolab` process, as the hostile-input review did:
a traceback is what the user would see, so nothing in-process can stand in.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from exolab.emulator.store import STORE_FILE, Store
from tests.cli.processes import exolab, one_error_line

PAGE = 4096


def not_sqlite(data: Path) -> str:
    data.mkdir()
    (data / STORE_FILE).write_bytes(b"Subject: not a database\r\n\r\n" * 200)
    return "not a usable exolab store"


def foreign_sqlite(data: Path) -> str:
    """Another program's database: exolab must neither read it as empty nor add its tables."""
    data.mkdir()
    db = sqlite3.connect(data / STORE_FILE)
    db.execute("CREATE TABLE contacts (name TEXT, phone TEXT)")
    db.execute("INSERT INTO contacts VALUES ('Alice', '555-0100')")
    db.commit()
    db.close()
    return "not an exolab store"


def corrupted_pages(data: Path) -> str:
    """A real exolab store whose pages after the first were overwritten (a bad disk, a bad copy)."""
    data.mkdir()
    Store.open(data).close()
    db = sqlite3.connect(data / STORE_FILE)
    for _ in range(20):
        db.execute(
            "INSERT INTO sessions (endpoint, port, client, public_ip, transcript, notes, outcome, "
            "started_at) VALUES ('smtp.office365.com', 587, '127.20.0.10', '203.0.113.39', ?, "
            "'[]', 'delivered 1 message(s)', '2026-06-01T09:00:00+00:00')",
            ("x" * 3000,),
        )
    db.commit()
    db.close()
    path = data / STORE_FILE
    raw = bytearray(path.read_bytes())
    assert len(raw) > 4 * PAGE
    raw[PAGE:] = b"\xa5" * (len(raw) - PAGE)
    path.write_bytes(bytes(raw))
    return "damaged"


STORES: dict[str, Callable[[Path], str]] = {
    "not-sqlite": not_sqlite,
    "foreign-sqlite": foreign_sqlite,
    "corrupted-pages": corrupted_pages,
}


@pytest.mark.parametrize("command", ["messages", "sessions"])
@pytest.mark.parametrize("kind", sorted(STORES))
def test_listing_a_store_that_cannot_be_read(command: str, kind: str, tmp_path: Path) -> None:
    data = tmp_path / "lab"
    needle = STORES[kind](data)
    before = (data / STORE_FILE).read_bytes()
    proc = exolab(command, "--data", str(data))
    assert proc.returncode == 2, proc.stderr
    line = one_error_line(proc, command)
    assert str(data / STORE_FILE) in line and needle in line
    assert proc.stdout == ""
    assert (data / STORE_FILE).read_bytes() == before  # read-only: not "repaired", not extended


def test_serve_on_a_store_with_corrupted_pages(tmp_path: Path) -> None:
    data = tmp_path / "lab"
    corrupted_pages(data)
    proc = exolab("serve", "--data", str(data), "--ephemeral-ports")
    assert proc.returncode == 2, proc.stderr
    line = one_error_line(proc, "serve")
    assert str(data / STORE_FILE) in line and "damaged" in line
    assert "exolab ready" not in proc.stdout


@pytest.mark.parametrize("command", ["serve", "apps"])
def test_tenant_naming_a_directory(command: str, tmp_path: Path) -> None:
    extra = ["--ephemeral-ports"] if command == "serve" else []
    proc = exolab(command, "--tenant", str(tmp_path), "--data", str(tmp_path / "lab"), *extra)
    assert proc.returncode == 2, proc.stderr
    line = one_error_line(proc, command)
    assert f"{tmp_path}: a readable tenant file (Is a directory)" in line


def _under_a_regular_file(tmp_path: Path) -> Path:
    (tmp_path / "notes.txt").write_text("a file, not a directory\n")
    return tmp_path / "notes.txt" / "lab"


@pytest.mark.parametrize(
    ("where", "data_dir"),
    [
        ("under a regular file", _under_a_regular_file),
        ("in /proc", lambda _: Path("/proc/exolab-lab")),
        # An existing directory nobody may create files in, root included
        # (permission bits would not stop root; the kernel's /proc does).
        ("unwritable", lambda _: Path("/proc/self/fdinfo")),
    ],
)
def test_serve_with_a_data_directory_it_cannot_use(
    where: str, data_dir: Callable[[Path], Path], tmp_path: Path
) -> None:
    data = data_dir(tmp_path)
    proc = exolab("serve", "--data", str(data), "--ephemeral-ports")
    assert proc.returncode == 2, (where, proc.stderr)
    line = one_error_line(proc, "serve")
    assert f"--data {data}: cannot be the lab's data directory (" in line, where


@pytest.mark.parametrize("command", ["messages", "sessions", "send"])
def test_listing_or_sending_with_data_under_a_regular_file(command: str, tmp_path: Path) -> None:
    data = _under_a_regular_file(tmp_path)
    send = ["--profile", "no-auth", "--set", "server=smtp.office365.com", "--to", "a@contoso.com"]
    proc = exolab(command, "--data", str(data), *(send if command == "send" else []))
    assert proc.returncode == 2, proc.stderr
    assert str(data) in one_error_line(proc, command)


def test_serve_with_an_address_range_that_is_no_network(tmp_path: Path) -> None:
    proc = exolab(
        "serve", "--data", str(tmp_path), "--ephemeral-ports",
        "--set", "Lab.AddressRange=999.1.1.1/40",
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    line = one_error_line(proc, "serve")
    assert "Lab.AddressRange" in line and "999.1.1.1/40" in line
