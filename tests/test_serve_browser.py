"""The page of ``lipyantar serve`` driven in a real headless Chromium (selenium + chromedriver).

Without Chromium, chromedriver or selenium these tests skip, unless ``LIPYANTAR_BROWSER_TESTS=require``
(CI sets it), when they fail. Screenshots go to ``LIPYANTAR_TEST_ARTIFACTS`` (default:
``test-artifacts/`` in the repository).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from lipyantar.align.io import write_tsv
from lipyantar.align.segment import split_sentences
from lipyantar.align.sentences import align_sentences
from lipyantar.translit import Transliterator

#: the quick lane leaves this module out (pytest -m "not slow")
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(os.environ.get("LIPYANTAR_TEST_ARTIFACTS") or ROOT / "test-artifacts")
REQUIRE = os.environ.get("LIPYANTAR_BROWSER_TESTS", "").lower() == "require"

SENTENCE = "yah sangathan antarrashtriya sanstha hai"
EXPECTED = "यह संगठन अंतरराष्ट्रीय संस्था है"
PARAGRAPH = (
    "अंतरराष्ट्रीय प्रवासन संगठन एक अंतर-सरकारी संगठन है। इसकी स्थापना 1951 में हुई थी।\n"
    "यह संगठन प्रवासियों की सहायता करता है।"
)


def _missing() -> str | None:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed"
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        return "no chromium on PATH (Debian: apt-get install chromium chromium-driver)"
    if not shutil.which("chromedriver"):
        return "no chromedriver on PATH (Debian: apt-get install chromium-driver)"
    if shutil.which("fc-list"):
        fonts = subprocess.run(["fc-list", ":lang=hi"], capture_output=True, text=True, check=False).stdout
        if not fonts.strip():
            return "no font with Devanagari (Debian: apt-get install fonts-lohit-deva)"
    return None


@pytest.fixture(scope="module")
def chrome(live_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    reason = _missing()
    if reason:
        if REQUIRE:
            pytest.fail(f"browser tests are required (LIPYANTAR_BROWSER_TESTS=require) but {reason}")
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path_factory.mktemp("downloads")
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or shutil.which("chromium-browser") or ""
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1100,850",
        "--lang=en-US",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
    ):
        options.add_argument(arg)
    options.add_experimental_option(
        "prefs", {"download.default_directory": str(downloads), "download.prompt_for_download": False}
    )
    os.environ.setdefault("SE_OFFLINE", "true")  # selenium-manager must not download anything
    driver = webdriver.Chrome(options=options, service=Service(executable_path=shutil.which("chromedriver")))
    driver.set_script_timeout(20)
    driver.downloads = downloads
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        yield driver
    finally:
        driver.quit()


def _wait(condition: Callable[[], Any], *, timeout: float = 20.0, what: str = "condition") -> Any:
    end = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _open(driver: Any, url: str, *, keep_storage: bool = False) -> None:
    """Load the page at ``url``; without ``keep_storage`` the personal dictionary starts empty."""
    driver.get("about:blank")  # a new page even when only the #fragment differs
    if not keep_storage:
        origin = urllib.parse.urlsplit(url)
        driver.get(f"{origin.scheme}://{origin.netloc}/api/v1/health")  # the page's origin, without the page
        driver.execute_script("window.localStorage.clear()")
    driver.get(url)
    _wait(lambda: driver.execute_script("return document.body.dataset.ready === 'true'"), what="the page")


def _shot(driver: Any, name: str, *, full_page: bool = False) -> Path:
    """Save a screenshot (of the whole page with ``full_page``) as a test artifact."""
    path = ARTIFACTS / name
    if full_page:
        import base64

        shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
        path.write_bytes(base64.b64decode(shot["data"]))
    else:
        driver.save_screenshot(str(path))
    assert path.stat().st_size > 1000
    return path


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def _candidates(server: Any, word: str, *, english: str = "transliterate") -> list[str]:
    query = urllib.parse.urlencode({"word": word, "top_k": 5, "english": english})
    return [c["text"] for c in _get(f"{server.url}/api/v1/candidates?{query}")["candidates"]]


def _shown_candidates(driver: Any) -> list[str]:
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('#cands li[data-index] .t')).map(e => e.textContent)"
    )


def _value(driver: Any, selector: str) -> str:
    return driver.execute_script("return document.querySelector(arguments[0]).value", selector)


def _output(driver: Any) -> str:
    """The converted text, as the page copies and downloads it."""
    return driver.execute_script("return window.lipyantarConvert.text()")


def _idle(driver: Any) -> bool:
    return driver.execute_script("return window.lipyantarTyper.pending.length === 0")


def _type_area(driver: Any, server: Any) -> Any:
    from selenium.webdriver.common.by import By

    _open(driver, server.url + "/")
    area = driver.find_element(By.ID, "type-input")
    area.click()
    return area


def test_typing_a_sentence_turns_it_into_devanagari(chrome: Any, live_server: Any) -> None:
    area = _type_area(chrome, live_server)
    area.send_keys(SENTENCE + " ")
    _wait(lambda: _idle(chrome) and _value(chrome, "#type-input").strip() == EXPECTED,
          what=f"{EXPECTED!r} in the text area (have {_value(chrome, '#type-input')!r})")
    # each word became the API's best candidate for it
    assert [_candidates(live_server, w)[0] for w in SENTENCE.split()] == EXPECTED.split()
    # the next word shows its candidates under the caret
    area.send_keys("duniya")
    _wait(lambda: _shown_candidates(chrome), what="the candidate list")
    assert _shown_candidates(chrome) == _candidates(live_server, "duniya")
    query = urllib.parse.urlencode({"word": "duniya", "top_k": 5})
    probs = [c.get("prob") for c in _get(f"{live_server.url}/api/v1/candidates?{query}")["candidates"]]
    shown = chrome.execute_script(
        "return Array.from(document.querySelectorAll('#cands li[data-index] .p')).map(e => e.textContent)"
    )
    if all(p is not None for p in probs):  # the calibrated probability of each candidate, in percent
        assert shown == [("<1%" if p < 0.005 else f"{round(p * 100)}%") for p in probs]
    else:
        assert shown == []
    box = chrome.execute_script(
        "const l = document.querySelector('#cands').getBoundingClientRect();"
        "const t = document.querySelector('#type-input').getBoundingClientRect();"
        "return [l.top, t.top, l.left, t.left, t.right]"
    )
    assert box[0] > box[1] and box[3] <= box[2] <= box[4]  # below the first line, inside the editor
    _shot(chrome, "serve-type.png")


def test_picking_the_second_candidate_with_the_keyboard(chrome: Any, live_server: Any) -> None:
    from selenium.webdriver.common.keys import Keys

    area = _type_area(chrome, live_server)
    expected = _candidates(live_server, "sangathan")
    area.send_keys("sangathan")
    _wait(lambda: _shown_candidates(chrome) == expected, what="the candidates of sangathan")
    area.send_keys(Keys.ARROW_DOWN)
    selected = chrome.execute_script(
        "return document.querySelector('#cands li[aria-selected=true] .t').textContent"
    )
    assert selected == expected[1]
    area.send_keys(" ")
    _wait(lambda: _value(chrome, "#type-input") == expected[1] + " ", what=f"the second candidate {expected[1]!r} (have {_value(chrome, '#type-input')!r})")
    # number keys pick directly
    kya = _candidates(live_server, "kya")
    area.send_keys("kya")
    _wait(lambda: _shown_candidates(chrome) == kya, what="the candidates of kya")
    area.send_keys("2")
    _wait(lambda: _value(chrome, "#type-input") == f"{expected[1]} {kya[1]}", what="the pick by number")
    # Esc keeps a word in Latin
    area.send_keys(" email")
    _wait(lambda: _shown_candidates(chrome), what="the candidates of email")
    area.send_keys(Keys.ESCAPE, " ")
    _wait(lambda: _idle(chrome) and _value(chrome, "#type-input") == f"{expected[1]} {kya[1]} email ",
          what="email kept in Latin")


def test_a_space_from_a_phone_keyboard_converts_the_word(chrome: Any, live_server: Any) -> None:
    """Phone keyboards insert text without usable key events: the input event ends the word."""
    _type_area(chrome, live_server)
    chrome.execute_script(
        "const t = document.querySelector('#type-input'); t.value = 'kitaab '; t.setSelectionRange(7, 7);"
        "t.dispatchEvent(new InputEvent('input', {inputType: 'insertText', data: ' '}))"
    )
    best = _candidates(live_server, "kitaab")[0]
    _wait(lambda: _value(chrome, "#type-input") == best + " ", what=f"{best!r} from a phone keyboard")


CODE_MIXED = "please mujhe email karo meeting ke baad"


def test_the_english_toggle_keeps_english_words_in_latin(chrome: Any, live_server: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    area = _type_area(chrome, live_server)
    chrome.find_element(By.ID, "type-english").click()
    area.click()
    kept = [_candidates(live_server, w, english="keep")[0] for w in CODE_MIXED.split()]
    plain = [_candidates(live_server, w)[0] for w in CODE_MIXED.split()]
    assert any(k == w for k, w in zip(kept, CODE_MIXED.split(), strict=True))  # some words stay Latin
    assert not any(p == w for p, w in zip(plain, CODE_MIXED.split(), strict=True))  # which they would not
    area.send_keys("email")
    _wait(lambda: _shown_candidates(chrome) == _candidates(live_server, "email", english="keep"),
          what="the candidates of email with English kept")
    area.send_keys(" " + " ".join(CODE_MIXED.split()[1:]) + " ")
    words = CODE_MIXED.split()
    expected = " ".join([kept[2], *kept[1:]])  # "email" first, then the sentence from its second word
    _wait(lambda: _idle(chrome) and _value(chrome, "#type-input").strip() == expected,
          what=f"{expected!r} in the text area (have {_value(chrome, '#type-input')!r})")
    _shot(chrome, "serve-type-english.png")
    # off again: the next word is transliterated
    chrome.find_element(By.ID, "type-english").click()
    area.click()
    area.send_keys("email ")
    _wait(lambda: _idle(chrome) and _value(chrome, "#type-input").endswith(plain[words.index("email")] + " "),
          what="email in Devanagari once the toggle is off")

    # the Convert tab: the same choice for whole texts, offered only from roman to Devanagari
    chrome.find_element(By.ID, "tab-convert").click()
    Select(chrome.find_element(By.ID, "conv-to")).select_by_value("iast")
    assert not chrome.find_element(By.ID, "conv-english").is_displayed()
    Select(chrome.find_element(By.ID, "conv-from")).select_by_value("roman")
    Select(chrome.find_element(By.ID, "conv-to")).select_by_value("deva")
    assert chrome.find_element(By.ID, "conv-english").is_displayed()
    chrome.execute_script(
        "const t = document.querySelector('#conv-input'); t.value = arguments[0];"
        "t.dispatchEvent(new Event('input'))",
        CODE_MIXED,
    )
    both = Transliterator("roman", "deva")(CODE_MIXED)
    _wait(lambda: _output(chrome) == both, what="the code-mixed text in Devanagari")
    chrome.find_element(By.ID, "conv-english").click()
    mixed = Transliterator("roman", "deva", english="keep")(CODE_MIXED)
    assert mixed != both
    _wait(lambda: _output(chrome) == mixed, what=f"English kept in Latin ({mixed!r})")
    _shot(chrome, "serve-convert-english.png")


def test_converting_a_devanagari_paragraph_back(chrome: Any, live_server: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    _open(chrome, live_server.url + "/")
    tab = chrome.find_element(By.ID, "tab-type")
    tab.send_keys(Keys.ARROW_RIGHT)  # keyboard navigation between the tabs
    assert chrome.find_element(By.ID, "tab-convert").get_attribute("aria-selected") == "true"
    assert chrome.switch_to.active_element.get_attribute("id") == "tab-convert"
    chrome.execute_script(
        "const t = document.querySelector('#conv-input'); t.value = arguments[0];"
        "t.dispatchEvent(new Event('input'))",
        PARAGRAPH,
    )
    informal = Transliterator("deva", "roman").transliterate_many(PARAGRAPH.split("\n"))
    _wait(lambda: _output(chrome) == "\n".join(informal), what="the informal romanization")
    Select(chrome.find_element(By.ID, "conv-to")).select_by_value("iast")
    iast = Transliterator("deva", "iast").transliterate(PARAGRAPH)
    _wait(lambda: _output(chrome) == iast, what="the IAST conversion")
    assert "saṃgaṭhana" in iast
    _shot(chrome, "serve-convert.png")


def test_aligning_the_example_twin(chrome: Any, live_server: Any, example_hindi: Path, example_roman: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    _open(chrome, live_server.url + "/#align")
    deva, roman = example_hindi.read_text(encoding="utf-8"), example_roman.read_text(encoding="utf-8")
    chrome.execute_script(
        "document.querySelector('#align-deva').value = arguments[0];"
        "document.querySelector('#align-roman').value = arguments[1];",
        deva,
        roman,
    )
    chrome.find_element(By.ID, "align-roman").send_keys(Keys.CONTROL, Keys.ENTER)  # keyboard only
    rows = _wait(lambda: chrome.find_elements(By.CSS_SELECTOR, "#beads tbody tr.bead"), what="the beads")
    assert len(rows) == 25
    beads = align_sentences(split_sentences(deva, script="deva"), split_sentences(roman, script="roman"))
    assert [r.find_element(By.CSS_SELECTOR, "td.deva").text for r in rows] == [b.deva_text for b in beads]
    low = [b for b in beads if b.score < 0.5]
    assert len(chrome.find_elements(By.CSS_SELECTOR, "#beads tbody tr.bead.low")) == len(low)
    # a higher threshold highlights the beads below it
    threshold = chrome.find_element(By.ID, "align-threshold")
    threshold.send_keys(Keys.CONTROL, "a")
    threshold.send_keys("0.99", Keys.TAB)
    low = [i for i, b in enumerate(beads) if b.score < 0.99]
    assert low, "some beads of the example score below 0.99"
    marked = chrome.find_elements(By.CSS_SELECTOR, "#beads tbody tr.bead")
    assert [i for i, row in enumerate(marked) if "low" in row.get_attribute("class").split()] == low
    summary = chrome.find_element(By.ID, "align-summary")
    assert f"{len(low)}\nbelow 0.99" in summary.text
    assert summary.get_attribute("data-low") == str(len(low))
    _shot(chrome, "serve-align.png", full_page=True)
    # download as TSV, by keyboard: the same file as `lipyantar align --format tsv`
    button = chrome.find_element(By.ID, "align-tsv")
    assert button.is_enabled()
    button.send_keys(Keys.ENTER)
    target = chrome.downloads / "aligned.tsv"
    _wait(lambda: target.exists() and target.stat().st_size > 0, what="aligned.tsv")
    import io

    expected = io.StringIO()
    write_tsv(beads, expected)
    _wait(lambda: target.read_text(encoding="utf-8") == expected.getvalue(), what="the whole download")


def test_phone_width(chrome: Any, live_server: Any, example_hindi: Path, example_roman: Path) -> None:
    chrome.set_window_size(390, 844)
    try:
        area = _type_area(chrome, live_server)
        area.send_keys("namaste duniya ")
        _wait(lambda: _idle(chrome), what="the conversions")
        area.send_keys("bhaa")
        _wait(lambda: _shown_candidates(chrome), what="the candidate list")
        overflow = chrome.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"the page is {overflow}px wider than a phone"
        right = chrome.execute_script("return document.querySelector('#cands').getBoundingClientRect().right")
        assert right <= 390
        _shot(chrome, "serve-phone.png")
        # the beads become cards, still within the width
        from selenium.webdriver.common.by import By

        chrome.find_element(By.ID, "tab-align").click()
        chrome.execute_script(
            "document.querySelector('#align-deva').value = arguments[0];"
            "document.querySelector('#align-roman').value = arguments[1];",
            example_hindi.read_text(encoding="utf-8"),
            example_roman.read_text(encoding="utf-8"),
        )
        chrome.find_element(By.ID, "align-run").click()
        _wait(lambda: len(chrome.find_elements(By.CSS_SELECTOR, "#beads tbody tr.bead")) == 25, what="the beads")
        overflow = chrome.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"the aligned page is {overflow}px wider than a phone"
        chrome.execute_script("document.querySelector('#beads').scrollIntoView()")
        _shot(chrome, "serve-phone-align.png")
    finally:
        chrome.set_window_size(1100, 850)


def test_the_api_page_renders_offline(chrome: Any, live_server: Any) -> None:
    from selenium.webdriver.common.by import By

    chrome.get(live_server.url + "/api/v1/docs")
    blocks = _wait(lambda: chrome.find_elements(By.CSS_SELECTOR, ".opblock"), what="the Swagger UI operations")
    paths = {b.find_element(By.CSS_SELECTOR, ".opblock-summary-path").text for b in blocks}
    assert {"/api/v1/convert", "/api/v1/candidates", "/api/v1/align", "/api/v1/schemes", "/api/v1/health"} <= paths


# ------------------------------------------------------------------------------------------ issue 29


def _candidates_k(server: Any, word: str, k: int, **params: str) -> list[str]:
    query = urllib.parse.urlencode({"word": word, "top_k": k, **params})
    return [c["text"] for c in _get(f"{server.url}/api/v1/candidates?{query}")["candidates"]]


def _selected(driver: Any) -> str | None:
    return driver.execute_script(
        "const s = document.querySelector('#cands li[aria-selected=true] .t'); return s && s.textContent"
    )


def _set_text(driver: Any, selector: str, text: str) -> None:
    driver.execute_script(
        "const t = document.querySelector(arguments[0]); t.value = arguments[1];"
        "t.dispatchEvent(new Event('input'))",
        selector,
        text,
    )


def _status(driver: Any, selector: str) -> str:
    return driver.execute_script("return document.querySelector(arguments[0]).textContent", selector)


def _in_view(driver: Any, selector: str) -> bool:
    """The element's top is inside the window (seen without scrolling)."""
    return driver.execute_script(
        "const r = document.querySelector(arguments[0]).getBoundingClientRect();"
        "return r.height > 0 && r.top >= 0 && r.top < window.innerHeight - 40",
        selector,
    )


def test_backspace_reopens_a_converted_word(chrome: Any, live_server: Any) -> None:
    from selenium.webdriver.common.keys import Keys

    area = _type_area(chrome, live_server)
    cands = _candidates(live_server, "sangathan")
    area.send_keys("yah sangathan ")
    yah = _candidates(live_server, "yah")[0]
    _wait(lambda: _idle(chrome) and _value(chrome, "#type-input") == f"{yah} {cands[0]} ", what="the two words")
    area.send_keys(Keys.BACKSPACE)  # the space
    assert _value(chrome, "#type-input") == f"{yah} {cands[0]}"
    area.send_keys(Keys.BACKSPACE)  # the word: Latin again, with its candidates
    assert _value(chrome, "#type-input") == f"{yah} sangathan"
    _wait(lambda: _shown_candidates(chrome) == cands, what="the candidates of the reopened word")
    assert _selected(chrome) == cands[0]
    area.send_keys(Keys.ARROW_DOWN, " ")  # another one this time
    _wait(lambda: _value(chrome, "#type-input") == f"{yah} {cands[1]} ", what="the second candidate")
    area.send_keys(Keys.BACKSPACE, Keys.BACKSPACE)
    _wait(lambda: _shown_candidates(chrome) and _selected(chrome) == cands[1], what="the taken candidate selected")
    # a word typed, not converted, is deleted letter by letter as always
    area.send_keys(Keys.ESCAPE, " ", Keys.BACKSPACE, Keys.BACKSPACE)
    assert _value(chrome, "#type-input") == f"{yah} sangatha"


def test_more_shows_twenty_candidates(chrome: Any, live_server: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    chrome.set_window_size(1280, 900)
    try:
        area = _type_area(chrome, live_server)
        five = _candidates_k(live_server, "duniya", 5)
        twenty = _candidates_k(live_server, "duniya", 20)
        assert 5 < len(twenty) <= 20
        area.send_keys("duniya")
        _wait(lambda: _shown_candidates(chrome) == five, what="five candidates")
        more = chrome.find_element(By.CSS_SELECTOR, "#cands li.more")
        assert more.text.startswith("More")
        area.send_keys(*[Keys.ARROW_DOWN] * 5)  # down from the last of the five: the others
        _wait(lambda: _shown_candidates(chrome) == twenty, what="twenty candidates")
        assert _selected(chrome) == twenty[5]
        assert not chrome.find_elements(By.CSS_SELECTOR, "#cands li.more")
        # the list scrolls within the window
        box = chrome.execute_script("return document.querySelector('#cands').getBoundingClientRect().bottom")
        assert box <= chrome.execute_script("return window.innerHeight")
        _shot(chrome, "serve-type-more-1280.png")
        area.send_keys(" ")
        _wait(lambda: _value(chrome, "#type-input") == twenty[5] + " ", what="the sixth candidate taken")
        # the mouse: More, then a candidate
        area.send_keys("kitaab")
        _wait(lambda: len(_shown_candidates(chrome)) == 5, what="five candidates of kitaab")
        chrome.find_element(By.CSS_SELECTOR, "#cands li.more").click()
        kitaab = _candidates_k(live_server, "kitaab", 20)
        _wait(lambda: _shown_candidates(chrome) == kitaab, what="twenty candidates of kitaab")
        chrome.find_element(By.CSS_SELECTOR, f"#cands li[data-index='{len(kitaab) - 1}']").click()
        _wait(lambda: _value(chrome, "#type-input") == f"{twenty[5]} {kitaab[-1]}", what="the last candidate clicked")
    finally:
        chrome.set_window_size(1100, 850)


def test_hyphen_and_apostrophe_words_stay_whole(chrome: Any, live_server: Any) -> None:
    area = _type_area(chrome, live_server)
    text = "don't worry about the e-mail "
    area.send_keys(text)
    expected = " ".join(_candidates(live_server, w)[0] for w in text.split()) + " "
    _wait(lambda: _idle(chrome) and _value(chrome, "#type-input") == expected,
          what=f"{expected!r} (have {_value(chrome, '#type-input')!r})")
    assert not any(ch.isascii() and ch.isalpha() for ch in expected)  # no part left in Latin
    # the words as the command line converts them
    cli = Transliterator("roman", "deva")
    assert [cli(w) for w in ("don't", "e-mail")] == [expected.split()[0], expected.split()[-1]]
    # while a hyphen word is typed, the candidates are those of the whole word so far
    area.send_keys("well-kn")
    _wait(lambda: _shown_candidates(chrome) == _candidates(live_server, "well-kn"), what="well-kn whole")


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ("hai.", "{hai}।"),     # right after the word
        ("hai .", "{hai}।"),    # after a space: the same
        ("hai  .", "{hai}।"),
        ("kya?", "{kya}?"),
        ("kya ?", "{kya}?"),
        ("3.5", "3.5"),         # after digits a full stop stays
        ("email\ue00c .", "email ."),  # Esc: the word stays Latin, and so does the stop
    ],
)
def test_punctuation_follows_one_rule(chrome: Any, live_server: Any, keys: str, expected: str) -> None:
    area = _type_area(chrome, live_server)
    area.send_keys(keys)
    words = {"hai": _candidates(live_server, "hai")[0], "kya": _candidates(live_server, "kya")[0]}
    want = expected.format(**words)
    _wait(lambda: _idle(chrome) and _value(chrome, "#type-input") == want,
          what=f"{want!r} (have {_value(chrome, '#type-input')!r})")


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        (["hai", "."], "{hai}।"),
        (["hai", " ", "."], "{hai}।"),
        (["kya", " ", "?"], "{kya}?"),
        (["3", "."], "3."),
    ],
)
def test_punctuation_from_a_phone_keyboard(chrome: Any, live_server: Any, steps: list[str], expected: str) -> None:
    """Phone keyboards insert punctuation without usable key events: the input event applies the rule."""
    _type_area(chrome, live_server)
    for text in steps:
        chrome.execute_script(
            "const t = document.querySelector('#type-input'); t.setRangeText(arguments[0], t.selectionStart, t.selectionEnd, 'end');"
            "t.dispatchEvent(new InputEvent('input', {inputType: 'insertText', data: arguments[0]}))",
            text,
        )
    words = {"hai": _candidates(live_server, "hai")[0], "kya": _candidates(live_server, "kya")[0]}
    want = expected.format(**words)
    _wait(lambda: _idle(chrome) and _value(chrome, "#type-input") == want,
          what=f"{want!r} (have {_value(chrome, '#type-input')!r})")


def test_the_personal_dictionary_learns_picks(chrome: Any, live_server: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    from lipyantar.translit.learned.learn import read_pairs

    chrome.set_window_size(1280, 900)
    try:
        area = _type_area(chrome, live_server)
        cands = _candidates(live_server, "sangathan")
        area.send_keys("sangathan")
        _wait(lambda: _shown_candidates(chrome) == cands, what="the model's order")
        area.send_keys(Keys.ARROW_DOWN, " ")  # the second candidate
        _wait(lambda: _value(chrome, "#type-input") == cands[1] + " ", what="the second candidate")
        area.send_keys("sangathan")
        mine = [cands[1], cands[0], *cands[2:]]
        _wait(lambda: _shown_candidates(chrome) == mine, what="the pick first next time")
        assert chrome.find_element(By.CSS_SELECTOR, "#cands li[data-index='0'] .p").text == "yours"
        area.send_keys(" ")  # taking it again counts
        # kept across visits (localStorage)
        _open(chrome, live_server.url + "/", keep_storage=True)
        area = chrome.find_element(By.ID, "type-input")
        area.click()
        area.send_keys("sangathan")
        _wait(lambda: _shown_candidates(chrome) == mine, what="the pick first after a reload")
        area.send_keys(Keys.ESCAPE)
        chrome.find_element(By.CSS_SELECTOR, "#dict summary").click()
        assert chrome.find_element(By.ID, "dict-count").text == "1 word"
        rows = chrome.find_elements(By.CSS_SELECTOR, "#dict-table tbody tr")
        assert [[td.text for td in r.find_elements(By.TAG_NAME, "td")][:3] for r in rows] == [[cands[1], "sangathan", "2"]]
        # export: the lexicon format that lipyantar reads
        chrome.find_element(By.ID, "dict-export").click()
        exported = chrome.downloads / "lipyantar-dictionary.tsv"
        _wait(lambda: exported.exists() and exported.stat().st_size > 0, what="the exported dictionary")
        _wait(lambda: read_pairs(exported) == [(cands[1], "sangathan", 2.0)], what="the whole export")
        # import: a bad file says where, and adds nothing
        bad = tmp_path / "mine.tsv"
        bad.write_text("किताब\tkitaab\t3\nकिताब kitaab\n", encoding="utf-8")
        chrome.find_element(By.ID, "dict-import").send_keys(str(bad))
        _wait(lambda: "line 2" in _status(chrome, "#dict-status"), what="the import error")
        assert _status(chrome, "#dict-status") == "mine.tsv, line 2: expected native<TAB>roman[<TAB>count]"
        good = tmp_path / "good.tsv"
        good.write_text("# my words\nकिताब\tkitaab\t3\nकितब\tkitaab\n\nदुनियाँ\tduniya\n", encoding="utf-8")
        assert len(read_pairs(good)) == 3  # the same file is valid for lipyantar learn
        chrome.find_element(By.ID, "dict-import").send_keys(str(good))
        _wait(lambda: chrome.find_element(By.ID, "dict-count").text == "4 words", what="the imported words")
        area.click()
        area.send_keys(Keys.CONTROL, "a", Keys.DELETE)
        area.send_keys("kitaab")
        model = _candidates(live_server, "kitaab")
        _wait(lambda: _shown_candidates(chrome)[:2] == ["किताब", "कितब"], what="imported spellings first, most counted first")
        assert _shown_candidates(chrome)[2:] == [c for c in model if c not in ("किताब", "कितब")]
        area.send_keys(Keys.ESCAPE)
        chrome.execute_script("window.scrollTo(0, document.body.scrollHeight)")
        _shot(chrome, "serve-dictionary-1280.png")
        # clear: asks first, then forgets
        chrome.find_element(By.ID, "dict-clear").click()
        assert chrome.find_element(By.ID, "dict-confirm").text.startswith("Forget 4 words?")
        chrome.find_element(By.ID, "dict-clear-no").click()
        assert chrome.find_element(By.ID, "dict-count").text == "4 words"
        chrome.find_element(By.ID, "dict-clear").click()
        chrome.find_element(By.ID, "dict-clear-yes").click()
        assert chrome.find_element(By.ID, "dict-count").text == "no words yet"
        assert chrome.execute_script("return localStorage.getItem('lipyantar.dictionary.v1')") == "[]"
        area.click()
        area.send_keys(Keys.CONTROL, "a", Keys.DELETE)
        area.send_keys("sangathan")
        _wait(lambda: _shown_candidates(chrome) == cands, what="the model's order again")
    finally:
        chrome.set_window_size(1100, 850)


def _select(driver: Any, select_id: str, value: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element(By.ID, select_id)).select_by_value(value)


def test_converting_an_uploaded_file(chrome: Any, live_server: Any, tmp_path: Path) -> None:
    from click.testing import CliRunner
    from selenium.webdriver.common.by import By

    from lipyantar.cli import main

    _open(chrome, live_server.url + "/#convert")
    _select(chrome, "conv-from", "roman")
    _select(chrome, "conv-to", "deva")
    lines = ["yah sangathan antarrashtriya sanstha hai.", "", "iski sthapna 1951 mein hui thi."]
    upload = tmp_path / "hindi.txt"
    upload.write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8"))  # BOM and CRLF, as from Windows
    chrome.find_element(By.ID, "conv-file").send_keys(str(upload))
    cli = CliRunner().invoke(main, ["convert", "--from", "roman", "--to", "deva", str(upload)])
    assert cli.exit_code == 0
    _wait(lambda: _output(chrome) == cli.output, what=f"the CLI's output {cli.output!r} (have {_output(chrome)!r})")
    assert _value(chrome, "#conv-input") == "\n".join(lines) + "\n"
    chrome.find_element(By.ID, "conv-download").click()
    saved = chrome.downloads / "hindi.deva.txt"
    _wait(lambda: saved.exists() and saved.read_text(encoding="utf-8") == cli.output, what="the download")
    # a file that is not UTF-8: the command line's message, and no stale output beside it
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("yah\nnaïve\n".encode("latin-1"))
    chrome.find_element(By.ID, "conv-file").send_keys(str(bad))
    _wait(lambda: "invalid UTF-8" in _status(chrome, "#conv-status"), what="the encoding error")
    cli = CliRunner().invoke(main, ["convert", "--from", "roman", "--to", "deva", str(bad)])
    assert cli.exit_code != 0
    message = cli.output.strip().removeprefix("lipyantar: error: ").replace(str(bad), bad.name)
    assert message == "latin1.txt, line 2, byte 6: invalid UTF-8 (byte 0xef); re-encode the file as UTF-8 or pass --errors replace"
    assert _status(chrome, "#conv-status") == message.removesuffix(" or pass --errors replace")
    assert chrome.find_element(By.ID, "conv-status").get_attribute("class") == "status error"
    assert _output(chrome) == "" and chrome.find_element(By.ID, "conv-output").text == ""
    assert not chrome.find_element(By.ID, "conv-download").is_enabled()
    # an API error clears the output too
    _set_text(chrome, "#conv-input", "yah")
    _wait(lambda: _output(chrome) == _candidates(live_server, "yah")[0], what="yah converted")
    _set_text(chrome, "#conv-input", "yah\x01 hai")  # a control character: the API refuses the text
    _wait(lambda: "control character" in _status(chrome, "#conv-status"), what="the API's error")
    assert _output(chrome) == "" and chrome.find_element(By.ID, "conv-output").text == ""


def test_a_long_text_is_converted_in_parts(chrome: Any, live_server: Any) -> None:
    """More words than one request may hold (2,000 a request on the page): several requests, one result."""
    _open(chrome, live_server.url + "/#convert?from=deva&to=roman-rules")
    lines = [PARAGRAPH.split("\n")[i % 2] for i in range(400)]  # about 4,400 words
    _set_text(chrome, "#conv-input", "\n".join(lines))
    expected = Transliterator("deva", "roman-rules").transliterate_many(lines)
    _wait(lambda: _output(chrome) == "\n".join(expected), timeout=60, what="the whole text")
    assert _status(chrome, "#conv-status") == "400 lines converted."


def test_alternatives_of_a_converted_word(chrome: Any, live_server: Any) -> None:
    from selenium.webdriver.common.by import By

    chrome.set_window_size(1280, 900)
    try:
        _open(chrome, live_server.url + "/#convert?from=roman&to=deva")
        sentence = "yah sangathan antarrashtriya sanstha hai."
        _set_text(chrome, "#conv-input", sentence)
        whole = Transliterator("roman", "deva")(sentence)
        _wait(lambda: _output(chrome) == whole, what="the sentence converted")
        words = chrome.find_elements(By.CSS_SELECTOR, "#conv-output span.w")
        assert [w.text for w in words] == whole.split()
        words[1].click()
        alts = _candidates_k(live_server, "sangathan", 10)
        shown = lambda: chrome.execute_script(  # noqa: E731
            "return Array.from(document.querySelectorAll('#alts li .t')).map(e => e.textContent)"
        )
        _wait(lambda: shown(), what="the alternatives")
        current = whole.split()[1]
        assert shown() == (alts if current in alts else [current, *alts])
        other = next(a for a in alts if a != current)
        _shot(chrome, "serve-convert-alternatives-1280.png")
        chrome.find_element(By.CSS_SELECTOR, f"#alts li[data-text='{other}']").click()
        swapped = whole.replace(current, other, 1)
        _wait(lambda: _output(chrome) == swapped, what="the word swapped in")
        assert chrome.find_element(By.ID, "alts").get_attribute("hidden") is not None
        # punctuation stays where it was: the last word keeps its danda
        words[-1].click()
        _wait(lambda: shown(), what="the alternatives of the last word")
        last = whole.split()[-1]
        assert last.endswith("।")
        core = last.removesuffix("।")
        selected = chrome.find_element(By.CSS_SELECTOR, "#alts li[aria-selected=true]")
        assert selected.get_attribute("data-text") == core  # the word, without its danda
        another = next(t for t in shown() if t != core)
        chrome.find_element(By.CSS_SELECTOR, f"#alts li[data-text='{another}']").click()
        _wait(lambda: _output(chrome) == swapped.removesuffix(last) + another + "।", what="the danda kept")
        # the swap is remembered: converting again gives the user's word
        _set_text(chrome, "#conv-input", "sangathan")
        _wait(lambda: _output(chrome) == other, what="the user's spelling in a new conversion")
        assert chrome.find_element(By.CSS_SELECTOR, "#conv-output span.w").get_attribute("class") == "w mine"
    finally:
        chrome.set_window_size(1100, 850)


def _fonts(driver: Any, selector: str) -> set[str]:
    """The fonts Chromium drew the text of ``selector`` with (DevTools' CSS.getPlatformFontsForNode)."""
    driver.execute_cdp_cmd("DOM.enable", {})
    driver.execute_cdp_cmd("CSS.enable", {})
    root = driver.execute_cdp_cmd("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = driver.execute_cdp_cmd("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = driver.execute_cdp_cmd("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    return {f["familyName"] for f in fonts}


def test_iast_and_iso_are_drawn_in_one_font(chrome: Any, live_server: Any) -> None:
    from selenium.webdriver.common.by import By

    text = "यह संगठन चाँद पर है।"
    _open(chrome, live_server.url + "/#convert?" + urllib.parse.urlencode({"from": "deva", "to": "iast", "text": text}))
    iast = Transliterator("deva", "iast")(text)
    _wait(lambda: _output(chrome) == iast, what="the IAST text")
    assert "saṃgaṭhana" in iast and "~" in iast and iast.endswith("|")
    assert chrome.find_element(By.ID, "conv-iso").is_displayed()  # IAST's ~ and | explained
    latin = _fonts(chrome, "#conv-output")  # a rule-based pair: the text is one text node
    assert len(latin) == 1, f"IAST drawn in {latin}"  # ṃ ṭ ā ~ | in the same font
    chrome.find_element(By.ID, "conv-use-iso").click()
    iso = Transliterator("deva", "iso")(text)
    assert "m̐" in iso and "ṁ" in iso and iso.endswith("।")
    _wait(lambda: _output(chrome) == iso, what="the ISO 15919 text")
    assert not chrome.find_element(By.ID, "conv-iso").is_displayed()
    _set_text(chrome, "#conv-input", text.removesuffix("।"))
    _wait(lambda: _output(chrome) == iso.removesuffix("।"), what="the ISO 15919 text without its danda")
    assert _fonts(chrome, "#conv-output") == latin  # m̐ ṁ too
    _wait(lambda: "to=iso" in chrome.execute_script("return location.hash"), what="the scheme in the link")


def test_the_state_lives_in_the_link(chrome: Any, live_server: Any) -> None:
    from selenium.webdriver.common.by import By

    _open(chrome, live_server.url + "/#convert")
    _select(chrome, "conv-from", "deva")
    _select(chrome, "conv-to", "iso")
    _set_text(chrome, "#conv-input", PARAGRAPH)
    iso = Transliterator("deva", "iso").transliterate_many(PARAGRAPH.split("\n"))
    _wait(lambda: _output(chrome) == "\n".join(iso), what="the ISO text")
    _wait(lambda: "text=" in chrome.execute_script("return location.hash"), what="the text in the link")
    shared = chrome.current_url
    params = urllib.parse.parse_qs(urllib.parse.urlsplit(shared).fragment.split("?", 1)[1])
    assert params == {"from": ["deva"], "to": ["iso"], "text": [PARAGRAPH]}
    _open(chrome, shared)  # a new visit of the link: the same tab, schemes, text and result
    assert chrome.find_element(By.ID, "tab-convert").get_attribute("aria-selected") == "true"
    assert _value(chrome, "#conv-input") == PARAGRAPH
    _wait(lambda: _output(chrome) == "\n".join(iso), what="the result of the link")
    # the Type tab: its text and the English toggle
    chrome.find_element(By.ID, "tab-type").click()
    assert chrome.execute_script("return location.hash") == "#type"
    chrome.find_element(By.ID, "type-english").click()
    _set_text(chrome, "#type-input", "यह email")
    _wait(lambda: "english=keep" in chrome.execute_script("return location.hash"), what="the Type tab's state")
    _open(chrome, chrome.current_url)
    assert _value(chrome, "#type-input") == "यह email"
    assert chrome.find_element(By.ID, "type-english").is_selected()
    # a long text is left out of the link (a link stays short)
    chrome.find_element(By.ID, "tab-convert").click()
    _set_text(chrome, "#conv-input", "क" * 2000)
    _wait(lambda: "text=" in chrome.execute_script("return location.hash"), what="2,000 characters in the link")
    _set_text(chrome, "#conv-input", "क" * 2001)
    _wait(lambda: "text=" not in chrome.execute_script("return location.hash"), what="no text in the link")
    assert chrome.execute_script("return location.hash").startswith("#convert?from=")


def test_align_shows_its_summary_first_and_word_pairs(chrome: Any, live_server: Any, example_hindi: Path, example_roman: Path) -> None:
    from selenium.webdriver.common.by import By

    deva, roman = example_hindi.read_text(encoding="utf-8"), example_roman.read_text(encoding="utf-8")
    request = json.dumps({"deva": deva, "roman": roman, "words": True}).encode()
    api = urllib.request.Request(f"{live_server.url}/api/v1/align", data=request, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(api, timeout=60) as response:
        expected = json.load(response)
    for width, height in ((1280, 900), (390, 844)):
        chrome.set_window_size(width, height)
        try:
            _open(chrome, live_server.url + "/#align")
            _set_text(chrome, "#align-deva", deva)
            _set_text(chrome, "#align-roman", roman)
            chrome.find_element(By.ID, "align-words").click()
            chrome.find_element(By.ID, "align-run").click()
            _wait(lambda: len(chrome.find_elements(By.CSS_SELECTOR, "#beads tbody tr.bead")) == len(expected["beads"]),
                  what="the beads")
            summary = chrome.find_element(By.ID, "align-summary")
            assert summary.text.split("\n")[:4] == [str(len(expected["beads"])), "sentence pairs", f"{expected['score']:.3f}", "document score"]
            assert _in_view(chrome, "#align-summary"), "the summary is in view after aligning"
            top = chrome.execute_script(
                "return [document.querySelector('#align-summary').getBoundingClientRect().top,"
                " document.querySelector('#beads').getBoundingClientRect().top]"
            )
            assert top[0] < top[1]
            _shot(chrome, f"serve-align-summary-{width}.png")
            # the word pairs of each bead: a table, one pair per row
            tables = chrome.find_elements(By.CSS_SELECTOR, "#beads details.pairs")
            assert len(tables) == sum(1 for b in expected["beads"] if b["words"])
            tables[0].find_element(By.TAG_NAME, "summary").click()
            rows = tables[0].find_elements(By.CSS_SELECTOR, ":scope > table > tbody > tr")
            first = next(b for b in expected["beads"] if b["words"])
            assert [[td.text for td in r.find_elements(By.TAG_NAME, "td")] for r in rows] == [
                [d, r, f"{s:.2f}"] for d, r, s in first["words"]
            ]
            overflow = chrome.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"the page is {overflow}px wider than the window"
            _shot(chrome, f"serve-align-words-{width}.png")
        finally:
            chrome.set_window_size(1100, 850)


@pytest.mark.parametrize("width", [1280, 390])
def test_results_stay_in_view(chrome: Any, live_server: Any, width: int) -> None:
    from selenium.webdriver.common.by import By

    chrome.set_window_size(width, 844 if width == 390 else 900)
    try:
        _open(chrome, live_server.url + "/#convert?" + urllib.parse.urlencode({"from": "roman", "to": "deva"}))
        _set_text(chrome, "#conv-input", "yah sangathan antarrashtriya sanstha hai.\nduniya bhar mein kaam karta hai.")
        _wait(lambda: _output(chrome).count("\n") == 1, what="the conversion")
        assert _in_view(chrome, "#conv-output"), "the converted text is in view"
        overflow = chrome.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
        _shot(chrome, f"serve-convert-{width}.png")
        chrome.find_elements(By.CSS_SELECTOR, "#conv-output span.w")[1].click()
        _wait(lambda: chrome.find_elements(By.CSS_SELECTOR, "#alts li"), what="the alternatives")
        right = chrome.execute_script("return document.querySelector('#alts').getBoundingClientRect().right")
        assert right <= width
        _shot(chrome, f"serve-convert-alternatives-{width}.png")
        _open(chrome, live_server.url + "/")
        area = chrome.find_element(By.ID, "type-input")
        area.click()
        area.send_keys("yah sangathan duniya")
        _wait(lambda: _shown_candidates(chrome), what="the candidates")
        assert _in_view(chrome, "#cands")
        _shot(chrome, f"serve-type-{width}.png")
    finally:
        chrome.set_window_size(1100, 850)


@pytest.mark.parametrize(
    "data",
    [
        b"ab\xffc\n",
        b"yah\nhai\n\xe0\xa4\n",        # a sequence cut short
        b"\xef\xbb\xbfab\r\nc\xe0\xa4\n",  # after a BOM and CRLF: the offset counts the BOM
        b"\xc0\x80",                    # overlong
        b"ab\n\xed\xa0\x80\n",          # a surrogate
        b"\xf4\x90\x80\x80",            # beyond U+10FFFF
        b"ab\n\x00\n",                  # NUL
        "ok: यह\n".encode(),
        b"\xef\xbb\xbf" + "BOM: यह\n".encode(),
        b"\xff\xfe" + "UTF-16: यह\n".encode("utf-16-le"),
    ],
)
def test_a_file_is_read_as_the_command_line_reads_it(chrome: Any, live_server: Any, tmp_path: Path, data: bytes) -> None:
    """The page's reading of an uploaded file against `lipyantar convert`'s: the same text, or the same
    error (file, line, byte, what is wrong; the page has no --errors option to suggest)."""
    from click.testing import CliRunner

    from lipyantar.cli import main

    if chrome.execute_script("return typeof decodeText") != "function":
        _open(chrome, live_server.url + "/")
    path = tmp_path / "f.txt"
    path.write_bytes(data)
    cli = CliRunner().invoke(main, ["convert", "--from", "hk", "--to", "hk", str(path)])
    page = chrome.execute_script(
        "try { return {text: decodeText(new Uint8Array(arguments[0]), 'f.txt')} }"
        " catch (e) { return {error: e.message} }",
        list(data),
    )
    if cli.exit_code == 0:
        assert page == {"text": data.decode("utf-16" if data.startswith(b"\xff\xfe") else "utf-8-sig")}
    else:
        message = cli.output.strip().splitlines()[-1].removeprefix("lipyantar: error: ").replace(str(path), "f.txt")
        assert page == {"error": message.removesuffix(" or pass --errors replace")}


def test_alternatives_from_the_keyboard(chrome: Any, live_server: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    _open(chrome, live_server.url + "/#convert?from=deva&to=roman")
    text = "यह संगठन है"
    _set_text(chrome, "#conv-input", text)
    roman = Transliterator("deva", "roman")(text)
    _wait(lambda: _output(chrome) == roman, what="the romanization")
    output = chrome.find_element(By.ID, "conv-output")
    output.send_keys(Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)  # the first word, then the second
    focused = chrome.switch_to.active_element
    assert focused.get_attribute("data-tok") == "2" and focused.text == roman.split()[1]
    focused.send_keys(Keys.ENTER)
    alts = _candidates_k(live_server, "संगठन", 10, **{"from": "deva", "to": "roman"})
    _wait(lambda: chrome.find_elements(By.CSS_SELECTOR, "#alts li"), what="the alternatives")
    assert chrome.switch_to.active_element.get_attribute("id") == "alts"
    items = [li.get_attribute("data-text") for li in chrome.find_elements(By.CSS_SELECTOR, "#alts li")]
    assert items == (alts if roman.split()[1] in alts else [roman.split()[1], *alts])
    at = items.index(roman.split()[1])
    chrome.switch_to.active_element.send_keys(Keys.ARROW_DOWN, Keys.ENTER)
    chosen = items[(at + 1) % len(items)]
    words = roman.split()
    _wait(lambda: _output(chrome) == " ".join([words[0], chosen, *words[2:]]), what=f"{chosen!r} swapped in")
    assert chrome.switch_to.active_element.get_attribute("data-tok") == "2"  # back on the word
    # remembered both ways: the pair (संगठन, chosen) is in the dictionary
    rows = chrome.execute_script("return window.lipyantarDictionary.rows().map(r => [r.native, r.roman, r.count])")
    assert rows == [["संगठन", chosen.lower(), 1]]


def test_convert_output_options_are_the_clis(chrome: Any, live_server: Any) -> None:
    """The Convert tab's output options are convert's --digits, --nukta, --zero-width and --keep-period,
    and they travel in the shared link."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    text = "kamra 12 mein hai. qalam bhi."
    _open(chrome, live_server.url + "/#convert?from=roman&to=deva&text=" + urllib.parse.quote(text))
    _wait(lambda: _output(chrome) == Transliterator("roman", "deva").transliterate(text), what="the defaults")
    chrome.find_element(By.CSS_SELECTOR, "#conv-options summary").click()
    Select(chrome.find_element(By.ID, "conv-digits")).select_by_value("deva")
    chrome.find_element(By.ID, "conv-keep-period").click()
    wanted = Transliterator("roman", "deva", digits="deva", keep_period=True).transliterate(text)
    assert "१२" in wanted and "।" not in wanted
    _wait(lambda: _output(chrome) == wanted, what="digits in Devanagari, periods kept")
    _shot(chrome, "serve-convert-options-1280.png")
    _wait(lambda: "digits=deva" in chrome.current_url and "keep_period=1" in chrome.current_url, what="the link")
    _open(chrome, chrome.current_url)  # the shared link restores the options
    _wait(lambda: _output(chrome) == wanted, what="the options from the link")
    assert chrome.find_element(By.ID, "conv-options").get_attribute("open") is not None
