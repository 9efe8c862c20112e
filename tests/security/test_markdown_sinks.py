"""No screen hands user text to a markdown renderer unescaped: a source check over pages/.

Streamlit renders the text of st.markdown, info, warning, error, success, caption, subheader,
metric (label, value, delta, help), write, toast, header and title as markdown: a cycle name or a
unit's e-mail typed as `[x](http://…)`, `www.x`, `:material/…:` or `&lt;` would become a link, an
icon or an entity. Before, eleven places put a cycle name, a unit name, an e-mail or an error
from the mail server into such an f-string as is.

The rule checked: every placeholder of an f-string passed to one of those (directly, or through
a local variable the f-string was assigned to) is `plain(…)` / `_ui.plain(…)`, or a value the app
made itself — a number, a date or time formatted with a format spec, an enum's `.value`, a
constant, the result of a formatter of numbers and dates — or is in the small allow-list below
with its reason.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SINKS = {
    "markdown",
    "info",
    "warning",
    "error",
    "success",
    "caption",
    "subheader",
    "header",
    "title",
    "metric",
    "write",
    "toast",
}
CHECKED_KEYWORDS = {"body", "label", "value", "delta", "help"}
PLAIN = {"plain"}  # the escaping helper (pages/_ui.py)
# Formatters whose output is digits, dates and the app's own words.
FORMATTERS = {
    "len",
    "sum",
    "int",
    "date",
    "percent",
    "thousands",
    "cutoff_words",
    "cutoff_after",
    "countdown_words",
    "day_words",
    "content_label",
    "last_year",
    "_num",  # pages/danh_gia.py: a number as the criteria set writes it
}
# Attributes that hold numbers, dates, times or the app's own words, never typed text.
APP_MADE_ATTRIBUTES = {
    "value",  # an enum's stored label (role, state, verdict, moment)
    "year",
    "start",
    "end",
    "middle",
    "blank",
    "number",
    "stored",
    "to_write",
    "assessed",
    "recognised_cycles",
    "cycles",
    "refresh_seconds",
    "cutoff_words",
    "report_cutoff_words",
    "deadline_words",
    "countdown",
    "sent_at",
    "last_sent_at",
    "received_on",
    "plan_date",
    "status",  # a unit's status words (services.registration.status)
    "row",  # a sheet row number
    "page",  # a page number
    "points_cell",  # the computed points
    "MAX_BYTES",
    "MAX_ROWS",
}
SAFE_METHODS = {"lower", "upper", "strip"}  # of an app-made value: still app-made
# (file, placeholder as written) -> why it holds no typed text
ALLOWED = {
    ("tuyen_duong.py", "years"): "cycle years (numbers) and a fixed phrase",
    ("tuyen_duong.py", "waiting"): "cycle years (numbers)",
    ("nhat_ky.py", "', '.join((str(n) for n in page.unreadable[:10]))"): "sheet row numbers",
    ("du_lieu.py", "new_id"): "the id the app just wrote (records.record_id)",
    ("du_lieu.py", "pending.tab_title"): "a tab's title from schemas.tabs",
    ("ket_qua.py", "worst['failed']"): "a count of units",
}


def sink_calls(tree: ast.AST):
    """(call, enclosing function or module) for every call of a markdown-rendering element."""
    scopes: list[ast.AST] = [tree]
    scopes += [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    for scope in scopes:
        for node in _own_nodes(scope):
            if isinstance(node, ast.Call) and _is_sink(node.func):
                yield node, scope


def _own_nodes(scope: ast.AST):
    """The nodes of a scope, not descending into the functions defined inside it."""
    stack = list(ast.iter_child_nodes(scope))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            stack.extend(ast.iter_child_nodes(node))


def _is_sink(func: ast.expr) -> bool:
    if not isinstance(func, ast.Attribute) or func.attr not in SINKS:
        return False
    receiver = ast.unparse(func.value)
    return "log" not in receiver.lower()  # logger.info/warning are not markdown


class Checker:
    """Finds the unsafe placeholders of one file."""

    def __init__(self, name: str, source: str):
        self.name = name
        self.tree = ast.parse(source)
        self.problems: list[str] = []

    def run(self) -> list[str]:
        for call, scope in sink_calls(self.tree):
            args = list(call.args) + [k.value for k in call.keywords if k.arg in CHECKED_KEYWORDS]
            for arg in args:
                if self._holds_fstring(arg, scope):
                    self._check(arg, scope, call.lineno, set())
        return self.problems

    def _holds_fstring(self, node: ast.expr, scope: ast.AST) -> bool:
        if isinstance(node, ast.Name):
            return any(
                any(isinstance(n, ast.JoinedStr) for n in ast.walk(v))
                for v in self._assigned(node.id, scope)
            )
        return any(isinstance(n, ast.JoinedStr) for n in ast.walk(node))

    def _assigned(self, name: str, scope: ast.AST) -> list[ast.expr]:
        found = []
        for node in _own_nodes(scope):
            targets = node.targets if isinstance(node, ast.Assign) else []
            if isinstance(node, ast.AnnAssign):
                targets = [node.target]
            value = getattr(node, "value", None)
            if value is not None and any(isinstance(t, ast.Name) and t.id == name for t in targets):
                found.append(value)
        return found

    def _check(self, node: ast.expr, scope: ast.AST, line: int, seen: set[str]) -> None:
        if isinstance(node, ast.JoinedStr):
            for part in node.values:
                if isinstance(part, ast.FormattedValue) and not self._formatted_safe(part):
                    self._placeholder(part.value, scope, line, seen)
        elif isinstance(node, ast.Name):
            for value in self._assigned(node.id, scope):
                self._check(value, scope, line, seen)
        elif isinstance(node, ast.Call) and self._is_plain(node.func):
            return
        else:  # f-strings further in: both sides of a + or an if, a call's arguments, …
            for inner in ast.iter_child_nodes(node):
                if isinstance(inner, ast.expr):
                    self._check(inner, scope, line, seen)

    @staticmethod
    def _formatted_safe(part: ast.FormattedValue) -> bool:
        """A format spec for dates or numbers (`:%d/%m/%Y`, `:+.0f`, `:,`) fails on text."""
        spec = part.format_spec
        if not isinstance(spec, ast.JoinedStr):
            return False
        text = "".join(v.value for v in spec.values if isinstance(v, ast.Constant))
        return "%" in text or (text[-1:] in set("dfeEgGn,") if text else False)

    def _placeholder(self, value: ast.expr, scope: ast.AST, line: int, seen: set[str]) -> None:
        source = ast.unparse(value)
        if (self.name, source) in ALLOWED or self._safe(value, scope, seen):
            return
        self.problems.append(f"pages/{self.name}:{line}: {{{source}}}")

    def _safe(self, node: ast.expr, scope: ast.AST, seen: set[str]) -> bool:  # noqa: C901
        if isinstance(node, ast.Constant):
            return True
        if isinstance(node, ast.Call):
            func = node.func
            if self._is_plain(func):
                return True
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in FORMATTERS:
                return True
            return (
                isinstance(func, ast.Attribute)
                and name in SAFE_METHODS
                and self._safe(func.value, scope, seen)
            )
        if isinstance(node, ast.Attribute):
            return node.attr in APP_MADE_ATTRIBUTES
        if isinstance(node, ast.BinOp):
            return self._safe(node.left, scope, seen) and self._safe(node.right, scope, seen)
        if isinstance(node, ast.BoolOp):
            return all(self._safe(v, scope, seen) for v in node.values)
        if isinstance(node, ast.IfExp):
            return self._safe(node.body, scope, seen) and self._safe(node.orelse, scope, seen)
        if isinstance(node, ast.JoinedStr):
            return all(
                self._formatted_safe(p) or self._safe(p.value, scope, seen)
                for p in node.values
                if isinstance(p, ast.FormattedValue)
            )
        if isinstance(node, ast.Name):
            if node.id.isupper():  # a module constant
                return True
            values = self._assigned(node.id, scope)
            if not values or node.id in seen:
                return False
            return all(self._safe(v, scope, seen | {node.id}) for v in values)
        return False

    @staticmethod
    def _is_plain(func: ast.expr) -> bool:
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        return name in PLAIN


def unsafe_placeholders(name: str, source: str) -> list[str]:
    return Checker(name, source).run()


def test_every_placeholder_in_markdown_is_escaped_or_made_by_the_app():
    problems = []
    for path in sorted((ROOT / "pages").glob("*.py")):
        problems += unsafe_placeholders(path.name, path.read_text("utf-8"))
    assert problems == []


def test_every_allowed_placeholder_still_exists():
    """An allow-list entry whose placeholder is gone would let a new one of that name through."""
    sources = {p.name: p.read_text("utf-8") for p in (ROOT / "pages").glob("*.py")}
    missing = [
        f"{file}: {{{placeholder}}}"
        for file, placeholder in ALLOWED
        if not any(
            ast.unparse(n.value) == placeholder
            for n in ast.walk(ast.parse(sources.get(file, "")))
            if isinstance(n, ast.FormattedValue)
        )
    ]
    assert missing == []


@pytest.mark.parametrize(
    "snippet",
    [
        'st.info(f"{cycle.name} chưa bắt đầu")',
        'st.markdown(f"**{unit.name}**")',
        "col.metric(f\"Tỷ lệ — {latest['cycle']}\", 1)",
        'st.metric("Tỷ lệ", 1, delta=f"so với {before.name.lower()}")',
        'delta = f"so với {before[\'cycle\']}"\nst.metric("Tỷ lệ", 1, delta=delta)',
        'def f(recipient, error):\n    st.error(f"Chưa gửi được tới {recipient}: {error}")',
        "st.warning(f\"Chưa có e-mail: {', '.join(names)}.\")",
        'st.caption("a" + f"{row.reason}")',
        'who = unit.name\nst.success(f"Đã nhận của {who}")',
    ],
)
def test_the_check_finds_user_text_put_into_markdown(snippet):
    assert unsafe_placeholders("snippet.py", snippet) != []


@pytest.mark.parametrize(
    "snippet",
    [
        'st.info(f"{_ui.plain(cycle.name)} chưa bắt đầu, năm {cycle.year}")',
        'st.markdown(f"Gửi lúc {report.sent_at:%H:%M %d/%m/%Y}, {len(rows)} dòng")',
        'st.metric("Tỷ lệ", 1, delta=f"{change:+.0f} điểm")',
        'verdict = "**đúng hạn**" if ok else "**trễ hạn**"\nst.success(f"Đã nhận — {verdict}")',
        'st.subheader(_ui.plain(f"Đánh giá — {closing.cycle_name}"))',
        'logger.warning(f"{cycle.name}")',
    ],
)
def test_the_check_lets_escaped_and_app_made_values_through(snippet):
    assert unsafe_placeholders("snippet.py", snippet) == []
