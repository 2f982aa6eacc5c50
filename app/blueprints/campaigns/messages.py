"""The words Canopy uses to tell people what archiving did with their tree."""

from datetime import date

from flask_babel import format_date, ngettext
from flask_babel import gettext as _

from app.services.planting import OrderOutcome
from app.timeutil import business_today


def archived_message(count: int) -> str:
    return ngettext(
        "%(num)s campaign has been archived. You can find it in My campaigns → "
        "Status: Archived.",
        "%(num)s campaigns have been archived. You can find them in My campaigns → "
        "Status: Archived.",
        count,
    )


def month_in(months_ahead: int) -> str:
    today = business_today()
    index = today.month - 1 + months_ahead
    target = date(today.year + index // 12, index % 12 + 1, 1)
    return format_date(target, "MMMM yyyy")


def queue_message(first: int, last: int, months_ahead: int, done: bool) -> str:
    """The kind message for trees beyond this month's budget."""
    if first == last:
        place = _("position %(first)s in the queue", first=first)
    else:
        place = _("positions %(first)s–%(last)s in the queue", first=first, last=last)
    if months_ahead == 1:
        when = _("next month")
    else:
        when = _("in %(month)s", month=month_in(months_ahead))
    count = last - first + 1
    if done:
        return ngettext(
            "This month's tree budget is used up, so your tree is queued and will "
            "be planted %(when)s (%(place)s). Archiving still stopped collection "
            "and reduces CO₂.",
            "This month's tree budget is used up, so %(num)s trees are queued and "
            "will be planted %(when)s (%(place)s). Archiving still stopped "
            "collection and reduces CO₂.",
            count,
            when=when,
            place=place,
        )
    return ngettext(
        "This month's tree budget is used up. Archiving still stops collection and "
        "reduces CO₂, and your tree will be queued and planted %(when)s "
        "(%(place)s).",
        "This month's tree budget is used up. Archiving still stops collection and "
        "reduces CO₂, and %(num)s trees will be queued and planted %(when)s "
        "(%(place)s).",
        count,
        when=when,
        place=place,
    )


def order_message(outcome: OrderOutcome) -> str:
    """Say what happened to the trees sent to Tree-Nation just now."""
    count = outcome.quantity
    if outcome.state in ("planted", "planted_unconfirmed") and outcome.demo:
        return ngettext(
            "Demo mode: a demo tree was recorded; no real tree was planted.",
            "Demo mode: %(num)s demo trees were recorded; no real tree was planted.",
            count,
        )
    if outcome.state in ("planted", "planted_unconfirmed"):
        return ngettext(
            "A tree has been planted in your name.",
            "%(num)s trees have been planted in your name.",
            count,
        )
    if outcome.state == "pending":
        return ngettext(
            "Tree-Nation is not answering right now. Your tree is on its way: "
            "Canopy will plant it as soon as Tree-Nation answers.",
            "Tree-Nation is not answering right now. Your %(num)s trees are on "
            "their way: Canopy will plant them as soon as Tree-Nation answers.",
            count,
        )
    return ngettext(
        "Tree-Nation could not plant your tree just now. Nothing is lost: the "
        "Canopy team has been told and will plant it.",
        "Tree-Nation could not plant your %(num)s trees just now. Nothing is lost: "
        "the Canopy team has been told and will plant them.",
        count,
    )


def no_tree_message(already_earned: int, drafts: int) -> str | None:
    """Explain why some archived campaigns earned no new tree."""
    parts = []
    if already_earned:
        parts.append(
            ngettext(
                "%(num)s campaign already earned its tree, so it earns no second one.",
                "%(num)s campaigns already earned their tree, so they earn no second "
                "one.",
                already_earned,
            )
        )
    if drafts:
        parts.append(
            ngettext(
                "%(num)s draft campaign had not started, so it earns no tree.",
                "%(num)s draft campaigns had not started, so they earn no tree.",
                drafts,
            )
        )
    return " ".join(parts) or None


def untreed_message(count: int) -> str:
    return ngettext(
        "%(num)s campaign earned no new tree: a draft or a campaign that already "
        "earned one earns none.",
        "%(num)s campaigns earned no new tree: drafts and campaigns that already "
        "earned one earn none.",
        count,
    )


def already_archived_message() -> str:
    return _("These campaigns were already archived; nothing changed.")


def restored_message(name: str) -> str:
    return _(
        "“%(name)s” is restored: post collection resumes from now on. Its tree "
        "stays yours.",
        name=name,
    )


def not_archived_message(name: str) -> str:
    return _("“%(name)s” is not archived; nothing changed.", name=name)
