"""Deadlines: a cut-off is the first late instant, 'on time' means strictly before it.

"Trước ngày 10/10" makes 10/10 00:00 Asia/Ho_Chi_Minh the first late instant; people read it as
"hết ngày 09/10/2025". Everything is computed in Vietnam time whatever zone the server runs in.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from schemas.cells import VN_TZ
from schemas.models import Cycle, Extension

REGISTER_DAY = (10, 10)  # registration due before 10/10 of year N-1
REPORT_DAY = (15, 10)  # roll-up to the province due before 15/10 of year N-1


def start_of_day(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=VN_TZ)


def cutoff_after(last_day: date) -> datetime:
    """The cut-off for 'until the end of last_day': the next day's 00:00 in Vietnam."""
    return start_of_day(last_day + timedelta(days=1))


def last_day(cutoff: datetime) -> date:
    """The last day still on time, for a cut-off stored as the first late instant."""
    return (cutoff.astimezone(VN_TZ) - timedelta(microseconds=1)).date()


def default_cutoffs(year: int) -> tuple[datetime, datetime]:
    """Registration and roll-up cut-offs for cycle year N: 10/10 and 15/10 of N-1, 00:00 local."""
    (rd, rm), (pd, pm) = REGISTER_DAY, REPORT_DAY
    return start_of_day(date(year - 1, rm, rd)), start_of_day(date(year - 1, pm, pd))


def cutoff_words(cutoff: datetime) -> str:
    """'hết ngày 09/10/2025' for a midnight cut-off, else 'trước 14:00 ngày 10/10/2025'."""
    local = cutoff.astimezone(VN_TZ)
    if local.timetz().replace(tzinfo=None) == time(0, 0):
        return f"hết ngày {last_day(local):%d/%m/%Y}"
    return f"trước {local:%H:%M} ngày {local:%d/%m/%Y}"


def is_on_time(at: datetime, cutoff: datetime) -> bool:
    return at < cutoff


def judged_instant(submitted_at: datetime, received_on: date | None) -> datetime:
    """When a plan counts as arrived: the day the paper plan was received, else the submission."""
    return start_of_day(received_on) if received_on else submitted_at


def registration_window(cycle: Cycle) -> tuple[date, date]:
    """The days on which a plan for cycle year N can arrive: from 1/1 of N-1, the year in which the
    plans for N are built and registered (the cycle stores no opening date), to 31/12 of N, after
    which year N has been assessed. A paper plan's day of receipt must fall inside it."""
    return date(cycle.year - 1, 1, 1), date(cycle.year, 12, 31)


def paper_receipt_days(cycle: Cycle, now: datetime) -> tuple[date, date] | None:
    """The days a paper plan of this cycle can have been received on, for the date picker: its
    registration window up to today (Vietnam time); None when that leaves no day (a cycle whose
    window has not opened yet: the service says why on sending)."""
    first, last = registration_window(cycle)
    last = min(last, now.astimezone(VN_TZ).date())
    return (first, last) if first <= last else None


def registration_cutoff(cycle: Cycle, extension: Extension | None) -> datetime:
    """A unit's own cut-off: the cycle's, or the later one an upper unit granted it."""
    if extension and extension.cutoff > cycle.register_cutoff:
        return extension.cutoff
    return cycle.register_cutoff


def countdown_words(now: datetime, cutoff: datetime) -> str:
    """'Còn 3 ngày 4 giờ' before the cut-off, 'Đã quá hạn 2 ngày' after it."""
    remaining = cutoff - now
    if remaining.total_seconds() > 0:
        days, hours = remaining.days, remaining.seconds // 3600
        if days:
            return f"Còn {days} ngày {hours} giờ"
        minutes = remaining.seconds % 3600 // 60
        if not hours and not minutes:
            return "Còn dưới 1 phút"
        return f"Còn {hours} giờ {minutes} phút"
    overdue = now - cutoff
    return f"Đã quá hạn {overdue.days} ngày" if overdue.days else "Vừa hết hạn"
