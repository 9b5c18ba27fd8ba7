"""The reports (SPEC §8.1–8.2 of the seed, issue 16): the monthly 看板, the sales and risk KPIs
and the quarterly review (季度复盘), worked out from the ledger; their charts and workbooks.

Below bot/ (which posts and schedules them) and above storage/ and scoring/; ledger/ uses the
charts for the export's 看板 sheet."""
