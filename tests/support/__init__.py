"""Test support shared by every test package (and by the benchmarks where they need it).

- `world`: the fixed moment (NOW), the sample plan, finding a demo unit by name;
- `builders`: plans, unit forms, officers and rows of the demo province;
- `province`: a small province built from scratch, for the year-end tests;
- `year_end`: values that pass a criteria set, a passed official assessment;
- `scope`: the scope tests' world (every role, and another upper unit's officer);
- `national`: two provinces in one database, for the tests of a server scoped to one subtree;
- `sheets_health`: the demo copied into the fake Google Sheet, for data-health tests;
- `app`: AppTest on a temporary store (fixtures `open_app`, `stored`, `app_runtime`);
- `browser`: the real-browser harness (app server, Chromium page, waiting for a rerun).

Test modules import from here (and from `tests.fakes`), never from one another.
"""
