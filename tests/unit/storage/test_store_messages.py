"""Store refusals read as Vietnamese sentences with the sheet's own headers, not field names."""

import ast
import re
from pathlib import Path

import services.storage
from services.core.messages import WORDING, describe
from services.storage import DuplicateRecord, StoreUnavailable


def test_a_duplicate_names_the_tab_and_the_columns_as_the_sheet_shows_them():
    message = describe(
        DuplicateRecord("assessments", {"cycle_id": "CK-2026", "unit_id": "DV-0052"})
    )
    assert message.startswith("Bảng “Đánh giá” đã có một bản ghi như vậy (Mã chu kỳ: CK-2026, ")
    assert "Mã đơn vị được đánh giá: DV-0052" in message and "chưa lưu gì" in message
    assert "cycle_id" not in message and "{" not in message


def test_the_storage_layer_says_what_happened_and_the_messages_module_says_it_in_vietnamese():
    refused = StoreUnavailable("rejected", status=400)
    assert (refused.code, refused.details()) == ("rejected", {"status": 400})
    assert str(refused) == "rejected(status=400)"  # for logs: neutral, no wording
    assert describe(refused) == (
        "Google Sheets từ chối yêu cầu (400); chưa chắc đã lưu. Hãy thử lại sau."
    )


def test_a_code_without_wording_is_still_a_sentence_never_the_code():
    said = describe(StoreUnavailable("a_code_nobody_worded"))
    assert "a_code_nobody_worded" not in said and said.startswith("Kho dữ liệu báo lỗi")


CODED = {"StoreError", "StoreUnavailable", "SheetsSetupError"}  # their first argument is a code


def _module_strings(tree: ast.Module) -> dict[str, str]:
    """NAME = "text" at a module's top level."""
    return {
        target.id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def _coded_raises(tree: ast.Module) -> list[ast.Call]:
    return [
        node.exc
        for node in ast.walk(tree)
        if isinstance(node, ast.Raise)
        and isinstance(node.exc, ast.Call)
        and isinstance(node.exc.func, ast.Name)
        and node.exc.func.id in CODED
        and node.exc.args
    ]


def raised_codes(folder: Path) -> tuple[set[str], list[str]]:
    """The codes the storage layer raises, read from its source: string literals and module
    constants given as the first argument of a coded error; and where something else is given
    (a local variable is allowed: it holds a code chosen above it)."""
    trees = {p.name: ast.parse(p.read_text(encoding="utf-8")) for p in sorted(folder.rglob("*.py"))}
    constants = {k: v for tree in trees.values() for k, v in _module_strings(tree).items()}
    codes: set[str] = set()
    odd: list[str] = []
    for name, tree in trees.items():
        for call in _coded_raises(tree):
            arg = call.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                codes.add(arg.value)
            elif isinstance(arg, ast.Name):
                codes.update([constants[arg.id]] if arg.id in constants else [])
            else:
                odd.append(f"{name}:{call.lineno}")
    return codes, odd


def test_every_code_the_storage_layer_raises_has_its_vietnamese_wording():
    codes, odd = raised_codes(Path(services.storage.__file__).parent)
    assert odd == [], "a storage error was given a sentence or an expression instead of a code"
    assert {"database_unavailable", "database_write_failed", "unreachable"} <= codes
    assert sorted(c for c in codes if c not in WORDING) == []
    assert all(re.fullmatch(r"[a-z_]+", c) for c in codes)


def test_the_code_check_sees_a_sentence_and_an_unworded_code(tmp_path):
    (tmp_path / "engine.py").write_text(
        'GONE = "gone_missing"\n'
        "def f(exc):\n"
        '    raise StoreUnavailable(f"Không ghi được: {exc}")\n'
        "def g():\n"
        "    raise StoreError(GONE)\n",
        encoding="utf-8",
    )
    codes, odd = raised_codes(tmp_path)
    assert odd == ["engine.py:3"] and codes == {"gone_missing"} and "gone_missing" not in WORDING


def test_a_database_that_cannot_be_written_says_so_in_vietnamese_with_its_reason():
    said = describe(
        StoreUnavailable("database_write_failed", reason="server closed the connection")
    )
    assert said.startswith("Không ghi được vào kho dữ liệu (server closed the connection)")
    assert "có thể chưa lưu" in said
