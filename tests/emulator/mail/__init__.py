"""Tests of emulator/mail: the headers the lab writes and the header scanner."""
