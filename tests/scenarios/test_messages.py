"""en and ja carry the same message ids with the same placeholders; every fix id exists."""

from __future__ import annotations

import re

from exolab.emulator.replies.catalog import all_replies
from exolab.scenarios.loader import load_catalog
from exolab.scenarios.messages import LANGS, PLACEHOLDERS, Messages, catalog, placeholders


def test_every_id_exists_in_both_languages() -> None:
    en, ja = catalog("en"), catalog("ja")
    assert set(en) == set(ja), sorted(set(en) ^ set(ja))


def test_same_placeholders_and_only_known_ones() -> None:
    en, ja = catalog("en"), catalog("ja")
    for key, text in en.items():
        assert placeholders(text) == placeholders(ja[key]), key
        assert placeholders(text) <= PLACEHOLDERS, key


def test_no_message_is_empty_or_left_untranslated() -> None:
    en, ja = catalog("en"), catalog("ja")
    for key in en:
        assert en[key].strip() and ja[key].strip(), key
        # Japanese prose, not the English copied over (commands and names may stay)
        if key.startswith(("fix.", "reply.", "cmd.", "event.")):
            assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", ja[key]), key


def test_japanese_reads_as_an_administrators_guide() -> None:
    ja = catalog("ja")
    prose = {k: v for k, v in ja.items() if k.startswith(("fix.", "reply.", "cmd.", "event."))}
    for key, value in prose.items():  # です/ます調, never the plain だ/である style
        assert re.search("(ます|です|ません|ました|ください)", value), key
        assert not re.search("(である。|だ。)", value), key
    text = "\n".join(ja.values())
    for term in ("認証済み SMTP", "SMTP AUTH クライアント送信", "ダイレクト送信", "迷惑メール フォルダー",
                 "Microsoft 365 管理センター", "Exchange 管理センター"):  # fmt: skip
        assert term in text, term


def test_every_catalog_reply_has_an_explanation() -> None:
    en = catalog("en")
    missing = [r.id for r in all_replies() if f"reply.{r.id}" not in en]
    # A new catalog entry needs an explanation here (explain falls back to reply.unknown).
    assert missing == [], missing


def test_every_scenario_fix_exists_in_both_languages() -> None:
    for lang in LANGS:
        table = catalog(lang)
        for item in load_catalog():
            fix = item.scenario.fix or "none"
            assert f"fix.{fix}.cause" in table and f"fix.{fix}.action" in table, (lang, item.id)


def test_messages_fill_context_and_keep_unknown_placeholders_visible() -> None:
    msg = Messages("ja", mailbox="scanner@contoso.com")
    assert "scanner@contoso.com" in msg("fix.enable_mailbox_smtp_auth.action")
    assert "{public_ip}" in msg("fix.add_site_to_spf.cause")
    assert msg.reply("no.such.reply") == msg("reply.unknown")
