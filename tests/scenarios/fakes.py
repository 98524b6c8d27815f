"""Hand-made observations for testing comparison, reports and explain without sockets."""

from __future__ import annotations

from exolab.scenarios.model import Expect, LocalizedText
from exolab.scenarios.result import (
    Attempt,
    Line,
    Observation,
    ScenarioResult,
    Session,
    Stored,
    compare,
)
from exolab.scenarios.runner import failing_step

BANNER = "220 AM0PR02CA0134.outlook.office365.com Microsoft ESMTP MAIL Service ready at Mon, 1 Jun 2026 09:00:00 +0000"
TENANT_OFF = (
    "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. "
    "Visit https://aka.ms/smtp_auth_disabled for more information. "
    "[AM0PR02CA0134.eurprd02.prod.outlook.com 2026-06-01T09:00:00.000Z 08DCA18218166FB4]"
)


def rejected_at_auth(reply: str = TENANT_OFF) -> Attempt:
    lines = [
        Line(0.0, "*", "connect 127.10.0.1:587 from 127.20.0.10"),
        Line(0.0, "S", BANNER),
        Line(0.0, "C", "EHLO MFP-SIM"),
        Line(0.0, "S", "250-AM0PR02CA0134.outlook.office365.com Hello [203.0.113.39]"),
        Line(0.0, "S", "250-SIZE 157286400"),
        Line(0.0, "S", "250-STARTTLS"),
        Line(0.0, "S", "250 SMTPUTF8"),
        Line(0.0, "C", "STARTTLS"),
        Line(0.0, "S", "220 2.0.0 SMTP server ready"),
        Line(0.0, "*", "TLS established: 1.3 TLS_AES_256_GCM_SHA384"),
        Line(0.0, "C", "AUTH LOGIN"),
        Line(0.0, "S", "334 VXNlcm5hbWU6"),
        Line(0.0, "C", "****"),
        Line(0.0, "S", "334 UGFzc3dvcmQ6"),
        Line(0.0, "C", "****"),
        Line(0.0, "S", reply),
        Line(0.0, "C", "QUIT"),
        Line(0.0, "*", "outcome rejected at AUTH"),
    ]
    code, enhanced, text = reply.split(" ", 2)
    return Attempt(
        "rejected", "AUTH", int(code), enhanced, text, reply, "1.3", "Auth error", tuple(lines)
    )


def delivered() -> Attempt:
    ok = "250 2.0.0 OK <x@MFP-SIM> [Hostname=DM5SPR00MB2471.namprd08.prod.outlook.com]"
    lines = (Line(0.0, "S", BANNER), Line(0.0, "S", ok), Line(0.0, "*", "outcome delivered"))
    return Attempt("delivered", "EOD", 250, "2.0.0", "OK <x@MFP-SIM>", ok, "1.3", "Sent", lines)


def result(expect: Expect, observation: Observation, **extra: object) -> ScenarioResult:
    diffs = tuple(compare(expect, observation))
    attempt = observation.attempts[-1]
    return ScenarioResult(
        id="tenant-disabled",
        group="auth",
        title=LocalizedText(en="SMTP AUTH off for the tenant", ja="テナントで SMTP AUTH をオフ"),
        demonstrates=LocalizedText(
            en="Tenant switch off gives 5.7.139.",
            ja="テナントの設定がオフだと 5.7.139 で拒否されます。",
        ),
        source="https://github.com/simonrob/email-oauth2-proxy/issues/193",
        fix="enable_mailbox_smtp_auth",
        status="failed" if diffs else "passed",
        seconds=0.1,
        expect=expect,
        observation=observation,
        differences=diffs,
        failing_step=failing_step(attempt),
    )


EXPECT_TENANT = Expect(
    outcome="rejected", stage="AUTH", code=535, enhanced="5.7.139", text="disabled for the Tenant"
)
SESSION = Session("smtp.office365.com:587", "rejected", ("auth: tenant switch off",))
STORED_JUNK = Stored(
    "alice@contoso.com",
    "Junk Email",
    6,
    (
        (
            "Authentication-Results",
            "spf=fail (sender IP is 198.51.100.20) smtp.mailfrom=contoso.com",
        ),
    ),
)
