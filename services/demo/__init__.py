"""The demo province: seeded into an empty embedded store so a newcomer sees every screen with data.

Only the composition root (`services.bootstrap`), tests and benchmarks import it.
"""

from services.demo.mark import end_demo, is_demo_store, seeding_audit
from services.demo.province import (
    DEMO_PEOPLE,
    cycle_row,
    demo_actors,
    demo_operations,
    registration_row,
    seed_if_empty,
    seed_year_end,
    settle,
    user_rows,
)

__all__ = [
    "DEMO_PEOPLE",
    "cycle_row",
    "demo_actors",
    "demo_operations",
    "end_demo",
    "is_demo_store",
    "registration_row",
    "seed_if_empty",
    "seed_year_end",
    "seeding_audit",
    "settle",
    "user_rows",
]
