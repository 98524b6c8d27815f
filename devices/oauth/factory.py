"""From a profile's ``[oauth]`` section and the typed settings to a token source."""

from __future__ import annotations

from datetime import timedelta

from exolab.devices.clock import Clock
from exolab.devices.network import LabNetwork
from exolab.devices.oauth.client import TokenServiceClient
from exolab.devices.oauth.sources import (
    APP_ONLY_SCOPE,
    DELEGATED_SCOPE,
    ClientCredentialsSource,
    DelegatedRefreshSource,
    DeviceCodeSource,
    UserCodePrompt,
)
from exolab.devices.profile import OAuth, Profile
from exolab.devices.settings import Settings
from exolab.devices.tokens import TokenSource


def token_source_for(
    profile: Profile,
    settings: Settings,
    network: LabNetwork,
    clock: Clock,
    *,
    source: str | None = None,
    prompt: UserCodePrompt | None = None,
) -> TokenSource | None:
    """The source ``profile`` uses, or None when it has no ``[oauth]`` section."""
    oauth: OAuth | None = profile.oauth
    if oauth is None:
        return None
    client = TokenServiceClient(
        network,
        tenant=oauth.tenant,
        source=source,
        timeout=profile.timeouts.connect,
        verify_certificate=profile.tls.verify_certificate,
    )
    margin = oauth.refresh_margin
    skew = timedelta(days=profile.tls.clock_offset_days)
    token_clock = skew if oauth.expiry == "token_claims" else None
    if oauth.flow == "client_credentials":
        return ClientCredentialsSource(
            client,
            oauth.client_id,
            clock,
            margin,
            client_secret=oauth.client_secret or "",
            scope=oauth.scope or APP_ONLY_SCOPE,
            token_clock=token_clock,
        )
    if oauth.flow == "delegated_refresh":
        return DelegatedRefreshSource(
            client,
            oauth.client_id,
            clock,
            margin,
            username=settings.username,
            password=settings.password,
            scope=oauth.scope or DELEGATED_SCOPE,
            token_clock=token_clock,
        )
    return DeviceCodeSource(
        client,
        oauth.client_id,
        clock,
        margin,
        token_clock=token_clock,
        scope=oauth.scope or DELEGATED_SCOPE,
        prompt=prompt,
    )
