"""The compatibility matrix: every device profile against each documented set-up.

A firmware vendor's view: for each profile, what happens with SMTP AUTH on
smtp.office365.com:587, on smtp-legacy.office365.com with the tenant's
opt-in, and with direct send to the MX from the SPF-listed site. Each cell
is an ordinary scenario run (fresh lab, real sockets), built here from data;
the settings are what an administrator would type, bent only where the
device's settings page refuses them (a port field fixed to 465).

A value the settings page cannot take at all (an MX host name longer than
the server field) is not a lab failure but the device's answer: the cell's
outcome is ``refused_setting`` with the configuration error in the reader's
language ("config error: server name too long for the field (39 > 32)"), and
nothing is sent, as in the field. The renderings live in
``scenarios.reports.matrix``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from exolab.devices import Profile, ProfileError, list_profiles, load_profile, profile_names
from exolab.devices.errors import ConfigError
from exolab.devices.profile import load_profile_file
from exolab.devices.result import OUTCOMES
from exolab.devices.settings import Settings
from exolab.scenarios.loader import ScenarioFile
from exolab.scenarios.messages import Lang
from exolab.scenarios.model import LocalizedText, Scenario
from exolab.scenarios.result import ScenarioResult
from exolab.scenarios.runner import RunOptions, run_catalog

SCANNER = {"username": "scanner@contoso.com", "password": "Scan-2-Mail!"}


@dataclass(frozen=True)
class Setup:
    id: str
    title: LocalizedText
    server: str
    port: int
    tenant: tuple[str, ...] = ()
    authenticated: bool = True
    sender: str = "scanner@contoso.com"
    credentials: tuple[tuple[str, str], ...] = tuple(SCANNER.items())
    """What the administrator types as user name and password for this path."""


SETUPS: tuple[Setup, ...] = (
    Setup(
        "smtp-auth",
        LocalizedText(
            en="SMTP AUTH smtp.office365.com:587",
            ja="SMTP AUTH クライアント送信 smtp.office365.com:587",
        ),
        "smtp.office365.com",
        587,
    ),
    Setup(
        "smtp-legacy",
        LocalizedText(
            en="SMTP AUTH smtp-legacy (opted in)",
            ja="SMTP AUTH クライアント送信 smtp-legacy (オプトイン済み)",
        ),
        "smtp-legacy.office365.com",
        587,
        ("TransportConfig.AllowLegacyTLSClients=true",),
    ),
    Setup(
        "direct-send",
        LocalizedText(
            en="Direct send, SPF-listed site", ja="ダイレクト送信 (SPF に登録済みの拠点)"
        ),
        "contoso-com.mail.protection.outlook.com",
        25,
        authenticated=False,
    ),
    Setup(
        "hve",
        LocalizedText(
            en="High Volume Email smtp.hve.mx.microsoft:587",
            ja="High Volume Email (HVE) smtp.hve.mx.microsoft:587",
        ),
        "smtp.hve.mx.microsoft",
        587,
        # the demo app-only app on the HVE account's allowed list, long enough ago to be in effect
        (
            'HveAccount[scan-hve@contoso.com].AllowedAppIds=["5f0c2a8e-3a51-4c47-9d0e-1b5a6c7d8e90"]',
            "HveAccount[scan-hve@contoso.com].AppAccessChanged=2020-01-01T00:00:00Z",
        ),
        sender="scan-hve@contoso.com",
        credentials=(("username", "scan-hve@contoso.com"), ("password", "Hve-Scan-1!")),
    ),
    Setup(
        "acs",
        LocalizedText(
            en="ACS SMTP relay smtp.azurecomm.net:587",
            ja="ACS の SMTP リレー smtp.azurecomm.net:587",
        ),
        "smtp.azurecomm.net",
        587,
        sender="DoNotReply@notify.contoso.com",
        credentials=(("username", "acs-scanner"), ("password", "lab-acs-secret~1")),
    ),
)


REFUSED_SETTING = "refused_setting"
"""The device's settings page would not take a value the set-up needs; nothing was sent."""
ERROR = "error"
"""The cell could not be run (a broken lab or scenario): a defect, not a device outcome."""
MATRIX_OUTCOMES: tuple[str, ...] = (*OUTCOMES, REFUSED_SETTING, ERROR)


@dataclass(frozen=True)
class Cell:
    """One profile under one set-up: the outcome, why, and the run behind it (if any ran)."""

    outcome: str
    detail: str
    """The reply or the device's reason, e.g. ``config error: server name too long ...``."""
    result: ScenarioResult | None = None
    detail_ja: str | None = None
    """The device's reason in Japanese (a refused setting); None: ``detail`` serves both."""

    def detail_in(self, lang: Lang) -> str:
        return self.detail_ja if lang == "ja" and self.detail_ja is not None else self.detail


_LIMITS = {
    "server": "server_max_length",
    "sender": "sender_max_length",
    "username": "username_max_length",
    "password": "password_max_length",
}
# The words of a refused setting, next to the set-up titles they are shown with.
_FIELD_NAMES = {
    "server": LocalizedText(en="server name", ja="サーバー名"),
    "sender": LocalizedText(en="sender address", ja="送信者アドレス"),
    "username": LocalizedText(en="user name", ja="ユーザー名"),
    "password": LocalizedText(en="password", ja="パスワード"),
}
_TOO_LONG = LocalizedText(
    en="config error: {field} too long for the field ({length} > {limit})",
    ja="設定エラー: {field}が長すぎて欄に入りません ({length} > {limit})",
)
_REFUSED = LocalizedText(
    en="config error: {field}: {expected}", ja="設定エラー: {field}: {expected}"
)


def config_error(
    profile: Profile, settings: dict[str, object], exc: ConfigError, lang: Lang
) -> str:
    """What the settings page's refusal means, as an administrator reads it."""
    limit_field = _LIMITS.get(exc.field)
    limit = getattr(profile.settings, limit_field) if limit_field else None
    value = settings.get(exc.field)
    if isinstance(limit, int) and isinstance(value, str) and len(value) > limit:
        field = _FIELD_NAMES[exc.field].get(lang)
        return _TOO_LONG.get(lang).format(field=field, length=len(value), limit=limit)
    return _REFUSED.get(lang).format(field=exc.field, expected=exc.expected)


def refusal(profile: Profile, settings: dict[str, object]) -> Cell | None:
    """The refused-setting cell when the device's settings page rejects ``settings``, else None.

    The one place where the device's configuration answer becomes a matrix
    outcome: ``Settings.build`` is the same check the runner makes before a
    send, so a refused cell is exactly a cell that could never send.
    """
    try:
        Settings.build(profile, settings, source=profile.name)
    except ConfigError as exc:
        return Cell(
            REFUSED_SETTING,
            config_error(profile, settings, exc, "en"),
            detail_ja=config_error(profile, settings, exc, "ja"),
        )
    return None


def cell_of(result: ScenarioResult) -> Cell:
    """The cell of a run: the device's outcome, or ``error`` when the run itself broke."""
    attempt = result.subject()
    if result.error or attempt is None:
        return Cell(ERROR, result.error or "no attempt", result)
    return Cell(attempt.outcome, attempt.summary(), result)


def parse_outcomes(names: Iterable[str]) -> frozenset[str]:
    """Outcome names as a user types them (``tls-failure`` or ``tls_failure``), validated."""
    chosen = {name.strip().replace("-", "_") for name in names}
    unknown = sorted(chosen - set(MATRIX_OUTCOMES))
    if unknown:
        raise ValueError(
            f"unknown outcome(s) {', '.join(unknown)}; expected some of {', '.join(MATRIX_OUTCOMES)}"
        )
    return frozenset(chosen)


def _profiles_in(folder: Path) -> list[tuple[Profile, str]]:
    files = sorted(folder.glob("*.toml"))
    if not files:
        raise ProfileError(str(folder), "(folder)", "a folder holding device profile .toml files")
    return [(load_profile_file(f), str(f.resolve())) for f in files]


def matrix_profiles(items: Sequence[str] | None = None) -> list[tuple[Profile, str]]:
    """(profile, reference) pairs: every shipped profile, or the given names, files and folders.

    The reference is what a cell's scenario names: a shipped profile by name,
    a vendor's file by absolute path. A bad file raises ``ProfileError``
    (file, field, expectation); an unknown name or a name given twice raises
    ``ValueError``.
    """
    if not items:
        return [(p, p.name) for p in list_profiles()]
    shipped = set(profile_names())
    chosen: list[tuple[Profile, str]] = []
    unknown: list[str] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            chosen += _profiles_in(path)
        elif item in shipped:
            chosen.append((load_profile(item), item))
        elif item.endswith(".toml") or path.exists():
            chosen.append((load_profile_file(path), str(path.resolve())))
        else:
            unknown.append(item)
    if unknown:
        raise ValueError(
            f"unknown profile(s): {', '.join(unknown)}; expected a shipped profile name "
            "(`exolab profiles`), a profile .toml file or a folder of them"
        )
    seen: dict[str, str] = {}
    for profile, ref in chosen:
        if profile.name in seen:
            raise ValueError(
                f"profile name {profile.name!r} given twice ({seen[profile.name]}, {ref})"
            )
        seen[profile.name] = ref
    return chosen


def _security(profile: Profile) -> str:
    modes = set(profile.security_modes)
    if modes & {"starttls", "opportunistic_starttls"}:
        return "starttls"
    return "implicit" if "implicit" in modes else "none"


def cell_settings(profile: Profile, setup: Setup) -> dict[str, object]:
    """The settings a vendor's documentation would give for one set-up, as typed."""
    allowed = profile.settings.ports
    port = setup.port if allowed is None or setup.port in allowed else allowed[0]
    settings: dict[str, object] = {
        "server": setup.server,
        "port": port,
        "security": _security(profile),
        "sender": setup.sender,
    }
    if setup.authenticated and profile.auth.mechanisms:
        settings |= dict(setup.credentials)
    return settings


def cell_scenario(profile: Profile, setup: Setup, reference: str | None = None) -> Scenario:
    """The scenario for one cell; ``reference`` is the profile's name or its file's path."""
    return Scenario.model_validate(
        {
            "id": f"{profile.name}--{setup.id}",
            "title": {
                "en": f"{profile.name} / {setup.title.en}",
                "ja": f"{profile.name} / {setup.title.ja}",
            },
            "demonstrates": {
                "en": f"How {profile.name} fares with {setup.title.en}.",
                "ja": f"{profile.name} を「{setup.title.ja}」の構成で使った場合の結果です。",
            },
            "source": "https://learn.microsoft.com/en-us/exchange/mail-flow-best-practices/how-to-set-up-a-multifunction-device-or-application-to-send-email-using-microsoft-365-or-office-365",
            "recipients": ["alice@contoso.com"],
            "tenant": {
                "set": [
                    *setup.tenant,
                    "Lab.Port465Hold=2.0",
                    "TokenLifetimePolicy.DeviceCodeInterval=0",
                ]
            },
            "device": {
                "profile": reference or profile.name,
                "settings": cell_settings(profile, setup),
                "timeouts": {"connect": 1.0, "banner": 1.0, "reply": 5.0},
                # a device-code firmware needs a person to enter the code
                "approver": "scanner@contoso.com" if profile.oauth is not None else None,
            },
            "expect": {"outcome": "delivered"},
        }
    )


def run_matrix(
    profiles: Sequence[str] | None = None, jobs: int = 4
) -> tuple[dict[str, dict[str, Cell]], float]:
    """Every chosen profile against every set-up: ``{profile: {setup id: Cell}}`` and wall time.

    ``profiles`` are shipped names, profile files or folders of them (see
    ``matrix_profiles``); a bad file raises ``ProfileError`` before anything runs.
    """
    chosen = matrix_profiles(profiles)
    refusals = {(p.name, s.id): refusal(p, cell_settings(p, s)) for p, _ in chosen for s in SETUPS}
    items = [
        ScenarioFile(cell_scenario(p, s, ref), Path(f"<matrix {p.name} {s.id}>"), s.id)
        for p, ref in chosen
        for s in SETUPS
        if refusals[p.name, s.id] is None
    ]
    results, wall = run_catalog(items, RunOptions(jobs=jobs)) if items else ([], 0.0)
    ran = {(i.scenario.id, i.group): r for i, r in zip(items, results, strict=True)}
    table: dict[str, dict[str, Cell]] = {}
    for p, _ in chosen:
        row = table.setdefault(p.name, {})
        for s in SETUPS:
            refused = refusals[p.name, s.id]
            row[s.id] = refused or cell_of(ran[f"{p.name}--{s.id}", s.id])
    return table, wall
