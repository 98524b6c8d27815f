"""The device's own panel texts, one catalog (what an operator sees on the MFP screen).

Texts are the simulator's, in the generic style of MFP panels; the token text
is Sharp's documented message (the profile's ``[[sources]]`` cite the manual).
"""

from __future__ import annotations

PANEL: dict[str, str] = {
    "delivered": "Transmission completed.",
    "dns": "Send error: the SMTP server name could not be found.",
    "refused": "Send error: could not connect to the SMTP server.",
    "timeout": "Send error: the SMTP server did not respond (timeout).",
    "tls": "Send error: SSL/TLS communication with the SMTP server failed.",
    "starttls_unsupported": "Send error: the SMTP server does not support STARTTLS.",
    "auth_unsupported": "Send error: the SMTP server does not support the authentication method.",
    "auth_prompt": "Send error: unexpected response during SMTP authentication.",
    "auth_failed": "Send error: SMTP authentication failed. Check the user name and password.",
    "rejected": "Send error: the SMTP server refused the transmission.",
    "recipient": "Send error: the destination address was refused by the server.",
    "size": "Send error: the data size exceeds the server's limit.",
    "protocol": "Send error: unexpected response from the SMTP server.",
    "connection_lost": "Send error: the connection to the SMTP server was lost.",
    "job_too_large": "The scanned data exceeds the maximum size for e-mail.",
    "job_format": "The selected file format is not available on this device.",
    "token": "Token update failed. Please delete the token and obtain it again.",
}


def panel_text(key: str) -> str:
    return PANEL.get(key, PANEL["rejected"])
