"""The hostile-input suite the project keeps: ``python -m tests.torture`` (``make torture``).

Each check drives a real ``exolab serve`` process over loopback sockets and
counts what went wrong: acknowledged messages lost or torn, smuggled
messages split off, commands injected across STARTTLS, replies that are not
the catalog's, crashes. The full run prints one table and exits non-zero on
any of those; ``test_torture.py`` runs the same checks with small budgets
inside ``make test``.
"""
