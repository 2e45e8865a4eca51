// The display board: the latest call very large, the previous calls, waiting per service,
// a clock, the store's name and ticker. Each call is announced (chime, then the server's
// sentences in the branch's languages), one after another. After any reconnect the board
// reloads /api/v1/board and announces the calls it missed. Every list here is bounded, so a
// board left running for weeks keeps the same memory.
(function () {
  "use strict";

  const CALLS_SHOWN = 9; // the latest call and eight previous ones
  const KEYS_REMEMBERED = 200; // calls already seen, so none is shown or announced twice
  const ANNOUNCE_QUEUE = 10; // calls waiting to be spoken; older ones are dropped past this
  const CATCH_UP_S = 180; // missed calls younger than this are still announced
  const REFRESH_MS = 5 * 60 * 1000; // a full reload now and then: ticker, day change
  const FIRST_RETRY_MS = 1000; // a failed first load is retried after 1 s, 2 s, 4 s … 30 s
  const MAX_RETRY_MS = 30000;
  const SERVICES_PER_ROW = { landscape: 6, portrait: 4 }; // at most, before a new row
  const MIN_FIT = 0.6; // the smallest the previous calls and service cards may be drawn
  const TICKER_SCREENS_PER_S = 0.1; // the ticker crosses the screen in 10 s, whatever its length

  const root = document.getElementById("board");
  const allLabels = JSON.parse(root.dataset.labels); // {language: {key: words}}
  const pinned = root.dataset.pinned === "true"; // ?lang= asked for one language only
  const LABEL_TURN_MS = Number(root.dataset.turnMs); // each language's turn (?turn_ms=, 10 s)
  let language = root.dataset.lang;
  let labels = allLabels[language];
  let languages = [language]; // the languages the labels take turns in
  let filter = serviceFilter();
  let turn = null;
  const el = function (id) { return document.getElementById(id); };

  let calls = []; // newest first, at most CALLS_SHOWN
  let seen = []; // keys of calls already handled, at most KEYS_REMEMBERED
  let services = [];
  let timezone = undefined;
  let loaded = false; // the first load shows the calls already made without announcing them
  let live = null;

  // ?services=1,2 in the address, else the services an admin chose for this board, else all.
  function serviceFilter(chosen) {
    const asked = new URLSearchParams(location.search).get("services");
    const ids = asked ? asked.split(",").map(Number).filter(Boolean) : chosen || [];
    return ids.length ? new Set(ids) : null;
  }

  // The labels (and service and counter names) take turns through the board's languages.
  function rotateLanguages(settings, branchLanguages) {
    const wanted = pinned ? [language]
      : (settings.languages.length ? settings.languages : branchLanguages);
    languages = wanted.filter(function (code) { return allLabels[code]; });
    if (!languages.length) languages = [language];
    clearInterval(turn);
    if (languages.indexOf(language) === -1) showLanguage(languages[0]);
    if (languages.length > 1) {
      turn = setInterval(function () {
        showLanguage(languages[(languages.indexOf(language) + 1) % languages.length]);
      }, LABEL_TURN_MS);
    }
  }

  function showLanguage(code) {
    language = code;
    labels = allLabels[code];
    document.documentElement.lang = code;
    root.querySelectorAll("[data-label]").forEach(function (element) {
      element.textContent = labels[element.dataset.label];
    });
    renderServices();
    renderCalls(null);
  }

  function shown(serviceId) {
    return filter === null || filter.has(serviceId);
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, name) { return values[name]; });
  }

  function keyOf(call) {
    return call.code + "|" + (call.recall ? "recalled" : "called") + "|" + call.at;
  }

  // -- calls ---------------------------------------------------------------------------------

  // Show a call and announce it, unless it was seen before; true when it was new.
  // `quiet` leaves the drawing to the caller (a reload draws once at the end).
  function addCall(call, announce, quiet) {
    if (!shown(call.service_id)) return false;
    const key = keyOf(call);
    if (!calls.some(function (c) { return keyOf(c) === key; })) {
      calls.push(call);
      tidyCalls();
    }
    if (seen.indexOf(key) !== -1) return false;
    seen.push(key);
    if (seen.length > KEYS_REMEMBERED) seen = seen.slice(-KEYS_REMEMBERED);
    if (!quiet) renderCalls(calls[0] !== call ? null : call.recall ? "flash" : "fresh");
    if (announce) Announcer.enqueue(call);
    return true;
  }

  // Newest first, each code once (a recall or a second call replaces the earlier line).
  function tidyCalls() {
    calls.sort(function (a, b) { return a.at < b.at ? 1 : a.at > b.at ? -1 : 0; });
    calls = calls.filter(function (call, index) {
      return calls.findIndex(function (other) { return other.code === call.code; }) === index;
    }).slice(0, CALLS_SHOWN);
  }

  function fromEvent(data) {
    return {
      seq: data.seq,
      code: data.ticket.code,
      service_id: data.ticket.service.id,
      counter_id: data.counter.id,
      counter_name: data.counter.name,
      counter_names: data.counter.names || {},
      recall: data.recall,
      at: data.at,
      announcements: data.announcements || [],
    };
  }

  function counterName(call) {
    return (call.counter_names && call.counter_names[language]) || call.counter_name;
  }

  // effect: "fresh" for a new call, "flash" for a recall, null to redraw quietly.
  function renderCalls(effect) {
    const latest = calls[0];
    el("latest-code").textContent = latest ? latest.code : "—";
    el("latest-counter").textContent = latest ? counterName(latest) : "";
    const box = el("latest");
    box.classList.toggle("empty", !latest);
    if (effect) {
      box.classList.remove("flash", "fresh");
      void box.offsetWidth; // restart the animation even for the same call
      box.classList.add(effect);
    }
    const list = el("previous-calls");
    list.replaceChildren.apply(
      list,
      calls.slice(1).map(function (call) {
        const item = document.createElement("li");
        const code = document.createElement("span");
        code.className = "code";
        code.textContent = call.code;
        const counter = document.createElement("span");
        counter.className = "counter";
        counter.textContent = counterName(call);
        item.append(code, counter);
        return item;
      })
    );
    fit();
  }

  // -- services and ticker -----------------------------------------------------------------

  // Nobody waiting: no wait, if a counter serving it is open. Else the server's eta_minutes.
  function etaText(service) {
    const minutes = service.eta_minutes;
    if (!minutes) return labels.eta_closed;
    if (!service.waiting) return labels.no_wait;
    if (minutes[0] !== minutes[1]) return fill(labels.eta_range, { lo: minutes[0], hi: minutes[1] });
    return fill(labels.eta, { n: Math.max(1, minutes[0]) });
  }

  function renderServices() {
    const strip = el("services");
    strip.replaceChildren.apply(
      strip,
      services.filter(function (s) { return shown(s.id); }).map(function (service) {
        const card = document.createElement("div");
        card.className = "service";
        card.dataset.serviceId = service.id;
        const name = document.createElement("span");
        name.className = "service-name";
        name.textContent = (service.names && service.names[language]) || service.name;
        const waiting = document.createElement("span");
        waiting.className = "service-waiting";
        waiting.textContent = fill(labels.waiting, { n: service.waiting });
        waiting.hidden = !service.waiting; // "no wait" says it all
        const eta = document.createElement("span");
        eta.className = "service-eta";
        eta.textContent = etaText(service);
        const open = document.createElement("span");
        open.className = "service-open";
        open.textContent = fill(labels.open_counters, { n: service.open_counters });
        card.append(name, waiting, eta, open);
        return card;
      })
    );
    const count = strip.children.length;
    const perRow = SERVICES_PER_ROW[portrait() ? "portrait" : "landscape"];
    const rows = Math.ceil(count / perRow) || 1;
    root.style.setProperty("--service-columns", String(Math.ceil(count / rows) || 1));
    fit();
  }

  function renderTicker(message) {
    const text = el("ticker-text");
    text.textContent = message || "";
    el("ticker").hidden = !message;
    if (message) {
      // The text scrolls its own width plus the screen's: its duration grows with its length.
      const pxPerSecond = window.innerWidth * TICKER_SCREENS_PER_S;
      text.style.animationDuration = (text.offsetWidth / pxPerSecond).toFixed(1) + "s";
    }
    fit();
  }

  function portrait() {
    return window.innerHeight > window.innerWidth;
  }

  function spills(element) {
    return element.scrollHeight > element.clientHeight + 1 ||
      element.scrollWidth > element.clientWidth + 1;
  }

  // Draw the previous calls and service cards smaller (never below MIN_FIT) until nothing
  // spills out of its area: many services with long names still fit a 1280×720 screen.
  function fit() {
    const areas = [root, el("board-main"), el("latest"), el("previous-calls").parentNode];
    let scale = 1;
    root.style.setProperty("--fit", "1");
    while (scale > MIN_FIT && areas.some(spills)) {
      scale = Math.round((scale - 0.05) * 100) / 100;
      root.style.setProperty("--fit", String(scale));
    }
  }

  function tick() {
    el("clock").textContent = new Intl.DateTimeFormat(language, {
      hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: timezone,
    }).format(new Date());
  }

  // -- loading and live events -------------------------------------------------------------

  async function load() {
    let state;
    try {
      state = await SiraApi.get("/api/v1/board");
    } catch (error) {
      if (error.status === 401 || error.status === 403) unpaired();
      return null;
    }
    timezone = state.branch.timezone;
    filter = serviceFilter(state.board.service_ids);
    rotateLanguages(state.board, state.branch.languages);
    el("store-name").textContent = state.branch.name;
    document.title = state.branch.name;
    // The newest change this connection has heard of (none before it subscribes; a restored
    // backup's subscription starts it lower). A reload read before it leaves the services
    // shown: that change's `queue` has come or is on its way.
    const newest = live === null ? null : live.lastSeq();
    if (newest === null || state.seq >= newest) services = state.services;
    renderServices();
    renderTicker(state.ticker);
    tick();
    // The server's list is the truth (a new day starts empty); only calls heard live of a
    // change it could not hold are kept beside it: a newer seq, not a later time (a call is
    // stamped before its commit), and not past `newest` (a restored backup's calls go).
    calls = calls.filter(function (call) {
      return newest !== null && call.seq > state.seq && call.seq <= newest;
    });
    const now = Date.parse(state.now);
    const fresh = state.recent_calls.slice().reverse().filter(function (call) {
      const young = (now - Date.parse(call.at)) / 1000 < CATCH_UP_S;
      return addCall(call, loaded && young, true);
    });
    const latest = calls[0];
    const latestIsNew = loaded && latest && fresh.indexOf(latest) !== -1;
    renderCalls(latestIsNew ? (latest.recall ? "flash" : "fresh") : null);
    loaded = true;
    return state;
  }

  function unpaired() {
    el("unpaired").textContent = labels.unpaired;
    el("unpaired").hidden = false;
  }

  // Parked, transferred, no-show: that counter no longer expects the customer.
  function withdraw(data) {
    const before = calls.length;
    calls = calls.filter(function (call) {
      return !(call.code === data.code && call.counter_id === data.counter_id);
    });
    if (calls.length !== before) renderCalls(null);
  }

  function onEvent(name, data) {
    if (name === "called") addCall(fromEvent(data), true);
    else if (name === "withdrawn") withdraw(data);
    else if (name === "setup") load(); // names, services, ticker or branding changed
    else if (name === "queue") {
      services = data.services;
      renderServices();
    }
  }

  // The board PC may boot before the server, or a proxy answer 502 while it restarts: keep
  // trying, with the "Reconnecting…" mark showing, until the first load succeeds.
  async function firstLoad() {
    for (let delay = FIRST_RETRY_MS; ; delay = Math.min(delay * 2, MAX_RETRY_MS)) {
      const state = await load();
      if (state || !el("unpaired").hidden) return state;
      el("offline").hidden = false;
      await new Promise(function (resolve) { setTimeout(resolve, delay); });
    }
  }

  async function start() {
    await SiraLive.adoptDeviceToken();
    const state = await firstLoad();
    if (!state) return;
    el("offline").hidden = true;
    live = SiraLive.connect({
      rooms: ["branch:" + state.branch.id],
      events: ["queue", "called", "withdrawn", "setup"],
      onState: function () { load(); },
      onEvent: onEvent,
      onStatus: function (status) { el("offline").hidden = status !== "offline"; },
    });
    setInterval(tick, 1000);
    window.addEventListener("resize", function () {
      renderServices();
      renderTicker(el("ticker-text").textContent);
    });
    setInterval(function () { live.resync(); }, REFRESH_MS);
  }

  // -- announcements: a chime, then each language's sentence, one call at a time ----------------

  const Announcer = (function () {
    const queue = [];
    let busy = false;
    const chime = new Audio("/static/sounds/chime.wav");

    function enqueue(call) {
      queue.push(call);
      if (queue.length > ANNOUNCE_QUEUE) queue.shift();
      if (!busy) drain();
    }

    async function drain() {
      busy = true;
      while (queue.length) {
        const call = queue.shift();
        await playChime();
        for (const sentence of call.announcements) await say(sentence);
      }
      busy = false;
    }

    // Resolve when the sound ends, fails, or takes too long: a muted board must not stall.
    function within(ms, run) {
      return new Promise(function (resolve) {
        const timer = setTimeout(resolve, ms);
        run(function () { clearTimeout(timer); resolve(); });
      });
    }

    function playChime() {
      return within(3000, function (done) {
        chime.onended = done;
        chime.currentTime = 0;
        const playing = chime.play();
        if (playing) playing.catch(done);
      });
    }

    function say(sentence) {
      if (!("speechSynthesis" in window)) return Promise.resolve();
      return within(3000 + sentence.text.length * 150, function (done) {
        const utterance = new SpeechSynthesisUtterance(sentence.text);
        utterance.lang = sentence.voice;
        const voice = speechSynthesis.getVoices().find(function (v) {
          return v.lang.replace("_", "-").startsWith(sentence.voice.slice(0, 2));
        });
        if (voice) utterance.voice = voice;
        utterance.onend = done;
        utterance.onerror = done;
        speechSynthesis.speak(utterance);
      });
    }

    return { enqueue: enqueue };
  })();

  window.SiraBoard = { calls: function () { return calls.slice(); } }; // for tests and benchmarks
  start();
})();
