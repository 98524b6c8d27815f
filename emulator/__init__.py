"""The service side: what Microsoft 365 / Exchange Online looks like on the wire."""
