"""`exolab send` and `exolab profiles` end to end (aiosmtpd as the server)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from exolab.cli import main
from tests.devices.conftest import SOURCE, Smtpd, free_port


def lab_dir(tmp_path: Path, ports: dict[str, int]) -> Path:
    endpoints = {
        "endpoints": {
            "contoso-com.mail.protection.outlook.com": {"address": "127.0.0.1", "ports": ports}
        },
        "dns": {"address": "127.0.0.1", "port": free_port()},
        "sites": {"office": {"source": SOURCE, "public": "203.0.113.39"}},
        "ca_pem": str(tmp_path / "ca.pem"),
    }
    (tmp_path / "endpoints.json").write_text(json.dumps(endpoints))
    return tmp_path


def test_send_json_delivered(
    smtpd: Callable[..., Smtpd], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server = smtpd()
    data = lab_dir(tmp_path, {"25": server.port})
    code = main(
        [
            "send",
            "--profile",
            "no-auth",
            "--set",
            "server=127.0.0.1",
            "--set",
            "sender=scanner@contoso.com",
            "--to",
            "alice@contoso.com",
            "--job",
            "pages=2,subject=スキャン",
            "--data",
            str(data),
            "--json",
        ]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out["outcome"] == "delivered" and out["stage"] == "EOD"
    assert out["reply"] == {"code": 250, "enhanced": "2.0.0", "text": "OK queued"}
    assert out["tls_version"] is None
    assert {"t", "dir", "line"} == set(out["transcript"][0])
    assert server.sink.peers == [SOURCE]


def test_send_text_refused_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = lab_dir(tmp_path, {"25": free_port()})
    code = main(
        [
            "send",
            "--profile",
            "no-auth",
            "--set",
            "server=127.0.0.1",
            "--to",
            "a@contoso.com",
            "--data",
            str(data),
        ]
    )
    out = capsys.readouterr().out
    assert code == 1
    assert "outcome: refused at CONNECT" in out and "device: Send error" in out


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--profile", "nope"], "shipped profile name"),
        (["--profile", "fixed-465", "--set", "server=x", "--set", "port=587"], "port"),
        (["--profile", "no-auth", "--set", "server=x", "--job", "pages=0"], "--job: pages"),
        (["--profile", "no-auth", "--set", "server=x", "--site", "mars"], "mars"),
        (["--profile", "no-auth", "--profile-file", "x.toml", "--set", "server=x"], "exactly"),
        (["--profile", "no-auth", "--set", "server=x", "--dns", "a:b"], "--dns"),
    ],
)
def test_bad_input_exits_2(
    argv: list[str], needle: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = lab_dir(tmp_path, {})
    code = main(["send", *argv, "--to", "a@contoso.com", "--data", str(data)])
    assert code == 2
    assert needle in capsys.readouterr().err


def test_profiles_listing(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profiles"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("fixed-465 ") for line in lines)
    assert main(["profiles", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {"name", "description", "sources"} <= set(rows[0])
