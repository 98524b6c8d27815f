"""Scenario catalog, runner, reports, explain, and the `exolab` command line."""
