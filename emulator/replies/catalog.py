"""The one catalog of every reply exolab sends.

Each entry carries the wire text, the stage, the public source it stands on
and how sure we are (CONFIRMED: seen in a public source; LIKELY: inferred
from one; CHOSEN: no public source, our pick, named as such). No reply text may
appear anywhere else in emulator/: policy verdicts name an entry, the SMTP
adapters render it. ``docs/reference/replies.md`` is generated from here.
"""

from __future__ import annotations

from exolab.emulator.replies.model import Certainty, Gap, Reply, Stage, Trailer

C, L, X = Certainty.CONFIRMED, Certainty.LIKELY, Certainty.CHOSEN
FE, SD = Trailer.FRONTEND, Trailer.STOREDRV

# Sources ---------------------------------------------------------------------
MFD_DOC = "https://learn.microsoft.com/en-us/exchange/mail-flow-best-practices/how-to-set-up-a-multifunction-device-or-application-to-send-email-using-microsoft-365-or-office-365"
FIX_DOC = "https://learn.microsoft.com/exchange/mail-flow-best-practices/fix-issues-with-printers-scanners-and-lob-applications-that-send-email-using-off"
LEGACY_TLS_DOC = "https://learn.microsoft.com/en-us/exchange/clients-and-mobile-in-exchange-online/opt-in-exchange-online-endpoint-for-legacy-tls-using-smtp-auth"
SUBMISSION_DOC = "https://learn.microsoft.com/en-us/exchange/troubleshoot/send-emails/smtp-submission-improvements"
RETIRE_BLOG = "https://techcommunity.microsoft.com/t5/exchange-team-blog/exchange-online-to-retire-basic-auth-for-client-submission-smtp/ba-p/4114750"
DIRECT_SEND_BLOG = "https://techcommunity.microsoft.com/blog/exchange/introducing-more-control-over-direct-send-in-exchange-online/4408790"
NDR_DOC = "https://learn.microsoft.com/en-us/troubleshoot/exchange/email-delivery/ndr/non-delivery-reports-in-exchange-online"
MAILKIT_1770 = "https://github.com/jstedfast/MailKit/issues/1770"
PHPMAILER_2647 = "https://github.com/PHPMailer/PHPMailer/issues/2647"
MAILKIT_904 = "https://github.com/jstedfast/MailKit/issues/904"
NETTE_71 = "https://github.com/nette/mail/issues/71"
OAUTH2PROXY_232 = "https://github.com/simonrob/email-oauth2-proxy/issues/232"
OAUTH2PROXY_193 = "https://github.com/simonrob/email-oauth2-proxy/issues/193"
HARAKA_1965 = "https://github.com/haraka/Haraka/issues/1965"
HARAKA_2321 = "https://github.com/haraka/Haraka/issues/2321"
DATATRACKER_5888 = "https://github.com/ietf-tools/datatracker/pull/5888"
RFC4954_SASL = "https://www.rfc-editor.org/rfc/rfc4954#section-6"
RFC3463_CODES = "https://www.rfc-editor.org/rfc/rfc3463#section-3.4"
OAUTH_SMTP_DOC = "https://learn.microsoft.com/en-us/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth"
MX_EHLO_CAPTURE = "https://github.com/maxsptz/emailpyspam/issues/23"
WRONG_PASSWORD_139 = "https://github.com/codassassin/email-bomber-v2.0/issues/1"
CONDITIONAL_ACCESS_CAPTURE = "https://github.com/gophish/gophish/issues/3220"
EOD_OK_CAPTURES = (
    "https://github.com/search?q=%22250+2.0.0+OK%22+%22Hostname%3D%22+PROD.OUTLOOK.COM&type=code"
)
MULTI_GEO_DOC = "https://learn.microsoft.com/en-us/microsoft-365/enterprise/configure-multi-geo-in-region-routing"

# Connection and greeting -----------------------------------------------------
BANNER = Reply(
    "connect.banner",
    220,
    None,
    "{host} Microsoft ESMTP MAIL Service ready at {date}",
    Stage.CONNECT,
    f"{FIX_DOC} ; {MAILKIT_1770}",
    C,
    note="Day of month not zero-padded; RFC 1123 date, +0000.",
)
EHLO_SUBMISSION_PLAIN = Reply(
    "ehlo.submission.plain",
    250,
    None,
    "{host} Hello [{client_ip}]",
    Stage.EHLO,
    f"{MAILKIT_1770} ; {PHPMAILER_2647}",
    C,
    lines=(
        "SIZE {size}",
        "PIPELINING",
        "DSN",
        "ENHANCEDSTATUSCODES",
        "STARTTLS",
        "8BITMIME",
        "BINARYMIME",
        "CHUNKING",
        "SMTPUTF8",
    ),
    note="No AUTH before TLS.",
)
EHLO_SUBMISSION_TLS = Reply(
    "ehlo.submission.tls",
    250,
    None,
    "{host} Hello [{client_ip}]",
    Stage.EHLO,
    f"{MAILKIT_1770} ; {PHPMAILER_2647}",
    C,
    lines=(
        "SIZE {size}",
        "PIPELINING",
        "DSN",
        "ENHANCEDSTATUSCODES",
        "AUTH LOGIN XOAUTH2",
        "8BITMIME",
        "BINARYMIME",
        "CHUNKING",
        "SMTPUTF8",
    ),
    note="STARTTLS drops out; AUTH LOGIN XOAUTH2 comes right after ENHANCEDSTATUSCODES.",
)
EHLO_MX_PLAIN = Reply(
    "ehlo.mx.plain",
    250,
    None,
    "{host} Hello [{client_ip}]",
    Stage.EHLO,
    f"{DATATRACKER_5888} ; {NETTE_71}",
    C,
    lines=(
        "SIZE {size}",
        "PIPELINING",
        "DSN",
        "ENHANCEDSTATUSCODES",
        "STARTTLS",
        "8BITMIME",
        "BINARYMIME",
        "CHUNKING",
        "SMTPUTF8",
    ),
)
EHLO_MX_TLS = Reply(
    "ehlo.mx.tls",
    250,
    None,
    "{host} Hello [{client_ip}]",
    Stage.EHLO,
    MX_EHLO_CAPTURE,
    L,
    lines=(
        "SIZE {size}",
        "PIPELINING",
        "DSN",
        "ENHANCEDSTATUSCODES",
        "8BITMIME",
        "BINARYMIME",
        "CHUNKING",
        "SMTPUTF8",
    ),
    note="Not seen: the plaintext list minus STARTTLS.",
)
HELO = Reply(
    "helo",
    250,
    None,
    "{host} Hello [{client_ip}]",
    Stage.EHLO,
    OAUTH2PROXY_232,
    L,
    note="HELO gets no extension list, so no AUTH is offered.",
)
HELLO_FIRST = Reply(
    "sequence.hello_first",
    503,
    "5.5.2",
    "Send hello first",
    Stage.ANY,
    NETTE_71,
    C,
    FE,
)

# STARTTLS ----------------------------------------------------------------------
STARTTLS_READY = Reply(
    "starttls.ready",
    220,
    "2.0.0",
    "SMTP server ready",
    Stage.STARTTLS,
    f"{MAILKIT_1770} ; {PHPMAILER_2647}",
    C,
)

# AUTH ----------------------------------------------------------------------------
AUTH_LOGIN_USERNAME = Reply(
    "auth.login.username",
    334,
    None,
    "VXNlcm5hbWU6",
    Stage.AUTH,
    PHPMAILER_2647,
    C,
    note="base64 'Username:'; strict firmware (Xerox) quits on any other prompt.",
)
AUTH_LOGIN_PASSWORD = Reply(
    "auth.login.password",
    334,
    None,
    "UGFzc3dvcmQ6",
    Stage.AUTH,
    PHPMAILER_2647,
    C,
)
AUTH_XOAUTH2_CONTINUE = Reply(
    "auth.xoauth2.continue",
    334,
    None,
    "",
    Stage.AUTH,
    f"https://www.rfc-editor.org/rfc/rfc4954#section-4 ; {OAUTH_SMTP_DOC}",
    X,
    note="Empty challenge when AUTH XOAUTH2 comes without an initial response.",
)
AUTH_SUCCESS = Reply(
    "auth.success",
    235,
    "2.7.0",
    "Authentication successful",
    Stage.AUTH,
    RFC4954_SASL,
    L,
)
AUTH_UNRECOGNIZED = Reply(
    "auth.unrecognized",
    504,
    "5.7.4",
    "Unrecognized authentication type",
    Stage.AUTH,
    "https://github.com/mattermost/mattermost/issues/954 ; https://github.com/binwiederhier/ntfy/issues/1020",
    C,
    FE,
    note="AUTH PLAIN, AUTH before STARTTLS (LIKELY), and any AUTH on the MX.",
)
AUTH_FAILED = Reply(
    "auth.failed",
    535,
    "5.7.3",
    "Authentication unsuccessful",
    Stage.AUTH,
    f"{FIX_DOC} ; https://github.com/jstedfast/MailKit/issues/700",
    C,
    FE,
    note="Wrong password; unlicensed or shared mailbox; every bad XOAUTH2 token.",
)
AUTH_BAD_CREDENTIALS = Reply(
    "auth.bad_credentials",
    535,
    "5.7.139",
    "Authentication unsuccessful, the user credentials were incorrect.",
    Stage.AUTH,
    WRONG_PASSWORD_139,
    L,
    FE,
    note="Newer wording for a wrong password (Lab.WrongPasswordReply = 5.7.139).",
)
AUTH_DISABLED_TENANT = Reply(
    "auth.disabled.tenant",
    535,
    "5.7.139",
    "Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. "
    "Visit https://aka.ms/smtp_auth_disabled for more information.",
    Stage.AUTH,
    f"{OAUTH2PROXY_193} ; https://github.com/nodemailer/nodemailer/issues/1484",
    C,
    FE,
)
AUTH_DISABLED_MAILBOX = Reply(
    "auth.disabled.mailbox",
    535,
    "5.7.139",
    "Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox. "
    "Visit https://aka.ms/smtp_auth_disabled for more information.",
    Stage.AUTH,
    f"{OAUTH2PROXY_193} (the Tenant variant) ; https://aka.ms/smtp_auth_disabled",
    L,
    FE,
    note="By analogy with the Tenant variant (third-party tables).",
)
AUTH_SECURITY_DEFAULTS = Reply(
    "auth.security_defaults",
    535,
    "5.7.139",
    "Authentication unsuccessful, user is locked by your organization's security defaults "
    "policy. Contact your administrator.",
    Stage.AUTH,
    MFD_DOC,
    C,
    FE,
)
AUTH_CONDITIONAL_ACCESS = Reply(
    "auth.conditional_access",
    535,
    "5.7.139",
    "Authentication unsuccessful, the request did not meet the criteria to be authenticated "
    "successfully. Contact your administrator.",
    Stage.AUTH,
    f"{FIX_DOC} ; {CONDITIONAL_ACCESS_CAPTURE}",
    C,
    FE,
)
AUTH_ACCOUNT_LOCKED = Reply(
    "auth.account_locked",
    535,
    "5.7.139",
    "Authentication unsuccessful, the request did not meet the criteria to be authenticated "
    "successfully. Contact your administrator.",
    Stage.AUTH,
    "https://learn.microsoft.com/en-us/entra/identity/authentication/howto-password-smart-lockout"
    " ; https://github.com/AzureAD/microsoft-authentication-library-for-python/issues/211",
    X,
    FE,
    note="Entra ID smart lockout (AADSTS50053 on the token endpoint). No public source shows "
    "what SMTP AUTH says for a locked account: CHOSEN is Exchange's existing 5.7.139 text for "
    "a sign-in Entra ID refused on its own grounds rather than for a wrong password.",
)
AUTH_BASIC_DISABLED = Reply(
    "auth.basic_disabled",
    535,
    "5.7.139",
    "Authentication unsuccessful, basic authentication is disabled.",
    Stage.AUTH,
    "https://github.com/nodemailer/nodemailer/issues/1714",
    C,
    FE,
    note="An authentication policy with AllowBasicAuthSmtp = false.",
)
AUTH_BASIC_RETIRED = Reply(
    "auth.basic_retired",
    550,
    "5.7.30",
    "Basic authentication is not supported for Client Submission.",
    Stage.AUTH,
    RETIRE_BLOG,
    C,
    FE,
    note="Text CONFIRMED; the stage (AUTH) is CHOSEN. The lab sends it for the final removal "
    "(BasicAuthRetirement.RemovedFrom), and for the default-off phase only when "
    "BasicAuthRetirement.DefaultOffReply = 5.7.30.",
)
AUTH_BASIC_DEFAULT_OFF = Reply(
    "auth.basic_default_off",
    535,
    "5.7.139",
    "Authentication unsuccessful, basic authentication is disabled.",
    Stage.AUTH,
    "https://github.com/nodemailer/nodemailer/issues/1714 ; "
    "https://techcommunity.microsoft.com/blog/exchange/updated-exchange-online-smtp-auth-basic-authentication-deprecation-timeline/4489835",
    X,
    FE,
    note="Microsoft has not published what a device sees once basic SMTP AUTH is off by default "
    "(from the end of December 2026, not re-enabled). CHOSEN: the CONFIRMED text Exchange sends "
    "today when a policy blocks basic auth (auth.basic_disabled); BasicAuthRetirement."
    "DefaultOffReply = 5.7.30 picks the final-removal reply instead.",
)
AUTH_LEGACY_TLS = Reply(
    "auth.legacy_tls",
    421,
    "4.7.66",
    "TLS 1.0 and 1.1 are not supported. Please upgrade/update your client to support TLS 1.2. "
    "Visit https://aka.ms/smtp_auth_tls.",
    Stage.AUTH,
    "https://github.com/DSpace/DSpace/issues/8123 ; https://github.com/zehm/sendEmail/issues/1",
    C,
    FE,
    close=True,
    note="Text CONFIRMED; stage AUTH LIKELY. The connection is closed.",
)
AUTH_LEGACY_TLS_NOT_OPTED_IN = Reply(
    "auth.legacy_tls.not_opted_in",
    535,
    "5.7.67",
    "TLS 1.0 and 1.1 are not supported by your organization",
    Stage.AUTH,
    f"{LEGACY_TLS_DOC} ; AlchemyInsights 'legacy-endpoint-for-smtp-auth' (de-DE)",
    X,
    FE,
    note="Enhanced code CONFIRMED; English text back-translated; the basic code is UNKNOWN "
    "(Lab.LegacyTlsReplyCode chooses 421, 535 or 550; default 535).",
)
AUTH_ALREADY = Reply(
    "auth.already",
    503,
    "5.5.2",
    "Already authenticated",
    Stage.AUTH,
    "RFC 4954 section 4",
    X,
    FE,
)
AUTH_CANCELLED = Reply(
    "auth.cancelled",
    501,
    "5.7.0",
    "Authentication cancelled",
    Stage.AUTH,
    "RFC 4954 section 4",
    X,
    FE,
    note="Client answered a 334 with '*'. RFC 4954 requires 501.",
)
AUTH_BAD_BASE64 = Reply(
    "auth.bad_base64",
    501,
    "5.5.2",
    "Cannot Base64-decode Client responses",
    Stage.AUTH,
    "RFC 4954 section 4",
    X,
    FE,
    note="Exchange Server on-premises wording; EXO's is UNKNOWN.",
)

# MAIL ------------------------------------------------------------------------------
MAIL_OK = Reply("mail.ok", 250, "2.1.0", "Sender OK", Stage.MAIL, DATATRACKER_5888, C)
MAIL_NOT_AUTHENTICATED = Reply(
    "mail.not_authenticated",
    530,
    "5.7.57",
    "Client not authenticated to send mail.{last_error}",
    Stage.MAIL,
    "https://github.com/tarickb/sasl-xoauth2/issues/96 ; "
    "https://github.com/MicrosoftDocs/OfficeDocs-Exchange/issues/3124",
    C,
    FE,
    note="After a failed AUTH the last AUTH error is appended: ' Error: 535 5.7.139 …'.",
)
MAIL_SEND_AS_DENIED = Reply(
    "mail.send_as_denied",
    550,
    "5.7.60",
    "SMTP; Client does not have permissions to send as this sender",
    Stage.MAIL,
    FIX_DOC,
    C,
    FE,
    note="Text CONFIRMED; stage MAIL LIKELY.",
)
MAIL_BAD_OUTBOUND_SENDER = Reply(
    "mail.bad_outbound_sender",
    550,
    "5.1.8",
    "Access denied, bad outbound sender",
    Stage.MAIL,
    f"{FIX_DOC} ; {NDR_DOC}",
    C,
    FE,
    note="Text CONFIRMED (the NDR table's); the printer guide shortens it to '550 5.1.8 Bad "
    "outbound sender'. Stage MAIL CHOSEN.",
)
MAIL_SIZE_EXCEEDED = Reply(
    "mail.size_exceeded",
    552,
    "5.3.4",
    "Message size exceeds fixed maximum message size",
    Stage.MAIL,
    "https://industrialmonitordirect.com/es/blogs/knowledgebase/resolving-ignition-552-534-email-attachment-size-limit-errors",
    L,
    FE,
    note="For MAIL FROM SIZE= above the advertised SIZE.",
)
MAIL_NESTED = Reply(
    "mail.nested",
    503,
    "5.5.2",
    "Sender already specified",
    Stage.MAIL,
    "RFC 5321 section 4.1.1.2",
    X,
    FE,
)
MAIL_SYNTAX = Reply(
    "syntax.arguments",
    501,
    "5.5.4",
    "Invalid arguments",
    Stage.ANY,
    "RFC 5321 section 4.2.2",
    X,
    FE,
    note="Exchange Server on-premises wording; EXO's is UNKNOWN.",
)

# RCPT ------------------------------------------------------------------------------
RCPT_OK = Reply("rcpt.ok", 250, "2.1.5", "Recipient OK", Stage.RCPT, DATATRACKER_5888, C)
RCPT_NEED_MAIL = Reply(
    "rcpt.need_mail",
    503,
    "5.5.2",
    "Need mail command",
    Stage.RCPT,
    "RFC 5321 section 4.1.4",
    X,
    FE,
)
RCPT_TOO_MANY = Reply(
    "rcpt.too_many",
    452,
    "4.5.3",
    "Too many recipients",
    Stage.RCPT,
    "RFC 5321 section 4.5.3.1.8",
    X,
    FE,
    note="The limit (1,000) is CONFIRMED; the reply is UNKNOWN.",
)
RCPT_RELAY_DENIED = Reply(
    "rcpt.relay_denied",
    550,
    "5.7.64",
    "TenantAttribution; Relay Access Denied",
    Stage.RCPT,
    FIX_DOC,
    C,
    FE,
)
RCPT_DBEB = Reply(
    "rcpt.dbeb",
    550,
    "5.4.1",
    "Recipient address rejected: Access denied. AS(201806281)",
    Stage.RCPT,
    f"https://github.com/maxsptz/emailpyspam/issues/23 ; {NDR_DOC}",
    C,
    FE,
)
RCPT_REJECT_DIRECT_SEND = Reply(
    "rcpt.reject_direct_send",
    550,
    "5.7.68",
    "TenantInboundAttribution; Direct Send not allowed for this organization from unauthorized sources",
    Stage.RCPT,
    f"{DIRECT_SEND_BLOG} ; https://maester.dev/docs/tests/MT.1062",
    C,
    FE,
    note="Text CONFIRMED; stage RCPT LIKELY.",
)
RCPT_BANNED_IP = Reply(
    "rcpt.banned_ip",
    550,
    "5.7.606",
    "Access denied, banned sending IP [{client_ip}]. To request removal from this list please visit "
    "https://sender.office.com/ and follow the directions. For more information please go to "
    "http://go.microsoft.com/fwlink/?LinkID=526655 (AS16012609)",
    Stage.RCPT,
    "https://github.com/JamBrain/JamBrain/issues/271 ; https://github.com/MicrosoftDocs/microsoft-365-docs/issues/5911",
    C,
    FE,
    note="Text and stage CONFIRMED. Deviation: newer logs end 'AS(1430)' instead of "
    "'(AS16012609)', and the NDR table spreads the ban over 5.7.606-5.7.649; which list id "
    "and code a given IP gets is not published, so the lab sends this one, the fullest "
    "published line, for every IP on Blocklist.BannedSendingIps.",
)
MAIL_BAD_HELO = Reply(
    "mail.bad_helo",
    550,
    "5.7.506",
    "Access Denied, Bad HELO",
    Stage.MAIL,
    NDR_DOC,
    C,
    FE,
    note="Text CONFIRMED (the NDR table: a HELO that uses the receiving server's own name); the "
    "stage is UNKNOWN: CHOSEN at MAIL FROM on the MX, for an EHLO/HELO naming the MX host or "
    "any name under outlook.com.",
)

# DATA / BDAT / end of data ---------------------------------------------------------------
DATA_START = Reply(
    "data.start",
    354,
    None,
    "Start mail input; end with <CRLF>.<CRLF>",
    Stage.DATA,
    HARAKA_1965,
    C,
)
DATA_NEED_RCPT = Reply(
    "data.need_rcpt",
    503,
    "5.5.2",
    "Need rcpt command",
    Stage.DATA,
    "RFC 5321 section 4.1.4",
    X,
    FE,
)
DATA_THREAD_LIMIT = Reply(
    "data.sender_thread_limit",
    432,
    "4.3.2",
    "STOREDRV.ClientSubmit; sender thread limit exceeded",
    Stage.DATA,
    f"{SUBMISSION_DOC} ; https://github.com/timeoff-management/timeoff-management-application/issues/308",
    C,
    SD,
    note="The fourth concurrent connection for one mailbox.",
)
BDAT_OK = Reply(
    "bdat.ok",
    250,
    "2.0.0",
    "{size} bytes received",
    Stage.DATA,
    "RFC 3030 section 2",
    X,
    note="Reply to a non-last BDAT chunk; EXO's wording is UNKNOWN.",
)
EOD_SUBMITTED = Reply(
    "eod.submitted",
    250,
    "2.0.0",
    "OK <{message_id}>",
    Stage.EOD,
    EOD_OK_CAPTURES,
    C,
    SD,
)
EOD_QUEUED = Reply(
    "eod.queued",
    250,
    "2.6.0",
    "<{message_id}> [InternalId={internal_id}, Hostname={mailbox_host}] {size} bytes in {seconds}, "
    "{rate} KB/sec Queued mail for delivery",
    Stage.EOD,
    HARAKA_1965,
    C,
)
EOD_SEND_AS_DENIED = Reply(
    "eod.send_as_denied",
    554,
    "5.2.252",
    "SendAsDenied; {user} not allowed to send as {sender}; "
    "STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; Failed to process "
    "message due to a permanent exception with message [BeginDiagnosticData]Cannot submit message.",
    Stage.EOD,
    "https://github.com/gophish/gophish/issues/2900 ; https://github.com/FusionAuth/fusionauth-issues/issues/220",
    L,
    SD,
    note="5.2.252 format seen on outlook.com; on business tenants LIKELY. Deviation: the "
    "published reply goes on after 'Cannot submit message.' with a diagnostic list "
    "('0.35250:…, 1.36674:…') whose values vary per server; the lab ends at the full stop "
    "(the classic sibling carries a copied list).",
)
EOD_QUOTA_EXCEEDED = Reply(
    "eod.submission_quota",
    554,
    "5.2.0",
    "STOREDRV.Submission.Exception:SubmissionQuotaExceededException",
    Stage.EOD,
    f"{SUBMISSION_DOC} ; https://github.com/MicrosoftDocs/OfficeDocs-Exchange/issues/2729",
    C,
    SD,
    note="10,000 recipients in a 24-hour sliding window.",
)
EOD_MAX_SEND_SIZE = Reply(
    "eod.max_send_size",
    554,
    "5.2.0",
    "MapiExceptionMaxSubmissionExceeded; Message size exceeds maximum size limit.; "
    "STOREDRV.Submission.Exception:MessageSubmissionExceededException.MapiExceptionMaxSubmissionExceeded; "
    "Failed to process message due to a permanent exception with message [BeginDiagnosticData]"
    "Cannot save changes made to an item to store.",
    Stage.EOD,
    "https://github.com/pankleks/pm2-health/issues/52",
    L,
    SD,
    note="Text CONFIRMED as published (a client's log of smtp-mail.outlook.com, which shows the "
    "reply from 'MapiExceptionMaxSubmissionExceeded;' on); the 554 5.2.0 prefix LIKELY; "
    "whatever the reply carries before that first word is unpublished and left out.",
)
EOD_MESSAGE_TOO_BIG = Reply(
    "eod.size_exceeded",
    552,
    "5.3.4",
    "Message size exceeds fixed maximum message size",
    Stage.EOD,
    f"{RFC3463_CODES} ; {MAILKIT_904} (the header-size sibling)",
    L,
    FE,
    note="Over the advertised SIZE without a SIZE= parameter.",
)
EOD_FROM_INVALID = Reply(
    "eod.from_invalid",
    550,
    "5.7.512",
    "Access denied, message must be RFC 5322 section 3.6.2 compliant",
    Stage.EOD,
    f"{NDR_DOC} ; {SUBMISSION_DOC}",
    C,
    FE,
    note="Text CONFIRMED; stage EOD CHOSEN. Submission, MX and HVE: no From field, more than one, or "
    "a From without a local@domain address (a bare name such as 'Scanner'). Checked after the "
    "size checks and before Send As (a From that is no address cannot be judged for Send As).",
)
EOD_HEADER_TOO_BIG = Reply(
    "eod.header_size_exceeded",
    552,
    "5.3.4",
    "Header size exceeds fixed maximum size",
    Stage.EOD,
    f"{MAILKIT_904} ; "
    "https://learn.microsoft.com/en-us/office365/servicedescriptions/exchange-online-service-description/exchange-online-limits#message-limits",
    C,
    FE,
    note="Text and stage CONFIRMED (a real smtp.office365.com log, RSET then 250 2.0.0 "
    "Resetting). The limit Limits.MaxHeaderSize = 256 KB is LIKELY (the limits page); the MX "
    "and HVE apply the same limit (CHOSEN).",
)
EOD_MAILBOX_FULL = Reply(
    "eod.mailbox_full",
    554,
    "5.2.2",
    "mailbox full; STOREDRV.Submission.Exception:QuotaExceededException.MapiExceptionQuotaExceeded",
    Stage.EOD,
    SUBMISSION_DOC,
    C,
    SD,
    note="Text CONFIRMED (the Sent Items copy cannot be saved); stage EOD LIKELY. Sent when the "
    "mailbox's TotalItemSize is at or over its ProhibitSendQuota. The sibling "
    "...MapiExceptionShutoffQuotaExceeded (ProhibitSendReceiveQuota) is not modelled.",
)

# Session ---------------------------------------------------------------------------------
RSET = Reply("rset", 250, "2.0.0", "Resetting", Stage.ANY, MAILKIT_904, C)
NOOP = Reply("noop", 250, "2.0.0", "OK", Stage.ANY, "RFC 5321 section 4.1.1.9", X)
QUIT = Reply(
    "quit",
    221,
    "2.0.0",
    "Service closing transmission channel",
    Stage.ANY,
    NETTE_71,
    C,
    close=True,
)
UNRECOGNIZED = Reply(
    "command.unrecognized",
    500,
    "5.3.3",
    "Unrecognized command '{verb}'",
    Stage.ANY,
    f"{OAUTH2PROXY_232} ; https://github.com/simonrob/email-oauth2-proxy/issues/234",
    C,
    FE,
    note="Sent after a tarpit (about 5 s in real logs; Lab.UnknownCommandDelay). Binary junk is quoted as 'unknown'.",
)
IDLE_TIMEOUT = Reply(
    "session.timeout",
    421,
    "4.4.1",
    "Connection timed out. Total session duration: {duration}",
    Stage.ANY,
    HARAKA_2321,
    L,
    close=True,
    note="The total-session cut (Limits.ConnectionTimeout, about 20 minutes seen on the MX) "
    "and the slow-body cut (Lab.MinDataRate). A silent client gets session.idle_timeout.",
)
INACTIVITY_TIMEOUT = Reply(
    "session.idle_timeout",
    421,
    "4.4.1",
    "Connection timed out",
    Stage.ANY,
    "https://github.com/jstedfast/MailKit/issues/453 ; https://github.com/foxcpp/maddy/issues/693",
    X,
    close=True,
    note="Microsoft publishes no idle-timeout reply. '4.4.1 Connection timed out' is what an "
    "Exchange server answered a client in a MailKit report, without the total-session "
    "duration the 20-minute cut appends; code 421 and its use for silence are our choice. "
    "Sent after Lab.IdleTimeout seconds without a command (an idle Office 365 connection "
    "was seen dropped after about 5 minutes; the lab's default is 10).",
)

CONNECTION_LIMIT_SOURCE = Reply(
    "session.connection_limit.source",
    421,
    "4.3.2",
    "The maximum number of concurrent connections has exceeded a limit, closing transmission "
    "channel",
    Stage.CONNECT,
    "https://learn.microsoft.com/en-us/powershell/module/exchange/set-receiveconnector",
    X,
    FE,
    close=True,
    note="Exchange Server on-premises wording (MaxInboundConnectionPerSource); EXO's per-source "
    "limit and reply are UNKNOWN. Sent instead of the banner (Limits.MaxInboundConnectionPerSource).",
)
CONNECTION_LIMIT_TOTAL = Reply(
    "session.connection_limit.total",
    421,
    "4.3.2",
    "Service not available, closing transmission channel",
    Stage.CONNECT,
    "RFC 5321 section 3.8 ; https://learn.microsoft.com/en-us/powershell/module/exchange/set-receiveconnector",
    X,
    FE,
    close=True,
    note="Exchange Server on-premises wording (MaxInboundConnection); EXO's is UNKNOWN. Sent "
    "instead of the banner when the lab holds Limits.MaxInboundConnection connections.",
)


# Protocol corners with no public Exchange Online source ---------
TOO_MANY_ERRORS = Reply(
    "session.too_many_errors",
    421,
    "4.7.0",
    "Too many errors on this connection, closing transmission channel",
    Stage.ANY,
    "Exchange Server on-premises wording (no EXO source)",
    X,
    FE,
    close=True,
    note="EXO's error threshold and reply are UNKNOWN (spec 7); sent after 5 unrecognized commands.",
)
INTERNAL_ERROR = Reply(
    "session.temporary_error",
    451,
    "4.3.2",
    "Temporary server error. Please try again later",
    Stage.ANY,
    f"{MULTI_GEO_DOC} (the ATTR55 variant)",
    L,
    FE,
    note="Sent when the lab itself fails on a command; the session log holds the cause.",
)
STORE_FULL = Reply(
    "data.insufficient_storage",
    452,
    "4.3.1",
    "Insufficient system resources",
    Stage.EOD,
    "RFC 5321 section 4.2.2 (452: insufficient system storage) ; RFC 3463 section 3.4 "
    "(X.3.1 mail system full) ; https://learn.microsoft.com/en-us/exchange/mail-flow/back-pressure"
    " ; http://woshub.com/exchange-error-452-4-3-1-insufficient-system-resources/",
    L,
    FE,
    note="Sent when the lab's store is full (disk or size limit): nothing of the message was "
    "kept, the client should retry. Exchange Server's back-pressure wording; Postfix says "
    "'Insufficient system storage' for the same code. What EXO sends is unpublished.",
)
STARTTLS_ALREADY = Reply(
    "starttls.already",
    503,
    "5.5.2",
    "TLS already active",
    Stage.STARTTLS,
    "RFC 3207 section 4.2",
    X,
    FE,
    note="STARTTLS is not advertised after TLS; EXO's reply to a second STARTTLS is UNKNOWN.",
)
VRFY_CANNOT = Reply(
    "vrfy.cannot",
    252,
    "2.1.5",
    "Cannot VRFY user",
    Stage.ANY,
    "RFC 5321 section 3.5.3",
    X,
    note="Exchange Server on-premises wording; EXO's is UNKNOWN.",
)
HELP = Reply(
    "help",
    214,
    None,
    "This server supports the following commands:",
    Stage.ANY,
    "RFC 5321 section 4.1.1.8",
    X,
    lines=("HELO EHLO STARTTLS RCPT DATA RSET MAIL QUIT HELP AUTH BDAT",),
    note="Exchange Server on-premises wording; EXO's is UNKNOWN.",
)
BDAT_SEQUENCE = Reply(
    "bdat.sequence",
    503,
    "5.5.1",
    "Bad sequence of commands",
    Stage.DATA,
    "RFC 3030 section 2",
    X,
    FE,
    note="DATA after BDAT, or BDAT after a failed chunk; EXO's wording is UNKNOWN.",
)


# High Volume Email (smtp.hve.mx.microsoft, smtp-hve.office365.com) ------------------------
HVE_TROUBLESHOOT_DOC = "https://learn.microsoft.com/en-us/exchange/mail-flow-best-practices/troubleshoot-high-volume-email-m365"
HVE_OAUTH_DOC = "https://learn.microsoft.com/en-ca/exchange/mail-flow-best-practices/oauth-high-volume-mails-m365"
HVE_DOC = (
    "https://learn.microsoft.com/en-us/exchange/mail-flow-best-practices/high-volume-mails-m365"
)
HVE_BILLING_DOC = "https://learn.microsoft.com/en-my/powershell/module/exchangepowershell/get-hveaccountbillingpolicy?view=exchange-ps"
HVE_PETRI = "https://petri.com/high-volume-email-delivery-internal-recipients/"

HVE_AUTH_FAILED = Reply(
    "hve.auth_failed",
    535,
    "5.7.3",
    "Authentication unsuccessful",
    Stage.AUTH,
    HVE_TROUBLESHOOT_DOC,
    C,
    FE,
    note="A wrong password or unknown HVE account.",
)
HVE_AUTH_ORG_CONFIG = Reply(
    "hve.auth_org_config",
    535,
    "5.7.139",
    "Authentication unsuccessful, the organization configuration doesn't allow this "
    "authentication request.",
    Stage.AUTH,
    HVE_TROUBLESHOOT_DOC,
    C,
    FE,
    note="Security defaults on, or AllowBasicAuthSmtp off in the account's authentication "
    "policy. Which of the two gets this text and which 5.7.3 is UNKNOWN: the lab gives this one.",
)
HVE_BASIC_RETIRED = Reply(
    "hve.basic_retired",
    535,
    "5.7.139",
    "Authentication unsuccessful, basic authentication is disabled.",
    Stage.AUTH,
    f"{HVE_PETRI} (basic auth for HVE until September 2028)",
    X,
    FE,
    note="No reply is published for HVE basic auth after its end date: CHOSEN is the "
    "reply Exchange gives today when a policy blocks basic SMTP AUTH.",
)
HVE_XOAUTH2_BASE64 = Reply(
    "hve.xoauth2.base64",
    501,
    "5.5.121",
    "Invalid XOAUTH2 argument: the response is not valid base64",
    Stage.AUTH,
    HVE_OAUTH_DOC,
    L,
    FE,
    note="Codes 5.5.121-5.5.126 from a summary of the HVE OAuth page (LIKELY); the order of "
    "the argument checks and the wording after 'Invalid XOAUTH2 argument' are CHOSEN.",
)
HVE_XOAUTH2_FORMAT = Reply(
    "hve.xoauth2.format",
    501,
    "5.5.122",
    "Invalid XOAUTH2 argument: expected user=...^Aauth=Bearer ...^A^A",
    Stage.AUTH,
    HVE_OAUTH_DOC,
    L,
    FE,
    note="Wording after the code CHOSEN (see hve.xoauth2.base64).",
)
HVE_XOAUTH2_NO_USER = Reply(
    "hve.xoauth2.no_user",
    501,
    "5.5.123",
    "Invalid XOAUTH2 argument: user is missing",
    Stage.AUTH,
    HVE_OAUTH_DOC,
    L,
    FE,
    note="Wording after the code CHOSEN (see hve.xoauth2.base64).",
)
HVE_XOAUTH2_NO_AUTH = Reply(
    "hve.xoauth2.no_auth",
    501,
    "5.5.124",
    "Invalid XOAUTH2 argument: auth is missing",
    Stage.AUTH,
    HVE_OAUTH_DOC,
    L,
    FE,
    note="Wording after the code CHOSEN (see hve.xoauth2.base64).",
)
HVE_XOAUTH2_NO_BEARER = Reply(
    "hve.xoauth2.no_bearer",
    501,
    "5.5.125",
    "Invalid XOAUTH2 argument: the auth scheme is not Bearer",
    Stage.AUTH,
    HVE_OAUTH_DOC,
    L,
    FE,
    note="Wording after the code CHOSEN (see hve.xoauth2.base64).",
)
HVE_XOAUTH2_NO_TOKEN = Reply(
    "hve.xoauth2.no_token",
    501,
    "5.5.126",
    "Invalid XOAUTH2 argument: the token is missing",
    Stage.AUTH,
    HVE_OAUTH_DOC,
    L,
    FE,
    note="Wording after the code CHOSEN (see hve.xoauth2.base64).",
)
HVE_TOKEN_EXPIRING = Reply(
    "hve.token.expiring",
    535,
    "5.7.142",
    "Token will expire soon",
    Stage.AUTH,
    HVE_OAUTH_DOC,
    L,
    FE,
    note="Retryable with a fresh token. The threshold is HighVolumeEmail.TokenExpiringSoonSeconds "
    "(CHOSEN 60 s).",
)
HVE_TOKEN_EXPIRED = Reply(
    "hve.token.expired",
    535,
    "5.7.143",
    "Expired token",
    Stage.AUTH,
    HVE_OAUTH_DOC,
    L,
    FE,
)
HVE_TOKEN_INVALID = Reply(
    "hve.token.invalid",
    535,
    "5.7.144",
    "XOAUTH2 authentication failed. Invalid token.",
    Stage.AUTH,
    HVE_OAUTH_DOC,
    L,
    FE,
    note="Every other bad token: signature, issuer, audience, an app not on the account's "
    "allowed list (Add-HVEAppAccess) or not yet effective, a user that is no HVE account. "
    "The summary of Microsoft's page stops at 'Invalid…': ' token.' is CHOSEN.",
)
HVE_SENDER_NOT_ACCOUNT = Reply(
    "hve.sender_not_account",
    550,
    "5.7.62",
    "Sender {sender} is not an address of the HVE account {user}",
    Stage.MAIL,
    f"{HVE_TROUBLESHOOT_DOC} (send from an address of the HVE account)",
    X,
    FE,
    note="Code 5.7.62 LIKELY (one project's production note); text and stage CHOSEN.",
)
HVE_HEADER_FROM = Reply(
    "hve.header_from",
    550,
    "5.6.241",
    "From header {sender} is not an address of the HVE account {user}",
    Stage.EOD,
    f"{HVE_TROUBLESHOOT_DOC} (send from an address of the HVE account)",
    X,
    FE,
    note="Code 5.6.241 LIKELY (one project's production note: envelope right, From header "
    "different); text and stage CHOSEN.",
)
HVE_NO_BILLING_POLICY = Reply(
    "hve.no_billing_policy",
    550,
    "5.7.1",
    "HVE account {user} cannot send: BillingPolicyStatus is {status}",
    Stage.MAIL,
    f"{HVE_TROUBLESHOOT_DOC} ; {HVE_BILLING_DOC}",
    X,
    FE,
    note="An account without a valid billing policy fails (CONFIRMED); the status names are "
    "Get-HVEAccountBillingPolicy's; the code, text and stage are CHOSEN.",
)
HVE_EXTERNAL_RECIPIENT = Reply(
    "hve.external_recipient",
    550,
    "5.7.54",
    "SMTP; Unable to relay recipient in non-accepted domain",
    Stage.RCPT,
    f"{NDR_DOC} ; {HVE_PETRI}",
    L,
    FE,
    note="HVE sends to internal recipients only (LIKELY); the reply is Exchange's documented "
    "NDR for relaying to a non-accepted domain (LIKELY at RCPT).",
)
HVE_TOO_MANY_RECIPIENTS = Reply(
    "hve.too_many_recipients",
    452,
    "4.5.3",
    "Too many recipients",
    Stage.RCPT,
    f"{HVE_TROUBLESHOOT_DOC} ; RFC 5321 section 4.5.3.1.8",
    X,
    FE,
    note="The limit (50 per message) is CONFIRMED; the reply is CHOSEN (RFC 5321's).",
)

# Azure Communication Services Email SMTP relay (smtp.azurecomm.net) --------------------------
ACS_SMTP_DOC = "https://learn.microsoft.com/en-us/azure/communication-services/quickstarts/email/send-email-smtp/smtp-authentication"
ACS_LIMITS_DOC = (
    "https://learn.microsoft.com/en-us/Azure/communication-services/concepts/email/sdk-features"
)
ACS_NOT_AUTHENTICATED_CAPTURE = "https://github.com/postalserver/postal/issues/2811"
ACS_AUTH_CAPTURE = "https://github.com/jstedfast/MailKit/issues/1967"

EHLO_ACS_PLAIN = Reply(
    "ehlo.acs.plain",
    250,
    None,
    "{host} Hello [{client_ip}]",
    Stage.EHLO,
    ACS_SMTP_DOC,
    X,
    lines=EHLO_SUBMISSION_PLAIN.lines,  # Exchange Online's list (see the note)
    note="No capture of smtp.azurecomm.net's EHLO is public: CHOSEN is Exchange Online's list.",
)
EHLO_ACS_TLS = Reply(
    "ehlo.acs.tls",
    250,
    None,
    "{host} Hello [{client_ip}]",
    Stage.EHLO,
    f"{ACS_SMTP_DOC} ; https://github.com/QuantumNous/new-api/pull/598",
    X,
    lines=(
        "SIZE {size}",
        "PIPELINING",
        "DSN",
        "ENHANCEDSTATUSCODES",
        "AUTH LOGIN",
        "8BITMIME",
        "BINARYMIME",
        "CHUNKING",
        "SMTPUTF8",
    ),
    note="AUTH LOGIN after TLS (clients report LOGIN, not PLAIN); the rest CHOSEN as for ehlo.acs.plain.",
)
ACS_AUTH_FAILED = Reply(
    "acs.auth_failed",
    535,
    "5.7.3",
    "Authentication unsuccessful",
    Stage.AUTH,
    f"{ACS_AUTH_CAPTURE} ; {ACS_SMTP_DOC}",
    L,
    FE,
    note="A wrong client secret. Seen on smtp.azurecomm.net for a refused sign-in (LIKELY for "
    "this cause).",
)
ACS_UNKNOWN_USERNAME = Reply(
    "acs.unknown_username",
    535,
    "5.7.3",
    "Authentication unsuccessful",
    Stage.AUTH,
    f"{ACS_AUTH_CAPTURE} ; {ACS_SMTP_DOC}",
    X,
    FE,
    note="A username that maps to no SMTP Username resource (nor the resource.appId.tenantId "
    "form): CHOSEN the same reply as a wrong secret.",
)
ACS_SECRET_EXPIRED = Reply(
    "acs.secret_expired",
    535,
    "5.7.3",
    "Authentication unsuccessful",
    Stage.AUTH,
    f"{ACS_AUTH_CAPTURE} ; {ACS_SMTP_DOC}",
    X,
    FE,
    note="The app's client secret is past its end date: CHOSEN the same reply as a wrong secret.",
)
ACS_APP_WITHOUT_ROLE = Reply(
    "acs.app_without_role",
    535,
    "5.7.3",
    "Authentication unsuccessful",
    Stage.AUTH,
    f"{ACS_AUTH_CAPTURE} ; {ACS_SMTP_DOC}",
    X,
    FE,
    note="The app holds no role with the Communication/Email permissions on the resource: "
    "CHOSEN the same reply as a wrong secret.",
)
ACS_NOT_AUTHENTICATED = Reply(
    "acs.not_authenticated",
    530,
    "5.7.57",
    "Client not authenticated to send mail.",
    Stage.MAIL,
    ACS_NOT_AUTHENTICATED_CAPTURE,
    C,
    FE,
    note="Seen from smtp.azurecomm.net:587 for a relay that sent no AUTH.",
)
ACS_SENDER_NOT_VERIFIED = Reply(
    "acs.sender_not_verified",
    550,
    "5.7.1",
    "Sender {sender} is not a verified MailFrom address of this Communication Services resource",
    Stage.MAIL,
    ACS_SMTP_DOC,
    X,
    FE,
    note="MAIL FROM must be a verified sender of a linked domain (CONFIRMED); code, text and "
    "stage CHOSEN.",
)
ACS_RATE_LIMITED = Reply(
    "acs.rate_limited",
    451,
    "4.7.0",
    "Too many requests: the limit of {limit} messages per {window} is reached. Try again later.",
    Stage.MAIL,
    f"{ACS_LIMITS_DOC} ; https://learn.microsoft.com/en-us/Azure/communication-services/concepts/service-limits",
    X,
    FE,
    note="Limits 30/min and 100/h CONFIRMED (the REST API answers 429 Too Many Requests); the "
    "SMTP reply is CHOSEN: temporary, so a device that retries later succeeds.",
)
ACS_SERVICE_LIMITS_DOC = (
    "https://learn.microsoft.com/en-us/azure/communication-services/concepts/service-limits"
)
ACS_TOO_MANY_RECIPIENTS = Reply(
    "acs.too_many_recipients",
    452,
    "4.5.3",
    "Too many recipients",
    Stage.RCPT,
    f"{ACS_SERVICE_LIMITS_DOC} ; RFC 5321 section 4.5.3.1.8",
    X,
    FE,
    note="The limit (50 recipients in an email) is CONFIRMED; the SMTP reply is CHOSEN "
    "(RFC 5321's, as for HVE): a client sends the rest in another transaction.",
)
ACS_MAIL_SIZE_EXCEEDED = Reply(
    "acs.mail_size_exceeded",
    552,
    "5.3.4",
    "Message size exceeds fixed maximum message size",
    Stage.MAIL,
    ACS_SERVICE_LIMITS_DOC,
    X,
    FE,
    note="MAIL FROM SIZE= over the resource's limit (10 MB including attachments, CONFIRMED); "
    "the reply is CHOSEN: Exchange Online's wording for the same refusal.",
)
ACS_MESSAGE_TOO_BIG = Reply(
    "acs.size_exceeded",
    552,
    "5.3.4",
    "Message size exceeds fixed maximum message size",
    Stage.EOD,
    ACS_SERVICE_LIMITS_DOC,
    X,
    FE,
    note="A message over the resource's limit (10 MB including attachments, CONFIRMED) sent "
    "without SIZE=; the reply is CHOSEN as for acs.mail_size_exceeded.",
)
ACS_HEADER_TOO_BIG = Reply(
    "acs.header_size_exceeded",
    552,
    "5.3.4",
    "Header size exceeds fixed maximum size",
    Stage.EOD,
    ACS_SMTP_DOC,
    X,
    FE,
    note="No header limit is published for the ACS relay: CHOSEN Exchange Online's reply and "
    "limit (Limits.MaxHeaderSize), so one hostile header block is bounded on every front end.",
)
ACS_FROM_INVALID = Reply(
    "acs.from_invalid",
    550,
    "5.7.512",
    "Access denied, message must be RFC 5322 section 3.6.2 compliant",
    Stage.EOD,
    f"{ACS_SMTP_DOC} ; {NDR_DOC}",
    X,
    FE,
    note="No From field, more than one, or one without a local@domain address. What the ACS "
    "relay answers is not published: CHOSEN Exchange Online's reply for the same fault.",
)
HVE_MAIL_SIZE_EXCEEDED = Reply(
    "hve.mail_size_exceeded",
    552,
    "5.3.4",
    "Message size exceeds fixed maximum message size",
    Stage.MAIL,
    "https://powershellcenter.com/2025/01/05/hve-guide (max message size 10 MB)",
    L,
    FE,
    note="MAIL FROM SIZE= over HighVolumeEmail.MaxMessageSize (10 MB, LIKELY: third parties); "
    "the text is Exchange Online's for the same refusal.",
)
HVE_MESSAGE_TOO_BIG = Reply(
    "hve.size_exceeded",
    552,
    "5.3.4",
    "Message size exceeds fixed maximum message size",
    Stage.EOD,
    "https://powershellcenter.com/2025/01/05/hve-guide (max message size 10 MB)",
    L,
    FE,
    note="A message over HighVolumeEmail.MaxMessageSize sent without SIZE= (see "
    "hve.mail_size_exceeded).",
)


# Scripted faults (``[[Fault]]``): Exchange's own temporary-failure texts ------------
FAULT_SERVER_BUSY = Reply(
    "fault.server_busy",
    451,
    "4.7.500",
    "Server busy. Please try again later from [{client_ip}]. (S77719)",
    Stage.ANY,
    "https://github.com/MicrosoftDocs/OfficeDocs-Exchange/issues/2499 ; "
    "https://github.com/ActiveCampaign/smtp-field-manual/pull/22 ; "
    "https://learn.microsoft.com/en-us/exchange/mail-flow-best-practices/non-delivery-reports-in-exchange-online/fix-error-code-451-4-7-500-699-asxxx-in-exchange-online",
    C,
    note="Exchange Online's busy-server deferral, quoted with its [IP] and (S77719); the stage "
    "it is sent at is UNKNOWN. Sent only when a fault rule names it (Reply = 4.7.500).",
)
FAULT_TEMPORARY_4_4_3 = Reply(
    "fault.temporary_error_4_4_3",
    451,
    "4.4.3",
    "Temporary server error. Please try again later ATTR55.1",
    Stage.ANY,
    MULTI_GEO_DOC,
    C,
    note="The multi-geo document's second transient text. Sent only when a fault rule names it.",
)
FAULT_CUSTOM = Reply(
    "fault.custom",
    451,
    None,
    "{text}",
    Stage.ANY,
    "the lab's own fault rule (Fault.Reply as a whole line)",
    X,
    note="A reply line written in a fault rule: code, enhanced code and text are the rule's. "
    "Not a Microsoft text unless the rule's author copied one.",
)

# Non-delivery reports: never sent on the wire, written into the NDR in the sender's Inbox ---
NDR_RECIPIENT_NOT_FOUND = Reply(
    "ndr.recipient_not_found",
    550,
    "5.1.10",
    "RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup",
    Stage.EOD,
    f"{NDR_DOC} ; https://learn.microsoft.com/en-us/exchange/troubleshoot/email-delivery/ndr/fix-error-code-550-5-1-10-in-exchange-online",
    L,
    note="Code and RESOLVER.ADR.RecipientNotFound CONFIRMED; the text after ';' LIKELY. "
    "Submission accepts the message (250) and reports an address in an accepted domain that "
    "no mailbox has in an NDR (multipart/report) in the sender's Inbox; an NDR for a sender "
    "that is no mailbox of the tenant goes nowhere.",
)
NDR_TENANT_EXTERNAL_LIMIT = Reply(
    "ndr.tenant_external_limit",
    550,
    "5.7.233",
    "Your message can't be sent because your tenant has exceeded its daily limit for sending "
    "email to external recipients (tenant external recipient rate limit).",
    Stage.EOD,
    "https://techcommunity.microsoft.com/blog/exchange/introducing-exchange-online-tenant-outbound-email-limits/4372797 ; "
    "https://learn.microsoft.com/en-us/answers/questions/5835651/",
    C,
    note="The wording of a real NDR (the Q&A thread). Deviation: that NDR shows '550 5.7.233 - "
    "Your message …' with a dash after the code, which the announcing blog does not; the lab "
    "leaves the dash out, as every other Exchange diagnostic line has none. The blog also "
    "drops 'has' and the closing full stop. In the NDR, not on the wire (whether submission also refuses at SMTP time is "
    "UNKNOWN). Only when Limits.TenantExternalRecipientsPerDay is set: the rollout's last "
    "phase is paused, so the lab does not enforce it by default. A trial tenant gets "
    "ndr.tenant_external_limit.trial (5.7.232) instead.",
)
NDR_TENANT_EXTERNAL_LIMIT_TRIAL = Reply(
    "ndr.tenant_external_limit.trial",
    550,
    "5.7.232",
    "Your message can't be sent because your trial tenant has exceeded its daily limit for "
    "sending email to external recipients (tenant external recipient rate limit).",
    Stage.EOD,
    "https://techcommunity.microsoft.com/blog/exchange/introducing-exchange-online-tenant-outbound-email-limits/4372797 ; "
    f"{NDR_DOC}",
    L,
    note="Code CONFIRMED (the NDR table: a trial tenant over its external recipient limit); "
    "only '... your trial tenant has exceeded ...' of the text is published: the rest is "
    "5.7.233's wording with 'trial tenant' (LIKELY). In the NDR, for a tenant with "
    "Tenant.Trial when Limits.TenantExternalRecipientsPerDay is set. The sibling 5.7.236 "
    "(onmicrosoft.com senders) is not modelled: only third-party tables list it.",
)
EXCHANGE_DSN_DOC = "https://learn.microsoft.com/en-us/exchange/mail-flow/non-delivery-reports-and-bounce-messages/non-delivery-reports-and-bounce-messages"
NDR_MAILBOX_FULL = Reply(
    "ndr.mailbox_full",
    554,
    "5.2.2",
    "mailbox full; STOREDRV.Deliver.Exception:QuotaExceededException."
    "MapiExceptionShutoffQuotaExceeded; Failed to process message due to a permanent exception "
    "with message The process failed to get the correct properties.",
    Stage.EOD,
    f"https://pastebin.com/ei6cDaAt ; {EXCHANGE_DSN_DOC}",
    C,
    note="In the NDR, not on the wire: the text of a real Exchange Online NDR (2018, "
    "CO1PR20MB0757.namprd20.prod.outlook.com), its diagnostic hex list and '[Stage: "
    "CreateMessage]' left out. Sent for an internal recipient whose mailbox holds "
    "Mailbox.TotalItemSize at or over its Mailbox.ProhibitSendReceiveQuota (Set-Mailbox; "
    "default 100 GB). The sender's own full mailbox is eod.mailbox_full, on the wire.",
)
NDR_RECIPIENT_SIZE_LIMIT = Reply(
    "ndr.recipient_size_limit",
    550,
    "5.2.3",
    "RESOLVER.RST.RecipSizeLimit; message too large for this recipient",
    Stage.EOD,
    f"{EXCHANGE_DSN_DOC} ; {NDR_DOC}",
    L,
    note="In the NDR, not on the wire. The text is Exchange Server's DSN table entry for 5.2.3 "
    "(the same resolver runs in Exchange Online): LIKELY for Exchange Online. Sent for an "
    "internal recipient when the message is larger than the recipient mailbox's "
    "Mailbox.MaxReceiveSize (Set-Mailbox; default 36 MB), which the sender's MaxSendSize "
    "and the advertised SIZE let through.",
)

# Reputation and attribution on the MX (connection filtering, multi-geo) ---------------------
DELIST_DOC = "https://learn.microsoft.com/en-us/defender-office-365/external-senders-use-the-delist-portal-to-unblock-yourself"
RCPT_ORDER_NOTE = (
    "Checked at RCPT on the MX, in this order after the recipient syntax and count: 5.7.606, "
    "5.7.511, 5.7.708, 4.7.650, 4.7.850, 5.7.513, 5.7.705, 5.7.750, 4.4.62, then 5.7.64, "
    "4.4.4, 5.4.1 and 5.7.68 (emulator/policy/directsend.py)."
)

RCPT_BANNED_SENDER = Reply(
    "rcpt.banned_sender",
    550,
    "5.7.511",
    "Access denied, banned sender[{client_ip}]. To request removal from this list, forward this "
    "message to delist@microsoft.com. For more information, go to "
    "https://go.microsoft.com/fwlink/?LinkId=526653.",
    Stage.RCPT,
    f"{DELIST_DOC} ; https://github.com/MicrosoftDocs/microsoft-365-docs/pull/7619 ; {NDR_DOC}",
    C,
    FE,
    note="Text CONFIRMED (the delist page quotes it whole, without a space before '['). "
    "Deviation: a 2018 log reads '… To request removal from this list please forward this "
    "message to delist@messaging.microsoft.com. For more information please go to …526653. "
    "AS(508)'; the lab sends the delist page's current wording. Stage "
    "RCPT CONFIRMED (the page's example: 'SMTP error ... for RCPT TO command'). A banned IP "
    "that cannot use the delist portal (Blocklist.BannedSenders). " + RCPT_ORDER_NOTE,
)
RCPT_IP_NOT_ACCEPTED = Reply(
    "rcpt.ip_not_accepted",
    550,
    "5.7.708",
    "Access denied, traffic not accepted from this IP",
    Stage.RCPT,
    NDR_DOC,
    C,
    FE,
    note="Text CONFIRMED (the NDR table); stage UNKNOWN: CHOSEN at RCPT with the other IP "
    "reputation replies (Blocklist.NotAcceptedIps). " + RCPT_ORDER_NOTE,
)
RCPT_IP_THROTTLED = Reply(
    "rcpt.ip_throttled",
    451,
    "4.7.650",
    "The mail server [{client_ip}] has been temporarily rate limited due to IP reputation. For "
    "e-mail delivery information, see https://postmaster.live.com (S3113)",
    Stage.RCPT,
    "https://github.com/sendgrid/docs/issues/6275 ; "
    "https://learn.microsoft.com/en-us/exchange/mail-flow-best-practices/non-delivery-reports-in-exchange-online/fix-error-code-451-4-7-500-699-asxxx-in-exchange-online",
    C,
    FE,
    note="Text CONFIRMED from a real EOP log (eop-eur06), a code in the NDR table's "
    "4.7.500-699 range ('Access denied, please try again later'); which number of the range "
    "a given IP gets is UNKNOWN: CHOSEN 4.7.650, the one seen. Stage UNKNOWN: CHOSEN RCPT "
    "(Blocklist.ThrottledIps). Temporary: a device that retries later gets through once "
    "the IP leaves the list. " + RCPT_ORDER_NOTE,
)
RCPT_IP_SUSPICIOUS = Reply(
    "rcpt.ip_suspicious",
    451,
    "4.7.850",
    "Access denied, please try again later",
    Stage.RCPT,
    NDR_DOC,
    L,
    FE,
    note="Text CONFIRMED (the NDR table, range 4.7.850-899); the number 4.7.850 in the range, "
    "the 451 and the stage RCPT are CHOSEN (no capture is public; Blocklist.SuspiciousIps). "
    + RCPT_ORDER_NOTE,
)
RCPT_CUSTOMER_BLOCK_LIST = Reply(
    "rcpt.customer_block_list",
    550,
    "5.7.513",
    "Service unavailable, Client host [{client_ip}] blocked by {recipient_domain} using Customer "
    "Block list (AS16012607)",
    Stage.RCPT,
    f"{NDR_DOC} ; https://github.com/MicrosoftDocs/OfficeDocs-Exchange/pull/1230",
    C,
    FE,
    note="Text CONFIRMED (the NDR table, $ConnectingIP and $recipientDomain filled in); stage "
    "UNKNOWN: CHOSEN RCPT, where the recipient domain is known. The tenant's own "
    "connection filter IP Block List (Blocklist.IPBlockList). " + RCPT_ORDER_NOTE,
)
RCPT_TENANT_OVER_THRESHOLD = Reply(
    "rcpt.tenant_over_threshold",
    550,
    "5.7.705",
    "Access denied, tenant has exceeded threshold",
    Stage.RCPT,
    NDR_DOC,
    C,
    FE,
    note="Text CONFIRMED (the NDR table: the tenant sent too much bad mail); stage UNKNOWN: "
    "CHOSEN at RCPT for mail an inbound connector attributes to the tenant "
    "(Blocklist.TenantOverThreshold). " + RCPT_ORDER_NOTE,
)
RCPT_UNREGISTERED_DOMAIN = Reply(
    "rcpt.unregistered_domain",
    550,
    "5.7.750",
    "Service unavailable. Client blocked from sending from unregistered domains",
    Stage.RCPT,
    NDR_DOC,
    C,
    FE,
    note="Text CONFIRMED (the NDR table); stage UNKNOWN: CHOSEN at RCPT, for relay through an "
    "inbound connector whose envelope sender's domain is no accepted domain of the tenant, "
    "when Blocklist.RejectUnregisteredSenderDomains is on (off by default). " + RCPT_ORDER_NOTE,
)
RCPT_WRONG_REGION = Reply(
    "rcpt.wrong_region",
    451,
    "4.4.62",
    "Mail sent to the wrong Office 365 region. ATTR35. For more information go to "
    "<https://go.microsoft.com/fwlink/p/?linkid=865268>.",
    Stage.RCPT,
    f"{MULTI_GEO_DOC} ; {FIX_DOC}",
    C,
    FE,
    note="Text CONFIRMED (the multi-geo document); stage UNKNOWN: CHOSEN at RCPT, for mail "
    "an inbound connector attributes to the tenant when the connector's server reaches "
    "another region's front ends (InboundConnector.SendsToRegion differs from Tenant.Region). "
    + RCPT_ORDER_NOTE,
)
RCPT_NO_MAIL_SUBSCRIPTION = Reply(
    "rcpt.no_mail_subscription",
    550,
    "4.4.4",
    "Mail received as unauthenticated, incoming to a recipient domain configured in a hosted "
    "tenant which has no mail-enabled subscriptions. ATTR5",
    Stage.RCPT,
    MULTI_GEO_DOC,
    C,
    FE,
    class_conflict=True,
    note="Text CONFIRMED (the multi-geo document) and reproduced as published, although a "
    "550 reply with a 4.x.x enhanced code breaks RFC 3463's rule that both share a class: "
    "clients that trust the 550 give up, those that trust 4.4.4 may retry. Stage UNKNOWN: "
    "CHOSEN at RCPT, for a domain of another Microsoft 365 tenant without a mail-enabled "
    "subscription (ExternalDomain.MailEnabledSubscriptions = false). " + RCPT_ORDER_NOTE,
)
FAULT_TEMPORARY_4_3_2 = Reply(
    "fault.temporary_error_4_3_2",
    451,
    "4.3.2",
    "Temporary server error. Please try again later ATTR55",
    Stage.ANY,
    MULTI_GEO_DOC,
    C,
    note="The multi-geo document's first transient text. Sent only when a fault rule names it "
    "(Reply = 4.3.2, or this id).",
)

# Submission: federated sign-in, delivery throttles, the message rate -------------------------
AUTH_FEDERATED_STS_UNREACHABLE = Reply(
    "auth.federated_sts_unreachable",
    535,
    "5.7.139",
    "Authentication unsuccessful, federated STS service was unreachable.",
    Stage.AUTH,
    FIX_DOC,
    C,
    FE,
    note="A user of a federated domain whose identity provider (AD FS) cannot be reached "
    "(Mailbox.FederatedSts = unreachable). Checked after the account lockout and before the "
    "password: the federated STS is what would check the password.",
)
AUTH_FEDERATED_STS_NOT_HTTPS = Reply(
    "auth.federated_sts_not_https",
    535,
    "5.7.139",
    "Authentication unsuccessful, the federated STS URL does not support HTTPS.",
    Stage.AUTH,
    FIX_DOC,
    C,
    FE,
    note="The federated identity provider is not served over HTTPS with TLS 1.2 "
    "(Mailbox.FederatedSts = not_https); same place in the order as "
    "auth.federated_sts_unreachable.",
)
EOD_RECIPIENT_THREAD_LIMIT = Reply(
    "eod.recipient_thread_limit",
    432,
    "4.3.2",
    "STOREDRV.Deliver; recipient thread limit exceeded",
    Stage.EOD,
    NDR_DOC,
    C,
    SD,
    note="Text CONFIRMED (the NDR table: the recipient's mailbox store is busy); the stage is "
    "UNKNOWN: CHOSEN at end of data on both front ends, before anything is stored, for a "
    "message to a mailbox with Mailbox.RecipientThreadLimited. Checked last among the end "
    "of data rules, after the size, header, Send As and quota checks.",
)
EOD_MESSAGE_RATE = Reply(
    "eod.message_rate",
    451,
    "4.7.0",
    "Message rate limit exceeded ({limit} messages per minute). Try again later.",
    Stage.EOD,
    SUBMISSION_DOC,
    X,
    SD,
    note="Microsoft documents that excess messages are delayed, not refused ('throttled and "
    "successively carried over to the following minutes'), so the lab's default "
    "(Limits.MessageRateAction = delay) answers 250 and releases the message later. This "
    "temporary refusal is CHOSEN for MessageRateAction = reject, to show a device's retry.",
)
NDR_RECIPIENT_RATE_FROM_SENDER = Reply(
    "ndr.recipient_rate_from_sender",
    550,
    "5.2.121",
    "Recipient's per hour message receive limit from specific sender exceeded.",
    Stage.EOD,
    NDR_DOC,
    L,
    note="Code CONFIRMED (the NDR table: one sender sent one recipient too many messages in an "
    "hour); the wording is the table's description, LIKELY as the NDR's text. Only when "
    "Limits.RecipientMessagesPerHourPerSender is set (Microsoft publishes no number). "
    "Checked before 5.2.122 for each internal recipient.",
)
NDR_RECIPIENT_RATE = Reply(
    "ndr.recipient_rate",
    550,
    "5.2.122",
    "Recipient's per hour message receive limit exceeded.",
    Stage.EOD,
    NDR_DOC,
    L,
    note="Code CONFIRMED (the NDR table: the recipient received too many messages in an "
    "hour); the wording is the table's description, LIKELY as the NDR's text. Only when "
    "Limits.RecipientMessagesPerHour is set.",
)

# Classic-era wordings (Lab.ReplyTrailer = classic) -----------------------------------------
# Older replies Microsoft sent before the current wording; a device manual or an old log may
# quote them. The classic era swaps each modern entry below for its classic sibling.
MAIL_NOT_AUTHENTICATED_CLASSIC = Reply(
    "mail.not_authenticated.classic",
    530,
    "5.7.57",
    "SMTP; Client was not authenticated to send anonymous mail during MAIL FROM",
    Stage.MAIL,
    f"https://github.com/mageplaza/magento-2-smtp/issues/268 ; {NDR_DOC}",
    C,
    FE,
    note="The 2020 wording (classic era). Whether the last AUTH error was appended then is "
    "UNKNOWN: the classic text carries none.",
)
EOD_SEND_AS_DENIED_CLASSIC = Reply(
    "eod.send_as_denied.classic",
    554,
    "5.2.0",
    "STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; Failed to "
    "process message due to a permanent exception with message Cannot submit message. "
    "0.35250:D8360000, 1.36674:0A000000, 1.61250:00000000, 1.45378:02000000, 1.44866:441B0000",
    Stage.EOD,
    "https://github.com/FusionAuth/fusionauth-issues/issues/220 ; "
    "https://github.com/MicrosoftDocs/OfficeDocs-Support/issues/1187 ; "
    "https://github.com/jstedfast/MailKit/issues/1176",
    C,
    SD,
    note="The 2019-2021 wording (classic era). The diagnostic list is cut to its first five "
    "entries, copied from a public log; the real list is longer and varies.",
)
DATA_THREAD_LIMIT_CLASSIC = Reply(
    "data.sender_thread_limit.classic",
    432,
    "4.3.2",
    "Concurrent connections limit exceeded. Visit https://aka.ms/concurrent_sending for more "
    "information.",
    Stage.DATA,
    "https://github.com/sabuhish/fastapi-mail/issues/75 ; https://github.com/Ombi-app/Ombi/issues/4093",
    C,
    SD,
    note="A 2021 wording (classic era); the other 2021 one reads 'STOREDRV.ClientSubmit; sender "
    "thread limit exceeded. Visit aka.ms/concurrent_sending for more info.'. The lab refuses "
    "at DATA; the 2021 logs show it raised around DATA/end of data.",
)

CLASSIC_WORDING: dict[str, Reply] = {
    MAIL_NOT_AUTHENTICATED.id: MAIL_NOT_AUTHENTICATED_CLASSIC,
    EOD_SEND_AS_DENIED.id: EOD_SEND_AS_DENIED_CLASSIC,
    DATA_THREAD_LIMIT.id: DATA_THREAD_LIMIT_CLASSIC,
}
"""Modern entry id -> the entry the classic era sends instead."""


# Published behaviour the lab leaves out, and where it knowingly differs ----------------------
NOT_MODELLED: tuple[Gap, ...] = (
    Gap(
        "550 5.1.90 Your message can't be sent because you've reached your daily limit for "
        "message recipients",
        "https://github.com/MicrosoftDocs/OfficeDocs-Exchange/issues/2729",
        C,
        "The newer NDR for the 10,000 recipients a day. The lab refuses the message at the end "
        "of data with the CONFIRMED eod.submission_quota instead of accepting it and bouncing "
        "it; which of the two a tenant meets today is not published, and a device sees the "
        "refusal only in the first form.",
    ),
    Gap(
        "432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded. Visit "
        "aka.ms/concurrent_sending for more info.",
        "https://github.com/Ombi-app/Ombi/issues/4093",
        C,
        "One of two 2021 wordings of the concurrent-connection limit; the classic era sends "
        "the other (data.sender_thread_limit.classic), one older wording per rule.",
    ),
    Gap(
        "554 5.2.2 mailbox full; STOREDRV.Submission.Exception:QuotaExceededException."
        "MapiExceptionShutoffQuotaExceeded",
        SUBMISSION_DOC,
        C,
        "Which of the two mailbox-full texts a sender over both its send and its send-receive "
        "quota gets is not published; the lab sends the MapiExceptionQuotaExceeded one "
        "(eod.mailbox_full).",
    ),
    Gap(
        "5.7.510 Access denied, [contoso.com] does not accept email over IPv6 ; 5.7.25 (IPv6 "
        "without reverse DNS) ; 4.7.26 (IPv6 without SPF or DKIM)",
        NDR_DOC,
        C,
        "The lab's world is IPv4: every front end listens on a 127.0.0.0/8 (or a LAN IPv4) "
        "address and every site maps to a public IPv4 address, so no session can meet an "
        "IPv6 rule.",
    ),
    Gap(
        "550 5.6.11 SMTPSEND.BareLinefeedsAreIllegal (NDR)",
        f"{NDR_DOC} ; https://learn.microsoft.com/en-us/exchange/mail-flow-best-practices/"
        "non-delivery-reports-in-exchange-online/fix-error-code-550-5-6-11-in-exchange-online",
        C,
        "Raised on onward delivery to a server without BDAT; the lab delivers nothing onward "
        "(mail for external recipients stays in the sender's Outbound folder).",
    ),
    Gap(
        "550 5.7.64 TenantAttribution; Relay Access Denied SMTP (NDR form)",
        f"{FIX_DOC} ; https://learn.microsoft.com/en-us/exchange/mail-flow-best-practices/"
        "non-delivery-reports-in-exchange-online/fix-error-code-5-7-64-in-exchange-online",
        C,
        "The NDR wording of a refused relay; the lab refuses at RCPT (rcpt.relay_denied), so "
        "the device's own mail server, not the lab, would write the NDR.",
    ),
    Gap(
        "550 5.7.515 Access denied, sending domain <domain> does not meet the required "
        "authentication level.",
        "https://support.microsoft.com/en-au/topic/fix-ndr-error-550-5-7-515-in-outlook-com-34cfe8f8-6fbf-457e-9e8b-9e4dbaf4e0ef",
        C,
        "Outlook.com's consumer inbound rule (5,000 messages a day from one domain); the lab "
        "has no consumer mail service to send to.",
    ),
    Gap(
        "550 5.7.711 Access denied, bad inbound connector. AS(2204)",
        "third-party reply tables only",
        L,
        "No Microsoft page or transcript shows it; no tenant setting marks a connector as "
        "blocked for spam.",
    ),
    Gap(
        "5.7.236 Tenant has exceeded its daily limit for sending email",
        "https://github.com/msgwing/ZeroSMTP/blob/main/docs/errors/5-7-236-tenant-daily-limit-per-recipient.md",
        L,
        "Listed only by third-party tables; the tenant external recipient rate limit is "
        "modelled with 5.7.233 and 5.7.232.",
    ),
    Gap(
        "250-AUTH LOGIN (without XOAUTH2) in EHLO",
        OAUTH_SMTP_DOC,
        L,
        "The extension list before XOAUTH2 arrived (about 2020); the lab is today's service "
        "and offers AUTH LOGIN XOAUTH2.",
    ),
)
"""Published replies and behaviour exolab does not reproduce, each with the reason."""

WIRE_DEVIATIONS: tuple[Gap, ...] = (
    Gap(
        "A command line ends at CRLF",
        "https://www.rfc-editor.org/rfc/rfc5321#section-2.3.8",
        L,
        "RFC 5321 ends a command line at CRLF and Exchange is taken to do the same (how it "
        "treats a bare LF in a command is not published). The lab's SMTP layer (aiosmtpd) "
        "also ends a command line at a bare LF. Kept on purpose: the hostile-input defences "
        "(the torture suite, the end-of-data smuggling checks) are built and proved on "
        "today's line parsing, and changing where a command ends would reopen them. A "
        "device that ends commands with a bare LF therefore works against the lab and may "
        "not against Exchange.",
    ),
    Gap(
        "Trailer ids (the 16 hex digits after the timestamp)",
        "https://github.com/simonrob/email-oauth2-proxy/issues/193",
        C,
        "The shape is reproduced (.NET ticks, 08D…) but the value is the lab clock less a "
        "seeded uptime, not the real server's, so a line never equals a captured one byte "
        "for byte: compare with the id left out.",
    ),
)
"""Where the lab knowingly behaves differently from the published service, and why."""


def all_replies() -> tuple[Reply, ...]:
    """Every catalog entry, in file order."""
    return tuple(v for v in globals().values() if isinstance(v, Reply))


def by_id(reply_id: str) -> Reply:
    for reply in all_replies():
        if reply.id == reply_id:
            return reply
    raise KeyError(reply_id)
