"""Campaigns, their creators and posts, and what collecting them costs."""

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.people import User, Workspace
from app.timeutil import utcnow

STATUSES = ("draft", "active", "ended", "archived")


class Campaign(db.Model):
    """A campaign synced from the platform; Canopy only archives and restores it.

    The list's counters live on the row so that a page of campaigns is one query.
    """

    __table_args__ = (
        Index("ix_campaign_ws_start", "workspace_id", "start_date", "id"),
        Index("ix_campaign_ws_end", "workspace_id", "end_date"),
        Index("ix_campaign_ws_name", "workspace_id", "name"),
        Index("ix_campaign_ws_brand", "workspace_id", "brand"),
        Index("ix_campaign_ws_owner", "workspace_id", "owner_id", "start_date"),
        Index("ix_campaign_ws_posts", "workspace_id", "posts_count"),
        Index("ix_campaign_ws_last_post", "workspace_id", "last_post_at"),
        Index("ix_campaign_ws_archived", "workspace_id", "archived_at"),
        Index("ix_campaign_next_collect", "next_collect_at"),
        # The list's default view and the nudge read live campaigns only, the
        # Archived filter archived ones: partial indexes keep each walk short.
        Index(
            "ix_campaign_live_start",
            "workspace_id",
            "start_date",
            "id",
            sqlite_where=text("archived_at IS NULL"),
            postgresql_where=text("archived_at IS NULL"),
        ),
        Index(
            "ix_campaign_live_end",
            "workspace_id",
            "end_date",
            "id",
            sqlite_where=text("archived_at IS NULL"),
            postgresql_where=text("archived_at IS NULL"),
        ),
        Index(
            "ix_campaign_archived_start",
            "workspace_id",
            "start_date",
            "id",
            sqlite_where=text("archived_at IS NOT NULL"),
            postgresql_where=text("archived_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    name: Mapped[str] = mapped_column(String(200))
    brand: Mapped[str] = mapped_column(String(200))
    start_date: Mapped[date]
    end_date: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    archived_at: Mapped[datetime | None]
    creators_count: Mapped[int] = mapped_column(default=0)
    posts_count: Mapped[int] = mapped_column(default=0)
    last_post_at: Mapped[datetime | None]
    # Collection scheduling: when the campaign is next due, and a lease that
    # keeps two collectors from working on it at once.
    next_collect_at: Mapped[datetime | None]
    lease_until: Mapped[datetime | None]

    workspace: Mapped[Workspace] = relationship()
    owner: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<Campaign {self.id} {self.name!r}>"

    def status(self, today: date) -> str:
        """Return draft, active, ended or archived as of a business-time day."""
        if self.archived_at is not None:
            return "archived"
        if today < self.start_date:
            return "draft"
        if today <= self.end_date:
            return "active"
        return "ended"

    def has_started(self, today: date) -> bool:
        return today >= self.start_date


class Creator(db.Model):
    """A creator's account on one platform."""

    __table_args__ = (UniqueConstraint("platform", "handle"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(30))
    handle: Mapped[str] = mapped_column(String(100))

    def __repr__(self) -> str:
        return f"<Creator {self.platform}:{self.handle}>"


class CampaignCreator(db.Model):
    """A creator taking part in a campaign, with the collection cursor."""

    __tablename__ = "campaign_creator"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True
    )
    creator_id: Mapped[int] = mapped_column(
        ForeignKey("creator.id"), primary_key=True, index=True
    )
    collected_since: Mapped[datetime | None]

    creator: Mapped[Creator] = relationship()


class Post(db.Model):
    """A creator's post collected for a campaign."""

    __table_args__ = (
        UniqueConstraint("platform", "external_id"),
        Index("ix_post_campaign_published", "campaign_id", "published_at"),
        Index("ix_post_campaign_collected", "campaign_id", "collected_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE")
    )
    creator_id: Mapped[int] = mapped_column(ForeignKey("creator.id"), index=True)
    platform: Mapped[str] = mapped_column(String(30))
    external_id: Mapped[str] = mapped_column(String(100))
    url: Mapped[str | None] = mapped_column(String(500))
    published_at: Mapped[datetime]
    size_bytes: Mapped[int] = mapped_column(default=0)
    collected_at: Mapped[datetime] = mapped_column(default=utcnow)

    creator: Mapped[Creator] = relationship()


class ArchiveEvent(db.Model):
    """One archive or restore of a campaign: who, when."""

    __tablename__ = "archive_event"
    __table_args__ = (Index("ix_archive_event_campaign_at", "campaign_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE")
    )
    action: Mapped[str] = mapped_column(String(10))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User | None] = relationship()


class CollectionStat(db.Model):
    """What collecting one campaign cost on one day."""

    __tablename__ = "collection_stat"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(primary_key=True)
    fetches: Mapped[int] = mapped_column(default=0)
    bytes_received: Mapped[int] = mapped_column(BigInteger, default=0)
    bytes_stored: Mapped[int] = mapped_column(BigInteger, default=0)
