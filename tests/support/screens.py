"""What an officer does in the browser, as small helpers the e2e tests share.

Every selector is a role, a label or a Streamlit test id, kept here so that a label changed on a
screen is changed in one place. Nothing here goes around the browser: screens are opened from the
sidebar, people are chosen in the demo sign-in picker.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from tests.support.browser import choose_person, settled, wait_for_app

SHOTS = Path(__file__).resolve().parents[2] / "shots"  # git-ignored


def start(page, url: str) -> None:
    """Open the app in a new session and wait for its first run to finish (the app may still look
    idle before that run begins: wait for the screen links it draws, then for its end)."""
    page.goto(url)
    sidebar(page).get_by_role("link").first.wait_for()
    wait_for_app(page)


def sidebar(page):
    return page.get_by_test_id("stSidebar")


def sign_in_as(page, label: str) -> None:
    """Choose a person in the demo sign-in picker by the picker's exact label for them."""
    choose_person(page, label, exact=True)


def screen_titles(page) -> list[str]:
    """The titles of the screens the sidebar links to, in order."""
    links = sidebar(page).get_by_test_id("stPageLink-NavLink")
    return [t.strip() for t in links.get_by_test_id("stMarkdownContainer").all_inner_texts()]


def open_screen(page, title: str) -> None:
    """Open a screen from the sidebar by its link's title and wait until it has been drawn."""
    link = sidebar(page).get_by_role("link", name=title, exact=True)
    path = urlsplit(link.evaluate("a => a.href")).path.rstrip("/")
    # A click that lands while the previous rerun still redraws the sidebar can be lost: repeat.
    # (The address keeps its query: in demo mode it names the chosen person.)
    for _ in range(3):
        link.click()
        try:
            page.wait_for_url(lambda url: urlsplit(url).path.rstrip("/") == path, timeout=10_000)
            break
        except PlaywrightTimeout:
            continue
    settled(page)


def shoot(page, folder: str, name: str) -> Path:
    """Keep a full-page screenshot of this step in shots/<folder>/<name>.png."""
    safe = re.sub(r"[^\w.-]+", "-", name).strip("-")
    path = SHOTS / folder / f"{safe}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


def _selectbox(page, label: str, within=None):
    scope = within if within is not None else page
    return scope.get_by_test_id("stSelectbox").filter(
        has=page.get_by_test_id("stWidgetLabel").get_by_text(label, exact=True), visible=True
    )


def options(page, label: str, within=None) -> list[str]:
    """The texts of the options of the selectbox labelled `label`, in order (the list is opened,
    read and closed again)."""
    _selectbox(page, label, within).locator("input").click()
    listed = page.get_by_role("option")
    listed.first.wait_for()
    texts = [t.strip() for t in listed.all_inner_texts()]
    page.keyboard.press("Escape")
    return texts


def choose(page, label: str, option: str, within=None) -> None:
    """Pick `option` (the start of its shown text) in the selectbox labelled `label`."""
    box = _selectbox(page, label, within)
    field = box.locator("input")
    wanted_text = re.compile("^" + re.escape(option))
    wanted = page.get_by_role("option", name=wanted_text)
    # A box at the bottom of the window opens its list upwards, with the last options under the
    # box itself, where a click lands on the box: bring it to the middle first. The option's text
    # is typed, as a person does in a long list: the list shrinks to the few options that match,
    # so the click never waits for a long list to scroll the option into view (a list redrawn
    # while it scrolls kept the click and stayed open). A list redrawn under the pointer by a run
    # finishing can still swallow the click: pick again until the box holds the option.
    for attempt in range(4):
        try:
            field.evaluate("e => e.scrollIntoView({block: 'center'})")
            field.click(timeout=5_000)
            page.keyboard.press("ControlOrMeta+a")  # the open box has the focus; its text goes
            page.keyboard.type(option)
            wanted.first.click(timeout=5_000)
            page.get_by_role("listbox").wait_for(state="hidden", timeout=3_000)
            expect(field).to_have_value(wanted_text, timeout=3_000)
            break
        except (PlaywrightTimeout, AssertionError):
            if attempt == 3:
                raise
            page.keyboard.press("Escape")
            wait_for_app(page)
    if not box.locator("xpath=ancestor::*[@data-testid='stForm']").count():
        settled(page)  # (a widget inside a form starts no run)


def open_expander(page, title: str) -> None:
    """Open the expander whose title holds `title`."""
    page.get_by_test_id("stExpander").filter(has_text=title).locator("summary").first.click()


def open_tab(page, name: str) -> None:
    page.get_by_role("tab", name=name, exact=True).click()


def press(page, name: str, within=None) -> None:
    """Click the button named `name` and wait for the app to finish the run it starts."""
    scope = within if within is not None else page
    scope.get_by_role("button", name=name, exact=True).click()
    settled(page)


def shows(page, text: str, timeout_ms: int = 30_000):
    """Wait until `text` is on the screen; return its first element."""
    found = page.get_by_text(text).first
    found.wait_for(timeout=timeout_ms)
    return found


def success(page) -> str:
    """The text of the success message on screen (waits for it)."""
    box = page.get_by_test_id("stAlertContentSuccess").first
    box.wait_for()
    return box.inner_text()


def type_day(page, label: str, day, within=None) -> None:
    """Type a date into a date input: click its day segment, type DD MM YYYY."""
    scope = within if within is not None else page
    scope.get_by_role("spinbutton", name=f"day, {label}").click()
    page.keyboard.type(day.strftime("%d%m%Y"))


def fill_day(page, label: str, day, within=None) -> None:
    """A date, whether the field is a date picker or a text box (dd/mm/yyyy)."""
    scope = within if within is not None else page
    segments = scope.get_by_role("spinbutton", name=f"day, {label}")
    if segments.count():
        type_day(page, label, day, within)
    else:
        scope.get_by_label(label, exact=True).fill(day.strftime("%d/%m/%Y"))


def download(page, name: str, folder: Path, within=None) -> Path:
    """Click the download button `name` and keep the file in `folder` (a click that lands while
    the button is being redrawn is lost: it is clicked again, once)."""
    scope = within if within is not None else page
    button = scope.get_by_role("button", name=name, exact=True)
    button.wait_for()
    for attempt in (1, 2):
        try:
            with page.expect_download(timeout=15_000) as got:
                button.click()
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            wait_for_app(page)
    path = folder / got.value.suggested_filename
    got.value.save_as(path)
    return path


def form_with(page, button: str):
    """The form (st.form) whose submit button is named `button`."""
    return page.get_by_test_id("stForm").filter(
        has=page.get_by_role("button", name=button, exact=True)
    )


def fill_assessment(page, form) -> None:
    """Every criterion met: "Đạt" on each choice, the minimum on each count, evidence for all.

    Under load a run that ends after the form was drawn can draw it again with what it held
    before (seen now and then: choices back on "Chưa đánh giá" when the form was sent), so the
    form is checked once the app is idle and filled again if anything was lost."""
    form.get_by_test_id("stRadio").first.wait_for()
    for _ in range(3):
        wanted = _fill_criteria(form)
        wait_for_app(page)
        if all(is_set() for is_set in wanted):
            return
    raise AssertionError("the assessment form kept losing what was filled in")


def _fill_criteria(form) -> list:
    """Fill the assessment form once; one check per input that it still holds its value."""
    wanted = []
    for radio in form.get_by_test_id("stRadio").all():
        met = radio.get_by_role("radio", name="Đạt", exact=True)
        if not met.is_checked():
            radio.get_by_text("Đạt", exact=True).click()
        wanted.append(met.is_checked)
    for box in form.get_by_test_id("stTextInput").all():
        label = box.get_by_test_id("stWidgetLabel").inner_text()
        field = box.locator("input")
        if match := re.search(r"(?:tối thiểu|từ 0 đến) ([\d,]+)", label):
            value = match.group(1)
        else:
            value = "Biên bản, hình ảnh lưu tại văn phòng Đoàn"
        if field.input_value() != value:
            field.fill(value)
        wanted.append(lambda field=field, value=value: field.input_value() == value)
    return wanted


_TABLE_ROWS_JS = """
async (frame) => {
  const drawn = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const scroller = frame.querySelector('.dvn-scroller');
  const cells = new Map();  // row index -> Map(column index -> text)
  const read = () => {
    for (const tr of frame.querySelectorAll('canvas table tr')) {
      const row = Number(tr.getAttribute('aria-rowindex'));
      if (!cells.has(row)) cells.set(row, new Map());
      for (const cell of tr.querySelectorAll('td, th')) {
        cells.get(row).set(Number(cell.getAttribute('aria-colindex')), cell.textContent.trim());
      }
    }
  };
  const move = async (axis, by) => {
    const before = frame.querySelector('canvas table')?.innerHTML;
    scroller[axis] += by;
    for (let wait = 0; wait < 50 && frame.querySelector('canvas table')?.innerHTML === before; wait++) {
      await drawn();
    }
  };
  const atEnd = (axis) => axis === 'scrollTop'
    ? scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 1
    : scroller.scrollLeft + scroller.clientWidth >= scroller.scrollWidth - 1;
  // A table redrawn with new rows keeps its scroll position: read from the top.
  if (scroller && scroller.scrollTop > 0) await move('scrollTop', -scroller.scrollTop);
  for (let down = 0; down < 1000; down++) {
    read();
    if (scroller) {
      for (let right = 0; right < 50 && !atEnd('scrollLeft'); right++) {
        await move('scrollLeft', Math.max(scroller.clientWidth / 2, 20));
        read();
      }
      if (scroller.scrollLeft > 0) await move('scrollLeft', -scroller.scrollLeft);
    }
    if (!scroller || atEnd('scrollTop')) break;
    await move('scrollTop', Math.max(scroller.clientHeight / 3, 20));
  }
  const width = Math.max(...[...cells.values()].flatMap((row) => [...row.keys()]));
  return [...cells.entries()].sort((a, b) => a[0] - b[0])
    .map(([, row]) => Array.from({length: width}, (_, i) => row.get(i + 1) ?? ''));
}
"""


def table_after(page, heading: str):
    """The first table (st.dataframe) drawn below the heading that holds `heading`."""
    found = page.get_by_role("heading", name=heading).first.locator(
        "xpath=following::*[@data-testid='stDataFrame'][1]"
    )
    found.wait_for()
    return found


def table_rows(page, frame=None) -> list[dict[str, str]]:
    """Every row of a table (st.dataframe) as {header: cell}, read the way a person reads it:
    scrolling through the table (it draws on a canvas only the rows in view)."""
    frame = frame if frame is not None else page.get_by_test_id("stDataFrame").first
    frame.scroll_into_view_if_needed()
    frame.locator("canvas table tr").first.wait_for(state="attached")
    header, *rows = frame.evaluate(_TABLE_ROWS_JS)
    return [dict(zip(header, row, strict=False)) for row in rows]


PLAN_TEXTS = (
    "Rà soát, cập nhật danh sách đoàn viên hằng quý",
    "Xây dựng chương trình công tác năm, ít nhất một công trình thanh niên",
    "Tham mưu cấp ủy tổ chức đối thoại với thanh niên",
)


def fill_plan(page, form, number: str, day, texts=PLAN_TEXTS) -> None:
    """The registration form: plan number and date, then one text per content (in order; any
    further text box gets a short roadmap)."""
    form.get_by_label("Số kế hoạch", exact=True).fill(number)
    type_day(page, "Ngày kế hoạch", day, within=form)
    areas = form.locator("textarea")
    assert areas.count() >= len(texts)
    for index in range(areas.count()):
        text = texts[index] if index < len(texts) else "Lộ trình: hoàn thành trong năm"
        areas.nth(index).fill(text)
