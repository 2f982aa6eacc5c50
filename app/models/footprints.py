"""Campaign footprints: questionnaires, their answers and private links."""

import hashlib
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.campaigns import Campaign, Creator
from app.models.people import User
from app.timeutil import utcnow

LINK_KINDS = ("brand", "creator")


def hash_token(token: str) -> str:
    """Return the stored form of a private link's token (never the token)."""
    return hashlib.sha256(token.encode()).hexdigest()


class Footprint(db.Model):
    """One estimate of a campaign's footprint, started from the campaign page.

    It keeps the factor-set version and the switches, so that with the stored
    answers the result can be computed again and audited.
    """

    __table_args__ = (Index("ix_footprint_campaign_created", "campaign_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE")
    )
    started_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    factor_set: Mapped[str] = mapped_column(String(10))
    contrails: Mapped[bool] = mapped_column(default=True)
    device_manufacture: Mapped[bool] = mapped_column(default=True)
    grid: Mapped[str] = mapped_column(String(10), default="fr")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    campaign: Mapped[Campaign] = relationship()
    started_by: Mapped[User] = relationship()
    questionnaires: Mapped[list["Questionnaire"]] = relationship(
        back_populates="footprint", order_by="Questionnaire.id"
    )

    def __repr__(self) -> str:
        return f"<Footprint {self.id} campaign={self.campaign_id}>"


class Questionnaire(db.Model):
    """The brand's questionnaire, or one creator's."""

    __table_args__ = (UniqueConstraint("footprint_id", "kind", "creator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    footprint_id: Mapped[int] = mapped_column(
        ForeignKey("footprint.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(10))
    creator_id: Mapped[int | None] = mapped_column(ForeignKey("creator.id"))
    submitted_at: Mapped[datetime | None]
    updated_at: Mapped[datetime | None]

    footprint: Mapped[Footprint] = relationship(back_populates="questionnaires")
    creator: Mapped[Creator | None] = relationship()
    answers: Mapped[list["Answer"]] = relationship(
        back_populates="questionnaire", order_by="Answer.key"
    )

    def __repr__(self) -> str:
        return f"<Questionnaire {self.id} {self.kind}>"

    @property
    def label(self) -> str:
        return (
            f"@{self.creator.handle}" if self.creator else self.footprint.campaign.brand
        )

    def answer_map(self) -> dict[str, tuple[str, bool]]:
        return {answer.key: (answer.value, answer.confirmed) for answer in self.answers}


class Answer(db.Model):
    """One answer exactly as typed, saved as soon as the field changes."""

    __table_args__ = (UniqueConstraint("questionnaire_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire.id", ondelete="CASCADE")
    )
    key: Mapped[str] = mapped_column(String(80))
    value: Mapped[str] = mapped_column(Text, default="")
    confirmed: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="answers")


class PrivateLink(db.Model):
    """A link that opens one questionnaire without an account.

    Only a hash of the token is stored; the token itself is in the email.
    """

    __tablename__ = "private_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))
    creator_id: Mapped[int | None] = mapped_column(ForeignKey("creator.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    questionnaire: Mapped[Questionnaire] = relationship()

    def __repr__(self) -> str:
        return f"<PrivateLink {self.id} {self.kind}>"

    def is_open(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at
