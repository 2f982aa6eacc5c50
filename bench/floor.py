"""The floor of a list view: its rows by one hand-written query, a minimal template.

What the list page could cost at best on this machine and this database: the same
25 rows as the page (same filter, order and offset, the same search index), fetched
by one SQL statement and rendered by a bare Jinja table with the same columns.
No count, no sign-in, no nudge, no layout.
"""

from dataclasses import dataclass
from datetime import date

from jinja2 import Environment
from sqlalchemy import Date, bindparam, text
from sqlalchemy.engine import Engine

PAGE_SIZE = 25

TEMPLATE = Environment(autoescape=True).from_string(
    """<table>{% for r in rows %}
<tr id="campaign-{{ r.id }}">
<td><input type="checkbox" name="ids" value="{{ r.id }}"></td>
<th><a href="/campaigns/{{ r.id }}">{{ r.name }}</a></th><td>{{ r.brand }}</td>
<td>{{ r.owner_name }}</td><td>{{ r.status }}</td><td>{{ r.start_date }}</td>
<td>{{ r.end_date }}</td><td>{{ r.creators_count }}</td><td>{{ r.posts_count }}</td>
<td>{{ r.last_post_at or "none" }}</td>
<td>{% if r.tree_state and r.tree_state != "failed" %}tree{% endif %}</td></tr>
{%- endfor %}</table>"""
)


@dataclass(frozen=True)
class FloorQuery:
    """One view's rows as a single statement and its parameters."""

    statement: object
    params: dict

    def run(self, engine: Engine) -> str:
        with engine.connect() as connection:
            rows = connection.execute(self.statement, self.params).all()
        return TEMPLATE.render(rows=rows)

    def ids(self, engine: Engine) -> list[int]:
        with engine.connect() as connection:
            return [row.id for row in connection.execute(self.statement, self.params)]


def floor_query(
    dialect: str,
    workspace_id: int,
    today: date,
    status: str | None = None,
    q: str = "",
    page: int = 1,
) -> FloorQuery:
    """The default sort (newest start first) of a status filter, search and page."""
    where = ["c.workspace_id = :workspace_id"]
    params: dict = {
        "workspace_id": workspace_id,
        "today": today,
        "offset": (page - 1) * PAGE_SIZE,
    }
    if status is None:
        where.append("c.archived_at IS NULL")
    elif status == "archived":
        where.append("c.archived_at IS NOT NULL")
    elif status != "all":
        raise ValueError(f"no floor for status {status!r}")
    if q and dialect == "sqlite" and len(q) >= 3:
        where.append(
            "c.id IN (SELECT rowid FROM campaign_search "
            "WHERE campaign_search MATCH :phrase)"
        )
        params["phrase"] = '"' + q.replace('"', '""') + '"'
    elif q:
        escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = "ILIKE" if dialect == "postgresql" else "LIKE"
        where.append(
            f"(c.name {like} :pattern ESCAPE '\\' OR c.brand {like} :pattern "
            "ESCAPE '\\')"
        )
        params["pattern"] = f"%{escaped}%"
    statement = text(
        f"""
        SELECT c.id, c.name, c.brand, u.name AS owner_name,
               CASE WHEN c.archived_at IS NOT NULL THEN 'archived'
                    WHEN c.start_date > :today THEN 'draft'
                    WHEN c.end_date >= :today THEN 'active'
                    ELSE 'ended' END AS status,
               c.start_date, c.end_date, c.creators_count, c.posts_count,
               c.last_post_at, p.state AS tree_state
        FROM campaign c
        JOIN "user" u ON u.id = c.owner_id
        LEFT JOIN planting p ON p.campaign_id = c.id
        WHERE {" AND ".join(where)}
        ORDER BY c.start_date DESC, c.id DESC
        LIMIT {PAGE_SIZE} OFFSET :offset
        """
    ).bindparams(bindparam("today", type_=Date))
    return FloorQuery(statement, params)
