"""Wording and Block Kit for riskbot: templates (zh, en), one escape, pure builders.

Knows nothing of the database or of Slack's API calls. The bot layer builds one `Renderer`
at start-up, fills the small views of `messages.views` and calls a builder, which returns a
`Message` (fallback text + blocks) or a view dict for modals and App Home. Action, block and
callback ids shared with the listeners live in `messages.ids`.
"""

from messages.alerts import alert_message
from messages.approvals import (
    approval_decided,
    approval_reminder,
    approval_request,
    approval_superseded,
    approval_withdrawn,
    finance_notice,
    grade_applied_dm,
    refusal,
)
from messages.card import customer_card, shared_card
from messages.digest import weekly_digest
from messages.events import event_recorded, record_event_modal
from messages.escape import Mrkdwn, escape, mention, unescape
from messages.followups import followup_deleted, followup_stored, followup_updated, which_customer
from messages.home import home_view
from messages.lists import customer_list, stats_message
from messages.lookup import error_message, help_message, no_match, pick_list
from messages.modals import (
    FollowupModalMetadata,
    customer_options,
    log_followup_modal,
    reject_modal,
    shortcut_followup_modal,
)
from messages.nudges import escalation_message, nudge_dm
from messages.render import LOCALES, Renderer
from messages.surfaces import Message
from messages.webhooks import webhook_dead_letter
from messages.writeoffs import writeoff_decided, writeoff_request

__all__ = [
    "LOCALES",
    "FollowupModalMetadata",
    "Message",
    "Mrkdwn",
    "Renderer",
    "alert_message",
    "approval_decided",
    "approval_reminder",
    "approval_request",
    "approval_superseded",
    "approval_withdrawn",
    "customer_card",
    "customer_list",
    "customer_options",
    "error_message",
    "escalation_message",
    "escape",
    "event_recorded",
    "finance_notice",
    "followup_deleted",
    "followup_stored",
    "followup_updated",
    "grade_applied_dm",
    "help_message",
    "home_view",
    "log_followup_modal",
    "mention",
    "no_match",
    "nudge_dm",
    "pick_list",
    "record_event_modal",
    "refusal",
    "reject_modal",
    "shared_card",
    "shortcut_followup_modal",
    "stats_message",
    "unescape",
    "webhook_dead_letter",
    "weekly_digest",
    "which_customer",
    "writeoff_decided",
    "writeoff_request",
]
