"""The campaign list through the test client, each view beside its floor."""

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from sqlalchemy.engine import Engine

from bench.common import HTMX, ROW_ID, Stopwatch, Timing
from bench.floor import floor_query

PAGE_OF = re.compile(r"Page (\d+) of (\d+)")
DEEP_PAGE = 2000


@dataclass(frozen=True)
class ListCase:
    label: str
    htmx: bool  # an in-place update (fragment) rather than a page load
    status: str | None = None
    q: str = ""
    page: int = 1

    @property
    def path(self) -> str:
        args = {"status": self.status, "q": self.q or None}
        args["page"] = self.page if self.page > 1 else None
        query = urlencode({k: v for k, v in args.items() if v is not None})
        return "/campaigns" + (f"?{query}" if query else "")


@dataclass(frozen=True)
class ListResult:
    case: ListCase
    page: Timing
    floor: Timing
    rows: int
    shown_page: int
    same_rows: bool

    @property
    def ratio(self) -> float:
        return self.page.p50 / self.floor.p50

    @property
    def cpu_ratio(self) -> float:
        return self.page.cpu_p50 / self.floor.cpu_p50


def list_cases(search: str) -> list[ListCase]:
    """The views the targets name: the default page load, then in-place updates."""
    return [
        ListCase("list: default view, page load", htmx=False),
        ListCase("list: default view, htmx update", htmx=True),
        ListCase("list: Archived filter", htmx=True, status="archived"),
        ListCase(f"list: search “{search}”", htmx=True, q=search),
        ListCase(f"list: deep page {DEEP_PAGE}", htmx=True, page=DEEP_PAGE),
    ]


def run_list(
    client,
    engine: Engine,
    dialect: str,
    workspace_id: int,
    today: date,
    cases: list[ListCase],
    repeat: int,
    warmup: int = 5,
) -> list[ListResult]:
    """Alternate a list request and its floor, so load swings hit both alike."""
    results = []
    for case in cases:
        headers = HTMX if case.htmx else {}

        def get_page(case=case, headers=headers) -> str:
            response = client.get(case.path, headers=headers)
            if response.status_code != 200:
                raise RuntimeError(f"{case.path}: HTTP {response.status_code}")
            return response.get_data(as_text=True)

        html = get_page()
        ids = [int(found) for found in ROW_ID.findall(html)]
        shown = PAGE_OF.search(html)
        shown_page = int(shown.group(1)) if shown else 1
        floor = floor_query(
            dialect, workspace_id, today, case.status, case.q, shown_page
        )
        same_rows = floor.ids(engine) == ids

        for _ in range(warmup):
            get_page()
            floor.run(engine)
        page_watch, floor_watch = Stopwatch(), Stopwatch()
        for _ in range(repeat):
            with page_watch.timing():
                get_page()
            with floor_watch.timing():
                floor.run(engine)
        results.append(
            ListResult(
                case,
                page_watch.result(),
                floor_watch.result(),
                len(ids),
                shown_page,
                same_rows,
            )
        )
    return results
