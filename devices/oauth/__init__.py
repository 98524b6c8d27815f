"""Device-side OAuth: token sources that fetch XOAUTH2 tokens from login.microsoftonline.com.

Each source implements ``devices.tokens.TokenSource`` (``async def token()``)
over HTTPS, reaching the host through the lab DNS and trusting the lab CA
exactly as a real printer would. Three firmware patterns:

- ``DeviceCodeSource``: Canon / Epson. Shows a user code, polls until a
  person approves it, then lives on refresh tokens.
- ``DelegatedRefreshSource``: Sharp / Konica Minolta / Ricoh. One sign-in
  on the panel (the lab uses the password grant as its stand-in for the
  interactive panel sign-in), then refresh tokens.
- ``ClientCredentialsSource``: app-only, a client id and secret.

Tokens are renewed when they expire by the device's clock.
"""

from exolab.devices.oauth.client import TokenServiceClient
from exolab.devices.oauth.factory import token_source_for
from exolab.devices.oauth.sources import (
    ClientCredentialsSource,
    DelegatedRefreshSource,
    DeviceCodeSource,
    UserCodePrompt,
)

__all__ = [
    "ClientCredentialsSource",
    "DelegatedRefreshSource",
    "DeviceCodeSource",
    "TokenServiceClient",
    "UserCodePrompt",
    "token_source_for",
]
