"""The firmware's own SMTP client: a sans-IO state machine with its transition table."""
