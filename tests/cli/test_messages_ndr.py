"""`exolab messages` lists a non-delivery report in the sender's Inbox like any message."""

from __future__ import annotations

import json
import random
from pathlib import Path

from exolab.emulator.clock import utc
from exolab.emulator.mail.ndr import Failure, build_ndr
from exolab.emulator.replies import catalog
from exolab.emulator.store import STORE_FILE, Placement, Store
from tests.cli.processes import exolab

SCANNER = "scanner@contoso.com"
SCAN = b"From: scanner@contoso.com\r\nSubject: Scan 003\r\nMessage-ID: <s3@mfp>\r\n\r\npdf\r\n"


def lab_with_an_ndr(tmp_path: Path) -> Path:
    full = catalog.NDR_MAILBOX_FULL
    ndr = build_ndr(
        sender=SCANNER,
        original=SCAN,
        failures=[Failure("alice@contoso.com", full.code, full.enhanced or "", full.text)],
        reporting_mta="AB1PR01MB0001.namprd01.prod.outlook.com",
        when=utc(2026, 6, 1, 9),
        message_id="ndr-1@ab1pr01mb0001.namprd01.prod.outlook.com",
        rng=random.Random(1),
    )
    data = tmp_path / "lab-data"
    data.mkdir()
    store = Store.open(data / STORE_FILE)
    try:
        store.commit_delivery(1, "", ndr, [Placement(SCANNER, "Inbox", recipients=(SCANNER,))])
    finally:
        store.close()
    return data


def test_the_ndr_is_listed_in_the_senders_inbox(tmp_path: Path) -> None:
    data = lab_with_an_ndr(tmp_path)
    proc = exolab("messages", "--data", str(data), "--mailbox", SCANNER, "--folder", "Inbox")
    assert proc.returncode == 0, proc.stderr
    assert "Undeliverable: Scan 003" in proc.stdout
    listed = json.loads(exolab("messages", "--data", str(data), "--json").stdout)
    [ndr] = listed
    assert (ndr["mailbox"], ndr["folder"]) == (SCANNER, "Inbox")
    assert ndr["subject"] == "Undeliverable: Scan 003"


def test_the_ndr_from_column_shows_the_null_sender(tmp_path: Path) -> None:
    data = lab_with_an_ndr(tmp_path)
    proc = exolab("messages", "--data", str(data))
    assert proc.returncode == 0, proc.stderr
    [row] = [line for line in proc.stdout.splitlines() if "Undeliverable" in line]
    columns = row.split()
    assert columns[:4] == ["1", SCANNER, "Inbox", "<>"], row
