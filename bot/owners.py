"""Owners as Slack user ids: stored as ids or e-mail addresses, but a DM needs the user id."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.slack_client import SlackErrorKind, classify_slack_error
from messages.escape import is_slack_user_id

log = logging.getLogger("riskbot")


class LookupLater(Exception):
    """Slack was rate limited or unreachable: the owner may well exist, ask again later."""


class Owners:
    """Resolves owners, asking users.lookupByEmail once per address for the life of this object
    (one pass of publishing or one nudge run). An owner that cannot be resolved is logged and
    skipped; a passing failure raises LookupLater."""

    def __init__(self, client: WebClient) -> None:
        self.client = client
        self._by_email: dict[str, str | None] = {}

    def user_id(self, owner: str) -> str | None:
        owner = owner.strip()
        if is_slack_user_id(owner):
            return owner
        if "@" not in owner:
            log.warning("owner %r is neither a Slack user id nor an e-mail address: skipped", owner)
            return None
        key = owner.lower()
        if key not in self._by_email:
            self._by_email[key] = self._lookup(owner)
        return self._by_email[key]

    def user_ids(self, owners: Iterable[str | None]) -> list[str]:
        """Distinct user ids of the given owners, in order, skipping the unresolvable."""
        found: list[str] = []
        for owner in owners:
            user = self.user_id(owner) if owner else None
            if user is not None and user not in found:
                found.append(user)
        return found

    def _lookup(self, email: str) -> str | None:
        try:
            return str(self.client.users_lookupByEmail(email=email)["user"]["id"])
        except SlackApiError as exc:
            if classify_slack_error(exc) is SlackErrorKind.RATELIMITED:
                raise LookupLater(email) from exc
            log.warning("no Slack user for owner %s (%s): skipped", email, exc.response.get("error"))
        except (SlackClientError, OSError) as exc:
            raise LookupLater(email) from exc
        return None
