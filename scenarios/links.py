"""Microsoft documentation links in the reader's language.

Microsoft serves each Learn page in Japanese under ``/ja-jp/``, so a
Japanese report, explanation or console page sends its reader there instead
of to the ``/en-us/`` page the catalog cites. Only the locale segment of
learn.microsoft.com (and the docs.microsoft.com and support.microsoft.com
addresses that redirect the same way) changes; short links such as aka.ms
and every other site stay as written, because their owners choose the
language themselves.
"""

from __future__ import annotations

import re

from exolab.scenarios.messages import Lang

LOCALES: dict[Lang, str] = {"ja": "ja-jp"}
"""The Learn locale for each language that has one; English keeps the cited page."""

_MICROSOFT_DOCS = re.compile(
    r"(?P<site>https?://(?:learn|docs|support)\.microsoft\.com/)"
    r"(?:(?P<locale>[a-z]{2}-[a-z]{2,4})/)?"
    r"(?=[^\s/])",
    re.IGNORECASE,
)


def localize_links(text: str, lang: Lang) -> str:
    """``text`` with every Microsoft docs address pointing at ``lang``'s pages.

    Addresses without a locale (``learn.microsoft.com/exchange/…``) get one;
    other sites, short links and English output are left untouched.
    """
    locale = LOCALES.get(lang)
    if locale is None:
        return text
    return _MICROSOFT_DOCS.sub(lambda m: f"{m.group('site')}{locale}/", text)


def localize_link(url: str, lang: Lang) -> str:
    """One address; the same rule as :func:`localize_links`."""
    return localize_links(url, lang)
