"""Japanese output sends its reader to the ja-jp Microsoft pages; short links and other sites stay."""

from __future__ import annotations

import dataclasses

import pytest

from exolab.scenarios.explain import render_explanation
from exolab.scenarios.links import localize_link, localize_links
from exolab.scenarios.loader import find_scenario
from exolab.scenarios.reports import render_html
from exolab.scenarios.result import Observation
from tests.scenarios.fakes import EXPECT_TENANT, SESSION, rejected_at_auth, result

LEARN = "https://learn.microsoft.com/en-us/exchange/clients-and-mobile-in-exchange-online/authenticated-client-smtp-submission"


@pytest.mark.parametrize(
    ("url", "ja"),
    [
        (LEARN, LEARN.replace("/en-us/", "/ja-jp/")),
        (
            "https://learn.microsoft.com/en-US/Azure/communication-services/concepts/email/sdk-features",
            "https://learn.microsoft.com/ja-jp/Azure/communication-services/concepts/email/sdk-features",
        ),
        (
            "https://learn.microsoft.com/en-sg/answers/questions/1/smtp",
            "https://learn.microsoft.com/ja-jp/answers/questions/1/smtp",
        ),
        (
            "https://learn.microsoft.com/exchange/mail-flow-best-practices/use-connectors",
            "https://learn.microsoft.com/ja-jp/exchange/mail-flow-best-practices/use-connectors",
        ),
        (
            "https://docs.microsoft.com/en-us/exchange/troubleshoot/send-emails/smtp-submission-improvements",
            "https://docs.microsoft.com/ja-jp/exchange/troubleshoot/send-emails/smtp-submission-improvements",
        ),
        ("https://aka.ms/smtp_auth_disabled", "https://aka.ms/smtp_auth_disabled"),
        ("https://sender.office.com/", "https://sender.office.com/"),
        (
            "https://techcommunity.microsoft.com/blog/exchange/x/1",
            "https://techcommunity.microsoft.com/blog/exchange/x/1",
        ),
        ("https://learn.microsoft.com/", "https://learn.microsoft.com/"),
        ("not a link", "not a link"),
    ],
)
def test_one_link_in_japanese(url: str, ja: str) -> None:
    assert localize_link(url, "ja") == ja
    assert localize_link(url, "en") == url  # English keeps the page the catalog cites


def test_every_link_inside_a_sentence() -> None:
    text = f"詳しくは {LEARN} と https://aka.ms/smtp_auth_disabled を参照してください。"
    assert localize_links(text, "ja") == (
        f"詳しくは {LEARN.replace('/en-us/', '/ja-jp/')} と "
        "https://aka.ms/smtp_auth_disabled を参照してください。"
    )


def test_the_japanese_explanation_links_the_japanese_page() -> None:
    scenario = find_scenario("acs-delivers").scenario
    assert "learn.microsoft.com/en-us/" in scenario.source
    res = result(EXPECT_TENANT, Observation((rejected_at_auth(),), (), (SESSION,)))
    ja = render_explanation(scenario, res, "ja")
    en = render_explanation(scenario, res, "en")
    assert scenario.source.replace("/en-us/", "/ja-jp/") in ja and "/en-us/" not in ja
    assert scenario.source in en


def test_the_japanese_html_report_links_the_japanese_page() -> None:
    res = result(EXPECT_TENANT, Observation((rejected_at_auth(),), (), (SESSION,)))
    res = dataclasses.replace(res, source=LEARN)
    ja = render_html([res], 1.0, "ja")
    assert f'href="{LEARN.replace("/en-us/", "/ja-jp/")}"' in ja and "/en-us/" not in ja
    assert f'href="{LEARN}"' in render_html([res], 1.0, "en")
