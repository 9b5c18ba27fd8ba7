"""Action, block and callback ids shared by the builders and the Slack listeners.

Listeners match these exact strings; every id appears once per block, so no regex is needed.
Button values carry the customer, grade-change or write-off id as a decimal string.
"""

from __future__ import annotations

# Buttons (action_id)
SHARE_CARD = "card.share"  # value: customer id
LOG_FOLLOWUP = "followup.open_modal"  # value: customer id
PICK_CUSTOMER = "customer.pick"  # /risk pick list and suggestions; value: customer id
FOLLOWUP_PICK_CUSTOMER = "followup.pick_customer"  # "which customer?" in a follow-up thread; value: customer id
APPROVE = "change.approve"  # value: grade change id
REJECT = "change.reject"  # value: grade change id
WRITEOFF_APPROVE = "writeoff.approve"  # value: write-off id
WRITEOFF_REJECT = "writeoff.reject"  # value: write-off id
RECORD_EVENT = "event.open_modal"  # value: customer id

# Modals (callback_id) and the message shortcut (callback_id in the app manifest)
LOG_MODAL = "followup.modal"  # private_metadata: FollowupModalMetadata JSON
REJECT_MODAL = "change.reject_modal"  # private_metadata: grade change id
SHORTCUT_CALLBACK = "followup.from_message"
EVENT_MODAL = "event.modal"  # private_metadata: customer id

# Inputs inside modals: view.state.values[BLOCK][ACTION]
CUSTOMER_BLOCK = "followup.customer"
CUSTOMER_SELECT = "customer.select"  # external_select; also the options request's action_id
FOLLOWUP_TEXT_BLOCK = "followup.text"
FOLLOWUP_TEXT = "followup.text_input"
REJECT_REASON_BLOCK = "change.reject_reason"
REJECT_REASON = "change.reject_reason_input"
EVENT_KIND_BLOCK = "event.kind"
EVENT_KIND = "event.kind_select"
EVENT_AMOUNT_BLOCK = "event.amount"
EVENT_AMOUNT = "event.amount_input"
EVENT_DAYS_BLOCK = "event.days"
EVENT_DAYS = "event.days_input"
EVENT_DATE_BLOCK = "event.date"
EVENT_DATE = "event.date_picker"
EVENT_NOTE_BLOCK = "event.note"
EVENT_NOTE = "event.note_input"
