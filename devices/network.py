"""The lab network as a device sees it: DNS server, addresses, port map, sites, CA.

``LabNetwork.from_data_dir(DIR)`` reads the lab's ``DIR/endpoints.json``;
``LabNetwork.for_resolver(("10.0.0.53", 53))`` describes "any server named in
the settings, resolved by this DNS server" (no port map, no sites).
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from exolab.devices._validation import from_validation_error
from exolab.devices.errors import NetworkError

ENDPOINTS_FILE = "endpoints.json"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class DnsServer(_Frozen):
    address: str
    port: int = Field(default=53, ge=1, le=65535)


class Endpoint(_Frozen):
    address: str
    ports: dict[str, int] = Field(default_factory=dict, description="real port -> bound port")


class Site(_Frozen):
    source: str = Field(description="The address devices of this site connect from.")
    public: str = Field(description="The public address the service sees (NAT).")


class LabNetwork(_Frozen):
    """What a device on the lab network knows about it (frozen)."""

    endpoints: dict[str, Endpoint] = Field(default_factory=dict)
    dns: DnsServer | None = None
    sites: dict[str, Site] = Field(default_factory=dict)
    ca_pem: Path | None = None
    api: str | None = None

    @field_validator("dns", mode="before")
    @classmethod
    def _empty_dns_is_none(cls, value: object) -> object:
        return None if value == {} else value  # a lab without its DNS server (yet)

    @classmethod
    def from_endpoints_file(cls, path: Path) -> LabNetwork:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise NetworkError(
                str(path),
                "(file)",
                f"the lab's endpoints.json ({exc.strerror}); is `exolab serve --data DIR` running?",
            ) from None
        except json.JSONDecodeError as exc:
            raise NetworkError(str(path), "(file)", f"valid JSON: {exc}") from None
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise from_validation_error(NetworkError, str(path), exc) from None

    @classmethod
    def from_data_dir(cls, data_dir: Path) -> LabNetwork:
        return cls.from_endpoints_file(data_dir / ENDPOINTS_FILE)

    @classmethod
    def for_resolver(
        cls, dns: tuple[str, int] | None = None, ca_pem: Path | None = None
    ) -> LabNetwork:
        """Any server named in the settings, resolved by ``dns`` (system resolver if None)."""
        server = DnsServer(address=dns[0], port=dns[1]) if dns is not None else None
        return cls(dns=server, ca_pem=ca_pem)

    def port_for(self, address: str, port: int) -> int:
        """The bound port for (address, real port); the real port when not mapped."""
        for endpoint in self.endpoints.values():
            if endpoint.address == address:
                return endpoint.ports.get(str(port), port)
        return port

    def source_for(self, site: str | None) -> str | None:
        """The source address of ``site``; the first site when None; None without sites."""
        if site is None:
            return next(iter(self.sites.values())).source if self.sites else None
        if site not in self.sites:
            known = ", ".join(self.sites) or "none defined"
            raise NetworkError("site", site, f"a site of the lab ({known})")
        return self.sites[site].source


def parse_host_port(text: str, source: str = "--dns", default_port: int = 53) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep:
        host, port = text, str(default_port)
    if not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise NetworkError(source, text, "HOST:PORT, e.g. 127.10.0.53:53")
    return host, int(port)
