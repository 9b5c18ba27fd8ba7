"""Pure risk domain: indicators, rules, profiles, assessment, plans, cadence, credit codes.

Nothing here reads a clock, a database, the network or Slack: callers pass values in and get
results (and described decisions) back.
"""
