"""The MX's memo of SPF and DMARC answers: kept per tenant object, settled answers only."""

from __future__ import annotations

from exolab.emulator.dns.authmemo import SenderAuthMemo
from exolab.emulator.dns.senderauth import DnsFacts
from exolab.emulator.policy.authresults import SpfResult

KEY = ("198.51.100.20", "scanner@contoso.com", "mfp-01.contoso.local", "contoso.com")
FAIL = DnsFacts(SpfResult("fail", "contoso.com"), "v=DMARC1; p=none")


def test_an_answer_is_kept_for_the_same_tenant_and_question() -> None:
    memo, tenant = SenderAuthMemo(), object()
    assert memo.get(tenant, KEY) is None
    memo.put(tenant, KEY, FAIL)
    assert memo.get(tenant, KEY) is FAIL
    other_sender = (KEY[0], "someone@contoso.com", *KEY[2:])
    assert memo.get(tenant, other_sender) is None


def test_another_tenant_object_starts_afresh() -> None:
    memo, before, after = SenderAuthMemo(), object(), object()
    memo.get(before, KEY)
    memo.put(before, KEY, FAIL)
    assert memo.get(after, KEY) is None
    assert memo.get(before, KEY) is None  # the swap dropped what the old tenant said


def test_an_answer_found_under_a_tenant_since_replaced_is_not_kept() -> None:
    memo, before, after = SenderAuthMemo(), object(), object()
    memo.get(before, KEY)  # a check starts under ``before``
    memo.get(after, KEY)  # an edit lands and another check starts meanwhile
    memo.put(before, KEY, FAIL)  # the first check ends
    assert memo.get(after, KEY) is None


def test_temporary_errors_are_asked_again() -> None:
    memo, tenant = SenderAuthMemo(), object()
    memo.get(tenant, KEY)
    memo.put(tenant, KEY, DnsFacts(SpfResult("temperror", "contoso.com", "timeout"), None))
    assert memo.get(tenant, KEY) is None
    memo.put(tenant, KEY, DnsFacts(SpfResult("pass", "contoso.com"), None, dmarc_error=True))
    assert memo.get(tenant, KEY) is None


def test_permanent_errors_and_no_dmarc_record_are_settled() -> None:
    memo, tenant = SenderAuthMemo(), object()
    memo.get(tenant, KEY)
    settled = DnsFacts(SpfResult("permerror", "contoso.com", "two records"), None)
    memo.put(tenant, KEY, settled)
    assert memo.get(tenant, KEY) is settled


def test_the_memo_is_bounded_whatever_the_clients_send() -> None:
    memo, tenant = SenderAuthMemo(), object()
    memo.get(tenant, KEY)
    for n in range(SenderAuthMemo.LIMIT * 3):
        memo.put(tenant, (KEY[0], f"s{n}@contoso.com", *KEY[2:]), FAIL)
    assert len(memo) <= SenderAuthMemo.LIMIT
    newest = (KEY[0], f"s{SenderAuthMemo.LIMIT * 3 - 1}@contoso.com", *KEY[2:])
    assert memo.get(tenant, newest) is FAIL
