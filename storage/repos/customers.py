"""Customers, their aliases, indicator history and assessments."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, or_, select, text, update
from sqlalchemy.orm import Session, selectinload

from scoring.grades import Grade
from storage.db import BUSY_TIMEOUT_SECONDS
from storage.errors import DuplicateCreditCode
from storage.models import CUSTOMER_NAMES, Assessment, Customer, CustomerAlias, IndicatorValue, LedgerVersion
from storage.repos._sql import add_guarded

RawValue = Decimal | int | float | str | None
_PG_IMPORT_LOCK = 0x7269736B696D70  # "riskimp": the advisory lock key imports take turns on


class CustomerRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, customer_id: int) -> Customer | None:
        return self.session.get(Customer, customer_id)

    def get_by_code(self, credit_code: str) -> Customer | None:
        return self.session.scalars(
            select(Customer).where(Customer.credit_code == credit_code)
        ).one_or_none()

    def get_many(self, customer_ids: Iterable[int]) -> list[Customer]:
        """The customers with these ids that exist, in id order."""
        ids = list(customer_ids)
        if not ids:
            return []
        return list(
            self.session.scalars(select(Customer).where(Customer.id.in_(ids)).order_by(Customer.id))
        )

    def add(self, customer: Customer) -> Customer:
        """Insert now (the id is set on return); raises DuplicateCreditCode."""
        add_guarded(
            self.session,
            customer,
            "uq_customers_credit_code",
            DuplicateCreditCode(customer.credit_code),
        )
        return customer

    def by_alias(self, alias: str) -> list[Customer]:
        return list(
            self.session.scalars(
                select(Customer)
                .join(CustomerAlias)
                .where(CustomerAlias.alias == alias)
                .order_by(Customer.id)
                .distinct()
            )
        )

    def ids_needing_rescore(self, limit: int | None = None) -> list[int]:
        stmt = select(Customer.id).where(Customer.needs_rescore).order_by(Customer.id)
        if limit is not None:
            stmt = stmt.limit(limit)
        return list(self.session.scalars(stmt))

    def iter_batches(self, batch_size: int = 500) -> Iterator[list[Customer]]:
        """All customers in id order, `batch_size` at a time (keyset paging, aliases loaded)."""
        last_id = 0
        while True:
            batch = list(
                self.session.scalars(
                    select(Customer)
                    .where(Customer.id > last_id)
                    .order_by(Customer.id)
                    .limit(batch_size)
                    .options(selectinload(Customer.aliases))
                )
            )
            if not batch:
                return
            yield batch
            last_id = batch[-1].id

    def ids_named(self, name: str) -> list[int]:
        """Customers whose full name is exactly `name`."""
        return list(self.session.scalars(select(Customer.id).where(Customer.name == name)))

    def ids_with_name_containing(self, part: str, limit: int) -> list[int]:
        """Up to `limit` customers whose full name contains `part` (taken literally), by name."""
        pattern = "%" + part.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        return list(self.session.scalars(
            select(Customer.id).where(Customer.name.like(pattern, escape="\\")).order_by(Customer.name).limit(limit)
        ))

    def names(self, after_id: int = 0) -> Iterator[tuple[int, str, str, tuple[str, ...]]]:
        """(id, name, credit code, aliases) of every customer with an id above `after_id`:
        what the lookup index is built from."""
        aliases: dict[int, list[str]] = {}
        for customer_id, alias in self.session.execute(
            select(CustomerAlias.customer_id, CustomerAlias.alias).where(CustomerAlias.customer_id > after_id)
        ):
            aliases.setdefault(customer_id, []).append(alias)
        for customer_id, name, code in self.session.execute(
            select(Customer.id, Customer.name, Customer.credit_code).where(Customer.id > after_id)
        ):
            yield customer_id, name, code, tuple(aliases.get(customer_id, ()))

    def by_owner(self, owner: str) -> list[Customer]:
        """Customers where `owner` is the sales owner or the risk officer ("my customers")."""
        return list(
            self.session.scalars(
                select(Customer)
                .where(or_(Customer.sales_owner == owner, Customer.risk_officer == owner))
                .order_by(Customer.name, Customer.id)
            )
        )

    def due_on_or_before(self, day: date, limit: int | None = None) -> list[Customer]:
        """Customers whose next follow-up is due on `day` or earlier, most overdue first."""
        stmt = select(Customer).where(Customer.next_due <= day).order_by(Customer.next_due, Customer.id)
        if limit is not None:
            stmt = stmt.limit(limit)
        return list(self.session.scalars(stmt))

    def by_grade(self, grade: Grade, limit: int | None = None) -> list[Customer]:
        """Customers whose effective grade is `grade`, by name."""
        stmt = (
            select(Customer)
            .where(Customer.effective_grade == grade)
            .order_by(Customer.name, Customer.id)
        )
        if limit is not None:
            stmt = stmt.limit(limit)
        return list(self.session.scalars(stmt))

    def count_due(self, today: date) -> tuple[int, int]:
        """(due today, overdue) follow-up counts: next_due == today and next_due < today."""
        due, overdue = self.session.execute(
            select(
                func.count().filter(Customer.next_due == today),
                func.count().filter(Customer.next_due < today),
            )
        ).one()
        return due, overdue

    def count_provisional(self) -> int:
        """Customers whose latest score rests on incomplete data."""
        return self.session.scalar(
            select(func.count()).select_from(Customer).where(Customer.provisional)
        ) or 0

    def first_created_at(self) -> datetime | None:
        """When the ledger got its first customer (None: it has none)."""
        return self.session.scalar(select(func.min(Customer.created_at)))

    def count_by_grade(self) -> dict[Grade | None, int]:
        """Customers per effective grade; None counts those not graded yet."""
        rows = self.session.execute(
            select(Customer.effective_grade, func.count()).group_by(Customer.effective_grade)
        )
        return {grade: count for grade, count in rows}

    def add_indicator_values(
        self,
        customer_id: int,
        values: Mapping[str, RawValue],
        source: str,
        observed_at: datetime,
    ) -> list[IndicatorValue]:
        """Append one history row per value; numbers go to value_num, text to value_text."""
        rows = [
            IndicatorValue(
                customer_id=customer_id,
                key=key,
                value_num=_as_decimal(value),
                value_text=value if isinstance(value, str) else None,
                source=source,
                observed_at=observed_at,
            )
            for key, value in values.items()
        ]
        self.session.add_all(rows)
        self.session.flush()
        return rows

    def value_history(self, customer_id: int, key: str | None = None) -> list[IndicatorValue]:
        """A customer's recorded values, oldest first, optionally of one indicator."""
        stmt = select(IndicatorValue).where(IndicatorValue.customer_id == customer_id)
        if key is not None:
            stmt = stmt.where(IndicatorValue.key == key)
        return list(
            self.session.scalars(stmt.order_by(IndicatorValue.observed_at, IndicatorValue.id))
        )

    def names_version(self) -> int:
        """Bumped by every transaction that changes names, aliases or credit codes."""
        return self.session.scalar(
            select(LedgerVersion.version).where(LedgerVersion.name == CUSTOMER_NAMES)
        ) or 0

    def bump_names_version(self) -> None:
        self.session.execute(
            update(LedgerVersion)
            .where(LedgerVersion.name == CUSTOMER_NAMES)
            .values(version=LedgerVersion.version + 1)
        )

    def take_import_turn(self) -> None:
        """Wait until no other import or rescoring batch is writing, and keep the turn to the
        end of this transaction. An import reads customers, merges the file into what it read
        and writes the result back: two at once would each overwrite what the other wrote.
        SQLite's BEGIN IMMEDIATE already gives one writer at a time; PostgreSQL needs this
        transaction-scoped advisory lock, waited for as long as SQLite's busy timeout."""
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(text(f"SET LOCAL lock_timeout = '{BUSY_TIMEOUT_SECONDS}s'"))
            self.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_IMPORT_LOCK})
            self.session.execute(text("SET LOCAL lock_timeout TO DEFAULT"))

    def wait_for_imports(self) -> None:
        """Wait until no import is writing, and keep a new one waiting to the end of this
        transaction (PostgreSQL; SQLite's write lock already does both). A rescoring batch
        locks its customer rows in id order, an import in file order, and holds them to its
        end: without this each could wait for a row the other holds."""
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(text("SELECT pg_advisory_xact_lock_shared(:key)"), {"key": _PG_IMPORT_LOCK})

    def max_id(self) -> int:
        return self.session.scalar(select(func.max(Customer.id))) or 0

    def add_assessment(self, assessment: Assessment) -> Assessment:
        self.session.add(assessment)
        self.session.flush()
        return assessment

    def latest_assessment(self, customer_id: int) -> Assessment | None:
        return self.session.scalars(
            select(Assessment)
            .where(Assessment.customer_id == customer_id)
            .order_by(Assessment.assessed_at.desc(), Assessment.id.desc())
            .limit(1)
        ).first()


def _as_decimal(value: RawValue) -> Decimal | None:
    if value is None or isinstance(value, str):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool | int | float):
        return Decimal(int(value)) if isinstance(value, bool) else Decimal(str(value))
    raise TypeError(f"indicator value must be a number or text, got {type(value).__name__}")
