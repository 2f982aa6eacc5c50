"""Trees: one planting per campaign, grouped into Tree-Nation orders."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.campaigns import Campaign
from app.models.people import User
from app.timeutil import utcnow

# queued: no quota slot yet; reserved: slot and order, not sent; pending: sent,
# outcome unknown; planted_unconfirmed: Tree-Nation said the order was already
# processed, so the tree exists but its links are unknown; failed: refused.
PLANTING_STATES = (
    "queued",
    "reserved",
    "pending",
    "planted",
    "planted_unconfirmed",
    "failed",
)
EARNED_STATES = ("queued", "reserved", "pending", "planted", "planted_unconfirmed")
PLANTED_STATES = ("planted", "planted_unconfirmed")


class PlantingOrder(db.Model):
    """One call to Tree-Nation, identified by an order id kept across retries."""

    __tablename__ = "planting_order"
    __table_args__ = (Index("ix_planting_order_state", "state", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[str] = mapped_column(String(64), unique=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    quantity: Mapped[int]
    state: Mapped[str] = mapped_column(String(20), default="reserved")
    language: Mapped[str] = mapped_column(String(5), default="en")
    message: Mapped[str] = mapped_column(String(200))
    demo: Mapped[bool] = mapped_column(default=False)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error_code: Mapped[str | None] = mapped_column(String(60))
    last_error_message: Mapped[str | None] = mapped_column(Text)
    payment_id: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]

    recipient: Mapped[User] = relationship()
    plantings: Mapped[list["Planting"]] = relationship(
        back_populates="order", order_by="Planting.id"
    )

    def __repr__(self) -> str:
        return f"<PlantingOrder {self.order_id} x{self.quantity} {self.state}>"


class Planting(db.Model):
    """The one tree a campaign earns in its life, and who it goes to."""

    __table_args__ = (
        Index("ix_planting_queue", "state", "queued_at", "id"),
        Index("ix_planting_ws_earned", "workspace_id", "earned_at"),
        Index("ix_planting_archiver", "archiver_id", "earned_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), unique=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    archiver_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    order_id: Mapped[int | None] = mapped_column(
        ForeignKey("planting_order.id"), index=True
    )
    state: Mapped[str] = mapped_column(String(20))
    quota_month: Mapped[str | None] = mapped_column(String(7))
    earned_at: Mapped[datetime] = mapped_column(default=utcnow)
    queued_at: Mapped[datetime | None]
    planted_at: Mapped[datetime | None]
    demo: Mapped[bool] = mapped_column(default=False)
    tree_id: Mapped[str | None] = mapped_column(String(60))
    token: Mapped[str | None] = mapped_column(String(120))
    collect_url: Mapped[str | None] = mapped_column(String(500))
    certificate_url: Mapped[str | None] = mapped_column(String(500))
    species_id: Mapped[str | None] = mapped_column(String(60))
    species_name: Mapped[str | None] = mapped_column(String(200))
    life_time_co2_kg: Mapped[float | None]
    project_id: Mapped[str | None] = mapped_column(String(60))
    project_name: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(100))

    campaign: Mapped[Campaign] = relationship()
    archiver: Mapped[User] = relationship()
    order: Mapped[PlantingOrder | None] = relationship(back_populates="plantings")

    def __repr__(self) -> str:
        return f"<Planting campaign={self.campaign_id} {self.state}>"

    @property
    def is_planted(self) -> bool:
        return self.state in PLANTED_STATES


class QuotaMonth(db.Model):
    """Trees planted (or reserved) against one business month's budget."""

    __tablename__ = "quota_month"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    used: Mapped[int] = mapped_column(default=0)
