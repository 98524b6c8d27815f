"""One client for a running lab: what ``DIR/endpoints.json`` says, and HTTP to the lab.

``exolab serve`` writes ``endpoints.json`` once every service listens; every
command of the app shell that talks to a running lab reads it here, once, and
talks HTTP through the one library the lab itself serves with (aiohttp):

- the lab API (``api``: plain HTTP on a loopback address), for the tenant and
  the stored mail. Every call carries the lab's token when endpoints.json has
  one (``api_token``, as ``Authorization: Bearer``): writes need it, and the
  tenant's secrets are shown only to its holder;
- the token service (``login.microsoftonline.com`` on its lab address, port
  443 or its shifted port), over TLS verified against the lab CA with the
  real host name, as a device would.

A file left behind by a lab that is gone (stopped, or killed with -9) still
reads fine, so :meth:`LabClient.check_running` asks the API, with a short
timeout, whether it answers for this data directory: ``exolab send`` would
otherwise wait for a DNS server that never answers and report a device
timeout.

The device's own reader (``exolab.devices.network``) stays apart on purpose:
a simulated device knows the lab only as a network, never through the app
shell.
"""

from __future__ import annotations

import json
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import ssl

T = TypeVar("T")

ENDPOINTS_FILE = "endpoints.json"
TOKEN_SERVICE_HOST = "login.microsoftonline.com"
API_TOKEN_KEY = "api_token"
"""The endpoints.json key of the lab API's token (absent: an older lab that asks for none)."""
API_TOKEN_HEADER = "Authorization"
DEFAULT_TIMEOUT = 15.0
PING_TIMEOUT = 2.0
"""A running lab answers its API in milliseconds; two seconds is patience, not a guess."""


class LabClientError(Exception):
    """A running lab cannot be read or reached; the message says where and why."""


class NoLabRunning(LabClientError):
    """No lab runs at the data directory: no endpoints.json, or its lab no longer answers."""

    def __init__(self, data_dir: Path, why: str) -> None:
        self.data_dir = data_dir
        super().__init__(f"no lab running at {data_dir} ({why})")


@dataclass(frozen=True)
class TokenService:
    """Where the lab's login.microsoftonline.com listens (TLS, the lab CA, the real host name)."""

    address: str
    port: int
    host: str = TOKEN_SERVICE_HOST

    @property
    def url(self) -> str:
        return f"https://{self.address}:{self.port}"


@dataclass(frozen=True)
class Answer:
    """One HTTP answer: the status and the decoded JSON body (None when the body is not JSON)."""

    status: int
    body: Any

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class LabClient:
    """A running lab, as ``DIR/endpoints.json`` describes it (read once, when opened)."""

    def __init__(self, data_dir: Path, document: Mapping[str, Any]) -> None:
        self.data_dir = data_dir
        self.document = document

    @classmethod
    def open(cls, data_dir: Path) -> LabClient:
        """The lab of ``data_dir``; :class:`NoLabRunning` when no lab ever got ready there."""
        path = data_dir / ENDPOINTS_FILE
        try:
            text = path.read_text("utf-8")
        except FileNotFoundError:
            raise NoLabRunning(data_dir, f"{path}: not found") from None
        except (OSError, UnicodeDecodeError) as exc:
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise NoLabRunning(data_dir, f"{path}: {why}") from None
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise LabClientError(f"{path}: not a readable {ENDPOINTS_FILE} ({exc})") from None
        if not isinstance(document, dict):
            raise LabClientError(f"{path}: not a readable {ENDPOINTS_FILE} (not a JSON object)")
        return cls(data_dir, document)

    @property
    def endpoints_path(self) -> Path:
        return self.data_dir / ENDPOINTS_FILE

    @property
    def api_url(self) -> str | None:
        """The lab API's base URL (``http://ADDRESS:PORT``), None when the lab has no API."""
        api = self.document.get("api")
        return api.rstrip("/") if isinstance(api, str) and api else None

    @property
    def ca_pem(self) -> Path:
        ca = self.document.get("ca_pem")
        if not isinstance(ca, str) or not ca:
            raise LabClientError(f"{self.endpoints_path}: ca_pem missing")
        return Path(ca)

    @property
    def token_service(self) -> TokenService:
        entry = (self.document.get("endpoints") or {}).get(TOKEN_SERVICE_HOST)
        if not isinstance(entry, dict):
            entry = {}
        ports = entry.get("ports")
        if not isinstance(ports, dict) or "443" not in ports or "address" not in entry:
            raise LabClientError(
                f"{self.endpoints_path}: endpoints.{TOKEN_SERVICE_HOST}.ports.443 missing "
                "(the lab runs no token service)"
            )
        return TokenService(str(entry["address"]), int(ports["443"]))

    @property
    def api_token(self) -> str | None:
        token = self.document.get(API_TOKEN_KEY)
        return token if isinstance(token, str) and token else None

    # -- is it running? -----------------------------------------------------------

    async def ping(self, timeout: float = PING_TIMEOUT) -> str | None:
        """None when the lab answers for this data directory; else why it does not."""
        api = self.api_url
        if api is None:
            # Every lab `exolab serve` starts runs its API; a file without one was
            # written by hand for some other server, and is taken at its word.
            return None
        try:
            answer = await self.api("GET", "/api/endpoints", timeout=timeout)
        except LabClientError as exc:
            return str(exc)
        if not answer.ok or not isinstance(answer.body, dict):
            return f"{api} answered HTTP {answer.status}, not as an exolab lab"
        theirs, ours = answer.body.get("store"), self.document.get("store")
        if ours is not None and theirs != ours:
            return f"{api} is the lab of another data directory ({theirs})"
        return None

    def check_running(self, timeout: float = PING_TIMEOUT) -> None:
        """Return when the lab answers; raise :class:`NoLabRunning` at once when it does not."""
        why = _run(self.ping(timeout))
        if why is not None:
            raise NoLabRunning(self.data_dir, f"{ENDPOINTS_FILE} is stale: {why}")

    # -- HTTP -------------------------------------------------------------------------

    async def api(
        self, method: str, path: str, body: Any = None, timeout: float = DEFAULT_TIMEOUT
    ) -> Answer:
        """A call to the lab API; ``body`` goes as JSON, with the lab's token when it has one."""
        api = self.api_url
        if api is None:
            raise LabClientError(f"{self.endpoints_path}: api missing (the lab runs no API)")
        headers: dict[str, str] = {}
        if self.api_token is not None:
            # Every call, reads too: the API shows the tenant's secrets only to
            # the token holder, and whoever may read endpoints.json is one.
            headers[API_TOKEN_HEADER] = f"Bearer {self.api_token}"
        return await self._request(
            method, f"{api}{path}", json_body=body, headers=headers, timeout=timeout
        )

    async def token_service_call(
        self, method: str, path: str, form: Mapping[str, str] | None = None
    ) -> Answer:
        """A call to the lab's token service, verified as ``login.microsoftonline.com``."""
        service = self.token_service
        import ssl

        context = ssl.create_default_context(cafile=str(self.ca_pem))
        return await self._request(
            method, f"{service.url}{path}", form=form, tls=context, server_hostname=service.host
        )

    def get_api(self, path: str) -> Answer:
        """``api("GET", path)`` for a command that has no event loop of its own."""
        return _run(self.api("GET", path))

    def post_api(self, path: str, body: Any) -> Answer:
        return _run(self.api("POST", path, body))

    def set_settings(self, items: list[str]) -> list[str]:
        """Change live settings (``Key=Value``, the tenant file's validation); what was applied.

        Refused settings raise :class:`LabClientError` with the lab's reason."""
        answer = self.post_api("/api/tenant/set", {"set": items})
        if not answer.ok or not isinstance(answer.body, dict):
            why = answer.body.get("error") if isinstance(answer.body, dict) else None
            raise LabClientError(why or f"the lab answered HTTP {answer.status}")
        return [str(i) for i in answer.body.get("applied", items)]

    def tenant_document(self) -> dict[str, Any]:
        """The running lab's tenant as JSON (with its secrets: the caller holds the token)."""
        answer = self.get_api("/api/tenant")
        if not answer.ok or not isinstance(answer.body, dict):
            raise LabClientError(f"the lab answered HTTP {answer.status} for its tenant")
        return answer.body

    def console_url(self, lang: str | None = None) -> str:
        """The console's address with the token in the fragment: browsers never send a fragment."""
        api = self.api_url
        if api is None:
            raise LabClientError(f"{self.endpoints_path}: api missing (the lab runs no API)")
        query = f"?lang={lang}" if lang else ""
        fragment = f"#token={self.api_token}" if self.api_token else ""
        return f"{api}/console{query}{fragment}"

    async def _request(
        self,
        method: str,
        url: str,
        *,
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        tls: ssl.SSLContext | None = None,
        server_hostname: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> Answer:
        import aiohttp  # here, not at the top: most commands never talk HTTP, and it loads slowly

        options: dict[str, Any] = {"headers": {"Accept": "application/json", **(headers or {})}}
        if json_body is not None:
            options["json"] = json_body
        if form is not None:
            options["data"] = dict(form)
        if tls is not None:
            options["ssl"] = tls
            options["server_hostname"] = server_hostname
        try:
            async with (
                aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session,
                session.request(method, url, **options) as response,
            ):
                raw = await response.read()
                return Answer(response.status, _json_or_none(raw))
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            where = url.split("/", 3)[2]
            raise LabClientError(f"the lab at {where} did not answer ({_why(exc)})") from None


def _run(call: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run``, with asyncio loaded only by a command that talks to a lab.

    Every `exolab` command imports this module (through the shared flags), and
    ``exolab --version`` or ``exolab run --list`` has no lab to talk to.
    """
    import asyncio

    return asyncio.run(call)


def _why(exc: BaseException) -> str:
    """The short reason: the socket's error when there was one, else the exception's text."""
    import aiohttp  # loaded already: only a request made with it fails this way

    if isinstance(exc, aiohttp.ClientConnectorError):
        return exc.os_error.strerror or str(exc.os_error) or "cannot connect"
    if isinstance(exc, TimeoutError):
        return "no answer in time"
    return str(exc) or type(exc).__name__


def _json_or_none(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return None
