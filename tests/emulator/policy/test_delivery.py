"""The mailbox checks at delivery: quota first, then the recipient's size limit."""

from __future__ import annotations

from exolab.emulator.policy.delivery import delivery_refused
from exolab.emulator.replies import catalog
from exolab.emulator.tenant.model import Mailbox

ALICE = "alice@contoso.com"


def test_an_ordinary_mailbox_takes_the_message() -> None:
    assert delivery_refused(Mailbox(primary_smtp_address=ALICE), 30_000_000) is None


def test_a_mailbox_at_its_send_receive_quota_takes_nothing() -> None:
    full = Mailbox(
        primary_smtp_address=ALICE, total_item_size=4096, prohibit_send_receive_quota=4096
    )
    assert delivery_refused(full, 10) is catalog.NDR_MAILBOX_FULL


def test_a_message_over_max_receive_size_is_refused() -> None:
    small = Mailbox(primary_smtp_address=ALICE, max_receive_size=2048)
    assert delivery_refused(small, 2048) is None
    assert delivery_refused(small, 2049) is catalog.NDR_RECIPIENT_SIZE_LIMIT


def test_the_quota_decides_before_the_size() -> None:
    both = Mailbox(
        primary_smtp_address=ALICE,
        total_item_size=1 << 20,
        prohibit_send_receive_quota=1024,
        max_receive_size=1024,
    )
    assert delivery_refused(both, 4096) is catalog.NDR_MAILBOX_FULL


def test_the_defaults_are_microsofts() -> None:
    mailbox = Mailbox(primary_smtp_address=ALICE)
    assert mailbox.prohibit_send_receive_quota == 100 * 1024**3
    assert mailbox.max_receive_size == 36 * 1024**2
