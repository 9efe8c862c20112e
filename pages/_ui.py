"""What every screen shares: the process-wide runtime, the acting person, and showing errors.

Pages stay thin: they draw, call one service, and turn the closed set of service errors into a
Vietnamese message here.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import uuid
import weakref
from collections.abc import Callable
from contextlib import nullcontext
from functools import partial
from typing import Any, TypeVar

import pandas as pd
import streamlit as st
from streamlit import dataframe_util

from schemas.models import Cycle, Record
from schemas.tabs import TABS
from services.bootstrap import build_runtime, load_settings
from services.core import readable
from services.core.access import Actor, Role
from services.core.errors import DomainError, InvalidInput
from services.core.messages import describe
from services.core.runtime import Runtime
from services.core.settings import SettingsError
from services.overview import tasks
from services.people import units, users
from services.registration import cycles, deadlines
from services.storage import Conflict, StoreError

T = TypeVar("T")
R = TypeVar("R", bound=Record | None)
log = logging.getLogger("3cd")
DEMO_PARAM = "nguoi-dung"  # the demo person chosen, kept in the address so a reload keeps it


def _secrets() -> dict[str, Any]:
    """`.streamlit/secrets.toml` as a dict; an absent file is simply no settings."""
    try:
        return st.secrets.to_dict()
    except Exception:  # Streamlit raises when no secrets file exists anywhere  # noqa: BLE001
        return {}


@st.cache_resource(show_spinner="Đang mở kho dữ liệu…")
def runtime() -> Runtime:
    """One runtime (store, read cache, clock) per server process, shared by every session."""
    return build_runtime(load_settings(_secrets(), os.environ))


def started_runtime() -> Runtime:
    """The runtime, or a Vietnamese reason on the page (and in the log) why it cannot start.

    Opening a Google Sheet can fail (not shared, not found, no network); the failure is not
    cached, so the next visit tries again.
    """
    try:
        return runtime()
    except SettingsError as exc:
        log.error("3CĐ không khởi động: %s", exc)
        st.error(f"Ứng dụng chưa thể chạy: {plain(str(exc))}")
        st.stop()


def settings_error() -> str | None:
    """The reason the settings cannot start the app (also written to the log), or None."""
    try:
        load_settings(_secrets(), os.environ).sign_in  # noqa: B018 - it validates
    except SettingsError as exc:
        log.error("3CĐ không khởi động: %s", exc)
        return str(exc)
    return None


def frozen_clock_banner(rt: Runtime) -> None:
    """On a signed-in deployment allowed a frozen clock for training: say so on every page."""
    if rt.settings.now and rt.settings.login:
        log.warning("3CĐ đang chạy với đồng hồ cố định %s (tập huấn)", rt.settings.now)
        st.warning(
            f"**Chế độ tập huấn** — đồng hồ của ứng dụng đang cố định ở {plain(rt.settings.now)}: "
            "hạn chót và thời điểm ghi nhận không phải thời gian thật."
        )


def sign_in(rt: Runtime) -> Actor:
    """The person acting in this run, looked up again every run; draws the sign-in and stops if none.

    With [auth] configured people sign in with st.login (OIDC) and their e-mail must be in the
    users tab; on the embedded demo store a banner and a picker of the demo users stand in for it.
    """
    try:
        mode = rt.sign_in  # the demo ends for good when real data arrives, even mid-session
    except SettingsError as exc:
        st.session_state.pop("actor", None)
        log.error("3CĐ không mở chế độ dùng thử: %s", exc)
        st.error(f"Ứng dụng chưa thể chạy: {plain(str(exc))}")
        st.stop()
    verified = True
    if mode == "oidc":
        st.query_params.pop(DEMO_PARAM, None)  # a demo person never signs anyone in
        if not st.user.get("is_logged_in", False):
            st.title('3CĐ — Đoàn cơ sở "3 chủ động"')
            st.write("Vui lòng đăng nhập bằng tài khoản đã được Tỉnh đoàn cấp quyền.")
            st.button("Đăng nhập", type="primary", on_click=st.login)
            st.stop()
        email = str(st.user.get("email") or "")
        # Refused only when the provider says so (Google always sends the claim).
        verified = str(st.user.get("email_verified", True)).strip().lower() not in ("false", "0")
        st.sidebar.caption(f"Đăng nhập: {plain(email)}")
        st.sidebar.button("Đăng xuất", on_click=st.logout)
    else:
        people = users.demo_choices(rt)
        emails = list(people)
        # The choice is also kept outside the widget, so a run that lost widget state (Streamlit's
        # first run of a process) still acts as the person who was chosen, and in the address
        # (demo only), so reloading the page keeps the person.
        chosen = st.session_state.get("demo_email") or st.query_params.get(DEMO_PARAM)
        with st.sidebar:
            st.info("**Chế độ dùng thử** — dữ liệu mẫu, chọn người dùng để xem ứng dụng như họ.")
            email = st.selectbox(
                "Người dùng",
                emails,
                index=emails.index(chosen) if chosen in emails else 0,
                format_func=lambda e: people.get(e, e),
                key="demo_person",
            )
        st.session_state["demo_email"] = email
        if email and st.query_params.get(DEMO_PARAM) != email:
            st.query_params[DEMO_PARAM] = email
    try:
        return users.resolve(rt, email or "", demo=mode == "demo", verified=verified)
    except users.SignInRefused as exc:
        st.session_state.pop("actor", None)  # fail closed: no earlier person stays signed in
        st.title("Không thể truy cập 3CĐ")
        st.error(plain(str(exc)))
        st.stop()


def actor() -> Actor:
    """The person acting in this session (chosen on the sign-in picker in app.py)."""
    person = st.session_state.get("actor")
    if person is None:
        st.warning("Hãy chọn người dùng ở thanh bên trái.")
        st.stop()
    return person


def request_key(form: str) -> str:
    """The idempotency key of the form now on screen; a new one after each successful save."""
    keys = st.session_state.setdefault("_request_keys", {})
    return keys.setdefault(form, uuid.uuid4().hex)


def form_saved(form: str) -> None:
    """Forget the form's key and its loaded record, so the next submission is a new one."""
    st.session_state.setdefault("_request_keys", {}).pop(form, None)
    st.session_state.setdefault("_loaded", {}).pop(form, None)


def loaded(form: str, record: R) -> R:
    """The record as it was when this form was first drawn: what a save compares against.

    Streamlit reruns the script on every click, so without this the form would silently adopt
    someone else's newer edit and overwrite it. A form first drawn with no record (None) keeps
    that as its baseline even when someone else creates the record meanwhile, so its save is
    refused as a conflict instead of overwriting theirs.
    """
    held = st.session_state.setdefault("_loaded", {})
    if form not in held or (None not in (held[form], record) and held[form].id != record.id):
        held[form] = record
    return held[form]


def require_tabs(rt: Runtime, screen: str) -> None:
    """Stop the screen with a plain Vietnamese reason when a tab its figures come from cannot be
    read as the sheet is now (deleted, a title row above the header, …): no counts are shown."""
    found = readable.for_screen(rt, screen)
    if found:
        st.error(plain(readable.message(found)))
        st.stop()


def attempt(action: Callable[[], T], form: str | None = None, busy: str = "") -> T | None:
    """Run one service call; show a refusal in Vietnamese instead of a traceback. None on failure.

    After a click on `submit`'s button the call runs under a spinner saying `busy` (what is being
    saved), and a refusal is kept and the page redrawn, so the button is enabled again with the
    reason under it.
    """
    pressed = _pressed(form)
    try:
        with st.spinner(busy or "Đang lưu…") if pressed else nullcontext():
            result = action()
    except InvalidInput as exc:
        return _refused(
            form, "Chưa lưu. Vui lòng sửa:\n\n" + "\n".join(f"- {plain(m)}" for m in exc.messages)
        )
    except Conflict as exc:
        return _refused(form, exc)
    except DomainError as exc:
        return _refused(form, plain(str(exc)))
    except StoreError as exc:
        return _refused(form, plain(describe(exc)))
    _release(form)
    if form:
        form_saved(form)
    return result


def refuse(form: str, message: str) -> None:
    """Show a refusal decided on the page (before any service call) as `attempt` shows one."""
    _refused(form, plain(message))


def submit(label: str, form: str, disabled: bool = False, **options: Any) -> bool:
    """A form's save button (drawn inside the st.form), disabled from the click until the save ends.

    The click is noted by a callback before the page is redrawn, so the redrawn button is already
    disabled while `attempt` runs the save under its spinner; `attempt` then redraws the page with
    the outcome. True on the run that must save. A refusal kept by `attempt` shows under it.
    """
    pressed = st.session_state.setdefault("_pressed", {})
    st.form_submit_button(
        label,
        disabled=disabled or form in pressed,
        on_click=_press,
        args=(form, label),
        key=f"{form}-submit-{label}",
        **options,
    )
    if pressed.get(form) == label:  # this run saves; the next one draws the button enabled
        st.session_state.setdefault("_saving", {})[form] = pressed.pop(form)
        return True
    kept = st.session_state.setdefault("_refusals", {})
    if kept.get(form, ("", ""))[0] == label:
        refusal = kept.pop(form)[1]
        if isinstance(refusal, Conflict):
            show_conflict(refusal, form, in_form=True)
        else:
            st.error(refusal)
    return False


def _press(form: str, label: str) -> None:
    st.session_state.setdefault("_pressed", {})[form] = label
    st.session_state.setdefault("_refusals", {}).pop(form, None)


def _pressed(form: str | None) -> str | None:
    return st.session_state.get("_saving", {}).get(form) if form else None


def _release(form: str | None) -> str | None:
    return st.session_state.get("_saving", {}).pop(form, None) if form else None


def _refused(form: str | None, refusal: str | Conflict) -> None:
    """A refusal: shown now, or — after a `submit` click — kept and shown on the redrawn page."""
    label = _release(form)
    if label is None:
        if isinstance(refusal, Conflict):
            show_conflict(refusal, form)
        else:
            st.error(refusal)
        return
    st.session_state.setdefault("_refusals", {})[form] = (label, refusal)
    st.rerun()


_NUMBER_SHAPED = re.compile(r"[+-]?[\d\s.,()]+")  # +84 912 345 678, -5, -1.234,5: no operator


def inert_cell(value: Any) -> Any:
    """A cell a spreadsheet will not run: text starting with =, @, tab or carriage return, or
    with + or - unless the whole value is number- or phone-shaped (digits, spaces, dots, commas,
    parentheses after the sign), gets a leading apostrophe. So +84 912 345 678 and -5 show
    unchanged, while -2+3+cmd|… (which Excel computes) does not."""
    if not isinstance(value, str) or not value:
        return value
    first = value[0]
    if first in "=@\t\r" or (
        first in "+-" and len(value) > 1 and not _NUMBER_SHAPED.fullmatch(value)
    ):
        return "'" + value
    return value


def table(data: Any, **options: Any) -> Any:
    """st.dataframe for every table of the app, its cells made inert first: Streamlit's own
    toolbar offers "Download as CSV", and Excel would run a formula a person planted in a cell.
    A wide table's first column (what a row is about: the unit, the year) stays in view when it
    scrolls sideways."""
    frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)
    options["column_config"] = pinned_first(frame, options.get("column_config"))
    return st.dataframe(_inert(frame), **options)


def _arrow(frame: pd.DataFrame) -> Any:
    """`frame` as the Arrow table st.dataframe would make of it on every render, made once here
    (a shared table is drawn by every session): the same Streamlit function, so the same bytes
    reach the browser. The frame itself if Streamlit changed inside."""
    convert = getattr(dataframe_util, "convert_pandas_df_to_arrow_table", None)
    return frame if convert is None else convert(frame)


WIDE_TABLE = 7  # columns from which a table scrolls sideways on a laptop screen


def pinned_first(frame: pd.DataFrame, config: dict | None, skip: str = "") -> dict | None:
    """`config` with the first column (other than `skip`) pinned when the table is wide, unless
    the page configured it. (Streamlit greys a pinned column, so a narrow table keeps its own.)"""
    columns = [c for c in frame.columns if c != skip]
    if len(columns) < WIDE_TABLE or columns[0] in (config or {}):
        return config
    return {**(config or {}), columns[0]: st.column_config.Column(pinned=True)}


_INERT: dict[int, tuple[weakref.ref, Any]] = {}
_INERT_LOCK = threading.Lock()
_INERT_KEPT = 64


def _inert(frame: pd.DataFrame) -> Any:
    """`frame` with every cell inert, in Arrow (`_arrow`). A table shared by every session
    (computed once per data version) is converted once while it lives, not on every render: the
    two conversions were a fifth of a busy dashboard's render. Keyed by the frame's identity,
    held weakly, at most _INERT_KEPT."""
    key = id(frame)
    with _INERT_LOCK:
        found = _INERT.get(key)
    if found is not None and found[0]() is frame:
        return found[1]
    inert = _arrow(frame.map(inert_cell))
    with _INERT_LOCK:
        if len(_INERT) >= _INERT_KEPT:
            for old in [k for k, (ref, _) in _INERT.items() if ref() is None] or list(_INERT)[:8]:
                _INERT.pop(old, None)
        _INERT[key] = (weakref.ref(frame), inert)
    return inert


def tick_table(frame: pd.DataFrame, tick: str, key: str) -> pd.DataFrame:
    """A table whose only editable column is the checkbox `tick` (its other cells made inert, as
    in `table`); returns the table as ticked."""
    return st.data_editor(
        frame.map(inert_cell),
        hide_index=True,
        width="stretch",
        disabled=[c for c in frame.columns if c != tick],
        column_config=pinned_first(frame, None, skip=tick),
        key=key,
    )


def show_conflict(exc: Conflict, form: str | None, in_form: bool = False) -> None:
    """What changed since the form was opened, and (with `form`) the button reloading it; inside
    an st.form that button is one of the form's own."""
    st.error(
        plain(describe(exc)) + " Dưới đây là các ô đã thay đổi; hãy tải lại biểu mẫu rồi sửa lại."
    )
    table(
        pd.DataFrame(
            [
                {
                    "Cột": dict(TABS[exc.tab].columns).get(c.field, c.field),
                    "Khi bạn mở biểu mẫu": c.loaded,
                    "Hiện tại": c.current,
                }
                for c in exc.changes
            ]
        ),
        hide_index=True,
    )
    # A callback: the click's rerun no longer draws this button, so `if st.button` never fires.
    if form:
        (st.form_submit_button if in_form else st.button)(
            "Tải lại biểu mẫu với dữ liệu mới nhất",
            key=f"reload-{form}",
            on_click=form_saved,
            args=(form,),
        )


# Every markdown special, plus ":" (":material/…:" and ":streamlit:" shortcodes, "http://"
# autolinks), "." ("www.x" autolinks), "@" (e-mail autolinks) and "&" (HTML entities).
_MARKDOWN_SPECIALS = "\\`*_{}[]()#+-.!|<>~$:@&"


def plain(text: str) -> str:
    """User text made safe for st.markdown/st.error: shown as typed, never as markup, a link, an
    icon or an entity."""
    return "".join(f"\\{ch}" if ch in _MARKDOWN_SPECIALS else ch for ch in str(text))


def registration_deadline(cycle: Cycle) -> str:
    """A cycle as the registration screens name it: with its registration cut-off in words."""
    return f"{cycle.name} (hạn đăng ký: {deadlines.cutoff_words(cycle.register_cutoff)})"


CHOSEN_CYCLE = "_chosen_cycle"  # (person, cycle id) last chosen on any screen of this session


def cycle_picker(
    key: str = "cycle",
    label: Callable[[Cycle], str] = registration_deadline,
) -> Cycle | None:
    """The one cycle picker of every screen, newest first, each cycle named with the deadline that
    matters there. It opens on the cycle this person last chose on any screen of the session, else
    on the cycle of their next task (`tasks.next_task_cycle`), so every screen shows the same year.
    """
    rt, me = runtime(), actor()
    options = cycles.list_cycles(rt, me)
    if not options:
        st.info("Chưa có đợt nào. Cán bộ Tỉnh đoàn tạo đợt của từng năm ở màn hình Đợt đăng ký.")
        return None
    ids = [c.id for c in options]
    person, chosen = st.session_state.get(CHOSEN_CYCLE, (None, None))
    if person != me.id or chosen not in ids:
        start = tasks.next_task_cycle(rt, me)
        chosen = start.id if start else None
    return st.selectbox(
        "Năm thực hiện",
        options,
        index=ids.index(chosen) if chosen in ids else 0,
        key=key,
        format_func=label,
        on_change=_cycle_chosen,
        args=(key, me.id),
    )


def _cycle_chosen(key: str, person: str) -> None:
    """Keep the cycle the person chose for the other screens of the session."""
    cycle = st.session_state.get(key)
    if cycle is not None:
        st.session_state[CHOSEN_CYCLE] = (person, cycle.id)


def flash(key: str, message: str) -> None:
    """Keep a success message for the rerun that follows a save, then rerun the page.

    Streamlit reruns the script after a click; the message belongs to the action that produced it
    and is shown once, by `show_flash`, at the top of the redrawn page.
    """
    st.session_state[key] = message
    st.rerun()


def show_flash(key: str) -> None:
    """Show (once) the success message `flash` kept for this page, if any.

    Its place is kept, empty, on every run: a message that came and went would shift what is
    drawn below it, and Streamlit would draw the tabs there anew, on their first tab (an officer
    who picked a unit on the second tab after a save found themselves back on the first)."""
    slot = st.empty()
    if message := st.session_state.pop(key, None):
        slot.success(plain(message))


def acting_unit(
    label: str, choices: list[str], key: str, help: str | None = None, first: bool = False
) -> str | None:
    """Choose the unit you act for: an upper-unit officer acts for their own unit (shown as the
    heading); province staff choose among `choices` (unit ids, in the order given), starting on
    the first when `first`, otherwise on none."""
    rt, me = runtime(), actor()
    name = partial(units.unit_name, rt, me)
    if me.role is Role.UPPER and choices:
        st.subheader(plain(name(choices[0])))
        return choices[0]
    return st.selectbox(
        label,
        choices,
        format_func=name,
        index=0 if first else None,
        placeholder="Chọn đơn vị",
        key=key,
        help=help,
    )


# Streamlit 1.67 draws a few texts of its own widgets in English and has no setting or parameter
# for them: a selectbox's or multiselect's "No results" when a search matches nothing, and the
# file uploader's "Upload" button and "200MB per file • XLSX" line, and the "Press Enter to apply"
# (in a text area "Press Ctrl+Enter to apply") under a text box outside a form while it is typed
# in (in forms it is off: every form is made with enter_to_submit=False). Its frontend
# (InputInstructions) puts that hint first and the "12/200" character count after it, each in its
# own span, so only the first span is replaced. This one rule, scoped to those elements (by
# Streamlit's test ids), hides the English and shows Vietnamese in its place; the uploader's limit
# is said in a caption under it (`upload_caption`). The e2e English check
# (tests/e2e/test_english.py) fails if a Streamlit upgrade changes these elements.
_WIDGET_TEXTS_RULE = """<style>
[data-testid$="Dropdown"] [role="listbox"][data-empty="true"] [role="option"] > span,
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p,
[data-testid="stFileUploaderDropzoneInstructions"] span { font-size: 0; }
[data-testid$="Dropdown"] [role="listbox"][data-empty="true"] [role="option"] > span::after
  { content: "Không tìm thấy"; font-size: 0.875rem; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after
  { content: "Chọn tệp"; font-size: 1rem; }
[data-testid="stFileUploaderDropzoneInstructions"] span::after
  { content: "hoặc kéo thả tệp vào đây"; font-size: 0.875rem; }
[data-testid="InputInstructions"]:not([data-testid="stForm"] *) > span:first-child
  { font-size: 0; }
[data-testid="stTextInput"] [data-testid="InputInstructions"]:not([data-testid="stForm"] *)
  > span:first-child::after { content: "Nhấn Enter để áp dụng"; font-size: 0.75rem; }
[data-testid="stTextArea"] [data-testid="InputInstructions"]:not([data-testid="stForm"] *)
  > span:first-child::after { content: "Nhấn Ctrl+Enter để áp dụng"; font-size: 0.75rem; }
</style>"""


def vietnamese_widget_texts() -> None:
    """Replace the English texts Streamlit's own widgets draw (see `_WIDGET_TEXTS_RULE`)."""
    st.html(_WIDGET_TEXTS_RULE)


def upload_caption(kinds: str, max_bytes: int) -> None:
    """The caption under a file uploader: what it takes and how big (in Vietnamese)."""
    st.caption(f"Tệp {plain(kinds)}, tối đa {max_bytes // 1024 // 1024:d} MB.")
