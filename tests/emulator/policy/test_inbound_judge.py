"""Direct send's end-of-data decision on its own: facts in, results, headers and copies out."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from exolab.emulator.clock import utc
from exolab.emulator.mail.scan import HeadFields
from exolab.emulator.policy.authresults import SpfResult, SpfVerdict
from exolab.emulator.policy.facts import EndOfData, SessionFacts
from exolab.emulator.policy.inbound import InboundJudgement, InboundMessage, judge
from exolab.emulator.replies import catalog
from exolab.emulator.tenant import Tenant, load_default_tenant, parse_assignment
from exolab.emulator.tenant.model import InboundConnector

OFFICE = "203.0.113.39"
FRONT_END = "SN1NAM02FT025.eop-nam02.prod.protection.outlook.com"
DEMO = load_default_tenant()


def tenant_with(*pairs: str) -> Tenant:
    return load_default_tenant([parse_assignment(p) for p in pairs])


def decide(
    spf: SpfVerdict = "pass",
    *,
    mailfrom: str = "contoso.com",
    header_from: tuple[str, ...] = ("scanner@contoso.com",),
    dmarc: str | None = "v=DMARC1; p=none",
    rcpts: tuple[str, ...] = ("alice@contoso.com",),
    connector: InboundConnector | None = None,
    tenant: Tenant = DEMO,
    helo: str = "mfp-01.contoso.local",
    tls: bool = False,
) -> InboundJudgement:
    session = SessionFacts(
        tenant=tenant,
        endpoint="contoso-com.mail.protection.outlook.com",
        port=25,
        client_ip="127.20.0.10",
        public_ip=OFFICE,
        now=utc(2026, 11, 27, 9, 30),
        tls_version="TLSv1.2" if tls else None,
        helo=helo,
        esmtp=True,
        mail_from=f"scanner@{mailfrom}",
        rcpt_count=len(rcpts),
    )
    return judge(
        InboundMessage(
            eod=EndOfData(session, 120, rcpts),
            head=HeadFields(header_from, "id-1@mfp"),
            spf=SpfResult(spf, mailfrom),
            dmarc_record=dmarc,
            dmarc_lookup_failed=False,
            connector=connector,
            receiving_host=FRONT_END,
            receiving_ip="10.152.72.107",
            cipher="ECDHE-RSA-AES256-GCM-SHA384" if tls else None,
            dmarc_sample=random.Random(0),
        )
    )


def placed(j: InboundJudgement) -> list[tuple[str, str, int, tuple[str, ...]]]:
    return [(c.mailbox, c.folder, c.scl, c.recipients) for c in j.copies]


def test_spf_pass_from_the_own_domain_lands_in_the_inbox() -> None:
    j = decide("pass")
    assert (j.dmarc.result, j.compauth.result, j.compauth.reason) == ("pass", "pass", "100")
    assert (j.spam.scl, j.spam.folder, j.spam.sfv) == (1, "Inbox", "NSPM")
    assert placed(j) == [("alice@contoso.com", "Inbox", 1, ("alice@contoso.com",))]
    assert j.verdict.reply is catalog.EOD_QUEUED and j.verdict.reason == "120 bytes, SCL 1, Inbox"
    headers = dict(j.headers)
    assert headers["Authentication-Results"] == (
        "spf=pass (sender IP is 203.0.113.39) smtp.mailfrom=contoso.com; "
        "dkim=none (message not signed) header.d=none;"
        "dmarc=pass action=none header.from=contoso.com;compauth=pass reason=100"
    )
    assert headers["Received"] == (
        f"from mfp-01.contoso.local (203.0.113.39) by {FRONT_END} (10.152.72.107) "
        "with Microsoft SMTP Server id 15.20.8722.16 via Frontend Transport; "
        "Fri, 27 Nov 2026 09:30:00 +0000"
    )
    assert headers["X-MS-Exchange-Organization-AuthSource"] == FRONT_END
    assert j.notes == (
        "spf=pass (no explanation) dmarc=pass action=none compauth=pass reason=100",
        "verdict: spf=pass -> SCL 1 -> Inbox",
    )


def test_spf_fail_from_the_own_domain_is_spoof_in_junk() -> None:
    j = decide("fail")
    assert (j.dmarc.result, j.dmarc.action) == ("fail", "none")
    assert (j.compauth.result, j.compauth.reason) == ("fail", "601")
    assert (j.spam.scl, j.spam.folder, j.spam.cat) == (6, "Junk Email", "SPOOF")
    assert placed(j) == [("alice@contoso.com", "Junk Email", 6, ("alice@contoso.com",))]
    assert dict(j.headers)["X-MS-Exchange-Organization-SCL"] == "6"
    assert dict(j.headers)["Received-SPF"].startswith("Fail (protection.outlook.com: domain of")


def test_spf_softfail_goes_by_the_tenant_scl() -> None:
    assert (decide("softfail").spam.scl, decide("softfail").spam.folder) == (5, "Junk Email")
    lenient = tenant_with("SpamFilter.SclSpfSoftfail=1")
    assert decide("softfail", tenant=lenient).spam.folder == "Inbox"
    assert dict(decide("softfail").headers)["Received-SPF"].startswith("SoftFail (")


def test_dmarc_needs_the_spf_domain_aligned_with_from() -> None:
    # SPF passes for fabrikam.com, but the From says contoso.com with p=reject: not aligned
    j = decide("pass", mailfrom="fabrikam.com", dmarc="v=DMARC1; p=reject")
    assert (j.dmarc.result, j.dmarc.action) == ("fail", "oreject")
    assert (j.compauth.result, j.compauth.reason) == ("fail", "010")
    assert (j.spam.scl, j.spam.folder) == (6, "Junk Email")
    # relaxed alignment: a subdomain of the From domain passes, strict does not
    assert decide("pass", mailfrom="mail.contoso.com").dmarc.result == "pass"
    strict = decide("pass", mailfrom="mail.contoso.com", dmarc="v=DMARC1; p=none; aspf=s")
    assert strict.dmarc.result == "fail"
    # no record at all: an aligned pass is a best guess
    assert decide("pass", dmarc=None).dmarc.result == "bestguesspass"
    assert decide("pass", header_from=()).compauth.reason == "301"


def test_a_foreign_sender_failing_spf_is_an_implicit_fail() -> None:
    j = decide("fail", mailfrom="fabrikam.com", header_from=("a@fabrikam.com",), dmarc=None)
    assert (j.compauth.result, j.compauth.reason) == ("fail", "001")


def test_an_onpremises_connector_relays_outside_and_skips_filtering() -> None:
    connector = InboundConnector(name="Branch", SenderIPAddresses=(OFFICE,))  # type: ignore[call-arg]
    j = decide("fail", rcpts=("bob@contoso.com", "partner@fabrikam.com"), connector=connector)
    assert (j.spam.scl, j.spam.sfv, j.compauth.reason) == (-1, "SKI", "405")
    assert placed(j) == [
        ("bob@contoso.com", "Inbox", -1, ("bob@contoso.com",)),
        ("partner@fabrikam.com", "Outbound", -1, ("partner@fabrikam.com",)),
    ]
    assert j.routes == (("bob@contoso.com", "internal"), ("partner@fabrikam.com", "relay"))
    assert dict(j.headers)["X-MS-Exchange-Organization-AuthAs"] == "Internal"
    assert j.notes[0] == "attributed to inbound connector 'Branch' (OnPremises)"


def test_a_partner_connector_is_filtered_as_usual() -> None:
    connector = InboundConnector(  # type: ignore[call-arg]
        name="P", connector_type="Partner", SenderIPAddresses=(OFFICE,)
    )
    j = decide("fail", connector=connector)
    assert j.spam.folder == "Junk Email"
    assert dict(j.headers)["X-MS-Exchange-Organization-AuthAs"] == "Partner"


def test_one_copy_per_mailbox_and_none_for_an_unknown_recipient() -> None:
    open_tenant = tenant_with("Tenant.DirectoryBasedEdgeBlocking=false")
    j = decide(
        rcpts=("alice@contoso.com", "ALICE@contoso.com", "ghost@contoso.com"), tenant=open_tenant
    )
    assert placed(j) == [
        ("alice@contoso.com", "Inbox", 1, ("alice@contoso.com", "ALICE@contoso.com"))
    ]
    assert j.notes[-1] == "no mailbox ghost@contoso.com (DBEB off): accepted, would NDR"


def test_tls_shows_in_received() -> None:
    received = dict(decide(tls=True).headers)["Received"]
    assert "(version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384)" in received


@given(helo=st.text())
def test_a_hostile_helo_cannot_add_a_header_field(helo: str) -> None:
    for _name, value in decide(helo=helo).headers:
        assert value.isprintable()
