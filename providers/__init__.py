"""Public-credit data providers (企查查, 天眼查, a company's own credit service).

Each adapter turns one query (an interface and a credit code or name) into the provider's
result document or a `ProviderError` of a known kind; `mapping` turns result documents into
indicator values. Nothing here knows the ledger: `ledger.sync` decides what to query.
"""
