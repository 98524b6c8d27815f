"""Tests of devices/oauth: how a firmware gets its token."""
