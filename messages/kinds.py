"""The enumerations views carry: how a value reads, which list, which subcommand's usage, why a
click changed nothing, which alert line was crossed."""

from __future__ import annotations

from enum import StrEnum


class Unit(StrEnum):
    """How an indicator value reads: "4 次", "35%", "70 天", "¥120,000" or as is."""

    COUNT = "count"
    PERCENT = "pct"
    DAYS = "days"
    CNY = "cny"
    TEXT = "text"


class ListKind(StrEnum):
    """Which `/risk` list is shown."""

    MINE = "mine"
    GRADE = "grade"
    DUE = "due"
    PENDING = "pending"


class Subcommand(StrEnum):
    """`/risk` subcommands, for help and for the usage line under an error."""

    LOOKUP = "lookup"
    HELP = "help"
    MINE = "mine"
    LIST = "list"
    LOG = "log"
    PROPOSE = "propose"
    RELEASE = "release"
    WRITEOFF = "writeoff"
    EVENT = "event"
    STATS = "stats"


class RefusalReason(StrEnum):
    """Why a click on Approve/Reject changed nothing (shown privately to the clicker)."""

    NOT_DIRECTOR = "not_director"
    OWN_PROPOSAL = "own_proposal"
    ALREADY_DECIDED = "already_decided"
    SUPERSEDED = "superseded"
    WITHDRAWN = "withdrawn"
    NOT_WRITEOFF_APPROVER = "not_writeoff_approver"
    OWN_WRITEOFF = "own_writeoff"


class AlertKind(StrEnum):
    """The lines of SPEC §10; `AlertLine.value` means what the comment says."""

    DISHONEST_DEBTOR = "dishonest_debtor"  # records now on file (count)
    ORDER_SPIKE = "order_spike"  # last order over 12-month average (%)
    TERM_EXTENSION = "term_extension"  # days asked beyond agreed terms
    OVERDUE_PAYMENT = "overdue_payment"  # overdue payments now on file (count)
    TAX_ARREARS = "tax_arrears"  # tax arrears notices now on file (count)
    ADMIN_PENALTY = "admin_penalty"  # the penalty amount (CNY)
