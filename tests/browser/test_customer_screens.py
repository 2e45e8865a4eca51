"""Every customer screen in a real Chromium, in English, Turkish and Malay, at the sizes stores
use, in the states that matter: the kiosk (1080×1920, 1920×1080), the board (1280×720 to
3840×2160 and portrait), the phone page (390×844) and the feedback screen (1280×800, 1024×600).

Each render fails on: an element over the called number or a previous call, or either spilling
out of its frame; a service card, call or control pushed off the screen; a touch target under
72 px on the kiosk and the feedback screen; a console error; and, on a Turkish or Malay page,
any visible text that reads exactly as on the English page of the same state (names, codes and
numbers aside). Screenshots land in test-artifacts/screens/ (ignored by git) for people to look
at. One browser and one server for the whole module keep it to a few minutes on 2 cores.
"""

from __future__ import annotations

import re
from collections import defaultdict
from contextlib import contextmanager

import pytest
import requests
from playwright.sync_api import expect

from server.storage import connect
from server.store import add_counter, add_service, counter_service_ids, update_counter
from tests.conftest import bearer
from tests.live import ROOT, UNLIMITED, LiveServer
from tests.store import copy_store

pytestmark = pytest.mark.slow

ARTIFACTS = ROOT / "test-artifacts" / "screens"
LANGUAGES = ("en", "tr", "ms")
KIOSK_SIZES = [(1080, 1920), (1920, 1080)]
BOARD_SIZES = [(1920, 1080), (1280, 720), (3840, 2160), (1080, 1920)]
FEEDBACK_SIZES = [(1280, 800), (1024, 600)]
PHONE_SIZE = (390, 844)
LONG_COUNTER = "Customer Service Desk 12"
TICKER = "Open until 20:00 today: welcome!"  # the store's own words, in one language
# Services beyond the test store's Payments (A) and Returns (B): C…L, some with long names.
EXTRA_SERVICES = [
    ("C", "Card and account questions", "Kart ve hesap soruları", "Soalan kad dan akaun"),
    ("D", "Deliveries", "Teslimatlar", "Penghantaran"),
    ("E", "Exchanges", "Değişim", "Pertukaran"),
    ("F", "Financing and instalment plans", "Finansman ve taksit", "Pembiayaan dan ansuran"),
    ("G", "Gift cards", "Hediye kartları", "Kad hadiah"),
    ("H", "Home installation", "Evde kurulum", "Pemasangan di rumah"),
    ("I", "Insurance claims", "Sigorta talepleri", "Tuntutan insurans"),
    ("J", "Jewellery repairs", "Takı onarımı", "Pembaikan barang kemas"),
    ("K", "Key cutting", "Anahtar kopyalama", "Potong kunci"),
    ("L", "Large orders for businesses", "Kurumsal büyük siparişler", "Pesanan besar perniagaan"),
]
NAMES = {
    "Test Store",
    "Sıra",
    "Payments",
    "Ödemeler",
    "Returns",
    "İadeler",
    "English",
    "Türkçe",
    "Bahasa Melayu",
    "Ayşe",
    TICKER,
    *(name for extra in EXTRA_SERVICES for name in extra[1:]),
}

# Run in the page: what overlaps what, what is off the screen or too small to tap, and the
# visible texts. `guarded` must not be covered and must stay inside their `frames`.
INSPECT = """
(options) => {
  const problems = [];
  const W = innerWidth, H = innerHeight;
  function shows(e) {
    if (e.closest("[hidden]")) return false;
    const style = getComputedStyle(e);
    if (style.visibility === "hidden" || style.display === "none") return false;
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  }
  function label(e) {
    const id = e.id ? "#" + e.id : "";
    const cls = typeof e.className === "string" && e.className
      ? "." + e.className.split(" ")[0] : "";
    const text = (e.textContent || "").trim().slice(0, 30);
    return e.tagName.toLowerCase() + id + cls + ' "' + text + '"';
  }
  function overlap(a, b) {
    return a.left < b.right - 1 && b.left < a.right - 1 &&
      a.top < b.bottom - 1 && b.top < a.bottom - 1;
  }
  const everything = Array.from(document.body.querySelectorAll("*")).filter(function (e) {
    return shows(e) && !["SCRIPT", "STYLE", "svg"].includes(e.tagName) && !e.closest("svg");
  });
  options.guarded.forEach(function (pair) {
    const frameSelector = pair[1];
    document.querySelectorAll(pair[0]).forEach(function (guarded) {
      if (!shows(guarded)) return;
      const box = guarded.getBoundingClientRect();
      const frame = guarded.closest(frameSelector);
      const frameBox = frame && frame.getBoundingClientRect();
      if (frameBox && (box.left < frameBox.left - 1 || box.right > frameBox.right + 1 ||
          box.top < frameBox.top - 1 || box.bottom > frameBox.bottom + 1)) {
        problems.push(label(guarded) + " spills out of " + frameSelector);
      }
      // Text wider than its box runs over its neighbours; a box that clips hides it. (A
      // glyph's ascent above a line-height of 1 is neither.)
      const style = getComputedStyle(guarded);
      const clips = style.overflowY !== "visible";
      if (guarded.scrollWidth > guarded.clientWidth + 2 ||
          (clips && guarded.scrollHeight > guarded.clientHeight + 1)) {
        problems.push(label(guarded) + " is wider than its box or cut off");
      }
      everything.forEach(function (other) {
        if (other === guarded || other.contains(guarded) || guarded.contains(other)) return;
        if (overlap(box, other.getBoundingClientRect())) {
          problems.push(label(other) + " overlaps " + label(guarded));
        }
      });
    });
  });
  document.querySelectorAll(options.onScreen).forEach(function (e) {
    if (!shows(e)) return;
    const r = e.getBoundingClientRect();
    if (r.left < -1 || r.top < -1 || r.right > W + 1 || r.bottom > H + 1) {
      problems.push(label(e) + " is off the " + W + "x" + H + " screen");
    }
  });
  if (options.touch) {
    const targets = "button, input, textarea, select, a, [role=button], .hg-button";
    document.querySelectorAll(targets).forEach(function (e) {
      if (!shows(e)) return;
      const r = e.getBoundingClientRect();
      if (r.height < 72 - 0.5) problems.push(label(e) + " is " + Math.round(r.height) + " px high");
    });
  }
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.textContent.replace(/\\s+/g, " ").trim();
    if (text && node.parentElement && shows(node.parentElement) &&
        !["SCRIPT", "STYLE"].includes(node.parentElement.tagName)) {
      texts.push(text);
    }
  }
  return { problems: problems, texts: texts };
}
"""

BOARD = {
    "guarded": [
        ["#latest-code", "#latest"],
        [".latest-where", "#latest"],
        ["#previous-calls li", ".previous"],
    ],
    "onScreen": ".service, #previous-calls li, #latest, #ticker, .board-head",
    "touch": False,
}
KIOSK = {
    "guarded": [["#ticket-code", "#screen-ticket"]],
    "onScreen": "#kiosk button, #kiosk input, #ticket-code, #ticket-qr, #keyboard, #offline p",
    "touch": True,
}
FEEDBACK = {
    "guarded": [],
    "onScreen": "#feedback h1, #feedback button, #feedback textarea, #feedback p",
    "touch": True,
}
PHONE = {
    "guarded": [["#code", "#phone"]],
    "onScreen": "#code, #message, .faces",
    "touch": False,
}


def wordless(text: str) -> bool:
    """Names, codes, numbers, times and symbols: the same in every language."""
    for name in sorted(NAMES, key=len, reverse=True):
        text = text.replace(name, " ")
    text = re.sub(r"\b[A-Z]\d{3}\b", " ", text)
    return not re.search(r"[^\W\d_]{2,}", text)


class Screens:
    """Renders pages, inspects them and keeps every problem found, keyed by what was shown."""

    def __init__(self, chromium, url: str):
        self.chromium = chromium
        self.url = url
        self.problems: list[str] = []
        self.english: dict[str, set[str]] = defaultdict(set)
        self.contexts = []
        self.server_down = False  # while the server is stopped, failed connections are expected
        ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def open(self, path: str, size: tuple[int, int], token: str | None = None):
        context = self.chromium.new_context(
            locale="en-GB", viewport={"width": size[0], "height": size[1]}
        )
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.on("console", lambda message: self.console(path, message))
        page.on("pageerror", lambda error: self.problems.append(f"{path}: page error: {error}"))
        page.goto(f"{self.url}{path}" + (f"#token={token}" if token else ""))
        return page

    def console(self, path: str, message) -> None:
        unreachable = "ERR_CONNECTION_REFUSED" in message.text or "Failed to load" in message.text
        if message.type == "error" and not (self.server_down and unreachable):
            self.problems.append(f"{path}: console error: {message.text}")

    @contextmanager
    def server_stopped(self, server: LiveServer):
        """The server is down for a while (and back up after)."""
        self.server_down = True
        server.stop()
        try:
            yield
        finally:
            server.start()
            self.server_down = False

    def check(self, page, kind: dict, name: str, language: str) -> None:
        """Inspect what is on screen now, compare its words with English, take a screenshot."""
        size = page.viewport_size
        key = f"{name}-{size['width']}x{size['height']}"
        page.evaluate("window.dispatchEvent(new Event('resize'))")  # a board re-fits at once
        found = page.evaluate(INSPECT, kind)
        where = f"{key} [{language}]"
        self.problems += [f"{where}: {problem}" for problem in found["problems"]]
        texts = {text for text in found["texts"] if not wordless(text)}
        if language == "en":
            self.english[key] |= texts
        else:
            self.problems += [
                f"{where}: English left: {text!r}" for text in texts & self.english[key]
            ]
        page.screenshot(path=ARTIFACTS / f"{key}-{language}.png")

    def at_sizes(self, page, sizes, kind: dict, name: str, language: str) -> None:
        for width, height in sizes:
            page.set_viewport_size({"width": width, "height": height})
            self.check(page, kind, name, language)

    def close(self) -> None:
        for context in self.contexts:
            context.close()
        self.contexts = []


class Scene:
    """The store behind the screens, moved from empty to busy through the real API."""

    def __init__(self, db_path: str, store, server: LiveServer):
        self.db_path = db_path
        self.store = store
        self.server = server
        self.url = server.url
        db = connect(db_path)
        self.services = [store.payments, store.returns] + [
            add_service(db, store.branch_id, prefix, name, {"tr": tr, "ms": ms}, 600)
            for prefix, name, tr, ms in EXTRA_SERVICES
        ]
        self.desk = add_counter(db, store.branch_id, LONG_COUNTER, self.services)
        # Counters are named in each language (the English name must not show on tr/ms pages).
        for counter_id, name, tr, ms in [
            (store.counter1, "Counter 1", "Gişe 1", "Kaunter 1"),
            (store.counter2, "Counter 2", "Gişe 2", "Kaunter 2"),
            (self.desk, LONG_COUNTER, "Müşteri Hizmetleri Masası 12", "Meja Khidmat Pelanggan 12"),
        ]:
            values = {"name": name, "names": {"tr": tr, "ms": ms}}
            values["service_ids"] = counter_service_ids(db, counter_id)
            update_counter(db, counter_id, values)
        db.conn.close()
        self.active(2)

    def sql(self, statement: str, values=()) -> None:
        db = connect(self.db_path)
        db.execute(statement, list(values))
        db.conn.commit()
        db.conn.close()

    def active(self, count: int) -> None:
        """The first `count` services open, the rest closed."""
        for index, service_id in enumerate(self.services):
            self.sql("UPDATE services SET active = ? WHERE id = ?", [index < count, service_id])

    def post(self, path: str, token: str | None = None, **body) -> dict:
        response = requests.post(
            f"{self.url}/api/v1{path}",
            json=body,
            headers=bearer(token or self.store.staff_token),
            timeout=10,
        )
        assert response.status_code in (200, 201), response.text
        return response.json()

    def issue(self, service_id: int, **fields) -> dict:
        return self.post("/tickets", self.store.kiosk_token, service_id=service_id, **fields)

    def call(self, counter_id: int, ticket: dict) -> None:
        self.post(f"/counters/{counter_id}/call/{ticket['id']}")

    def serve(self, counter_id: int, ticket: dict) -> None:
        """Called, served and finished: a previous call on the board."""
        self.call(counter_id, ticket)
        self.post(f"/tickets/{ticket['id']}/start")
        self.post(f"/tickets/{ticket['id']}/finish")


@pytest.fixture(scope="module")
def scene(tmp_path_factory):
    folder = tmp_path_factory.mktemp("screens")
    db_path = str(folder / "sira.db")
    store = copy_store(db_path)
    server = LiveServer(db_path, env=UNLIMITED).start()
    yield Scene(db_path, store, server)
    server.stop()


@pytest.fixture
def screens(chromium, scene):
    shown = Screens(chromium, scene.url)
    yield shown
    shown.close()


def kiosk_tap(page, locator) -> None:
    expect(page.locator("#kiosk")).to_have_attribute("data-settled", "true")
    locator.click()


def kiosk_in(page, language: str) -> None:
    names = {"en": "English", "tr": "Türkçe", "ms": "Bahasa Melayu"}
    kiosk_tap(page, page.get_by_role("button", name=names[language]))
    expect(page.locator("html")).to_have_attribute("lang", language)


def test_kiosk_screens(screens, scene):
    """Empty, then 7 services busy; each step of taking a ticket; printer down; offline."""
    store = scene.store
    for phase, services in (("empty", 2), ("busy", 7)):
        scene.active(services)
        if phase == "busy":
            for service_id in scene.services[:7]:
                scene.issue(service_id)
        for size in KIOSK_SIZES:
            page = screens.open("/kiosk", size, store.kiosk_token)
            expect(page.locator(".kiosk-service-button")).to_have_count(services)
            for language in LANGUAGES:
                kiosk_in(page, language)
                screens.check(page, KIOSK, f"kiosk-{phase}-start", language)
                if phase == "empty":
                    continue
                kiosk_tap(page, page.locator(".kiosk-service-button").nth(2))
                screens.check(page, KIOSK, "kiosk-priority", language)
                kiosk_tap(page, page.locator("#priority-choices [data-priority=elderly]"))
                expect(page.locator("#keyboard .hg-button").first).to_be_visible()
                screens.check(page, KIOSK, "kiosk-name", language)
                kiosk_tap(page, page.locator("#issue"))
                expect(page.locator("#screen-ticket")).to_be_visible()
                expect(page.locator("#ticket-priority")).to_be_visible()
                screens.check(page, KIOSK, "kiosk-ticket", language)
                kiosk_tap(page, page.locator("#done"))
                expect(page.locator("#screen-start")).to_be_visible()

    # The printer is down: the warning is there before anyone taps.
    scene.sql(
        "UPDATE devices SET printer_uri = 'tcp://127.0.0.1:9', printer_status = 'offline'"
        " WHERE kind = 'kiosk'"
    )
    pages = {}
    for language in LANGUAGES:
        page = screens.open("/kiosk", KIOSK_SIZES[0], store.kiosk_token)
        kiosk_in(page, language)
        expect(page.locator("#printer-notice")).to_be_visible()
        screens.at_sizes(page, KIOSK_SIZES, KIOSK, "kiosk-printer-down", language)
        pages[language] = page

    # The server is gone: each kiosk says so across the screen in its language.
    with screens.server_stopped(scene.server):
        for language, page in pages.items():
            expect(page.locator("#offline")).to_be_visible(timeout=15_000)
            screens.at_sizes(page, KIOSK_SIZES, KIOSK, "kiosk-offline", language)
    scene.sql("UPDATE devices SET printer_uri = NULL, printer_status = NULL WHERE kind = 'kiosk'")
    assert not screens.problems, "\n".join(screens.problems)


def test_board_screens(screens, scene):
    """Empty; busy (7 services, 8 previous calls, a ticker, a long counter name); a recall;
    then 1–12 services with 0 or 8 previous calls, with and without a ticker, at every size;
    offline."""
    store = scene.store
    scene.active(12)
    boards = {}
    for language in LANGUAGES:
        page = screens.open(f"/display?lang={language}", BOARD_SIZES[0], store.display_token)
        expect(page.locator("#store-name")).to_have_text("Test Store")
        screens.at_sizes(page, BOARD_SIZES[:2], BOARD, "board-empty", language)
        boards[language] = page

    scene.sql("UPDATE branches SET ticker_message = ?", [TICKER])
    counters = [store.counter1, store.counter2]
    for number in range(8):
        scene.serve(counters[number % 2], scene.issue(store.payments))
    last = scene.issue(store.payments)
    scene.call(scene.desk, last)
    for service_id in scene.services[:7]:
        for _ in range(3):
            scene.issue(service_id)
    for language, page in boards.items():
        page.goto(
            f"{scene.url}/display?lang={language}&services="
            + ",".join(str(service_id) for service_id in scene.services[:7])
        )
        expect(page.locator("#previous-calls li")).to_have_count(8)
        expect(page.locator("#latest-counter")).not_to_be_empty()
        screens.at_sizes(page, BOARD_SIZES, BOARD, "board-busy", language)
    scene.post(f"/tickets/{last['id']}/recall")
    for language, page in boards.items():
        expect(page.locator("#latest.flash")).to_be_attached()
        screens.check(page, BOARD, "board-recall", language)

    # 1–12 services, the calls (all of service A) shown or filtered away, ticker or not.
    a, others = scene.services[0], scene.services[1:]
    layouts = {
        "1-services-8-calls": [a],
        "1-services-0-calls": others[:1],
        "3-services-8-calls": [a, *others[:2]],
        "7-services-0-calls": others[:7],
        "12-services-8-calls": [a, *others],
        "11-services-0-calls": others,
    }
    page = boards["en"]
    for ticker in ("ticker", "no-ticker"):
        if ticker == "no-ticker":
            scene.sql("UPDATE branches SET ticker_message = ''")
        for name, shown in layouts.items():
            page.set_viewport_size({"width": 1920, "height": 1080})
            page.goto(f"{scene.url}/display?services=" + ",".join(map(str, shown)))
            expect(page.locator(".service")).to_have_count(len(shown))
            if ticker == "ticker":
                expect(page.locator("#ticker")).to_be_visible()
            screens.at_sizes(page, BOARD_SIZES, BOARD, f"board-{name}-{ticker}", "en")

    with screens.server_stopped(scene.server):
        for language, page in boards.items():
            expect(page.locator("#offline")).to_be_visible(timeout=15_000)
            screens.at_sizes(page, BOARD_SIZES[:2], BOARD, "board-offline", language)
    assert not screens.problems, "\n".join(screens.problems)


def test_phone_and_feedback_screens(screens, scene):
    """The phone page waiting and called, its rating page; the feedback screen idle, greeting,
    asking for a rating (with reasons open) and thanking, in each language."""
    store = scene.store
    scene.active(2)
    for language in LANGUAGES:
        feedback = screens.open(
            f"/feedback?lang={language}", FEEDBACK_SIZES[0], store.feedback_token
        )
        expect(feedback.locator("#feedback")).to_have_attribute("data-step", "idle")
        screens.at_sizes(feedback, FEEDBACK_SIZES, FEEDBACK, "feedback-idle", language)

        ahead = scene.issue(store.payments)
        ticket = scene.issue(store.payments, language=language, customer_name="Ayşe")
        phone = screens.open(f"/t/{ticket['token']}", PHONE_SIZE)
        expect(phone.locator("#status")).not_to_be_empty()
        screens.check(phone, PHONE, "phone-waiting", language)
        scene.serve(store.counter2, ahead)
        scene.call(store.counter1, ticket)
        expect(phone.locator("#phone")).to_have_attribute("data-status", "called")
        screens.check(phone, PHONE, "phone-called", language)

        scene.post(f"/tickets/{ticket['id']}/start")
        expect(feedback.locator("#feedback")).to_have_attribute("data-step", "greeting")
        screens.at_sizes(feedback, FEEDBACK_SIZES, FEEDBACK, "feedback-greeting", language)
        scene.post(f"/tickets/{ticket['id']}/finish")
        expect(feedback.locator("#feedback")).to_have_attribute("data-step", "rating")
        screens.at_sizes(feedback, FEEDBACK_SIZES, FEEDBACK, "feedback-rating", language)

        rate = screens.open(f"/t/{ticket['token']}/rate", PHONE_SIZE)
        faces = rate.locator(".face")
        expect(faces).to_have_count(5)
        tops = {round(face.bounding_box()["y"]) for face in faces.all()}
        assert len(tops) == 1, f"the rating faces wrap at 390 px ({language})"
        screens.check(rate, PHONE, "phone-rate", language)

        pack = feedback.locator(f".lang-pack[data-lang={language}]")
        pack.locator(".face-2").click()
        expect(pack.locator(".rating-details")).to_be_visible()
        screens.at_sizes(feedback, FEEDBACK_SIZES, FEEDBACK, "feedback-reasons", language)
        expect(feedback.locator("#feedback")).to_have_attribute(
            "data-step", "thanks", timeout=15_000
        )
        screens.at_sizes(feedback, FEEDBACK_SIZES, FEEDBACK, "feedback-thanks", language)
    assert not screens.problems, "\n".join(screens.problems)
