"""The "My campaigns" list: reading its query string and fetching one page."""

import math
from dataclasses import dataclass, replace
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import Select, and_, func, or_, select, text
from sqlalchemy.sql.elements import ColumnElement

from app.errors import BadInput
from app.extensions import db
from app.models import Campaign, Planting, User

PAGE_SIZE = 25
STATUS_FILTERS = ("active", "draft", "ended", "archived", "all")
OWNER_FILTERS = ("all", "mine")
SORT_COLUMNS = {
    "name": Campaign.name,
    "brand": Campaign.brand,
    "owner": User.name,
    "start": Campaign.start_date,
    "end": Campaign.end_date,
    "posts": Campaign.posts_count,
    "last_post": Campaign.last_post_at,
}
DEFAULT_SORT = "-start"
NULLABLE_SORTS = {"last_post"}
# Below this length a trigram index cannot help, so search falls back to a scan.
TRIGRAM_MIN_LENGTH = 3


@dataclass(frozen=True)
class ListQuery:
    """One view of the list, exactly as its URL says."""

    status: str | None = None
    owner: str = "all"
    q: str = ""
    sort: str = DEFAULT_SORT
    page: int = 1

    def to_args(self, **changes) -> dict:
        """Return the query-string values of this view, defaults left out."""
        view = replace(self, **changes)
        args = {
            "status": view.status,
            "owner": None if view.owner == "all" else view.owner,
            "q": view.q or None,
            "sort": None if view.sort == DEFAULT_SORT else view.sort,
            "page": None if view.page == 1 else view.page,
        }
        return {key: value for key, value in args.items() if value is not None}

    def sort_toggled(self, column: str) -> str:
        """Return the sort value a click on a column header should ask for."""
        return f"-{column}" if self.sort == column else column


@dataclass(frozen=True)
class CampaignRow:
    campaign: Campaign
    owner_name: str
    tree_state: str | None


@dataclass(frozen=True)
class CampaignPage:
    rows: list[CampaignRow]
    total: int
    page: int
    pages: int


def parse_list_query(args) -> ListQuery:
    """Read the list's query string, refusing values it does not know."""
    status = args.get("status") or None
    if status is not None and status not in STATUS_FILTERS:
        raise BadInput(_("Unknown status “%(value)s”.", value=status))
    owner = args.get("owner") or "all"
    if owner not in OWNER_FILTERS:
        raise BadInput(_("Unknown owner filter “%(value)s”.", value=owner))
    sort = args.get("sort") or DEFAULT_SORT
    if sort.removeprefix("-") not in SORT_COLUMNS:
        raise BadInput(_("Unknown sort “%(value)s”.", value=sort))
    page_text = args.get("page") or "1"
    if not page_text.isdigit() or int(page_text) < 1:
        raise BadInput(_("The page must be a whole number from 1."))
    q = (args.get("q") or "").strip()[:100]
    return ListQuery(status, owner, q, sort, int(page_text))


def status_condition(status: str | None, today: date) -> ColumnElement[bool]:
    """Return the SQL condition for a status filter as of a business day."""
    live = Campaign.archived_at.is_(None)
    conditions = {
        None: live,
        "all": and_(True),
        "archived": Campaign.archived_at.is_not(None),
        "draft": and_(live, Campaign.start_date > today),
        "active": and_(live, Campaign.start_date <= today, Campaign.end_date >= today),
        "ended": and_(live, Campaign.end_date < today),
    }
    return conditions[status]


def escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_condition(term: str) -> ColumnElement[bool]:
    """Match a case-insensitive substring of the name or the brand."""
    use_fts = db.engine.dialect.name == "sqlite" and len(term) >= TRIGRAM_MIN_LENGTH
    if use_fts:
        phrase = '"' + term.replace('"', '""') + '"'
        return text(
            "campaign.id IN (SELECT rowid FROM campaign_search "
            "WHERE campaign_search MATCH :phrase)"
        ).bindparams(phrase=phrase)
    if db.engine.dialect.name == "sqlite":
        pattern = f"%{escape_like(term.casefold())}%"
        return or_(
            func.casefold(Campaign.name).like(pattern, escape="\\"),
            func.casefold(Campaign.brand).like(pattern, escape="\\"),
        )
    pattern = f"%{escape_like(term)}%"
    return or_(
        Campaign.name.ilike(pattern, escape="\\"),
        Campaign.brand.ilike(pattern, escape="\\"),
    )


def filtered(
    statement: Select, view: ListQuery, workspace_id: int, user_id: int, today: date
) -> Select:
    statement = statement.where(
        Campaign.workspace_id == workspace_id, status_condition(view.status, today)
    )
    if view.owner == "mine":
        statement = statement.where(Campaign.owner_id == user_id)
    if view.q:
        statement = statement.where(search_condition(view.q))
    return statement


def ordering(sort: str) -> list:
    name = sort.removeprefix("-")
    column = SORT_COLUMNS[name]
    descending = sort.startswith("-")
    primary = column.desc() if descending else column.asc()
    if name in NULLABLE_SORTS:
        # Only here: NULLS LAST on a NOT NULL column stops PostgreSQL from
        # reading its index backwards.
        primary = primary.nulls_last()
    tie_break = Campaign.id.desc() if descending else Campaign.id.asc()
    return [primary, tie_break]


def count_view(view: ListQuery, workspace_id: int, user_id: int, today: date) -> int:
    """Count the campaigns of a view."""
    count = select(func.count()).select_from(Campaign)
    return db.session.scalar(filtered(count, view, workspace_id, user_id, today))


def fetch_rows(
    view: ListQuery, workspace_id: int, user_id: int, today: date, page: int
) -> list[CampaignRow]:
    """Return one page of the view's rows with their owner and tree state."""
    rows = (
        select(Campaign, User.name, Planting.state)
        .join(User, Campaign.owner_id == User.id)
        .outerjoin(Planting, Planting.campaign_id == Campaign.id)
    )
    rows = filtered(rows, view, workspace_id, user_id, today)
    rows = rows.order_by(*ordering(view.sort))
    rows = rows.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    return [CampaignRow(*row) for row in db.session.execute(rows)]


def fetch_page(
    view: ListQuery, workspace_id: int, user_id: int, today: date
) -> CampaignPage:
    """Return one page of the view: two queries, whatever the page size."""
    total = count_view(view, workspace_id, user_id, today)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(view.page, pages)

    rows = fetch_rows(view, workspace_id, user_id, today, page)
    return CampaignPage(rows, total, page, pages)
