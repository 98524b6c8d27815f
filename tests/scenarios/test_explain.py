"""explain: replies are matched to the catalog and annotated; the wrong step is marked."""

from __future__ import annotations

import pytest

from exolab.scenarios.explain import explain_steps, match_reply, render_explanation
from exolab.scenarios.loader import find_scenario
from exolab.scenarios.messages import Lang, Messages
from exolab.scenarios.result import Observation
from tests.scenarios.fakes import EXPECT_TENANT, SESSION, TENANT_OFF, rejected_at_auth, result


@pytest.mark.parametrize(
    ("code", "text", "reply_id"),
    [
        (535, TENANT_OFF[4:], "auth.disabled.tenant"),
        (535, "5.7.3 Authentication unsuccessful [BN3PR03CA0067.namprd03.prod.outlook.com]", "auth.failed"),
        (504, "5.7.4 Unrecognized authentication type [X 2024-02-08T22:33:51.710Z 08DC]", "auth.unrecognized"),
        (334, "VXNlcm5hbWU6", "auth.login.username"),
        (220, "2.0.0 SMTP server ready", "starttls.ready"),
        (550, "5.7.64 TenantAttribution; Relay Access Denied [SN1PEPF000252A1.namprd05.prod.outlook.com]", "rcpt.relay_denied"),
        (250, "X.mail.protection.outlook.com Hello [1.2.3.4]\nSIZE 1\nPIPELINING\nDSN\nENHANCEDSTATUSCODES\nSTARTTLS\n8BITMIME\nBINARYMIME\nCHUNKING\nSMTPUTF8", "ehlo.mx.plain"),
        (599, "9.9.9 nothing like it", None),
    ],
)  # fmt: skip
def test_match_reply(code: int, text: str, reply_id: str | None) -> None:
    assert match_reply(code, text) == reply_id


def test_steps_mark_the_refusal_and_explain_each_line() -> None:
    res = result(EXPECT_TENANT, Observation((rejected_at_auth(),), (), (SESSION,)))
    steps = explain_steps(rejected_at_auth(), res.failing_step, Messages("en"))
    wrong = [s for s in steps if s.wrong]
    assert len(wrong) == 1 and "whole organization" in wrong[0].meaning
    ehlo = [s for s in steps if s.lines[0].line.startswith("250-")]
    assert len(ehlo[0].lines) == 4  # a multi-line reply is one step


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ["Set-CASMailbox", "Cause", "went wrong"]),
        ("ja", ["認証済み SMTP", "原因", "対処方法"]),
    ],
)
def test_render_explanation_in_both_languages(lang: Lang, words: list[str]) -> None:
    scenario = find_scenario("tenant-disabled").scenario
    res = result(EXPECT_TENANT, Observation((rejected_at_auth(),), (), (SESSION,)))
    text = render_explanation(scenario, res, lang)
    for word in words:
        assert word in text
    assert "alice@contoso.com" in text
    assert "https://github.com/simonrob/email-oauth2-proxy/issues/193" in text
