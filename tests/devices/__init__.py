"""Tests of devices/: the firmware side, against aiosmtpd and the lab."""
