"""The batch engine over the whole ledger: importing, rescoring and exporting (SPEC §8, §11).

Works on storage and scoring, reads and writes spreadsheets through `spreadsheets/`, and
knows nothing of Slack: the bot's jobs and the CLI call it, and the publishing pass tells
people what it recorded.
"""
