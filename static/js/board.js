// The display board: the latest call very large, the previous calls, waiting per service,
// a clock, the store's name and ticker. Each call is announced (chime, then the server's
// sentences in the branch's languages), one after another. After any reconnect the board
// reloads /api/v1/board and announces the calls it missed. Every list here is bounded, so a
// board left running for weeks keeps the same memory.
(function () {
  "use strict";

  const CALLS_SHOWN = 7; // the latest call and six previous ones
  const KEYS_REMEMBERED = 200; // calls already seen, so none is shown or announced twice
  const ANNOUNCE_QUEUE = 10; // calls waiting to be spoken; older ones are dropped past this
  const CATCH_UP_S = 180; // missed calls younger than this are still announced
  const REFRESH_MS = 5 * 60 * 1000; // a full reload now and then: ticker, day change

  const root = document.getElementById("board");
  const labels = JSON.parse(root.dataset.labels);
  const language = root.dataset.lang;
  const filter = serviceFilter();
  const el = function (id) { return document.getElementById(id); };

  let calls = []; // newest first, at most CALLS_SHOWN
  let seen = []; // keys of calls already handled, at most KEYS_REMEMBERED
  let services = [];
  let timezone = undefined;
  let loaded = false; // the first load shows the calls already made without announcing them
  let live = null;

  function serviceFilter() {
    const asked = new URLSearchParams(location.search).get("services");
    if (!asked) return null;
    return new Set(asked.split(",").map(Number).filter(Boolean));
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
      code: data.ticket.code,
      service_id: data.ticket.service.id,
      counter_id: data.counter.id,
      counter_name: data.counter.name,
      recall: data.recall,
      at: data.at,
      announcements: data.announcements || [],
    };
  }

  // effect: "fresh" for a new call, "flash" for a recall, null to redraw quietly.
  function renderCalls(effect) {
    const latest = calls[0];
    el("latest-code").textContent = latest ? latest.code : "—";
    el("latest-counter").textContent = latest ? latest.counter_name : "";
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
        counter.textContent = call.counter_name;
        item.append(code, counter);
        return item;
      })
    );
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
  }

  function renderTicker(message) {
    el("ticker-text").textContent = message || "";
    el("ticker").hidden = !message;
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
    el("store-name").textContent = state.branch.name;
    document.title = state.branch.name;
    services = state.services;
    renderServices();
    renderTicker(state.ticker);
    tick();
    // The server's list is the truth (a new day starts empty); only calls that arrived live
    // after it was read are kept beside it.
    calls = calls.filter(function (call) { return call.at > state.now; });
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

  function onEvent(name, data) {
    if (name === "called") addCall(fromEvent(data), true);
    else if (name === "queue") {
      services = data.services;
      renderServices();
    }
  }

  async function start() {
    await SiraLive.adoptDeviceToken();
    const state = await load();
    if (!state) return;
    live = SiraLive.connect({
      rooms: ["branch:" + state.branch.id],
      events: ["queue", "called"],
      onState: function () { load(); },
      onEvent: onEvent,
      onStatus: function (status) { el("offline").hidden = status !== "offline"; },
    });
    setInterval(tick, 1000);
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
