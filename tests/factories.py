"""Small builders of test data, written straight to the database."""

from datetime import date, datetime, timedelta
from functools import cache

from werkzeug.security import generate_password_hash

from app.extensions import db
from app.models import (
    Campaign,
    CampaignCreator,
    CollectionStat,
    Creator,
    Post,
    User,
    Workspace,
)
from app.timeutil import business_today, utcnow

PASSWORD = "canopy-demo"


@cache
def password_hash() -> str:
    """Hash the test password once, cheaply: a real hash is slow on purpose.

    The app checks whichever method a stored hash names, so sign-in works the
    same; only the cost differs.
    """
    return generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")


def make_workspace(name: str = "Demo Agency") -> Workspace:
    workspace = Workspace(name=name)
    db.session.add(workspace)
    db.session.commit()
    return workspace


def make_user(
    workspace: Workspace,
    email: str,
    name: str | None = None,
    role: str = "member",
    **fields,
) -> User:
    user = User(
        workspace_id=workspace.id,
        email=email,
        name=name or email.split("@")[0].title(),
        role=role,
        password_hash=password_hash(),
        **fields,
    )
    db.session.add(user)
    db.session.commit()
    return user


def make_campaign(
    owner: User,
    name: str = "Spring Launch",
    brand: str = "Lumière",
    status: str = "ended",
    archived: bool = False,
    start: date | None = None,
    end: date | None = None,
    **fields,
) -> Campaign:
    """Create a campaign whose dates give it `status` today."""
    today = business_today()
    default_dates = {
        "draft": (today + timedelta(days=10), today + timedelta(days=40)),
        "active": (today - timedelta(days=10), today + timedelta(days=20)),
        "ended": (today - timedelta(days=90), today - timedelta(days=45)),
    }[status]
    campaign = Campaign(
        workspace_id=owner.workspace_id,
        owner_id=owner.id,
        name=name,
        brand=brand,
        start_date=start or default_dates[0],
        end_date=end or default_dates[1],
        archived_at=utcnow() - timedelta(days=3) if archived else None,
        **fields,
    )
    db.session.add(campaign)
    db.session.commit()
    return campaign


def add_posts(
    campaign: Campaign,
    count: int,
    collected_at: datetime | None = None,
    handle: str = "creator",
    platform: str = "instagram",
    size_bytes: int = 4000,
) -> list[Post]:
    """Add a creator with `count` posts to a campaign and keep its counters."""
    creator = db.session.query(Creator).filter_by(
        platform=platform, handle=handle
    ).one_or_none() or Creator(platform=platform, handle=handle)
    db.session.add(creator)
    db.session.flush()
    db.session.merge(CampaignCreator(campaign_id=campaign.id, creator_id=creator.id))
    moment = collected_at or utcnow() - timedelta(days=2)
    posts = [
        Post(
            campaign_id=campaign.id,
            creator_id=creator.id,
            platform=platform,
            external_id=f"{campaign.id}-{handle}-{n}-{moment.timestamp()}",
            published_at=moment - timedelta(hours=1),
            size_bytes=size_bytes,
            collected_at=moment,
        )
        for n in range(count)
    ]
    db.session.add_all(posts)
    campaign.posts_count += count
    campaign.creators_count = len(
        db.session.query(CampaignCreator).filter_by(campaign_id=campaign.id).all()
    )
    campaign.last_post_at = max(campaign.last_post_at or moment, moment)
    db.session.commit()
    return posts


def add_stats(
    campaign: Campaign, days: int, fetches: int, bytes_received: int, bytes_stored: int
) -> None:
    """Record the same collection cost for each of the last `days` days."""
    today = business_today()
    for offset in range(days):
        db.session.add(
            CollectionStat(
                campaign_id=campaign.id,
                day=today - timedelta(days=offset),
                fetches=fetches,
                bytes_received=bytes_received,
                bytes_stored=bytes_stored,
            )
        )
    db.session.commit()


def two_workspaces() -> dict:
    """Demo Agency (a lead and a member) and Other Brand (a lead)."""
    demo = make_workspace("Demo Agency")
    other = make_workspace("Other Brand")
    return {
        "demo": demo,
        "other": other,
        "lead": make_user(demo, "lead@demo.canopy.test", "Léa Martin", "lead"),
        "member": make_user(demo, "member@demo.canopy.test", "Hugo Bernard"),
        "other_lead": make_user(other, "lead@other.canopy.test", "Olga Brandt", "lead"),
    }
