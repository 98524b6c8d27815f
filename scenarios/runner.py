"""Run scenarios: a fresh in-process lab per scenario, the device against it, then compare.

Each scenario gets its own temporary data directory, ephemeral ports, the
default tenant with its changes, and a lab clock standing still at its lab
date. The directory starts with the run's key material (the lab CA and the
token signing key, made once per process): generating three RSA keys for
every lab was most of the catalog's CPU time, and no scenario depends on
which keys its lab holds, only on what they sign. The device runs in the same event loop over real sockets and real
TLS. Afterwards the store is read back from disk (what was committed is what
counts) and ``scenarios.result.compare`` judges both sides. Scenarios run
concurrently, bounded by ``jobs``, spread over ``processes`` worker processes
(a lab is mostly Python CPU work, so one process uses one core); results and
progress come back in catalog order whatever finished first.
"""

from __future__ import annotations

import asyncio
import functools
import json
import multiprocessing
import os
import queue
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from exolab.devices import DeviceResult, Job, LabNetwork, send_scan
from exolab.devices.clock import Clock as DeviceClock
from exolab.devices.network import Site as NetworkSite
from exolab.emulator.clock import FixedClock, LabClock
from exolab.emulator.lab import PortPlan
from exolab.emulator.tenant import Tenant, load_default_tenant
from exolab.scenarios.context import message_context
from exolab.scenarios.loader import ScenarioFile
from exolab.scenarios.model import Scenario
from exolab.scenarios.order import cache_home, keep_times, longest_first, read_times, times_path
from exolab.scenarios.result import (
    Attempt,
    Line,
    Observation,
    ScenarioResult,
    Session,
    Stored,
    compare,
    subject_attempt,
)
from exolab.scenarios.world import build_tenant, device_for, site_source

Override = tuple[str, object]


@dataclass(frozen=True)
class RunOptions:
    """How a run behaves; none of it changes what a scenario expects."""

    jobs: int = 4
    """Scenarios in flight at once (over all worker processes)."""
    processes: int = 1
    """Worker processes the scenarios are spread over; 1 runs them all in this process."""
    keep_data: Path | None = None
    """Keep each scenario's data directory under this folder (for inspection)."""
    extra_overrides: tuple[Override, ...] = ()
    """Tenant overrides applied after the scenario's own (tests break rules with these)."""


def _job(scenario: Scenario) -> Job:
    data: dict[str, Any] = scenario.job.model_dump(exclude_none=True)
    return Job.model_validate(data)


async def run_scenario(item: ScenarioFile, options: RunOptions = RunOptions()) -> ScenarioResult:
    """Run one scenario end to end; never raises for a bad scenario or a broken lab."""
    scenario = item.scenario
    started = time.perf_counter()
    try:
        observation, public_ip, tenant = await _observe(item, options)
    except Exception as exc:  # a broken lab or device is this scenario's error, not the run's
        return _result(
            item,
            started,
            status="error",
            error=f"{type(exc).__name__}: {exc}",
            extra={"context": _planned_context(item, options)},
        )
    differences = tuple(compare(scenario.expect, observation))
    attempt = subject_attempt(scenario.expect, observation.attempts)
    return _result(
        item,
        started,
        status="failed" if differences else "passed",
        observation=observation,
        differences=differences,
        failing_step=failing_step(attempt) if attempt else None,
        extra={
            "public_ip": public_ip,
            "context": message_context(
                scenario, tenant, public_ip, (attempt.tls_version if attempt else None) or ""
            ),
        },
    )


def _planned_context(item: ScenarioFile, options: RunOptions) -> dict[str, str]:
    """The context of a run that never happened: the public IP the tenant gives its site."""
    try:
        tenant = build_tenant(item.scenario, str(item.path), list(options.extra_overrides))
    except Exception:  # the scenario's own tenant is what broke: explain it against the default
        tenant = load_default_tenant()
    source_ip = site_source(tenant, item.scenario.device.site)
    public_ip = tenant.public_ip_for(source_ip) if source_ip else tenant.lab.default_public_ip
    return message_context(item.scenario, tenant, public_ip)


def _result(item: ScenarioFile, started: float, **fields: Any) -> ScenarioResult:
    s = item.scenario
    return ScenarioResult(
        id=s.id,
        group=item.group,
        title=s.title,
        demonstrates=s.demonstrates,
        source=s.source,
        fix=s.fix,
        seconds=time.perf_counter() - started,
        expect=s.expect,
        **fields,
    )


async def _observe(item: ScenarioFile, options: RunOptions) -> tuple[Observation, str, Tenant]:
    """What the device and the lab saw, the site's public IP, and the tenant (frozen) it ran."""
    from exolab.emulator.server import (
        Lab,  # the composition root; imported late to keep loading light
    )

    scenario, source = item.scenario, str(item.path)
    if item.world is not None and not options.extra_overrides:  # built when it was loaded
        tenant, profile, settings = item.world.tenant, item.world.profile, item.world.settings
    else:
        tenant = build_tenant(scenario, source, list(options.extra_overrides))
        profile, settings = device_for(scenario, source)
    job = _job(scenario)
    as_of = scenario.tenant.as_of
    with _data_dir(options, scenario.id) as data_dir:
        lab = await Lab.start(
            tenant=tenant,
            data_dir=data_dir,
            ports=PortPlan(ephemeral=True),
            clock=FixedClock(as_of),
            services=lab_services(tenant, oauth=getattr(profile, "oauth", None) is not None),
        )
        try:
            network = _network(LabNetwork.from_endpoints_file(lab.endpoints_path), tenant)
            lab_clock = lab.context.clock
            assert isinstance(lab_clock, FixedClock)
            results = await _send_all(
                scenario, profile, settings, job, network, LabClock(as_of), lab, lab_clock
            )
        finally:
            await lab.stop()
        stored, sessions = _read_store(data_dir)
    source_ip = site_source(tenant, scenario.device.site)
    public_ip = tenant.public_ip_for(source_ip) if source_ip else tenant.lab.default_public_ip
    attempts = tuple(_attempt(r) for r in results)
    return Observation(attempts, stored, sessions), public_ip, tenant


def lab_services(tenant: Tenant, *, oauth: bool = True) -> list[Any]:
    """A scenario's lab: every Exchange-side service, the MX checking SPF in threads.

    The MX's SPF helper process keeps pyspf's CPU away from the event loop
    under load; a scenario sends a message or a few, and starting a helper
    Python for them cost about a second of CPU per direct-send scenario.
    The checks, the lab DNS they ask and their results are the same.
    The lab's own REST API and console are left out: no device talks to
    them, the runner reads the store from disk once the lab has stopped,
    and building their web application was a tenth of a lab's start.
    The token service (login.microsoftonline.com) runs only for a device
    that gets OAuth tokens (``oauth``): the lab checks a token against the
    signing keys on disk, so no other device ever reaches it, and building
    its web application was a sixth of a lab's start.
    """
    from exolab.emulator.api import ApiService
    from exolab.emulator.entra import EntraService
    from exolab.emulator.server import default_services
    from exolab.emulator.smtp.mx import MxService

    left_out = (ApiService,) if oauth else (ApiService, EntraService)
    return [
        MxService(spf="thread") if isinstance(s, MxService) else s
        for s in default_services(tenant)
        if not isinstance(s, left_out)
    ]


class _data_dir:
    """A temporary data directory, or a kept one under ``options.keep_data``."""

    def __init__(self, options: RunOptions, name: str) -> None:
        self._keep = options.keep_data
        self._name = name
        self._tmp: tempfile.TemporaryDirectory[str] | None = None

    def __enter__(self) -> Path:
        if self._keep is not None:
            path = self._keep / self._name
            path.mkdir(parents=True, exist_ok=True)
        else:
            self._tmp = tempfile.TemporaryDirectory(
                prefix=f"exolab-{self._name}-", dir=scratch_root()
            )
            path = Path(self._tmp.name)
        _seed_keys(path)
        return path

    def __exit__(self, *exc: object) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()


MEMORY_SCRATCH = Path("/dev/shm")
SCRATCH_ROOM = 2 << 30
"""Free bytes the memory file system must have before a run puts its scratch labs there."""


def scratch_root(memory: Path = MEMORY_SCRATCH, need: int = SCRATCH_ROOM) -> str | None:
    """Where scratch labs live: in memory when the machine has room, else the temp folder.

    A scenario's lab is thrown away when the scenario ends, yet it commits like
    any lab (WAL, ``synchronous=FULL``): on a disk every commit waits for an
    fsync, in memory it does not, and nothing the scenario observes changes.
    ``TMPDIR`` set by the user wins; ``--keep-data`` keeps labs where it says.
    """
    if os.environ.get("TMPDIR"):
        return None
    try:
        if not (memory.is_dir() and os.access(memory, os.W_OK | os.X_OK)):
            return None
        stat = os.statvfs(memory)
    except OSError:
        return None
    return str(memory) if stat.f_bavail * stat.f_frsize >= need else None


@functools.cache
def _key_material() -> dict[Path, bytes]:
    """The run's key material: the kept set when it is sound, else a new one (then kept)."""
    cache = key_cache_dir()
    if cache is not None:
        _adopt_leaf_keys(cache.parent / LEAF_KEYS_FILE)
    return run_keys(cache)


LEAF_KEYS_FILE = "leaf-keys.json"
"""Beside the kept CA: the servers' leaf keys by identity, which each process otherwise makes."""


def _adopt_leaf_keys(path: Path) -> None:
    from exolab.emulator.tls import adopt_leaf_keys

    try:
        if path.stat().st_mode & 0o077:
            return
        kept = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return
    if isinstance(kept, dict):
        adopt_leaf_keys({str(k): str(v).encode("ascii", "replace") for k, v in kept.items()})


def keep_leaf_keys() -> None:
    """Add the leaf keys this process made to the kept ones (for the next run's processes)."""
    from exolab.emulator.tls import leaf_keys_pem

    cache = key_cache_dir()
    if cache is None:
        return
    path = cache.parent / LEAF_KEYS_FILE
    made = {label: pem.decode("ascii") for label, pem in leaf_keys_pem().items()}
    try:
        kept = json.loads(path.read_text("utf-8")) if path.exists() else {}
    except (OSError, ValueError):
        kept = {}
    if not isinstance(kept, dict) or set(made) <= set(kept):
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, staging = tempfile.mkstemp(prefix=".leaf-keys-", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as out:  # mkstemp: 0600
            json.dump(kept | made, out)
        os.replace(staging, path)
    except OSError:  # a read-only home: the next run makes its own
        return


def key_cache_dir() -> Path | None:
    """Where a user's scenario runs keep their key material between runs (None: nowhere).

    Generating the lab CA, its intermediate and the token signing key (three
    RSA keys) took a run about a second before its first scenario could
    start. The keys sign for throw-away labs on loopback and nothing a
    scenario observes depends on them, so one set serves every run.
    """
    home = cache_home()
    return home / "scenario-keys" if home is not None else None


def run_keys(cache: Path | None) -> dict[Path, bytes]:
    """The files a new lab writes for its CA and token signing key.

    Read from ``cache`` when a lab can load them; otherwise made by the
    emulator's own classes in a scratch directory (so the files are exactly
    what a lab would write and load back) and kept in ``cache`` for the next
    run. A cache that cannot be read or written only costs the time to make
    new keys.
    """
    if cache is not None:
        kept = _read_keys(cache)
        if kept is not None:
            return kept
    with tempfile.TemporaryDirectory(prefix="exolab-keys-") as scratch:
        root = Path(scratch)
        _load_keys(root)
        material = {f.relative_to(root): f.read_bytes() for f in root.rglob("*") if f.is_file()}
    if cache is not None:
        _keep_keys(cache, material)
    return material


def _load_keys(root: Path) -> None:
    """What a lab does with the key files under ``root``: load them, or make missing ones."""
    from exolab.emulator.entra.keys import SigningKey
    from exolab.emulator.tls import LabCA

    LabCA(root)
    SigningKey.load_or_create(root / ENTRA_KEYS)


def _read_keys(cache: Path) -> dict[Path, bytes] | None:
    """The kept key files, when every one is private and a lab loads them all unchanged."""
    try:
        files = {f.relative_to(cache): f for f in cache.rglob("*") if f.is_file()}
        if not files or any(f.stat().st_mode & 0o077 for f in files.values()):
            return None
        material = {name: f.read_bytes() for name, f in files.items()}
        with tempfile.TemporaryDirectory(prefix="exolab-keys-") as scratch:
            root = Path(scratch)
            _write_keys(root, material)
            _load_keys(root)
            loaded = {f.relative_to(root): f.read_bytes() for f in root.rglob("*") if f.is_file()}
    except (OSError, ValueError, TypeError):  # unreadable, or not keys a lab can load
        return None
    # a lab that had to make or replace a file found the kept set incomplete or unusable
    return material if loaded == material else None


def _keep_keys(cache: Path, material: dict[Path, bytes]) -> None:
    """Keep the keys for later runs: written aside, then renamed into place whole."""
    try:
        cache.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        staging = Path(tempfile.mkdtemp(prefix=".scenario-keys-", dir=cache.parent))
    except OSError:  # a read-only home: this run's keys stay in memory
        return
    try:
        _write_keys(staging, material)
        shutil.rmtree(cache, ignore_errors=True)  # a set that failed to load
        staging.rename(cache)
    except OSError:  # another run kept its set first
        shutil.rmtree(staging, ignore_errors=True)


def _write_keys(root: Path, material: dict[Path, bytes]) -> None:
    """Key files private to the user (0600), in folders only the user can enter."""
    for relative, content in material.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(content)


ENTRA_KEYS = "entra"
"""Where a lab keeps its token signing key, under its data directory (emulator.entra)."""


def _seed_keys(data_dir: Path) -> None:
    """Give a scenario's data directory the run's keys (a kept one keeps its own)."""
    material = _key_material()
    _write_keys(
        data_dir, {name: pem for name, pem in material.items() if not (data_dir / name).exists()}
    )


def _network(network: LabNetwork, tenant: Tenant) -> LabNetwork:
    """The lab network plus the tenant's sites, so the device connects from the site address."""
    sites = dict(network.sites)
    for site in tenant.site:
        sites.setdefault(site.name, NetworkSite(source=site.source, public=site.public_ip))
    return network.model_copy(update={"sites": sites})


async def _send_all(
    scenario: Scenario,
    profile: Any,
    settings: Any,
    job: Job,
    network: LabNetwork,
    clock: DeviceClock,
    lab: Any,
    lab_clock: FixedClock,
) -> list[DeviceResult]:
    """The device's sends: concurrent (``parallel``) or one after the other (``repeat``).

    One device keeps one token source across its sends, like firmware that
    caches its access token; ``advance`` moves the lab clock between sends.
    """
    tokens = _token_source(scenario, profile, settings, network, clock, lab)

    def one(index: int) -> Any:
        return send_scan(
            profile,
            settings,
            job,
            network,
            recipients=scenario.recipients,
            site=scenario.device.site,
            rng_seed=index,
            clock=clock,
            token_source=tokens,
        )

    if scenario.parallel > 1:
        return list(await asyncio.gather(*(one(i) for i in range(scenario.parallel))))
    results = []
    for index in range(scenario.repeat):
        if index and scenario.advance:
            lab_clock.advance(scenario.advance)
        results.append(await one(index))
    return results


def _token_source(
    scenario: Scenario,
    profile: Any,
    settings: Any,
    network: LabNetwork,
    clock: DeviceClock,
    lab: Any,
) -> Any:
    """The profile's OAuth token source; a device code is approved by ``device.approver``."""
    if getattr(profile, "oauth", None) is None:
        return None
    from exolab.devices.oauth.factory import token_source_for

    approver = scenario.device.approver

    def approve(user_code: str, uri: str, message: str) -> None:
        # the person at Microsoft's page, in-process: the lab's own token endpoint
        entra = next((s for s in lab.services if getattr(s, "name", "") == "entra"), None)
        mailbox = lab.context.tenant.find_mailbox(approver or "")
        if entra is not None and entra.endpoint is not None and mailbox is not None:
            entra.endpoint.approve(user_code, mailbox.primary_smtp_address, mailbox.password)

    source = network.source_for(scenario.device.site) if scenario.device.site else None
    return token_source_for(
        profile,
        settings,
        network,
        clock,
        source=source,
        prompt=approve if approver else None,
    )


def _read_store(data_dir: Path) -> tuple[tuple[Stored, ...], tuple[Session, ...]]:
    """Read what the lab committed, from disk, after the lab stopped."""
    from exolab.emulator.store import Store

    store = Store.read_only(data_dir)
    try:
        stored = tuple(
            Stored(m.mailbox, m.folder, m.scl, tuple(m.headers_added)) for m in store.messages()
        )
        sessions = tuple(
            Session(f"{s.endpoint}:{s.port}", s.outcome, tuple(s.notes)) for s in store.sessions()
        )
    finally:
        store.close()
    return stored, sessions


_SECRET_VERBS = ("AUTH PLAIN ", "AUTH XOAUTH2 ")


def redact(lines: Sequence[tuple[float, str, str]]) -> tuple[Line, ...]:
    """The transcript without secrets: answers to 334 challenges and inline SASL responses."""
    out: list[Line] = []
    challenged = False
    for t, direction, text in lines:
        if direction == "C":
            if challenged:
                text = "****"
            else:
                for verb in _SECRET_VERBS:
                    if text.upper().startswith(verb):
                        text = text[: len(verb)] + "****"
        if direction == "S":
            challenged = text.startswith("334")
        elif direction == "C":
            challenged = False
        out.append(Line(t, direction, text))
    return tuple(out)


def _attempt(result: DeviceResult) -> Attempt:
    reply = result.reply
    return Attempt(
        outcome=result.outcome,
        stage=result.stage,
        code=reply.code if reply else None,
        enhanced=reply.enhanced if reply else None,
        text=reply.text if reply else "",
        reply_line=reply.wire_lines[-1] if reply else "",
        tls_version=_tls_version(result.tls_version),
        device_message=result.device_message,
        transcript=redact([(ln.t, ln.dir, ln.line) for ln in result.transcript]),
    )


def _tls_version(name: str | None) -> str | None:
    """``TLSv1.2`` → ``1.2``: scenarios write the bare version."""
    return name.removeprefix("TLSv") if name else None


def failing_step(attempt: Attempt) -> int | None:
    """The transcript index where the attempt went wrong (None for a delivery)."""
    lines = attempt.transcript
    if attempt.outcome == "delivered" or not lines:
        return None
    if attempt.outcome == "rejected" and attempt.reply_line:
        for index in range(len(lines) - 1, -1, -1):
            if lines[index].dir == "S" and lines[index].line == attempt.reply_line:
                return index
    for index in range(len(lines) - 1, -1, -1):
        if not lines[index].line.startswith("outcome "):
            return index
    return len(lines) - 1


async def run_all(
    items: Sequence[ScenarioFile],
    options: RunOptions = RunOptions(),
    on_result: Callable[[ScenarioResult], None] | None = None,
) -> list[ScenarioResult]:
    """Run many scenarios in this process, at most ``options.jobs`` at once.

    Results, and the ``on_result`` calls, come in the given order.
    """
    gate = asyncio.Semaphore(max(1, options.jobs))
    release = _InOrder(len(items), on_result)

    async def bounded(index: int, item: ScenarioFile) -> ScenarioResult:
        async with gate:
            result = await run_scenario(item, options)
        release.add(index, result)
        return result

    return list(await asyncio.gather(*(bounded(i, item) for i, item in enumerate(items))))


class _InOrder:
    """Hands results to ``on_result`` in catalog order, each as soon as all before it are in."""

    def __init__(self, total: int, on_result: Callable[[ScenarioResult], None] | None) -> None:
        self._waiting: dict[int, ScenarioResult] = {}
        self._next = 0
        self._on_result = on_result
        self.results: list[ScenarioResult | None] = [None] * total

    def add(self, index: int, result: ScenarioResult) -> None:
        self.results[index] = result
        self._waiting[index] = result
        while self._next in self._waiting:
            done = self._waiting.pop(self._next)
            self._next += 1
            if self._on_result is not None:
                self._on_result(done)


def run_catalog(
    items: Sequence[ScenarioFile],
    options: RunOptions = RunOptions(),
    on_result: Callable[[ScenarioResult], None] | None = None,
) -> tuple[list[ScenarioResult], float]:
    """The synchronous entry point: results (in the given order) and the wall time in seconds."""
    started = time.perf_counter()
    if options.processes > 1 and len(items) > 1:
        results = _run_in_processes(items, options, on_result)
    else:
        results = asyncio.run(run_all(items, options, on_result))
        keep_leaf_keys()
    return results, time.perf_counter() - started


def _run_in_processes(
    items: Sequence[ScenarioFile],
    options: RunOptions,
    on_result: Callable[[ScenarioResult], None] | None,
) -> list[ScenarioResult]:
    """Spread the scenarios over worker processes that pull them, the longest first.

    Each scenario's seed, clock, ports and data directory are its own, so
    where it runs changes nothing it observes. A forked worker inherits the
    scenarios and the run's key material; a worker that dies (killed, out of
    memory) turns its unfinished scenarios into errors, never into a hang.
    """
    _key_material()  # made once here, inherited by forked workers
    workers = min(options.processes, len(items))
    lanes = max(1, -(-max(1, options.jobs) // workers))  # scenarios in flight per worker
    worker_options = replace(options, processes=1, jobs=lanes)
    context = (
        multiprocessing.get_context("fork")
        if "fork" in multiprocessing.get_all_start_methods()
        else multiprocessing.get_context("spawn")
    )
    tasks: multiprocessing.Queue[int | None] = context.Queue()
    done: multiprocessing.Queue[tuple[int, ScenarioResult]] = context.Queue()
    procs = [
        context.Process(
            target=_worker, args=(list(items), worker_options, tasks, done), daemon=True
        )
        for _ in range(workers)
    ]
    for proc in procs:
        proc.start()  # before the first put: the queue's feeder thread starts after the forks
    times = times_path()
    for index in longest_first(items, read_times(times)):
        tasks.put(index)
    for _ in range(workers * lanes):
        tasks.put(None)  # one stop for each lane
    release = _InOrder(len(items), on_result)
    try:
        for index, result in _collect(done, len(items), procs):
            release.add(index, result)
    finally:
        for proc in procs:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.kill()
                proc.join()
    for index, missing in enumerate(release.results):
        if missing is None:
            release.add(index, _lost(items[index]))
    results = [r for r in release.results if r is not None]
    keep_times(times, ((r.id, r.seconds) for r in results))
    return results


def _collect(
    done: multiprocessing.Queue[tuple[int, ScenarioResult]],
    total: int,
    procs: Sequence[multiprocessing.process.BaseProcess],
) -> Iterator[tuple[int, ScenarioResult]]:
    """Results as the workers send them, until all are in or no worker is left to send one."""
    received = 0
    while received < total:
        try:
            item = done.get(timeout=0.5)
        except queue.Empty:
            if not any(proc.is_alive() for proc in procs):
                try:  # a last result may still be in the pipe
                    item = done.get(timeout=0.5)
                except queue.Empty:
                    return
            else:
                continue
        received += 1
        yield item


def _lost(item: ScenarioFile) -> ScenarioResult:
    """The result of a scenario whose worker process died before reporting it."""
    return _result(item, time.perf_counter(), status="error", error="its worker process died")


def _worker(
    items: Sequence[ScenarioFile],
    options: RunOptions,
    tasks: multiprocessing.Queue[int | None],
    done: multiprocessing.Queue[tuple[int, ScenarioResult]],
) -> None:
    """One worker process: ``options.jobs`` lanes, each pulling the next scenario to run."""

    async def lane() -> None:
        loop = asyncio.get_running_loop()
        while (index := await loop.run_in_executor(None, tasks.get)) is not None:
            done.put((index, await run_scenario(items[index], options)))

    async def main() -> None:
        await asyncio.gather(*(lane() for _ in range(options.jobs)))

    asyncio.run(main())
    keep_leaf_keys()
