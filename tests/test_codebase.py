"""Tests about the codebase itself (layering rules, documented config, pinned deps)."""

from __future__ import annotations

import ast
import re
import tomllib
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Directories never scanned for imports: tooling and the tests themselves (a test of the Sheets
# adapter may import gspread to fake its errors) anywhere; the runtime data and the screenshots
# only at the top (services/data/ is code, and is checked like every other package).
SKIP_DIRS = {".venv", ".git", "tests", "__pycache__", "node_modules"}
SKIP_TOP = {"data", "shots"}
SHEETS_PREFIX = "services/storage/sheets"  # services/storage/sheets.py, sheets_*.py, sheets/...


def _skipped(parts: tuple[str, ...]) -> bool:
    return parts[0] in SKIP_TOP or bool(SKIP_DIRS.intersection(parts))


def python_files(root: Path, under: str = "") -> list[Path]:
    base = root / under if under else root
    if not base.exists():
        return []
    return sorted(p for p in base.rglob("*.py") if not _skipped(p.relative_to(root).parts))


def imported_modules(path: Path) -> set[str]:
    """Top-level names of absolute imports, incl. importlib.import_module("x") / __import__."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            arg = node.args[0]
            if (
                name in {"import_module", "__import__"}
                and isinstance(arg, ast.Constant)
                and isinstance(arg.value, str)
            ):
                found.add(arg.value.split(".")[0])
    return found


def layering_violations(root: Path) -> list[str]:
    problems = []
    for path in python_files(root, "services"):
        if "streamlit" in imported_modules(path):
            problems.append(f"{path.relative_to(root)} imports streamlit (services must not)")
    for path in python_files(root):
        rel = path.relative_to(root).as_posix()
        if "gspread" in imported_modules(path) and not rel.startswith(SHEETS_PREFIX):
            problems.append(f"{rel} imports gspread (only {SHEETS_PREFIX}* may)")
    return problems


def test_layering_rules():
    assert layering_violations(ROOT) == []


@pytest.mark.parametrize(
    ("rel", "source", "bad"),
    [
        ("services/a.py", "import streamlit as st\n", True),
        ("services/sub/b.py", "from streamlit.runtime import x\n", True),
        ("services/c.py", "import importlib\nimportlib.import_module('streamlit')\n", True),
        ("services/d.py", "def f():\n    import streamlit\n", True),
        ("services/data/health.py", "import streamlit\n", True),  # a package named data is code
        ("data/backup.py", "import streamlit\n", False),  # the top-level runtime folder is not
        ("pages/p.py", "import streamlit as st\n", False),
        ("services/e.py", "from . import streamlit_helpers\n", False),
        ("services/storage/sql.py", "import gspread\n", True),
        ("app.py", "from gspread import Client\n", True),
        ("services/storage/sheets.py", "import gspread\n", False),
        ("services/storage/sheets_client.py", "import gspread\n", False),
        ("services/storage/sheets/api.py", "import gspread.utils\n", False),
        ("tests/test_sheets.py", "import gspread\n", False),
    ],
)
def test_layering_checker_catches_violations(tmp_path, rel, source, bad):
    """The checker itself must flag a violation (guards against a silently vacuous test)."""
    target = tmp_path / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(source, encoding="utf-8")
    assert bool(layering_violations(tmp_path)) is bad


def _leaf_keys(table: dict, prefix: str = "") -> list[str]:
    keys = []
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            keys.extend(_leaf_keys(value, f"{dotted}."))
        else:
            keys.append(dotted)
    return keys


def test_secrets_example_keys_documented_in_readme():
    example = ROOT / ".streamlit" / "secrets.toml.example"
    readme = ROOT / "README.md"
    assert readme.is_file(), "README.md is missing: it must document every setting"
    text = readme.read_text(encoding="utf-8")
    keys = _leaf_keys(tomllib.loads(example.read_text(encoding="utf-8")))
    assert keys, "no live keys parsed from secrets.toml.example"
    # `store.sqlite_path` or just `sqlite_path` both count as mentioning the key.
    missing = [k for k in keys if not re.search(rf"\b{re.escape(k.split('.')[-1])}\b", text)]
    assert missing == [], f"secrets keys not mentioned in README.md: {missing}"


def test_env_overrides_documented_in_readme():
    example = (ROOT / ".streamlit" / "secrets.toml.example").read_text(encoding="utf-8")
    readme = ROOT / "README.md"
    assert readme.is_file(), "README.md is missing: it must document every setting"
    text = readme.read_text(encoding="utf-8")
    env_vars = sorted(set(re.findall(r"\bTCD_[A-Z0-9_]+\b", example)))
    assert env_vars, "secrets.toml.example should list the TCD_* environment overrides"
    missing = [v for v in env_vars if v not in text]
    assert missing == [], f"environment variables not mentioned in README.md: {missing}"


PINNED = re.compile(
    r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9._,-]+\])?==[A-Za-z0-9.*+!_-]+(\s*;.+)?$"
)


@pytest.mark.parametrize(
    "req_file", sorted(p.name for p in ROOT.glob("requirements*.txt")) or ["requirements.txt"]
)
def test_requirements_are_pinned(req_file):
    path = ROOT / req_file
    assert path.is_file(), f"{req_file} is missing"
    unpinned = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split(" #")[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("-r "):
            assert (ROOT / line[3:].strip()).is_file(), f"{req_file}: {line} not found"
            continue
        if not PINNED.match(line):
            unpinned.append(raw)
    assert unpinned == [], f"{req_file}: not pinned with ==: {unpinned}"


def test_streamlit_config_options_exist():
    """Streamlit only warns about unknown options in config.toml; make that an error."""
    from streamlit import config

    known = set(config._config_options_template)
    settings = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))

    def options(table: dict, section: str) -> list[str]:
        out = []
        for key, value in table.items():
            name = f"{section}.{key}"
            if isinstance(value, dict) and name not in known:
                out.extend(options(value, name))  # nested section, e.g. [theme.sidebar]
            else:
                out.append(name)
        return out

    names = [n for section, table in settings.items() for n in options(table, section)]
    unknown = [n for n in names if n not in known]
    assert unknown == [], f"unknown options in .streamlit/config.toml: {unknown}"


def _store_writes(tree: ast.AST) -> list[ast.Call]:
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "apply"
        and (
            (isinstance(node.func.value, ast.Attribute) and node.func.value.attr == "store")
            or (isinstance(node.func.value, ast.Name) and node.func.value.id == "store")
        )
    ]


def _audited(call: ast.Call) -> bool:
    """A write whose operations come from records.create/records.change (which add the audit row)."""
    arg = call.args[0] if call.args else None
    return (
        isinstance(arg, ast.Call)
        and isinstance(arg.func, ast.Attribute)
        and isinstance(arg.func.value, ast.Name)
        and arg.func.value.id == "records"
        and arg.func.attr in {"create", "change", "adopt", "imported", "batch"}
    )


def test_every_write_in_services_and_pages_carries_its_audit_row():
    """No write path skips the audit log: every store write is built by records.create/change/adopt.

    The one exception is the demo seeding, whose operations end with their own audit row
    (checked in tests/unit/demo/test_demo.py).
    """
    unaudited = []
    for path in [
        *(ROOT / "services").rglob("*.py"),
        *(ROOT / "pages").rglob("*.py"),
        ROOT / "app.py",
    ]:
        if "storage" in path.parts or "demo" in path.parts:
            continue
        for call in _store_writes(ast.parse(path.read_text(encoding="utf-8"))):
            if not _audited(call):
                unaudited.append(f"{path.relative_to(ROOT)}:{call.lineno}")
    assert unaudited == []


def test_the_audit_check_catches_a_write_without_records():
    bare = ast.parse("rt.store.apply([Append('units', cells)])")
    audited = ast.parse("rt.store.apply(records.create(actor, now, 'x', cells, 'units', key))")
    assert [_audited(c) for c in _store_writes(bare)] == [False]
    assert [_audited(c) for c in _store_writes(audited)] == [True]


# --------------------------------------------------------------------------- package structure

# What each package of services/ may import besides the standard library, third parties and
# schemas: the programme's phases build on each other in one direction, code serving both phases
# sits above them, and only the composition root sees the engines and the demo.
PHASES = ("core", "people", "registration", "year_end")
MAY_IMPORT = {
    "storage": set(),
    "core": {"storage"},
    "people": {"storage", "core"},
    "registration": {"storage", "core", "people"},
    "year_end": {"storage", "core", "people", "registration"},
    "data": {"storage", "core", "people", "registration", "year_end", "bootstrap"},
    "presentation": {"core", "registration", "year_end"},
    "overview": {"storage", "core", "people", "registration", "year_end"},
    "documents": {"storage", "core", "people", "registration", "year_end", "presentation"},
    "reminders": {
        "storage",
        "core",
        "people",
        "registration",
        "year_end",
        "documents",
        "bootstrap",
    },
    "demo": {"storage", "core", "people", "registration", "year_end"},
    "bootstrap": {"storage", "core", "people", "registration", "year_end", "demo"},
}
# Engine modules: constructed only by the composition root (storage's own modules may share them).
ENGINES = ("services.storage.sql", "services.storage.sheets", "services.storage.postgres")


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def local_imports(root: Path, path: Path) -> set[str]:
    """Modules of this project a file imports, anywhere in it (function-level imports count).

    `from services.x import y` names the module `services.x.y` when that is a module, else
    `services.x`; relative imports are resolved against the file's package.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module_name(root, path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                is_module = any(
                    (root / sub.replace(".", "/")).with_suffix(s).exists() for s in (".py", "")
                )
                found.add(sub if is_module else base)
    return {m for m in found if m.split(".")[0] in {"services", "schemas"}}


def import_graph(root: Path) -> dict[str, set[str]]:
    files = python_files(root, "services") + python_files(root, "schemas")
    return {module_name(root, p): local_imports(root, p) for p in files}


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """An import cycle among the project's modules, if there is one (graphlib names one cycle)."""
    local = {module: imports & graph.keys() for module, imports in graph.items()}
    try:
        TopologicalSorter(local).prepare()
    except CycleError as exc:
        return [list(exc.args[1])]
    return []


def package_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "services" and len(parts) > 1 else None


def structure_violations(root: Path) -> list[str]:
    graph = import_graph(root)
    problems = [f"import cycle: {' -> '.join(c)}" for c in import_cycles(graph)]
    for module, imports in sorted(graph.items()):
        own = package_of(module)
        if own is None:  # schemas: below every service
            problems += [f"{module} imports {m}" for m in imports if m.startswith("services")]
            continue
        allowed = MAY_IMPORT.get(own)
        if allowed is None:
            problems.append(f"{module}: package services.{own} has no place in MAY_IMPORT")
            continue
        for target in sorted(imports):
            theirs = package_of(target)
            if theirs is None or theirs == own:
                continue
            if theirs not in allowed:
                problems.append(f"{module} imports {target} (services.{own} may not)")
            elif target.startswith(ENGINES) and own not in {"bootstrap", "storage"}:
                problems.append(f"{module} imports the engine {target} (only bootstrap may)")
    return problems


def test_services_have_no_import_cycles_and_follow_the_package_rules():
    assert structure_violations(ROOT) == []


def test_every_service_lives_in_a_package_named_for_its_phase_or_concern():
    loose = [
        p.name
        for p in (ROOT / "services").glob("*.py")
        if p.name not in {"__init__.py", "bootstrap.py"}
    ]
    assert loose == []


@pytest.mark.parametrize(
    ("files", "needle"),
    [
        (
            {
                "services/core/a.py": "from services.core import b\n",
                "services/core/b.py": "import services.core.a\n",
            },
            "import cycle",
        ),
        (
            {
                "services/registration/a.py": "from services.year_end import b\n",
                "services/year_end/b.py": "",
            },
            "services.registration may not",
        ),
        (
            {
                "services/year_end/a.py": "def f():\n    from services.demo import b\n",
                "services/demo/b.py": "",
            },
            "services.year_end may not",
        ),
        (
            {
                "services/people/a.py": "from services.storage.sql import SqlStore\n",
                "services/storage/sql.py": "",
            },
            "only bootstrap may",
        ),
        (
            {
                "services/core/a.py": "from services.overview import home\n",
                "services/overview/home.py": "",
            },
            "services.core may not",
        ),
        (
            {"schemas/a.py": "from services.core import b\n", "services/core/b.py": ""},
            "schemas.a imports",
        ),
        ({"services/newthing/a.py": ""}, "has no place"),
    ],
)
def test_the_structure_checker_catches_what_it_guards(tmp_path, files, needle):
    for rel, source in files.items():
        target = tmp_path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(source, encoding="utf-8")
    assert any(needle in problem for problem in structure_violations(tmp_path))


def test_the_structure_checker_accepts_a_clean_tree(tmp_path):
    for rel, source in {
        "services/core/a.py": "from services.storage import Row\n",
        "services/storage/__init__.py": "",
        "services/year_end/b.py": "from services.registration import c\n",
        "services/registration/c.py": "from services.core import a\n",
        "services/bootstrap.py": "from services.storage.sql import SqlStore\nfrom services import demo\n",
        "services/storage/sql.py": "",
        "services/demo/__init__.py": "",
    }.items():
        target = tmp_path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(source, encoding="utf-8")
    assert structure_violations(tmp_path) == []


def test_modules_import_other_tests_only_through_tests_support():
    """Shared builders live in tests/support (and the fake Sheets API in tests/fakes): a test
    module or conftest never imports another test module or conftest."""
    shared = ("tests.support", "tests.fakes")
    offenders = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                if name.startswith("tests.") and not name.startswith(shared):
                    offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []


# ---- function length ----------------------------------------------------------------------------

LONGEST_FUNCTION = 60  # lines, decorators and docstring included: split a longer one where it reads


def long_functions(root: Path, unders: tuple[str, ...] = ("services", "schemas")) -> list[str]:
    """`path:line name (n lines)` for each function or method over LONGEST_FUNCTION lines."""
    found = []
    for under in unders:
        for path in python_files(root, under):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                    length = (node.end_lineno or node.lineno) - first + 1
                    if length > LONGEST_FUNCTION:
                        rel = path.relative_to(root)
                        found.append(f"{rel}:{node.lineno} {node.name} ({length} lines)")
    return found


def test_no_function_in_services_or_schemas_is_longer_than_sixty_lines():
    assert long_functions(ROOT) == []


def test_the_length_checker_catches_a_long_function_and_passes_a_short_one(tmp_path):
    body = "".join(f"    x{i} = {i}\n" for i in range(LONGEST_FUNCTION))
    (tmp_path / "services").mkdir()
    (tmp_path / "services" / "long.py").write_text(f"def too_long():\n{body}", encoding="utf-8")
    short = "".join(f"    x{i} = {i}\n" for i in range(LONGEST_FUNCTION - 1))
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "short.py").write_text(f"def fits():\n{short}", encoding="utf-8")
    assert long_functions(tmp_path) == [
        f"services/long.py:1 too_long ({LONGEST_FUNCTION + 1} lines)"
    ]


IGNORE = re.compile(r"#\s*type:\s*ignore(?P<codes>\[[^\]]*\])?(?P<rest>.*)$")


def unexplained_type_ignores(root: Path) -> list[str]:
    """`path:line` of each `# type: ignore` without error codes or without a `# why` after it."""
    found = []
    for under in ("services", "schemas"):
        for path in python_files(root, under):
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                m = IGNORE.search(line)
                if m and (not m["codes"] or not m["rest"].strip().startswith("#")):
                    found.append(f"{path.relative_to(root)}:{n}")
    return found


def test_every_type_ignore_names_its_error_and_says_why():
    assert unexplained_type_ignores(ROOT) == []


def test_the_type_ignore_checker_catches_a_bare_ignore(tmp_path):
    (tmp_path / "services").mkdir()
    (tmp_path / "services" / "m.py").write_text(
        "a = f()  # type: ignore\n"
        "b = g()  # type: ignore[arg-type]\n"
        "c = h()  # type: ignore[arg-type]  # h is untyped upstream\n",
        encoding="utf-8",
    )
    assert unexplained_type_ignores(tmp_path) == ["services/m.py:1", "services/m.py:2"]


def workbook_reads_in_pages(root: Path) -> list[str]:
    """`path:line` where a page reads the parsed store itself instead of asking a service."""
    found = []
    for path in [*sorted((root / "pages").glob("*.py")), root / "app.py"]:
        if not path.exists():
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "workbook":
                found.append(f"{path.relative_to(root)}:{node.lineno}")
    return found


def test_pages_read_data_through_services_not_the_workbook():
    assert workbook_reads_in_pages(ROOT) == []


def test_the_workbook_check_catches_a_page_reading_it(tmp_path):
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "p.py").write_text("names = rt.workbook().units\n", encoding="utf-8")
    assert workbook_reads_in_pages(tmp_path) == ["pages/p.py:1"]


def store_members() -> set[str]:
    """The members every engine offers: the `Store` protocol's, read from its source."""
    tree = ast.parse((ROOT / "services" / "storage" / "__init__.py").read_text(encoding="utf-8"))
    [store] = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Store"]
    names = {n.name for n in store.body if isinstance(n, ast.FunctionDef)}
    return names | {
        n.target.id
        for n in store.body
        if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)
    }


def engine_feature_probes(root: Path, members: set[str]) -> list[str]:
    """`path:line` where services ask whether an engine has a member of the Store protocol
    (`getattr(x, "member", …)`, `hasattr(x, "member")`) instead of calling it: every engine
    offers every member (issue 9: optional features are a declared interface, not probing)."""
    found = []
    for path in python_files(root, "services"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in {"getattr", "hasattr"}
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
                and node.args[1].value in members
            ):
                found.append(f"{path.relative_to(root).as_posix()}:{node.lineno}")
    return found


def test_services_call_the_engines_interface_instead_of_probing_it():
    members = store_members()
    assert {"on_written", "rereads", "ensure_tabs", "tab_versions"} <= members
    assert engine_feature_probes(ROOT, members) == []


def test_the_probe_check_catches_a_getattr_and_a_hasattr(tmp_path):
    (tmp_path / "services").mkdir()
    (tmp_path / "services" / "m.py").write_text(
        'f = getattr(inner, "rereads", None)\nok = hasattr(target, "ensure_tabs")\n'
        'name = getattr(form, "LABELS", {})\n',
        encoding="utf-8",
    )
    assert engine_feature_probes(tmp_path, {"rereads", "ensure_tabs"}) == [
        "services/m.py:1",
        "services/m.py:2",
    ]
