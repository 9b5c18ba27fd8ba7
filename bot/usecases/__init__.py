"""Use cases: what the bot and the CLI do with the ledger, one module per job."""
