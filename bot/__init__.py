"""The riskbot application: use cases over storage + scoring, Slack listeners, jobs and the CLI."""
