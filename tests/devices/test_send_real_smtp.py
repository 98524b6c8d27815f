"""The firmware client over real sockets against aiosmtpd's own server (not our emulator)."""

from __future__ import annotations

import asyncio
import email
import email.policy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from exolab.devices import Job, Profile, Settings, StaticToken, load_profile, send_scan
from exolab.devices.result import DeviceResult
from tests.devices.conftest import LAB_HOST, SOURCE, ServerTls, Smtpd, free_port, lab_network

TO = ["alice@contoso.com"]
SMALL = Job(size=20_000)


def settings(profile: Profile, **values: Any) -> Settings:
    base: dict[str, Any] = {
        "server": "127.0.0.1",
        "sender": "scanner@contoso.com",
        "username": "scanner@contoso.com",
        "password": "s3cret~pw",
    }
    base.update(values)
    return Settings.build(profile, base)


def variant(name: str, **tls: Any) -> Profile:
    p = load_profile(name)
    return p.model_copy(update={"tls": p.tls.model_copy(update=tls)})


async def send(profile: Profile, st: Settings, ports: dict[str, int], **kw: Any) -> DeviceResult:
    network = kw.pop("network", None) or lab_network(ports, kw.pop("ca_pem", None))
    kw.setdefault("site", "office")
    return await send_scan(profile, st, kw.pop("job", SMALL), network, recipients=TO, **kw)


def client_lines(result: DeviceResult) -> list[str]:
    return [ln.line for ln in result.transcript if ln.dir == "C"]


async def test_starttls_tls12_login_verified_via_lab_dns(
    smtpd: Callable[..., Smtpd],
    server_tls: Callable[..., ServerTls],
    ca_pem: Path,
    test_dns: Callable[..., Any],
) -> None:
    tls = server_tls("1.2", "1.2")
    server = smtpd(tls_context=tls.context, require_starttls=True)
    dns_server = await test_dns({LAB_HOST: "127.0.0.1"})
    profile = load_profile("starttls-modern")
    network = lab_network({"587": server.port}, ca_pem, dns=dns_server.address)
    result = await send(profile, settings(profile, server=LAB_HOST), {}, network=network)
    assert result.outcome == "delivered", result.render()
    assert result.tls_version == "TLSv1.2" and result.cipher
    assert tls.sni_seen == [LAB_HOST]
    assert dns_server.queries == [(LAB_HOST, SOURCE)]  # asked from the site's address
    assert server.sink.peers == [SOURCE]
    assert server.sink.logins == [("LOGIN", "scanner@contoso.com", "s3cret~pw")]
    (env,) = server.sink.envelopes
    assert env.mail_from == "scanner@contoso.com" and env.rcpt_tos == TO
    msg = email.message_from_bytes(env.original_content or b"", policy=email.policy.default)
    assert msg["X-Mailer"] == "exolab-sim/starttls-modern"
    assert next(ln.line for ln in result.transcript if ln.dir == "S").startswith("220 ")
    assert result.to_json()["outcome"] == "delivered"


async def test_tls10_really_negotiated(
    smtpd: Callable[..., Smtpd], server_tls: Callable[..., ServerTls]
) -> None:
    tls = server_tls("1.0", "1.2")
    server = smtpd(tls_context=tls.context, require_starttls=True)
    profile = load_profile("tls10-only")
    result = await send(profile, settings(profile), {"587": server.port})
    assert result.outcome == "delivered", result.render()
    assert result.tls_version == "TLSv1.0"
    assert tls.sni_seen == [None]  # server is an IP literal: no SNI


async def test_tls_versions_without_overlap_fail(
    smtpd: Callable[..., Smtpd], server_tls: Callable[..., ServerTls]
) -> None:
    server = smtpd(tls_context=server_tls("1.2", "1.3").context, require_starttls=True)
    profile = load_profile("tls10-only")
    result = await send(profile, settings(profile), {"587": server.port})
    assert (result.outcome, result.stage) == ("tls_failure", "STARTTLS"), result.render()
    assert result.tls_version is None and "SSL/TLS" in result.device_message


async def test_sni_not_sent_when_profile_says_so(
    smtpd: Callable[..., Smtpd],
    server_tls: Callable[..., ServerTls],
    test_dns: Callable[..., Any],
) -> None:
    tls = server_tls()
    server = smtpd(tls_context=tls.context)
    dns_server = await test_dns({LAB_HOST: "127.0.0.1"})
    network = lab_network({"587": server.port}, dns=dns_server.address)
    for sends_sni in (True, False):
        profile = variant("starttls-modern", sends_sni=sends_sni, verify_certificate=False)
        result = await send(profile, settings(profile, server=LAB_HOST), {}, network=network)
        assert result.outcome == "delivered", result.render()
    assert tls.sni_seen == [LAB_HOST, None]


async def test_certificate_not_trusted_is_tls_failure(
    smtpd: Callable[..., Smtpd],
    server_tls: Callable[..., ServerTls],
    test_dns: Callable[..., Any],
    tmp_path: Path,
) -> None:
    import trustme

    other = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other))
    server = smtpd(tls_context=server_tls().context)
    dns_server = await test_dns({LAB_HOST: "127.0.0.1"})
    network = lab_network({"587": server.port}, other, dns=dns_server.address)
    profile = load_profile("starttls-modern")
    result = await send(profile, settings(profile, server=LAB_HOST), {}, network=network)
    assert (result.outcome, result.stage) == ("tls_failure", "STARTTLS")


async def test_implicit_tls_on_fixed_465(
    smtpd: Callable[..., Smtpd], server_tls: Callable[..., ServerTls]
) -> None:
    tls = server_tls("1.2", "1.3")
    server = smtpd(ssl_context=tls.context, auth_require_tls=False)
    profile = load_profile("fixed-465")
    result = await send(profile, settings(profile), {"465": server.port})
    assert result.outcome == "delivered", result.render()
    assert result.tls_version in ("TLSv1.2", "TLSv1.3")
    assert result.transcript[1].line.endswith("(implicit TLS)")
    assert server.sink.logins[0][0] == "LOGIN"


async def test_plain_only_uses_auth_plain(
    smtpd: Callable[..., Smtpd], server_tls: Callable[..., ServerTls]
) -> None:
    server = smtpd(tls_context=server_tls().context)
    profile = load_profile("plain-only")
    result = await send(profile, settings(profile), {"587": server.port})
    assert result.outcome == "delivered", result.render()
    assert server.sink.logins == [("PLAIN", "scanner@contoso.com", "s3cret~pw")]


async def test_xoauth2_on_the_wire(
    smtpd: Callable[..., Smtpd], server_tls: Callable[..., ServerTls]
) -> None:
    server = smtpd(tls_context=server_tls().context)
    base = load_profile("starttls-modern")
    profile = base.model_copy(
        update={"auth": base.auth.model_copy(update={"mechanisms": ("XOAUTH2", "LOGIN")})}
    )
    profile = profile.model_copy(
        update={"tls": profile.tls.model_copy(update={"verify_certificate": False})}
    )
    result = await send(
        profile, settings(profile), {"587": server.port}, token_source=StaticToken("eyJ0.tok")
    )
    assert result.outcome == "delivered", result.render()
    assert server.sink.xoauth2 == ["user=scanner@contoso.com\x01auth=Bearer eyJ0.tok\x01\x01"]


async def test_strict_login_quits_on_aiosmtpd_prompt(
    smtpd: Callable[..., Smtpd], server_tls: Callable[..., ServerTls]
) -> None:
    server = smtpd(tls_context=server_tls().context)
    profile = load_profile("xerox-strict-login")
    result = await send(profile, settings(profile), {"587": server.port})
    assert (result.outcome, result.stage) == ("gave_up", "AUTH"), result.render()
    assert result.reply is not None and result.reply.wire_lines == ("334 VXNlciBOYW1lAA==",)
    assert client_lines(result)[-3:] == ["EHLO XC-B8C463", "AUTH LOGIN", "QUIT"]
    assert server.sink.logins == [] and server.sink.envelopes == []


async def test_wrong_password_rejected_at_auth(
    smtpd: Callable[..., Smtpd], server_tls: Callable[..., ServerTls]
) -> None:
    server = smtpd(tls_context=server_tls().context)
    profile = load_profile("password-special-chars")
    result = await send(profile, settings(profile), {"587": server.port})
    assert (result.outcome, result.stage) == ("rejected", "AUTH"), result.render()
    assert result.reply is not None and result.reply.code == 535
    assert server.sink.logins == [("LOGIN", "scanner@contoso.com", "s3cretpw")]  # '~' dropped
    js = result.to_json()
    assert js["reply"]["code"] == 535 and js["stage"] == "AUTH"


async def test_auth_before_starttls_refused(
    smtpd: Callable[..., Smtpd], server_tls: Callable[..., ServerTls]
) -> None:
    server = smtpd(tls_context=server_tls().context, require_starttls=True)
    profile = load_profile("auth-before-starttls")
    result = await send(profile, settings(profile), {"587": server.port})
    assert (result.outcome, result.stage) == ("rejected", "AUTH"), result.render()
    assert result.reply is not None and result.reply.code == 530  # aiosmtpd's own refusal
    assert "STARTTLS" not in client_lines(result)


async def test_helo_only_and_from_differs(smtpd: Callable[..., Smtpd]) -> None:
    server = smtpd()
    helo = load_profile("helo-only")
    result = await send(helo, settings(helo, port=25), {"25": server.port})
    assert result.outcome == "delivered", result.render()
    assert client_lines(result)[0] == "HELO MFP-SIM"
    assert not any(line.startswith("AUTH") for line in client_lines(result))


async def test_from_differs_from_login(
    smtpd: Callable[..., Smtpd], server_tls: Callable[..., ServerTls]
) -> None:
    server = smtpd(tls_context=server_tls().context)
    profile = load_profile("from-differs")
    result = await send(profile, settings(profile), {"587": server.port})
    assert result.outcome == "delivered", result.render()
    (env,) = server.sink.envelopes
    assert env.mail_from == "alice@contoso.com"
    assert server.sink.logins[0][1] == "scanner@contoso.com"


async def test_bare_ip_ehlo_uses_source_address(
    smtpd: Callable[..., Smtpd], server_tls: Callable[..., ServerTls]
) -> None:
    server = smtpd(tls_context=server_tls().context)
    profile = load_profile("bare-ip-ehlo")
    result = await send(profile, settings(profile), {"587": server.port})
    assert result.outcome == "delivered", result.render()
    assert server.sink.helo_names == [SOURCE]


async def test_legacy_tls_direct_send_falls_back_to_plaintext(
    smtpd: Callable[..., Smtpd], server_tls: Callable[..., ServerTls]
) -> None:
    server = smtpd(tls_context=server_tls("1.2", "1.3").context)
    profile = load_profile("legacy-tls-direct-send")
    st = settings(profile, username="", password="")
    result = await send(profile, st, {"25": server.port})
    assert result.outcome == "delivered", result.render()
    assert result.attempts == 2 and result.tls_version is None
    notes = [ln.line for ln in result.transcript if ln.dir == "*"]
    assert "TLS failed: reconnecting without TLS" in notes
    assert len(server.sink.envelopes) == 1


async def test_implicit_tls_on_plaintext_port_25_fails(smtpd: Callable[..., Smtpd]) -> None:
    server = smtpd()
    profile = load_profile("implicit-tls-25")
    result = await send(profile, settings(profile, port=25), {"25": server.port})
    assert (result.outcome, result.stage) == ("tls_failure", "CONNECT"), result.render()


async def test_refused_on_closed_port_with_retry() -> None:
    profile = load_profile("no-auth").model_copy(update={"retries": 1, "retry_delay": 0.01})
    port = free_port()
    result = await send(profile, settings(profile, username="", password=""), {"25": port})
    assert (result.outcome, result.stage, result.attempts) == ("refused", "CONNECT", 2)


class Silent:
    """A server that never speaks; ``closed`` is set once it has closed its side.

    A test awaits ``closed`` before its loop ends: the device may be gone before
    the server has read the end of the connection, and a connection the server
    never closed is a leaked socket of the test's own.
    """

    def __init__(self) -> None:
        self.closed = asyncio.Event()

    async def __call__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.read()  # never speaks
        except OSError:
            pass  # the device reset the connection
        finally:
            writer.close()
            self.closed.set()


async def test_timeout_when_no_banner() -> None:
    silent = Silent()
    listener = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    profile = load_profile("fixed-465")
    async with listener:
        result = await send(
            profile.model_copy(update={"security_modes": ("implicit",)}),
            settings(profile),
            {"465": port},
            timeouts={"connect": 0.5, "banner": 0.5},
        )
        await silent.closed.wait()
    assert (result.outcome, result.stage) == ("timeout", "CONNECT"), result.render()


async def test_banner_timeout_plaintext() -> None:
    silent = Silent()
    listener = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    profile = load_profile("no-auth")
    async with listener:
        result = await send(
            profile,
            settings(profile, username="", password=""),
            {"25": port},
            timeouts={"banner": 0.3},
        )
        await silent.closed.wait()
    assert (result.outcome, result.stage) == ("timeout", "CONNECT")


async def test_dns_name_not_found(test_dns: Callable[..., Any]) -> None:
    dns_server = await test_dns({})
    profile = load_profile("no-auth")
    network = lab_network({}, dns=dns_server.address)
    result = await send(
        profile, settings(profile, server="nowhere.lab.test", username=""), {}, network=network
    )
    assert (result.outcome, result.stage) == ("gave_up", "DNS")


@pytest.mark.parametrize("count", [200])
async def test_fleet_of_devices_concurrently(smtpd: Callable[..., Smtpd], count: int) -> None:
    server = smtpd()
    profile = load_profile("no-auth")
    st = settings(profile, username="", password="")
    network = lab_network({"25": server.port})
    job = Job(size=2_000)
    results = await asyncio.gather(
        *(
            send_scan(profile, st, job, network, recipients=TO, site="office", rng_seed=i)
            for i in range(count)
        )
    )
    assert [r.outcome for r in results].count("delivered") == count
    assert len(server.sink.envelopes) == count
    ids = {
        email.message_from_bytes(e.original_content or b"")["Message-ID"]
        for e in server.sink.envelopes
    }
    assert len(ids) == count


async def test_the_scan_is_made_before_the_lookup_so_the_dns_stage_is_the_lookup_alone(
    smtpd: Callable[..., Smtpd],
    server_tls: Callable[..., ServerTls],
    ca_pem: Path,
    test_dns: Callable[..., Any],
) -> None:
    """Building the message reads the wall clock (its Date); here each reading moves the
    monotonic clock on ten seconds, so a build between resolve and connect would show as a
    ten-second `dns` stage in a fleet's report."""
    from datetime import UTC, datetime

    from exolab.devices.timing import stage_times

    class SlowWall:
        def __init__(self) -> None:
            self.t = 100.0

        def now(self) -> datetime:
            self.t += 10.0
            return datetime(2026, 11, 30, 12, 0, tzinfo=UTC)

        def monotonic(self) -> float:
            return self.t

    server = smtpd(tls_context=server_tls().context, require_starttls=True)
    dns_server = await test_dns({LAB_HOST: "127.0.0.1"})
    profile = load_profile("starttls-modern")
    network = lab_network({"587": server.port}, ca_pem, dns=dns_server.address)
    result = await send(
        profile, settings(profile, server=LAB_HOST), {}, network=network, clock=SlowWall()
    )
    assert result.outcome == "delivered", result.render()
    assert stage_times(result.transcript)["dns"] == [0.0]
