"""`exolab sessions --auth-report [--csv|--json]`: the SMTP AUTH clients report from a lab's store."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from exolab.emulator.clock import utc
from exolab.emulator.store import STORE_FILE, SessionRecord, Store
from tests.cli.processes import exolab


def lab_data(tmp_path: Path) -> Path:
    """Three sign-ins of one scanner (Basic on TLS 1.2 twice, OAuth on TLS 1.3) and a refusal."""
    data = tmp_path / "lab-data"
    data.mkdir()
    store = Store.open(data / STORE_FILE)
    sessions = [
        ("LOGIN", "TLSv1.2", "scanner@contoso.com", "delivered 2 message(s)"),
        ("LOGIN", "TLSv1.2", "scanner@contoso.com", "delivered 1 message(s)"),
        ("XOAUTH2", "TLSv1.3", "scanner@contoso.com", "delivered 1 message(s)"),
        (None, "TLSv1.3", None, "refused: 535 5.7.139 (auth)"),
    ]
    try:
        for sid, (method, tls, identity, outcome) in enumerate(sessions, start=1):
            store.record_session(
                SessionRecord(
                    id=sid,
                    endpoint="smtp.office365.com",
                    port=587,
                    client="127.20.0.10",
                    public_ip="203.0.113.39",
                    site="office",
                    started_at=utc(2026, 6, 1, 9, sid),
                    tls_version=tls,
                    identity=identity,
                    auth_method=method,
                    outcome=outcome,
                )
            )
    finally:
        store.close()
    return data


def test_the_report_as_a_table_csv_and_json(tmp_path: Path) -> None:
    data = str(lab_data(tmp_path))
    table = exolab("sessions", "--auth-report", "--data", data)
    assert table.returncode == 0, table.stderr
    header, row = table.stdout.splitlines()
    assert header.split()[:4] == ["SENDER", "PROTOCOL", "BASIC", "OAUTH"]
    assert row.startswith("scanner@contoso.com") and "Basic, OAuth" in row
    assert "TLS 1.2 TLS 1.3" in row
    as_csv = exolab("sessions", "--auth-report", "--csv", "--data", data)
    assert as_csv.returncode == 0, as_csv.stderr
    head, record = list(csv.reader(io.StringIO(as_csv.stdout)))
    parsed = dict(zip(head, record, strict=True))
    assert parsed["Basic sign-ins"] == "2" and parsed["OAuth sign-ins"] == "1"
    assert parsed["Messages sent"] == "4" and parsed["TLS 1.2 (%)"] == "75"
    as_json = exolab("sessions", "--auth-report", "--json", "--data", data)
    (shape,) = json.loads(as_json.stdout)
    assert shape["tls_sign_ins"] == {"TLSv1.2": 2, "TLSv1.3": 1}


def test_csv_without_the_report_is_a_usage_error(tmp_path: Path) -> None:
    proc = exolab("sessions", "--csv", "--data", str(lab_data(tmp_path)))
    assert proc.returncode == 2 and "--auth-report" in proc.stderr
