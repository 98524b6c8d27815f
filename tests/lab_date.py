"""The one lab date of the test suite: ``$EXOLAB_AS_OF`` when set, else a pinned day.

No test asks the wall clock what the lab should do: run the suite with
``EXOLAB_AS_OF=2029-01-01`` to see it on another day.
"""

from __future__ import annotations

import os
from datetime import datetime

from exolab.emulator.clock import LAB_DATE_ENV, lab_date_from_env, utc

PINNED = utc(2026, 11, 27, 9, 30)


def suite_lab_date() -> datetime:
    return lab_date_from_env(os.environ) or PINNED


def pin_for_children() -> None:
    """Child processes (``exolab serve``, ``exolab send``) inherit the suite's lab date."""
    os.environ[LAB_DATE_ENV] = suite_lab_date().isoformat()
