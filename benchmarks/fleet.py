"""A thousand TLS devices at once: every one completes a scan, and the lab's memory stays small.

The lab (smtp.office365.com, every rule, the durable commit) runs in its own
process. One client process opens ``--devices`` submission sessions
(STARTTLS, AUTH LOGIN, MAIL, RCPT) and holds every one of them open until
all are up, so the lab really holds them all at once; the lab's resident
memory is read then (``/proc``), and every device sends its 10 KB scan and
says QUIT. Targets: no failure, and the lab under 200 MiB while it holds
1,000 TLS sessions (per-connection buffers sized for SMTP, not asyncio's
256 KiB TLS read buffer). Run: ``python -m benchmarks fleet``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import ssl
import time
from collections.abc import Sequence

from benchmarks.harness import (
    expect,
    memory_kib,
    message,
    server_process,
)
from benchmarks.record import FIGURES, Figure
from benchmarks.submission import PASSWORD, RECIPIENT, USER, serve_submission_lab

TARGET_MIB = 200
SOURCES = tuple(f"127.20.0.{n}" for n in range(10, 18))
OPENING = 64
"""Sessions in their opening (connect, TLS handshake, AUTH) at once: a fleet powering up."""


async def _fleet(address: str, port: int, devices: int, pid: int) -> tuple[int, int, str, float]:
    """Run the fleet; (failures, lab RSS in KiB while all were held, first error, seconds)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    body = message(USER, RECIPIENT, 10 * 1024)
    opening = asyncio.Semaphore(OPENING)
    held = 0
    all_held = asyncio.Event()
    settled = 0
    errors: list[str] = []

    def arrived() -> None:
        nonlocal settled
        settled += 1
        if settled == devices:
            all_held.set()

    async def device(number: int) -> None:
        nonlocal held
        counted = False
        writer = None
        try:
            async with opening:
                reader, writer = await asyncio.open_connection(
                    address, port, local_addr=(SOURCES[number % len(SOURCES)], 0)
                )
                await expect(reader, b"220")
                for command, code in ((b"EHLO fleet", b"250"), (b"STARTTLS", b"220")):
                    writer.write(command + b"\r\n")
                    await expect(reader, code)
                await writer.start_tls(context)
                for command, code in (
                    (b"EHLO fleet", b"250"),
                    (b"AUTH LOGIN", b"334"),
                    (base64.b64encode(USER.encode()), b"334"),
                    (base64.b64encode(PASSWORD.encode()), b"235"),
                    (f"MAIL FROM:<{USER}>".encode(), b"250"),
                    (f"RCPT TO:<{RECIPIENT}>".encode(), b"250"),
                ):
                    writer.write(command + b"\r\n")
                    await expect(reader, code)
            held += 1
            counted = True
            arrived()
            await all_held.wait()
            writer.write(b"DATA\r\n")
            await expect(reader, b"354")
            writer.write(body + b".\r\n")
            await expect(reader, b"250")
            writer.write(b"QUIT\r\n")
            await expect(reader, b"221")
        except Exception as exc:
            errors.append(repr(exc))
            if not counted:
                arrived()
        finally:
            if writer is not None:
                writer.close()

    started = time.perf_counter()
    tasks = [asyncio.ensure_future(device(n)) for n in range(devices)]
    await all_held.wait()
    rss, _ = memory_kib(pid)
    print(f"  {held} of {devices} sessions held open at once; lab RSS {rss / 1024:.0f} MiB")
    await asyncio.gather(*tasks)
    return len(errors), rss, errors[0] if errors else "", time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fleet")
    parser.add_argument("--devices", type=int, default=1000)
    args = parser.parse_args(argv)
    print(f"fleet: {args.devices} TLS submission sessions held at once, each sends a 10 KB scan")
    with server_process("fleet-lab", serve_submission_lab) as lab_at:
        idle, _ = memory_kib(lab_at.pid)
        failures, rss, first, seconds = asyncio.run(
            _fleet(lab_at[0], lab_at[1], args.devices, lab_at.pid)
        )
        _, peak = memory_kib(lab_at.pid)
    per = (rss - idle) / args.devices
    ok = failures == 0 and rss / 1024 < TARGET_MIB
    verdict = "ok" if ok else "below target"
    if failures:
        print(f"  {failures} failures, first: {first}")
    print(
        f"  {args.devices} devices: {args.devices - failures} delivered, {failures} failed in "
        f"{seconds:.1f} s | lab RSS {rss / 1024:.0f} MiB held, {peak / 1024:.0f} MiB peak "
        f"({idle / 1024:.0f} MiB idle, {per:.0f} KiB a connection) "
        f"(target < {TARGET_MIB} MiB, 0 failures) {verdict}",
        flush=True,
    )
    FIGURES.note(
        Figure(
            case=f"{args.devices} concurrent TLS devices",
            measured=(
                f"{args.devices - failures} delivered, {failures} failed; "
                f"{per:.0f} KiB a connection, {peak / 1024:.0f} MiB peak"
            ),
            result=f"{rss / 1024:.0f} MiB",
            target=f"< {TARGET_MIB} MiB, 0 failures",
            ok=ok,
            detail=f"lab RSS while all {args.devices} were held",
        )
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
