"""exolab: an offline Exchange Online lab for devices that send mail, and the devices.

One import name holds the whole application, so a project of your own with
``scenarios`` or ``devices`` packages never collides with ours:

- ``exolab.emulator``: the service side (tenant, replies, policy, SMTP, DNS,
  store, token service, API).
- ``exolab.devices``: the firmware side (profiles, the SMTP client, scan jobs).
- ``exolab.scenarios``: the scenario catalog, runner, reports and explain.
- ``exolab.cli``, ``exolab.pytest_plugin``, ``exolab.labclient``: the app
  shell, the only place that puts the three together for a user.

In the repository the three layers are the top-level folders ``emulator/``,
``devices/`` and ``scenarios/``; ``exolab/`` links them into one package.
"""

from __future__ import annotations


def __getattr__(name: str) -> str:
    """``exolab.__version__``, read from the installed package's metadata when first asked for.

    Every import of the package runs this module, and importlib.metadata is slow to
    load: only ``exolab --version`` (and whoever else asks) should pay for it.
    """
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("exolab")
    except PackageNotFoundError:  # a source tree that was never installed
        found = "0+unknown"
    globals()["__version__"] = found
    return found
