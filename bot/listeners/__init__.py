"""Slack listeners grouped by kind; each module registers its callbacks in one `register`."""

from __future__ import annotations

from slack_bolt import App

from bot.listeners import actions, approvals, commands, events, options, shortcuts, views
from bot.services import Services


def register_all(app: App, services: Services) -> None:
    for module in (commands, events, actions, approvals, views, shortcuts, options):
        module.register(app, services)
