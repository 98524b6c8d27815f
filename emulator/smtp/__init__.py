"""The SMTP front ends: one shared aiosmtpd adapter (``base.ExchangeSMTP``) and small front ends.

``submission`` serves smtp.office365.com and smtp-legacy.office365.com (and
the silent 465); ``mx`` serves the tenant's MX. Decisions come from
``emulator.policy``; every line on the wire from ``emulator.replies``.
"""
