"""The command line: a thin face over the ledger and queries."""
