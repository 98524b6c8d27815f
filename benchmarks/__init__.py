"""Benchmarks (``make bench``): not tests. Each module here with a ``main(argv) -> int`` is a case.

``python -m benchmarks`` runs every case (submission first); ``python -m
benchmarks submission`` runs one. Cases are bounded in count and time and use
loopback only.
"""
