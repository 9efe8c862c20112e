"""Colours of the statuses on every chart, on screen and in the documents: presentation only."""

from __future__ import annotations

import altair as alt

from services.registration import status
from services.year_end import results

# Registration status (Tổng hợp), in the order of status.STATUSES.
REGISTRATION = {
    status.ON_TIME: "#2e7d32",
    status.LATE: "#f9a825",
    status.RETURNED: "#ef6c00",
    status.NOT_YET: "#b0bec5",
    status.NEEDS_CHECK: "#c62828",
}
# Year-end result of a unit (Kết quả công nhận, a unit's history), in the order of results.STATUSES.
RESULT = {
    results.RECOGNISED: "#2e7d32",
    results.PASSED_WAITING: "#81c784",
    results.FAILED_STATUS: "#c62828",
    results.WAITING: "#f9a825",
    results.ABSENT: "#b0bec5",
}


def scale(colours: dict[str, str], shown: tuple[str, ...] | list[str]) -> alt.Scale:
    """An altair colour scale for the statuses `shown`, in their order."""
    return alt.Scale(domain=list(shown), range=[colours[s] for s in shown])
