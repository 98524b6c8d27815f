"""The fidelity audit, repeatable: every published Exchange Online reply against the catalog.

Each row is a reply line as a public source prints it (Microsoft's pages, or a real
transcript quoted in a public issue: the URL is on the row), the catalog entry that
sends it, and the values of its placeholders. A row passes when the entry renders the
published line byte for byte, trailer aside: the trailer's host and id are the lab's
own, so only its kind is compared (``[host …]`` is *frontend*, ``[Hostname=…]`` is
*storedrv*). A line the source prints without its code (the NDR table's
``5.7.506 Access Denied, Bad HELO``) is compared without it.

Where the lab knowingly differs, the row names the words the entry's note must hold
to explain why; such a row must really differ, so a fixed deviation cannot hide here.
What the lab does not send at all is ``catalog.NOT_MODELLED``, with the reason.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import pytest

from exolab.emulator.clock import FixedClock, utc
from exolab.emulator.replies import FrontEndNames, Renderer, Trailer, catalog, rfc1123
from exolab.emulator.replies.model import Certainty, Gap, Reply

CONFIRMED, LIKELY = Certainty.CONFIRMED, Certainty.LIKELY
MAILKIT_1770 = "https://github.com/jstedfast/MailKit/issues/1770"
PHPMAILER_2647 = "https://github.com/PHPMailer/PHPMailer/issues/2647"
NETTE_71 = "https://github.com/nette/mail/issues/71"
DATATRACKER_5888 = "https://github.com/ietf-tools/datatracker/pull/5888"
FIX_DOC = "https://learn.microsoft.com/exchange/mail-flow-best-practices/fix-issues-with-printers-scanners-and-lob-applications-that-send-email-using-off"
SUBMISSION_DOC = "https://learn.microsoft.com/en-us/exchange/troubleshoot/send-emails/smtp-submission-improvements"
NDR_DOC = "https://learn.microsoft.com/en-us/troubleshoot/exchange/email-delivery/ndr/non-delivery-reports-in-exchange-online"
MULTI_GEO_DOC = "https://learn.microsoft.com/en-us/microsoft-365/enterprise/configure-multi-geo-in-region-routing"
HVE_DOC = "https://learn.microsoft.com/en-us/exchange/mail-flow-best-practices/troubleshoot-high-volume-email-m365"
HVE_OAUTH_DOC = "https://learn.microsoft.com/en-ca/exchange/mail-flow-best-practices/oauth-high-volume-mails-m365"
SIZE = 157286400
NOW = utc(2024, 7, 11, 11, 46)


@dataclass(frozen=True)
class Published:
    """One published reply line and the catalog entry that must send it."""

    line: str
    """As the source prints it; EHLO's lines joined with newlines."""
    reply_id: str
    source: str
    certainty: Certainty = CONFIRMED
    params: dict[str, object] = field(default_factory=dict)
    deviation: str = ""
    """Words the entry's note holds when the lab knowingly sends something else."""


def banner(host: str, when: datetime) -> dict[str, object]:
    return {"host": host, "date": rfc1123(when)}


def ehlo(host: str, ip: str) -> dict[str, object]:
    return {"host": host, "client_ip": ip, "size": SIZE}


def ehlo_lines(host: str, ip: str, *extensions: str) -> str:
    lines = [f"{host} Hello [{ip}]", f"SIZE {SIZE}", "PIPELINING", "DSN"]
    lines += ["ENHANCEDSTATUSCODES", *extensions, "8BITMIME", "BINARYMIME", "CHUNKING", "SMTPUTF8"]
    return "\n".join(f"250-{x}" for x in lines[:-1]) + f"\n250 {lines[-1]}"


def _renderer() -> Renderer:
    rng = random.Random(16)
    return Renderer(FrontEndNames.submission(rng), FixedClock(NOW), rng)


TENANT_OFF = _renderer().summary(catalog.AUTH_DISABLED_TENANT)
M365_HOST, M365_IP = "AM0PR02CA0134.outlook.office365.com", "212.52.200.46"
MX_HOST, MX_IP = "SN1NAM02FT0049.mail.protection.outlook.com", "18.209.86.113"

PUBLISHED: tuple[Published, ...] = (
    # Submission (smtp.office365.com): greeting, EHLO, STARTTLS, AUTH LOGIN
    Published(
        "220 AM0PR02CA0134.outlook.office365.com Microsoft ESMTP MAIL Service ready at "
        "Thu, 11 Jul 2024 11:46:42 +0000",
        "connect.banner",
        MAILKIT_1770,
        params=banner(M365_HOST, datetime(2024, 7, 11, 11, 46, 42, tzinfo=UTC)),
    ),
    Published(
        "220 BY1PR10CA0041.outlook.office365.com Microsoft ESMTP MAIL Service ready at "
        "Mon, 1 Jun 2015 12:00:00 +0000",
        "connect.banner",
        FIX_DOC,
        params=banner("BY1PR10CA0041.outlook.office365.com", utc(2015, 6, 1, 12, 0)),
    ),
    Published(
        ehlo_lines(M365_HOST, M365_IP, "STARTTLS"),
        "ehlo.submission.plain",
        PHPMAILER_2647,
        params=ehlo(M365_HOST, M365_IP),
    ),
    Published(
        ehlo_lines(M365_HOST, M365_IP, "AUTH LOGIN XOAUTH2"),
        "ehlo.submission.tls",
        MAILKIT_1770,
        params=ehlo(M365_HOST, M365_IP),
    ),
    Published("220 2.0.0 SMTP server ready", "starttls.ready", MAILKIT_1770),
    Published("334 VXNlcm5hbWU6", "auth.login.username", PHPMAILER_2647),
    Published("334 UGFzc3dvcmQ6", "auth.login.password", PHPMAILER_2647),
    # Submission: AUTH outcomes
    Published(
        "504 5.7.4 Unrecognized authentication type [CY4PR0501MB3908.namprd05.prod.outlook.com "
        "2024-02-08T22:33:51.710Z 08DC255743C7]",
        "auth.unrecognized",
        "https://github.com/binwiederhier/ntfy/issues/1020",
    ),
    Published(
        "535 5.7.3 Authentication unsuccessful [BN3PR03CA0067.namprd03.prod.outlook.com]",
        "auth.failed",
        "https://github.com/jstedfast/MailKit/issues/700",
    ),
    Published(
        "535 5.7.3 Authentication unsuccessful [AM0PR02CA0134.eurprd02.prod.outlook.com "
        "2024-07-11T11:46:49.042Z 08DCA18218166FB4]",
        "auth.failed",
        MAILKIT_1770,
    ),
    Published(
        "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the "
        "Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. "
        "[MN2PR05CA0004.namprd05.prod.outlook.com 2023-09-12T20:59:57.214Z 08DBB276B7E699C4]",
        "auth.disabled.tenant",
        "https://github.com/simonrob/email-oauth2-proxy/issues/193",
    ),
    Published(
        "535 5.7.139 Authentication unsuccessful, user is locked by your organization's security "
        "defaults policy. Contact your administrator.",
        "auth.security_defaults",
        "https://github.com/search?q=%22user+is+locked+by+your+organization%27s+security+defaults"
        "+policy.+Contact+your+administrator%22&type=code",
    ),
    Published(
        "535 5.7.139 Authentication unsuccessful, the request did not meet the criteria to be "
        "authenticated successfully. Contact your administrator.",
        "auth.conditional_access",
        "https://github.com/gophish/gophish/issues/3220",
    ),
    Published(
        "535 5.7.139 Authentication unsuccessful, basic authentication is disabled. "
        "[PN0PR01CA0024.INDPRD01.PROD.OUTLOOK.COM 2025-01-26T18:54:30.055Z 08DD3DD7D75D7743]",
        "auth.basic_disabled",
        "https://github.com/nodemailer/nodemailer/issues/1714",
    ),
    Published(
        "535 5.7.139 Authentication unsuccessful, federated STS service was unreachable.",
        "auth.federated_sts_unreachable",
        FIX_DOC,
    ),
    Published(
        "535 5.7.139 Authentication unsuccessful, the federated STS URL does not support HTTPS.",
        "auth.federated_sts_not_https",
        FIX_DOC,
    ),
    Published(
        "421 4.7.66 TLS 1.0 and 1.1 are not supported. Please upgrade/update your client to "
        "support TLS 1.2. Visit https://aka.ms/smtp_auth_tls. "
        "[SA9P221CA0019.NAMP221.PROD.OUTLOOK.COM]",
        "auth.legacy_tls",
        "https://github.com/zehm/sendEmail/issues/1",
    ),
    Published(
        "550 5.7.30 Basic authentication is not supported for Client Submission.",
        "auth.basic_retired",
        "https://techcommunity.microsoft.com/t5/exchange-team-blog/exchange-online-to-retire-basic-auth-for-client-submission-smtp/ba-p/4114750",
    ),
    # Submission: MAIL and sender rights
    Published(
        "530 5.7.57 Client not authenticated to send mail.",
        "mail.not_authenticated",
        "https://github.com/tarickb/sasl-xoauth2/issues/96",
        params={"last_error": ""},
    ),
    Published(
        "530 5.7.57 Client not authenticated to send mail. Error: 535 5.7.139 Authentication "
        "unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit "
        "https://aka.ms/smtp_auth_disabled for more information.",
        "mail.not_authenticated",
        "https://github.com/MicrosoftDocs/OfficeDocs-Exchange/issues/3124",
        params={"last_error": f" Error: {TENANT_OFF}"},
    ),
    Published(
        "530 5.7.57 SMTP; Client was not authenticated to send anonymous mail during MAIL FROM "
        "[AM0PR10CA0081.EURPRD10.PROD.OUTLOOK.COM]",
        "mail.not_authenticated.classic",
        "https://github.com/mageplaza/magento-2-smtp/issues/268",
    ),
    Published(
        "550 5.7.60 SMTP; Client does not have permissions to send as this sender",
        "mail.send_as_denied",
        FIX_DOC,
    ),
    Published("550 5.1.8 Access denied, bad outbound sender", "mail.bad_outbound_sender", NDR_DOC),
    Published(
        "550 5.1.8 Bad outbound sender",
        "mail.bad_outbound_sender",
        FIX_DOC,
        deviation="the printer guide shortens it",
    ),
    Published("250 2.1.0 Sender OK", "mail.ok", DATATRACKER_5888),
    Published("250 2.1.5 Recipient OK", "rcpt.ok", DATATRACKER_5888),
    Published("354 Start mail input; end with <CRLF>.<CRLF>", "data.start", DATATRACKER_5888),
    # Submission: end of data
    Published(
        "250 2.0.0 OK <aKj2OhY87X3qWDJs@maxwell> [Hostname=SYBP282MB2635.AUSP282.PROD.OUTLOOK.COM]",
        "eod.submitted",
        "https://github.com/search?q=%22250+2.0.0+OK%22+%22Hostname%3D%22+PROD.OUTLOOK.COM&type=code",
        params={"message_id": "aKj2OhY87X3qWDJs@maxwell"},
    ),
    Published(
        "554 5.2.252 SendAsDenied; scan@contoso.com not allowed to send as boss@contoso.com; "
        "STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; Failed "
        "to process message due to a permanent exception with message [BeginDiagnosticData]"
        "Cannot submit message. 0.35250:…",
        "eod.send_as_denied",
        "https://github.com/gophish/gophish/issues/2900",
        LIKELY,
        params={"user": "scan@contoso.com", "sender": "boss@contoso.com"},
        deviation="diagnostic list",
    ),
    Published(
        "554 5.2.0 STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; "
        "Failed to process message due to a permanent exception with message Cannot submit "
        "message. 0.35250:…",
        "eod.send_as_denied.classic",
        "https://github.com/FusionAuth/fusionauth-issues/issues/220",
        deviation="cut to its first five entries",
    ),
    Published(
        "554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException",
        "eod.submission_quota",
        SUBMISSION_DOC,
    ),
    Published(
        "554 5.2.2 mailbox full; STOREDRV.Submission.Exception:QuotaExceededException."
        "MapiExceptionQuotaExceeded",
        "eod.mailbox_full",
        SUBMISSION_DOC,
    ),
    Published(
        "MapiExceptionMaxSubmissionExceeded; Message size exceeds maximum size limit.; "
        "STOREDRV.Submission.Exception:MessageSubmissionExceededException."
        "MapiExceptionMaxSubmissionExceeded; Failed to process message due to a permanent "
        "exception with message [BeginDiagnosticData]Cannot save changes made to an item to "
        "store.",
        "eod.max_send_size",
        "https://github.com/pankleks/pm2-health/issues/52",
    ),
    Published(
        "552 5.3.4 Header size exceeds fixed maximum size",
        "eod.header_size_exceeded",
        "https://github.com/jstedfast/MailKit/issues/904",
    ),
    Published(
        "5.7.512 Access denied, message must be RFC 5322 section 3.6.2 compliant",
        "eod.from_invalid",
        NDR_DOC,
    ),
    # Submission: throttles
    Published(
        "432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded "
        "[Hostname=DM5SPR00MB2471.namprd08.prod.outlook.com]",
        "data.sender_thread_limit",
        "https://github.com/timeoff-management/timeoff-management-application/issues/308",
    ),
    Published(
        "432 4.3.2 Concurrent connections limit exceeded. Visit https://aka.ms/concurrent_sending "
        "for more information. [Hostname=OS0PR01MB6099.jpnprd01.prod.outlook.com]",
        "data.sender_thread_limit.classic",
        "https://github.com/sabuhish/fastapi-mail/issues/75",
    ),
    Published(
        "432 4.3.2 STOREDRV.Deliver; recipient thread limit exceeded",
        "eod.recipient_thread_limit",
        NDR_DOC,
    ),
    # Session
    Published("250 2.0.0 Resetting", "rset", "https://github.com/jstedfast/MailKit/issues/904"),
    Published("221 2.0.0 Service closing transmission channel", "quit", NETTE_71),
    Published(
        "500 5.3.3 Unrecognized command 'unknown' [CH2PR07CA0061.namprd07.prod.outlook.com "
        "2024-03-03T19:48:24.046Z 08DC3B8E8E26A1E2]",
        "command.unrecognized",
        "https://github.com/simonrob/email-oauth2-proxy/issues/232",
        params={"verb": "unknown"},
    ),
    # MX (direct send)
    Published(
        "220 SN1NAM02FT0049.mail.protection.outlook.com Microsoft ESMTP MAIL Service ready at "
        "Wed, 28 Jun 2023 12:02:11 +0000",
        "connect.banner",
        DATATRACKER_5888,
        params=banner(MX_HOST, datetime(2023, 6, 28, 12, 2, 11, tzinfo=UTC)),
    ),
    Published(
        ehlo_lines(MX_HOST, MX_IP, "STARTTLS"),
        "ehlo.mx.plain",
        DATATRACKER_5888,
        params=ehlo(MX_HOST, MX_IP),
    ),
    Published(
        "503 5.5.2 Send hello first [DB5EUR03FT018.eop-EUR03.prod.protection.outlook.com]",
        "sequence.hello_first",
        NETTE_71,
    ),
    Published(
        "504 5.7.4 Unrecognized authentication type "
        "[SN1NAM02FT025.eop-nam02.prod.protection.outlook.com]",
        "auth.unrecognized",
        "https://github.com/deanproxy/eMail/issues/44",
    ),
    Published(
        "250 2.6.0 <msg-id> [InternalId=130184753713403, "
        "Hostname=DBXPR04MB317.eurprd04.prod.outlook.com] 8273 bytes in 0.296, 27.285 KB/sec "
        "Queued mail for delivery",
        "eod.queued",
        "https://github.com/haraka/Haraka/issues/1965",
        params={
            "message_id": "msg-id",
            "internal_id": 130184753713403,
            "mailbox_host": "DBXPR04MB317.eurprd04.prod.outlook.com",
            "size": 8273,
            "seconds": "0.296",
            "rate": "27.285",
        },
    ),
    Published(
        "550 5.7.64 TenantAttribution; Relay Access Denied "
        "[SN1PEPF000252A1.namprd05.prod.outlook.com]",
        "rcpt.relay_denied",
        FIX_DOC,
    ),
    Published(
        "550 5.4.1 Recipient address rejected: Access denied. AS(201806281) "
        "[HE1EUR02FT003.eop-EUR02.prod.protection.outlook.com]",
        "rcpt.dbeb",
        "https://github.com/maxsptz/emailpyspam/issues/23",
    ),
    Published(
        "550 5.7.68 TenantInboundAttribution; Direct Send not allowed for this organization from "
        "unauthorized sources",
        "rcpt.reject_direct_send",
        "https://techcommunity.microsoft.com/blog/exchange/introducing-more-control-over-direct-send-in-exchange-online/4408790",
    ),
    Published(
        "550 5.7.606 Access denied, banned sending IP [45.79.188.170]. To request removal from "
        "this list please visit https://sender.office.com/ and follow the directions. For more "
        "information please go to http://go.microsoft.com/fwlink/?LinkID=526655 (AS16012609)",
        "rcpt.banned_ip",
        "https://github.com/JamBrain/JamBrain/issues/271",
        params={"client_ip": "45.79.188.170"},
    ),
    Published(
        "550 5.7.606 Access denied, banned sending IP [185.234.72.45]. To request removal from "
        "this list please visit https://sender.office.com/ and follow the directions. For more "
        "information please go to http://go.microsoft.com/fwlink/?LinkID=526655 AS(1430)",
        "rcpt.banned_ip",
        "https://pastebin.com/EH1TUb0X",
        params={"client_ip": "185.234.72.45"},
        deviation="AS(1430)",
    ),
    Published(
        "550 5.7.511 Access denied, banned sender[203.0.113.9]. To request removal from this "
        "list, forward this message to delist@microsoft.com. For more information, go to "
        "https://go.microsoft.com/fwlink/?LinkId=526653.",
        "rcpt.banned_sender",
        "https://learn.microsoft.com/en-us/defender-office-365/external-senders-use-the-delist-portal-to-unblock-yourself",
        params={"client_ip": "203.0.113.9"},
    ),
    Published(
        "550 5.7.511 Access denied, banned sender[74.208.4.197]. To request removal from this "
        "list please forward this message to delist@messaging.microsoft.com. For more "
        "information please go to http://go.microsoft.com/fwlink/?LinkId=526653. AS(508) "
        "[SN1NAM04FT013.eop-NAM04.prod.protection.outlook.com]",
        "rcpt.banned_sender",
        "https://pastebin.com/JEGXAxrE",
        params={"client_ip": "74.208.4.197"},
        deviation="a 2018 log reads",
    ),
    Published("5.7.506 Access Denied, Bad HELO", "mail.bad_helo", NDR_DOC),
    Published(
        "5.7.513 Service unavailable, Client host [203.0.113.9] blocked by contoso.com using "
        "Customer Block list (AS16012607)",
        "rcpt.customer_block_list",
        NDR_DOC,
        params={"client_ip": "203.0.113.9", "recipient_domain": "contoso.com"},
    ),
    Published(
        "5.7.708 Access denied, traffic not accepted from this IP", "rcpt.ip_not_accepted", NDR_DOC
    ),
    Published(
        "5.7.705 Access denied, tenant has exceeded threshold",
        "rcpt.tenant_over_threshold",
        NDR_DOC,
    ),
    Published(
        "5.7.750 Service unavailable. Client blocked from sending from unregistered domains",
        "rcpt.unregistered_domain",
        NDR_DOC,
    ),
    Published("4.7.850 Access denied, please try again later", "rcpt.ip_suspicious", NDR_DOC),
    Published(
        "4.7.650 Access denied, please try again later",
        "rcpt.ip_throttled",
        NDR_DOC,
        deviation="Text CONFIRMED from a real EOP log",
    ),
    Published(
        "451 4.7.650 The mail server [167.89.12.138] has been temporarily rate limited due to IP "
        "reputation. For e-mail delivery information, see https://postmaster.live.com (S3113) "
        "[VI1EUR06FT038.eop-eur06.prod.protection.outlook.com]",
        "rcpt.ip_throttled",
        "https://github.com/sendgrid/docs/issues/6275",
        params={"client_ip": "167.89.12.138"},
    ),
    Published(
        "550 4.4.4 Mail received as unauthenticated, incoming to a recipient domain configured in "
        "a hosted tenant which has no mail-enabled subscriptions. ATTR5",
        "rcpt.no_mail_subscription",
        MULTI_GEO_DOC,
    ),
    Published(
        "451 4.4.62 Mail sent to the wrong Office 365 region. ATTR35. For more information go to "
        "<https://go.microsoft.com/fwlink/p/?linkid=865268>.",
        "rcpt.wrong_region",
        MULTI_GEO_DOC,
    ),
    Published(
        "451 4.3.2 Temporary server error. Please try again later ATTR55",
        "fault.temporary_error_4_3_2",
        MULTI_GEO_DOC,
    ),
    Published(
        "451 4.4.3 Temporary server error. Please try again later ATTR55.1",
        "fault.temporary_error_4_4_3",
        MULTI_GEO_DOC,
    ),
    Published(
        "451 4.7.500 Server busy. Please try again later from [203.0.113.9]. (S77719)",
        "fault.server_busy",
        "https://github.com/MicrosoftDocs/OfficeDocs-Exchange/issues/2499",
        params={"client_ip": "203.0.113.9"},
    ),
    # Non-delivery reports
    Published(
        "550 5.7.233 - Your message can't be sent because your tenant has exceeded its daily "
        "limit for sending email to external recipients (tenant external recipient rate limit).",
        "ndr.tenant_external_limit",
        "https://learn.microsoft.com/en-us/answers/questions/5835651/",
        deviation="with a dash after the code",
    ),
    Published(
        "550 5.7.233 Your message can't be sent because your tenant exceeded its daily limit "
        "for sending email to external recipients (tenant external recipient rate limit)",
        "ndr.tenant_external_limit",
        "https://techcommunity.microsoft.com/blog/exchange/introducing-exchange-online-tenant-outbound-email-limits/4372797",
        deviation="The blog also drops 'has'",
    ),
    # High Volume Email and ACS
    Published("535 5.7.3 Authentication unsuccessful", "hve.auth_failed", HVE_DOC),
    Published(
        "535 5.7.139 Authentication unsuccessful, the organization configuration doesn't allow "
        "this authentication request.",
        "hve.auth_org_config",
        HVE_DOC,
    ),
    Published(
        "530 5.7.57 Client not authenticated to send mail.",
        "acs.not_authenticated",
        "https://github.com/postalserver/postal/issues/2811",
    ),
    # LIKELY: secondhand or inferred, compared the same way
    Published(
        "235 2.7.0 Authentication successful",
        "auth.success",
        "https://www.rfc-editor.org/rfc/rfc4954#section-6",
        LIKELY,
    ),
    Published(
        "535 5.7.139 Authentication unsuccessful, the user credentials were incorrect.",
        "auth.bad_credentials",
        "https://github.com/codassassin/email-bomber-v2.0/issues/1",
        LIKELY,
    ),
    Published(
        "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the "
        "Mailbox. Visit https://aka.ms/smtp_auth_disabled for more information.",
        "auth.disabled.mailbox",
        "https://aka.ms/smtp_auth_disabled",
        LIKELY,
    ),
    Published(
        "250 AM0PR02CA0134.outlook.office365.com Hello [212.52.200.46]",
        "helo",
        "https://github.com/simonrob/email-oauth2-proxy/issues/232",
        LIKELY,
        params={"host": M365_HOST, "client_ip": M365_IP},
    ),
    Published(
        ehlo_lines(MX_HOST, MX_IP),
        "ehlo.mx.tls",
        "https://github.com/maxsptz/emailpyspam/issues/23",
        LIKELY,
        params=ehlo(MX_HOST, MX_IP),
    ),
    Published(
        "552 5.3.4 Message size exceeds fixed maximum message size",
        "mail.size_exceeded",
        "https://www.rfc-editor.org/rfc/rfc3463#section-3.4",
        LIKELY,
    ),
    Published(
        "4.4.1 Connection timed out. Total session duration: 00:20:55.2872355",
        "session.timeout",
        "https://github.com/haraka/Haraka/issues/2321",
        LIKELY,
        params={"duration": "00:20:55.2872355"},
    ),
    Published(
        "5.7.67 TLS 1.0 and 1.1 are not supported by your organization",
        "auth.legacy_tls.not_opted_in",
        "https://learn.microsoft.com/en-us/exchange/clients-and-mobile-in-exchange-online/opt-in-exchange-online-endpoint-for-legacy-tls-using-smtp-auth",
        LIKELY,
    ),
    Published("535 5.7.142 Token will expire soon", "hve.token.expiring", HVE_OAUTH_DOC, LIKELY),
    Published("535 5.7.143 Expired token", "hve.token.expired", HVE_OAUTH_DOC, LIKELY),
)

TRAILER = re.compile(
    r" \[(?P<storedrv>Hostname=)?[A-Z0-9]+(?:\.[A-Z0-9-]+)*\.OUTLOOK\.COM"
    r"(?: \d{4}-\d\d-\d\dT[\d:.]+Z [0-9A-F]+)?\]$",
    re.IGNORECASE,
)
CODE = re.compile(r"^\d{3}[ -]")
ENHANCED = re.compile(r"^[245]\.\d{1,3}\.\d{1,3} ")


def split_trailer(line: str) -> tuple[str, Trailer | None]:
    """The line without its published trailer, and the trailer's kind (None: none shown)."""
    found = TRAILER.search(line)
    if found is None:
        return line, None
    kind = Trailer.STOREDRV if found.group("storedrv") else Trailer.FRONTEND
    return line[: found.start()], kind


def rendered(row: Published) -> list[str]:
    """The entry's wire lines for the row's values, without the lab's trailer, cut to what the
    source shows (a source that prints no code, or no code and no enhanced code)."""
    entry = replace(catalog.by_id(row.reply_id), trailer=Trailer.NONE)
    lines = _renderer().lines(entry, **row.params)
    first = row.line.split("\n")[0]
    if not CODE.match(first):
        lines[0] = lines[0][4:]
        if not ENHANCED.match(first) and entry.enhanced:
            lines[0] = lines[0][len(entry.enhanced) + 1 :]
    return lines


def published_lines(row: Published) -> tuple[list[str], Trailer | None]:
    *lines, last = row.line.split("\n")
    if lines:  # EHLO: the trailer-free multi-line reply
        return [*lines, last], None
    text, kind = split_trailer(last)
    return [text], kind


EXACT = [row for row in PUBLISHED if not row.deviation]
DEVIATIONS = [row for row in PUBLISHED if row.deviation]


def _id(row: Published) -> str:
    return f"{row.reply_id}:{row.line[:24]}"


@pytest.mark.parametrize("row", EXACT, ids=_id)
def test_the_catalog_renders_the_published_line(row: Published) -> None:
    lines, kind = published_lines(row)
    assert rendered(row) == lines
    entry = catalog.by_id(row.reply_id)
    if kind is not None:  # a source that prints no trailer may simply have cut it
        assert entry.trailer is kind


@pytest.mark.parametrize("row", DEVIATIONS, ids=_id)
def test_a_deviation_is_real_and_written_in_the_entry(row: Published) -> None:
    lines, _ = published_lines(row)
    assert rendered(row) != lines, "the lab now matches: move the row to the exact ones"
    assert row.deviation in catalog.by_id(row.reply_id).note


@pytest.mark.parametrize("row", PUBLISHED, ids=_id)
def test_each_row_cites_a_public_source_and_a_real_entry(row: Published) -> None:
    assert row.source.startswith("https://")
    entry: Reply = catalog.by_id(row.reply_id)
    # a CONFIRMED line may stand behind a LIKELY entry (its stage or prefix inferred), never
    # behind a CHOSEN one; a LIKELY line never makes its entry CONFIRMED
    assert entry.certainty is not Certainty.CHOSEN or row.certainty is LIKELY
    if row.certainty is LIKELY:
        assert entry.certainty is not CONFIRMED or row.reply_id == "auth.unrecognized"


def test_every_confirmed_wire_entry_is_audited_against_a_published_line() -> None:
    audited = {row.reply_id for row in PUBLISHED}
    confirmed = {r.id for r in catalog.all_replies() if r.certainty is CONFIRMED}
    # ndr.mailbox_full quotes an NDR kept only on a paste site, not a wire reply
    assert confirmed - audited == {"ndr.mailbox_full"}


@pytest.mark.parametrize("gap", catalog.NOT_MODELLED + catalog.WIRE_DEVIATIONS)
def test_every_gap_gives_its_source_and_reason(gap: Gap) -> None:
    assert gap.reply and gap.reason and gap.source
    assert gap.certainty in (CONFIRMED, LIKELY)


def test_the_audit_counts() -> None:
    """The figures the reference page and the changelog quote."""
    confirmed = [row for row in PUBLISHED if row.certainty is CONFIRMED]
    likely = [row for row in PUBLISHED if row.certainty is LIKELY]
    assert (len(confirmed), len([r for r in confirmed if r.deviation])) == (70, 7)
    assert (len(likely), len([r for r in likely if r.deviation])) == (11, 1)
    assert len([g for g in catalog.NOT_MODELLED if g.certainty is CONFIRMED]) == 7
