"""Test support for the Slack side: a loopback fake Web API (`fake_api`) and signed requests
for Bolt (`signing`). Tests import from the submodules; `pytest_plugins = ["tests.slackkit.fake_api"]`
makes the `fake_slack` fixture available."""

import pytest

# Loaded as a plugin as well as imported by tests: let pytest rewrite it before either happens.
pytest.register_assert_rewrite("tests.slackkit.fake_api")
