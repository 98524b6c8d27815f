"""The firmware side: simulated devices that send scans by mail. Never imports emulator.

Public surface::

    from exolab.devices import send_scan, load_profile, list_profiles, Settings, Job, LabNetwork
"""

from exolab.devices.clock import Clock, SystemClock
from exolab.devices.errors import ConfigError, DevicesError, JobError, NetworkError, ProfileError
from exolab.devices.job import Job, build_message, parse_job_spec
from exolab.devices.network import LabNetwork
from exolab.devices.profile import Profile, Timeouts, list_profiles, load_profile, profile_names
from exolab.devices.result import DeviceResult, TranscriptLine
from exolab.devices.run import send_scan
from exolab.devices.settings import Settings
from exolab.devices.tokens import StaticToken, TokenError, TokenSource

__all__ = [
    "Clock",
    "ConfigError",
    "DeviceResult",
    "DevicesError",
    "Job",
    "JobError",
    "LabNetwork",
    "NetworkError",
    "Profile",
    "ProfileError",
    "Settings",
    "StaticToken",
    "SystemClock",
    "Timeouts",
    "TokenError",
    "TokenSource",
    "TranscriptLine",
    "build_message",
    "list_profiles",
    "load_profile",
    "parse_job_spec",
    "profile_names",
    "send_scan",
]
