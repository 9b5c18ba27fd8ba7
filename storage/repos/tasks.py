"""Tasks of the response plans (collection, legal collection)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.models import Task, TaskStatus


class TaskRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, task: Task) -> Task:
        self.session.add(task)
        self.session.flush()
        return task

    def open_for(self, customer_id: int, kinds: Iterable[str] | None = None) -> list[Task]:
        stmt = select(Task).where(Task.customer_id == customer_id, Task.status == TaskStatus.OPEN)
        if kinds is not None:
            stmt = stmt.where(Task.kind.in_(list(kinds)))
        return list(self.session.scalars(stmt.order_by(Task.created_at, Task.id)))

    def close_open(
        self,
        customer_id: int,
        by: str,
        at: datetime,
        write_off_id: int | None = None,
        kinds: Iterable[str] | None = None,
    ) -> int:
        """Close the customer's open tasks (of `kinds`, default all); returns how many."""
        stmt = update(Task).where(Task.customer_id == customer_id, Task.status == TaskStatus.OPEN)
        if kinds is not None:
            stmt = stmt.where(Task.kind.in_(list(kinds)))
        result = self.session.execute(
            stmt.values(
                status=TaskStatus.CLOSED, closed_at=at, closed_by=by, write_off_id=write_off_id
            ).execution_options(synchronize_session="fetch")
        )
        return result.rowcount
