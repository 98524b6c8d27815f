"""`exolab serve` prints the lab API's token; the command line uses it; a caller without it cannot write."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

EXOLAB = [sys.executable, "-m", "exolab.cli"]
ROOT = Path(__file__).resolve().parents[2]


def post_set(api: str, item: str, token: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    body = json.dumps({"set": [item]}).encode()
    request = urllib.request.Request(f"{api}/api/tenant/set", body, headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as refused:
        refused.close()
        return int(refused.code)


def test_serve_prints_the_token_that_endpoints_json_holds(tmp_path: Path) -> None:
    data = tmp_path / "lab"
    proc = subprocess.Popen(
        [*EXOLAB, "serve", "--data", str(data), "--ephemeral-ports"],
        cwd=ROOT,
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        ready, api_line = proc.stdout.readline(), proc.stdout.readline()
        assert ready.startswith("exolab ready:"), proc.stderr.read() if proc.stderr else ""
        doc = json.loads((data / "endpoints.json").read_text("utf-8"))
        api, token = doc["api"], doc["api_token"]
        assert api_line.strip() == f"exolab API: {api} (token for changes and secrets: {token})"

        assert post_set(api, "App[cli-app].DisplayName=From the CLI test", None) == 401
        assert post_set(api, "App[cli-app].DisplayName=From the CLI test", token) == 200
        shown = subprocess.run(
            [*EXOLAB, "apps", "--json", "--data", str(data)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        apps = json.loads(shown.stdout)["App"]
        assert "From the CLI test" in [app["DisplayName"] for app in apps]
        assert "(redacted)" not in shown.stdout  # the command line holds the token
        assert "lab-secret-Xk7~scan.app" in shown.stdout
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=20)
