"""collect-posts: collect new posts for every campaign that is due."""

from app.jobs.report import JobReport
from app.services.collection.collector import collect_all

JOB = "collect-posts"


def run(include_failed: bool = False) -> JobReport:
    """Collect due campaigns batch by batch until none is due."""
    report = collect_all()
    summary = (
        f"{report.campaigns} campaign(s) collected, {report.posts} new post(s), "
        f"{report.failures} failed (retried next run), "
        f"{report.skipped_archived} archived meanwhile"
    )
    return JobReport(JOB, None, report.failures == 0, summary)
