"""The TLS records a client and a server exchange in the clear: ClientHello, ServerHello, alerts.

Parsed by hand from the record layer (RFC 8446 section 4.1.2 / RFC 5246
section 7.4.1.2): only the handful of fields a diagnosis needs, bounded and
tolerant of a truncated record (what was read is kept).
"""

from __future__ import annotations

from dataclasses import dataclass, field

VERSIONS = {
    0x0300: "SSL 3.0",
    0x0301: "TLS 1.0",
    0x0302: "TLS 1.1",
    0x0303: "TLS 1.2",
    0x0304: "TLS 1.3",
}
GREASE = frozenset(0x0A0A + 0x1010 * i for i in range(16))
EMPTY_RENEGOTIATION_SCSV = 0x00FF
FALLBACK_SCSV = 0x5600
ALERTS = {
    0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac", 40: "handshake_failure",
    42: "bad_certificate", 43: "unsupported_certificate", 45: "certificate_expired",
    46: "certificate_unknown", 47: "illegal_parameter", 48: "unknown_ca", 50: "decode_error",
    51: "decrypt_error", 70: "protocol_version", 71: "insufficient_security", 80: "internal_error",
    86: "inappropriate_fallback", 90: "user_canceled", 109: "missing_extension",
    112: "unrecognized_name", 120: "no_application_protocol",
}  # fmt: skip


@dataclass
class ClientHello:
    record_version: int
    legacy_version: int
    cipher_suites: list[int] = field(default_factory=list)
    sni: str | None = None
    supported_versions: list[int] = field(default_factory=list)
    signature_algorithms: list[int] = field(default_factory=list)
    random: bytes = b""

    @property
    def max_version(self) -> int:
        offered = [v for v in self.supported_versions if v not in GREASE]
        return max(offered) if offered else self.legacy_version


@dataclass
class ServerHello:
    version: int
    cipher_suite: int


@dataclass
class TlsRecords:
    """What the clear part of a TLS stream shows (each direction parsed apart)."""

    client_hello: ClientHello | None = None
    server_hello: ServerHello | None = None
    server_alert: str | None = None
    client_alert: str | None = None


def is_tls_record(data: bytes) -> bool:
    """A TLS handshake record starts the bytes (0x16, version 3.x): TLS, not an SMTP line."""
    return len(data) >= 3 and data[0] == 0x16 and data[1] == 3 and data[2] <= 4


def is_record(data: bytes) -> bool:
    """Any TLS record starts the bytes (a server may answer a ClientHello with an alert)."""
    return len(data) >= 3 and data[0] in (20, 21, 22, 23) and data[1] == 3 and data[2] <= 4


def records(data: bytes) -> list[tuple[int, bytes]]:
    """(content type, fragment) of each whole record, stopping at the first partial one."""
    out = []
    pos = 0
    while pos + 5 <= len(data):
        kind, length = data[pos], int.from_bytes(data[pos + 3 : pos + 5], "big")
        if kind not in (20, 21, 22, 23) or pos + 5 + length > len(data):
            break
        out.append((kind, data[pos + 5 : pos + 5 + length]))
        pos += 5 + length
    return out


def _handshakes(fragments: list[bytes]) -> list[tuple[int, bytes]]:
    buffer = b"".join(fragments)
    out = []
    pos = 0
    while pos + 4 <= len(buffer):
        kind, length = buffer[pos], int.from_bytes(buffer[pos + 1 : pos + 4], "big")
        out.append((kind, buffer[pos + 4 : pos + 4 + length]))
        pos += 4 + length
    return out


def parse_client(data: bytes) -> tuple[ClientHello | None, str | None]:
    """The client's ClientHello and its alert, if any, from the client's bytes."""
    recs = records(data)
    hello = None
    alert = None
    handshake = [frag for kind, frag in recs if kind == 22]
    for kind, body in _handshakes(handshake[:4]):
        if kind == 1:
            hello = _client_hello(data[1:3], body)
            break
    for kind, frag in recs:
        if kind == 21 and len(frag) == 2 and alert is None:
            alert = ALERTS.get(frag[1], f"alert {frag[1]}")
    return hello, alert


def parse_server(data: bytes) -> tuple[ServerHello | None, str | None]:
    recs = records(data)
    hello = None
    alert = None
    for kind, frag in recs[:6]:
        if kind == 22 and hello is None:
            for hs_kind, body in _handshakes([frag]):
                if hs_kind == 2 and len(body) >= 38:
                    hello = _server_hello(body)
                    break
        elif kind == 21 and len(frag) == 2:
            alert = ALERTS.get(frag[1], f"alert {frag[1]}")
            break
        elif kind == 20:
            break  # encrypted from here on (TLS 1.3 and resumption)
    return hello, alert


def _client_hello(record_version: bytes, body: bytes) -> ClientHello | None:
    if len(body) < 38:
        return None
    hello = ClientHello(int.from_bytes(record_version, "big"), int.from_bytes(body[0:2], "big"))
    hello.random = body[2:34]
    pos = 34
    pos += 1 + body[pos]  # session id
    n = int.from_bytes(body[pos : pos + 2], "big")
    suites = body[pos + 2 : pos + 2 + n]
    hello.cipher_suites = [
        int.from_bytes(suites[i : i + 2], "big") for i in range(0, len(suites) - 1, 2)
    ]
    pos += 2 + n
    if pos >= len(body):
        return hello
    pos += 1 + body[pos]  # compression methods
    end = pos + 2 + int.from_bytes(body[pos : pos + 2], "big")
    pos += 2
    while pos + 4 <= min(end, len(body)):
        ext, length = (
            int.from_bytes(body[pos : pos + 2], "big"),
            int.from_bytes(body[pos + 2 : pos + 4], "big"),
        )
        data = body[pos + 4 : pos + 4 + length]
        pos += 4 + length
        if ext == 0 and len(data) >= 5:
            name_len = int.from_bytes(data[3:5], "big")
            hello.sni = data[5 : 5 + name_len].decode("ascii", "replace")
        elif ext == 43 and data:
            hello.supported_versions = [
                int.from_bytes(data[i : i + 2], "big") for i in range(1, 1 + data[0] - 1, 2)
            ]
        elif ext == 13 and len(data) >= 2:
            hello.signature_algorithms = [
                int.from_bytes(data[i : i + 2], "big")
                for i in range(2, 2 + int.from_bytes(data[:2], "big") - 1, 2)
            ]
    return hello


def _server_hello(body: bytes) -> ServerHello:
    version = int.from_bytes(body[0:2], "big")
    pos = 34
    pos += 1 + body[pos]
    suite = int.from_bytes(body[pos : pos + 2], "big")
    pos += 3
    if pos + 2 <= len(body):
        end = pos + 2 + int.from_bytes(body[pos : pos + 2], "big")
        pos += 2
        while pos + 4 <= min(end, len(body)):
            ext, length = (
                int.from_bytes(body[pos : pos + 2], "big"),
                int.from_bytes(body[pos + 2 : pos + 4], "big"),
            )
            if ext == 43 and length == 2:
                version = int.from_bytes(body[pos + 4 : pos + 6], "big")
            pos += 4 + length
    return ServerHello(version, suite)


def version_name(version: int | None) -> str | None:
    if version is None:
        return None
    return VERSIONS.get(version, f"0x{version:04x}")


def is_rsa_key_exchange(suite: int) -> bool:
    """A suite whose key exchange is static RSA (TLS_RSA_WITH_*): no forward secrecy."""
    rsa_kx = {
        0x0004,
        0x0005,
        0x000A,
        0x002F,
        0x0035,
        0x003C,
        0x003D,
        0x0041,
        0x0084,
        0x0096,
        0x009C,
        0x009D,
        0xC09C,
        0xC09D,
        0xC0A0,
        0xC0A1,
    }
    return suite in rsa_kx
