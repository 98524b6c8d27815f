"""SASL mechanisms of the submission front ends, one module each, discovered.

A module here that defines ``MECHANISM`` (see ``emulator.smtp.auth.Mechanism``)
is offered on the wire under ``MECHANISM.name``.
"""
