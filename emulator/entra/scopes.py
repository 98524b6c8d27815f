"""Reading a v2.0 ``scope`` parameter the way Entra does, and checking it against consent.

``https://outlook.office.com/SMTP.Send offline_access`` names one resource
(the token's ``aud``) and its permissions (the token's ``scp``). A bare name
(``SMTP.Send``) means Microsoft Graph, so a device that forgets the resource
prefix gets a Graph token that Exchange refuses: the wrong-audience mistake.
``/.default`` asks for everything already granted on that resource.
"""

from __future__ import annotations

from dataclasses import dataclass

from exolab.emulator.tenant.model import App

OIDC_SCOPES = frozenset({"openid", "profile", "email"})
OFFLINE_ACCESS = "offline_access"
GRAPH = "https://graph.microsoft.com"


@dataclass(frozen=True)
class ScopeRequest:
    """One parsed ``scope`` parameter."""

    resource: str | None
    names: tuple[str, ...]  # permission names on ``resource``; ".default" kept as is
    offline_access: bool
    oidc: tuple[str, ...]
    raw: tuple[str, ...]

    @property
    def is_default(self) -> bool:
        return self.names == (".default",)


class ScopeProblem(ValueError):
    """The scope parameter cannot be read: kind is 'empty', 'resources' or 'default'."""

    def __init__(self, kind: str, detail: str = "") -> None:
        self.kind = kind
        self.detail = detail
        super().__init__(f"{kind}: {detail}")


def _split(item: str) -> tuple[str, str]:
    if item.startswith(("https://", "http://", "api://")):
        resource, _, name = item.rpartition("/")
        return resource.rstrip("/"), name
    if "/" not in item and ":" not in item:
        return GRAPH, item
    resource, _, name = item.rpartition("/")
    return resource, name


def parse_scope(text: str) -> ScopeRequest:
    items = tuple(text.split())
    if not items:
        raise ScopeProblem("empty")
    resources: list[str] = []
    names: list[str] = []
    oidc: list[str] = []
    offline = False
    for item in items:
        if item in OIDC_SCOPES:
            oidc.append(item)
        elif item == OFFLINE_ACCESS:
            offline = True
        else:
            resource, name = _split(item)
            if resource.lower() not in (r.lower() for r in resources):
                resources.append(resource)
            names.append(name)
    if len(resources) > 1:
        raise ScopeProblem("resources", " ".join(resources))
    if ".default" in names and len(names) > 1:
        raise ScopeProblem("default", "/.default cannot be combined with other scopes")
    return ScopeRequest(
        resources[0] if resources else None, tuple(names), offline, tuple(oidc), items
    )


def delegated_grants(app: App, resource: str) -> dict[str, bool]:
    """Permission name -> admin consented, for ``app``'s delegated permissions on ``resource``."""
    out: dict[str, bool] = {}
    for grant in app.delegated_permissions:
        if grant.scope == OFFLINE_ACCESS:
            continue
        res, name = _split(grant.scope)
        if res.lower() == resource.lower():
            out[name] = grant.admin_consented
    return out


def offline_access_granted(app: App) -> bool:
    return any(g.scope == OFFLINE_ACCESS and g.admin_consented for g in app.delegated_permissions)


def consented_scopes(app: App, request: ScopeRequest) -> tuple[str, ...] | None:
    """The ``scp`` names the token gets, or None when consent is missing (AADSTS65001)."""
    if request.resource is None:
        return None
    if request.offline_access and not offline_access_granted(app):
        return None
    grants = delegated_grants(app, request.resource)
    if request.is_default:
        names = tuple(n for n, ok in grants.items() if ok)
        return names or None
    if all(grants.get(name, False) for name in request.names):
        return request.names
    return None
