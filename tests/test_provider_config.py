"""The `providers:` config section: every mistake one sentence naming the field; secrets by name."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import ConfigError, parse_config
from bot.provider_config import ProvidersConfigError, secrets_for


def qcc(**settings: object) -> dict[str, object]:
    return {"providers": {"sources": {"qcc": {"kind": "qichacha", "base_url": "https://api.qichacha.com",
                                               "key_env": "QCC_APPKEY", "secret_env": "QCC_SECRETKEY", **settings}}}}


def test_a_source_with_defaults_and_refresh_overrides() -> None:
    doc = qcc()
    doc["providers"]["refresh_days"] = {"dishonest_debtor_count": 7}  # type: ignore[index]
    providers = parse_config(doc, "riskbot.yaml").providers
    (source,) = providers.sources
    assert (source.rate_per_second, source.daily_budget, source.mapping) == (5.0, 1000, None)
    assert providers.refresh["dishonest_debtor_count"] == timedelta(days=7)
    assert providers.refresh["overdue_payment_count"] == timedelta(days=10)  # the default


@pytest.mark.parametrize(("settings", "message"), [
    ({"kind": "baidu"}, "providers.sources.qcc.kind: expected one of qichacha, tianyancha, generic, got 'baidu'"),
    ({"base_url": "api.qichacha.com"}, "providers.sources.qcc.base_url: expected a URL like https://api.example.com"),
    ({"rate_per_second": 0}, "providers.sources.qcc.rate_per_second: expected a number above 0, got 0"),
    ({"daily_budget": 10.5}, "providers.sources.qcc.daily_budget: expected a whole number above 0"),
    ({"token_env": "TYC"}, "providers.sources.qcc.token_env: a qichacha source does not use it"),
    ({"mapping": "nowhere.yaml"}, "providers.sources.qcc.mapping: nowhere.yaml is not a file"),
    ({"budget": 10}, "providers.sources.qcc.budget: unknown setting"),
])
def test_a_bad_source_setting_names_the_field(settings: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match="^config riskbot.yaml: " + message.replace(".", r"\.").replace("(", r"\(")):
        parse_config(qcc(**settings), "riskbot.yaml")


def test_secrets_come_from_the_environment_else_the_secrets_file(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text("qcc: {key: from-file-key, secret: from-file-secret}\n", encoding="utf-8")
    doc = qcc()
    doc["providers"]["secrets_file"] = str(secrets)  # type: ignore[index]
    providers = parse_config(doc, "riskbot.yaml").providers
    found = secrets_for(providers, providers.sources[0], {"QCC_APPKEY": "from-env-key"})
    assert (found["key"].value, found["secret"].value) == ("from-env-key", "from-file-secret")


def test_a_broken_secrets_file_is_refused_without_quoting_it(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text("qcc: {key: sk-12345, secret: [unclosed\n", encoding="utf-8")
    doc = qcc()
    doc["providers"]["secrets_file"] = str(secrets)  # type: ignore[index]
    providers = parse_config(doc, "riskbot.yaml").providers
    with pytest.raises(ProvidersConfigError) as caught:
        secrets_for(providers, providers.sources[0], {})
    assert "cannot be read as YAML" in str(caught.value) and "sk-12345" not in str(caught.value)


def test_each_kind_of_source_is_built_with_its_secrets_and_mapping(tmp_path: Path) -> None:
    from bot.usecases.sync import SyncSetupError, build_sources
    from providers.adapters import GenericJson, Tianyancha
    from scoring.profiles import load_profiles

    own = tmp_path / "own.yaml"
    own.write_text("indicators:\n  dishonest_debtor_count: {interface: dishonest, take: value, field: count}\n",
                   encoding="utf-8")
    doc = {"providers": {"sources": {
        "tyc": {"kind": "tianyancha", "base_url": "https://open.api.tianyancha.com", "token_env": "TYC_TOKEN"},
        "own": {"kind": "generic", "base_url": "https://credit.example.com", "mapping": str(own)},
    }}}
    config = parse_config(doc, "riskbot.yaml")
    tyc, mine = build_sources(config, load_profiles(), {"TYC_TOKEN": "tyc-secret"})
    assert isinstance(tyc.provider, Tianyancha) and "tianyancha.yaml" in tyc.mapping.source
    assert isinstance(mine.provider, GenericJson) and mine.provider.token is None  # a token is optional for one's own service
    assert set(mine.mapping.rules) == {"dishonest_debtor_count"}

    no_mapping = parse_config({"providers": {"sources": {"own": {"kind": "generic", "base_url": "https://c.example.com"}}}},
                              "riskbot.yaml")
    with pytest.raises(SyncSetupError, match="providers.sources.own.mapping: a generic source needs a mapping file"):
        build_sources(no_mapping, load_profiles(), {})
