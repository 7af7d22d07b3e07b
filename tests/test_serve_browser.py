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
