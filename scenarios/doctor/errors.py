"""The one error `exolab doctor` reports as a single line: the input cannot be used."""

from __future__ import annotations


class CaptureError(Exception):
    """A capture or key log that cannot be read (named file, what is wrong with it)."""
