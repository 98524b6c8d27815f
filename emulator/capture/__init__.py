"""Captures of lab sessions: a pcap per session built from the socket data, and its TLS secrets.

Why synthesis from socket data rather than sniffing: it needs no root and no
capture library, each session gets its own exact file (no filter to get
right, no packets of other sessions), and the addresses and ports are the
ones the client really used. What is not on the wire as the client sent it:
TCP segmentation (each read or write is one segment, split at 1460 bytes),
retransmissions and timing, which a lab session never depends on.

TLS secrets: Python's ssl writes a key log per SSLContext
(``keylog_filename``), and a front end shares one context among its
sessions, so the lab writes one key log (``captures/tls-keys.log``) and each
session's own lines are picked out of it by the ClientHello random its pcap
shows (``session.keys``). A capture is turned on by ``Lab.Capture``; when it
is off no wrapper is installed and nothing runs per connection.
"""

from __future__ import annotations

from exolab.emulator.capture.recorder import CaptureSink, recording

__all__ = ["CaptureSink", "recording"]
