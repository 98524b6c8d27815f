"""Every `exolab` command builds the whole parser: the capture reader must not load with it."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
from exolab.cli import build_parser
build_parser()
print(sorted(name for name in sys.modules if name == "scapy" or name.startswith("scapy.")))
"""


def test_building_the_parser_does_not_import_scapy() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "[]"
