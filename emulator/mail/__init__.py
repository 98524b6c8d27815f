"""Message-level work the service does besides SMTP: the header fields it stamps."""
