"""The firmware side: simulated devices that send scans by mail. Never imports emulator.

Public surface::

    from devices import send_scan, load_profile, list_profiles, Settings, Job, LabNetwork
"""

from devices.clock import Clock, SystemClock
from devices.errors import ConfigError, DevicesError, JobError, NetworkError, ProfileError
from devices.job import Job, build_message, parse_job_spec
from devices.network import LabNetwork
from devices.profile import Profile, Timeouts, list_profiles, load_profile, profile_names
from devices.result import DeviceResult, TranscriptLine
from devices.run import send_scan
from devices.settings import Settings
from devices.tokens import StaticToken, TokenError, TokenSource

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
