"""Workspaces and the people who work in them."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.timeutil import utcnow

ROLES = ("member", "lead")


class Workspace(db.Model):
    """One customer account: a brand or an agency."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    members: Mapped[list["User"]] = relationship(back_populates="workspace")

    def __repr__(self) -> str:
        return f"<Workspace {self.id} {self.name!r}>"


class User(UserMixin, db.Model):
    """A person who signs in; a lead also receives the monthly board."""

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(10), default="member")
    locale: Mapped[str | None] = mapped_column(String(10))
    leaderboard_opt_out: Mapped[bool] = mapped_column(default=False)
    tree_nation_may_email: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    workspace: Mapped[Workspace] = relationship(back_populates="members")

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"

    @property
    def is_lead(self) -> bool:
        return self.role == "lead"

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)
