"""A monthly trigger that stays at 00:05 local time across daylight saving.

APScheduler 3's CronTrigger adds the wall-clock gap of a daylight-saving change
in UTC, so from March it can skip the 1st of April and fire on the 1st of May.
This trigger builds each fire time from the calendar instead.
"""

from datetime import datetime, timedelta, tzinfo

from apscheduler.triggers.base import BaseTrigger


class MonthlyTrigger(BaseTrigger):
    """Fire on the first day of every month at a local hour and minute."""

    def __init__(self, timezone: tzinfo, hour: int = 0, minute: int = 5) -> None:
        self.timezone = timezone
        self.hour = hour
        self.minute = minute

    def __repr__(self) -> str:
        return f"<MonthlyTrigger 1st {self.hour:02d}:{self.minute:02d} {self.timezone}>"

    def fire_time(self, year: int, month: int) -> datetime:
        return datetime(year, month, 1, self.hour, self.minute, tzinfo=self.timezone)

    def get_next_fire_time(self, previous_fire_time, now):
        """Return the first 1st-of-month moment after the previous fire, or now."""
        after = previous_fire_time + timedelta(seconds=1) if previous_fire_time else now
        local = after.astimezone(self.timezone)
        candidate = self.fire_time(local.year, local.month)
        if candidate < after:
            year, month = divmod(local.year * 12 + local.month, 12)
            candidate = self.fire_time(year, month + 1)
        return candidate
