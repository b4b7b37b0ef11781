"""The review app: a Textual face on the same core the CLI uses (ledger, queries)."""
