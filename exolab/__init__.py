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

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("exolab")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"
