"""The firmware side: simulated devices that send scans by mail. Never imports emulator."""
