"""Reading and writing the ledger's spreadsheets: CSV, XLSX and XLS rows, their columns and
checks, and the blank import template. No SQL: what a row may hold is checked here, what it
changes is the ledger's business."""
