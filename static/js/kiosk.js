// The kiosk touchscreen, one question per screen: language and service (buttons with live
// waiting counts) → "do you need priority?" (only where the branch and service allow it) →
// an optional first name on the on-screen keyboard → the ticket (number, the stated need,
// people ahead, wait, QR) and whether it printed.
(function () {
  "use strict";

  const STRINGS = JSON.parse(document.getElementById("kiosk-strings").textContent);
  const LANGUAGE_NAMES = JSON.parse(document.getElementById("kiosk-language-names").textContent);
  const TICKET_SCREEN_MS = 20000; // the ticket stays on screen this long, or until "Done"
  // Taps this soon after a screen appears are the second half of a double tap meant for the
  // screen before: they are dropped. The ticket screen holds longest, so the number is seen.
  const SETTLE_MS = 600;
  const TICKET_SETTLE_MS = 1500;
  const IDLE_RESET_MS = 45000; // untouched this long: back to the default language
  const PRINT_MARGIN_MS = 1000; // the server's give-up time, plus the request that issued it
  const RETRIES = 3; // network retries of one tap, with the same idempotency key

  const $ = function (id) { return document.getElementById(id); };
  let setup = null;
  let services = [];
  let language = null;
  let chosen = null; // the service tapped, while its questions are answered
  let priority = null;
  let keys = null; // the on-screen keyboard
  let busy = false;
  let backTimer = null;
  let idleTimer = null;
  let online = true;
  let settledAt = 0; // taps before this time are ignored
  let lastTapAt = 0;
  let settleTimer = null;

  function t(key, values) {
    let text = (STRINGS[language] || STRINGS.en)[key] || STRINGS.en[key] || key;
    Object.keys(values || {}).forEach(function (name) {
      text = text.replace("{" + name + "}", values[name]);
    });
    return text;
  }

  function show(screen) {
    document.querySelectorAll(".kiosk-screen").forEach(function (section) {
      section.hidden = section.id !== screen;
    });
    const now = Date.now();
    const hold = screen === "screen-ticket" ? TICKET_SETTLE_MS
      : now - lastTapAt < SETTLE_MS ? SETTLE_MS : 0;
    settledAt = now + hold;
    // data-settled tells tests (and anyone watching) when taps count again.
    $("kiosk").dataset.settled = hold ? "false" : "true";
    clearTimeout(settleTimer);
    settleTimer = setTimeout(function () { $("kiosk").dataset.settled = "true"; }, hold);
  }

  // Runs before any button's own handler (capture phase).
  function dropEarlyTap(event) {
    if (Date.now() < settledAt) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    lastTapAt = Date.now();
  }

  function newKey() {
    // crypto.randomUUID needs a secure context; a kiosk on plain http on the LAN has none.
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }

  // The server's eta_minutes: [n, n] about n minutes, [lo, hi] a range, null no counter open.
  function etaText(minutes) {
    if (!minutes) return t("eta_closed");
    if (minutes[0] !== minutes[1]) return t("eta_range", { low: minutes[0], high: minutes[1] });
    return t("eta", { minutes: Math.max(1, minutes[0]) });
  }

  function serviceName(service) {
    return (service.names && service.names[language]) || service.name;
  }

  function translatePage() {
    document.documentElement.lang = language;
    document.querySelectorAll("[data-text]").forEach(function (element) {
      element.textContent = t(element.dataset.text);
    });
    drawLanguages();
    drawServices();
    drawPriority();
    document.querySelectorAll("[data-chosen-service]").forEach(function (element) {
      element.textContent = chosen ? serviceName(chosen) : "";
    });
    if (keys) keys.setLanguage(language);
  }

  function drawLanguages() {
    const nav = $("languages");
    nav.replaceChildren();
    if (!setup || setup.branch.languages.length < 2) return;
    setup.branch.languages.forEach(function (code) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "kiosk-language" + (code === language ? " is-current" : " secondary");
      button.lang = code;
      button.textContent = LANGUAGE_NAMES[code] || code;
      button.setAttribute("aria-pressed", code === language ? "true" : "false");
      button.addEventListener("click", function () { language = code; translatePage(); });
      nav.appendChild(button);
    });
  }

  function drawServices() {
    const grid = $("services");
    grid.replaceChildren();
    $("no-services").hidden = services.length > 0;
    $("choose-service").hidden = services.length === 0;
    services.forEach(function (service) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "kiosk-service-button";
      button.dataset.serviceId = service.id;
      button.disabled = !online || busy;
      const name = document.createElement("span");
      name.className = "kiosk-service-name";
      name.textContent = serviceName(service);
      const queue = document.createElement("span");
      queue.className = "kiosk-service-queue";
      // "0 waiting · no wait" said it twice
      queue.textContent = service.waiting
        ? t("waiting", { count: service.waiting }) + " · " + etaText(service.eta_minutes)
        : service.eta_minutes ? t("no_wait") : etaText(service.eta_minutes);
      button.append(name, queue);
      button.addEventListener("click", function () { choose(service); });
      grid.appendChild(button);
    });
  }

  // "No" first and largest: most people need no priority.
  function drawPriority() {
    const choices = $("priority-choices");
    choices.replaceChildren();
    if (!setup) return;
    [null].concat(setup.priority_needs).forEach(function (need) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "kiosk-choice" + (need === null ? " kiosk-choice-none" : " secondary");
      button.dataset.priority = need || "";
      button.textContent = t(need || "priority_none");
      button.addEventListener("click", function () {
        priority = need;
        show("screen-name");
      });
      choices.appendChild(button);
    });
  }

  function asksPriority(service) {
    return Boolean(setup.branch.priority_enabled && service.priority_allowed);
  }

  function choose(service) {
    if (busy || !online) return;
    chosen = service;
    priority = null;
    translatePage();
    show(asksPriority(service) ? "screen-priority" : "screen-name");
  }

  function back() {
    const onName = !$("screen-name").hidden;
    if (onName && chosen && asksPriority(chosen)) show("screen-priority");
    else resetToStart(false);
  }

  function mergeServices(fresh) {
    // Queue events carry counts; the kiosk setup knows which services allow a priority need.
    const allowed = {};
    services.forEach(function (s) { allowed[s.id] = s.priority_allowed; });
    services = fresh.map(function (s) {
      return Object.assign({}, s, {
        priority_allowed: s.priority_allowed !== undefined ? s.priority_allowed : allowed[s.id] !== false,
      });
    });
    if (!busy && !$("screen-start").hidden) drawServices();
  }

  // An admin changed services, names, branding or the branch: draw the new setup at once.
  // A customer midway through the questions of a service that has just closed starts again.
  async function reloadSetup() {
    let fresh;
    try { fresh = await SiraApi.get("/api/v1/kiosk"); } catch (error) { return; }
    setup = fresh;
    services = fresh.services;
    $("store-name").textContent = setup.branch.name;
    if (setup.branch.languages.indexOf(language) === -1) language = setup.branch.default_language;
    if (busy) return;
    const stillOpen = chosen && services.find(function (s) { return s.id === chosen.id; });
    if (chosen && !stillOpen) resetToStart(false);
    else {
      if (stillOpen) chosen = stillOpen;
      translatePage();
    }
  }

  function showPrinter(device) {
    // Customers are warned before they tap that the number will only be on screen.
    const down = device.has_printer !== false &&
      (device.printer_status === "paper_out" || device.printer_status === "offline");
    $("printer-notice").hidden = !down;
  }

  // Offline, the whole screen says so in the chosen language, over every button.
  function setOnline(isOnline) {
    online = isOnline;
    $("offline").hidden = isOnline;
    document.querySelectorAll(".kiosk-service-button, #issue, #skip-name").forEach(function (button) {
      button.disabled = !isOnline || busy;
    });
  }

  function resetToStart(toDefaultLanguage) {
    clearTimeout(backTimer);
    busy = false;
    chosen = null;
    priority = null;
    if (keys) keys.clear();
    if (toDefaultLanguage && setup) language = setup.branch.default_language;
    translatePage();
    show("screen-start");
  }

  function touched() {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(function () {
      if (!busy) resetToStart(true);
    }, IDLE_RESET_MS);
  }

  async function post(body, key) {
    for (let attempt = 0; ; attempt++) {
      try {
        return await SiraApi.post("/api/v1/tickets", body, { "Idempotency-Key": key });
      } catch (error) {
        if (error.status !== 0 || attempt + 1 >= RETRIES) throw error;
        await new Promise(function (resolve) { setTimeout(resolve, 700 * (attempt + 1)); });
      }
    }
  }

  function issue(withName) {
    const service = chosen;
    if (busy || !service) return; // a double tap issues one ticket
    const body = { service_id: service.id, language: language };
    const name = $("customer-name").value.trim();
    if (withName && name) body.customer_name = name;
    if (priority && asksPriority(service)) body.priority = priority;
    send(service, body, newKey());
  }

  // The first try and every "Try again" of one tap share its key: never two tickets.
  async function send(service, body, key) {
    busy = true;
    show("screen-issuing");
    try {
      showTicket(await post(body, key), service);
    } catch (error) {
      showProblem(error, function () { send(service, body, key); });
    }
  }

  function showProblem(error, retry) {
    $("message-text").textContent = error.status === 0
      ? t("offline")
      : t("refused", { reason: error.message });
    const button = $("retry");
    button.onclick = error.status === 0 ? retry : function () { resetToStart(false); };
    button.textContent = error.status === 0 ? t("retry") : t("done");
    show("screen-message");
    clearTimeout(backTimer);
    backTimer = setTimeout(function () { resetToStart(true); }, TICKET_SCREEN_MS);
  }

  function showTicket(ticket, service) {
    $("ticket-code").textContent = ticket.code;
    $("ticket-service").textContent = serviceName(service);
    $("ticket-priority").hidden = !ticket.priority;
    $("ticket-priority").textContent = ticket.priority
      ? t("priority_stated", { need: t(ticket.priority) })
      : "";
    $("ticket-ahead").textContent = String(ticket.position || 0);
    $("ticket-wait").textContent = ticket.eta_minutes && !ticket.position
      ? t("you_are_next")
      : etaText(ticket.eta_minutes);
    $("ticket-qr").src = "/kiosk/qr/" + encodeURIComponent(ticket.token) + ".svg";
    show("screen-ticket");
    watchPrint(ticket.print_job);
    clearTimeout(backTimer);
    backTimer = setTimeout(function () { resetToStart(true); }, TICKET_SCREEN_MS);
  }

  function printStatus(key, state) {
    const line = $("print-status");
    line.textContent = t(key);
    line.dataset.state = state;
  }

  function watchPrint(job) {
    if (!job) { printStatus("no_printer", "none"); return; }
    printStatus("printing", "printing");
    const started = Date.now();
    const shownCode = $("ticket-code").textContent;
    async function poll() {
      if ($("screen-ticket").hidden || $("ticket-code").textContent !== shownCode) return;
      let current = null;
      try { current = await SiraApi.get("/api/v1/print-jobs/" + job.id); } catch (error) { /* offline: keep trying */ }
      if (current && current.status === "printed") { printStatus("printed", "printed"); return; }
      // "Not printed" only once the server has given the job up (it then never prints), or its
      // give-up time has passed; a failed attempt that will be retried is still "printing".
      if ((current && current.status === "failed") ||
          Date.now() - started > setup.print_give_up_s * 1000 + PRINT_MARGIN_MS) {
        printStatus("print_failed", "failed");
        return;
      }
      setTimeout(poll, 500);
    }
    setTimeout(poll, 250);
  }

  async function start() {
    // pointerdown too: the on-screen keyboard's keys act on it, not on click.
    ["pointerdown", "click"].forEach(function (kind) {
      document.addEventListener(kind, dropEarlyTap, true);
    });
    await SiraLive.adoptDeviceToken();
    language = (STRINGS[document.documentElement.lang] && document.documentElement.lang) || "en";
    translatePage(); // the offline screen may be needed before the setup ever loads
    for (;;) {
      try {
        setup = await SiraApi.get("/api/v1/kiosk");
        break;
      } catch (error) {
        if (error.status === 401 || error.status === 403) {
          $("message-text").textContent = t("not_paired");
          $("retry").hidden = true;
          show("screen-message");
          return;
        }
        setOnline(false);
        await new Promise(function (resolve) { setTimeout(resolve, 3000); });
      }
    }
    $("store-name").textContent = setup.branch.name;
    keys = SiraKeyboard.attach($("keyboard"), $("customer-name"));
    language = setup.branch.default_language;
    services = setup.services;
    showPrinter(setup.device);
    if (setup.join) {
      $("kiosk-join-qr").src = setup.join.qr;
      $("kiosk-join").hidden = false;
    }
    setOnline(true);
    resetToStart(false);
    SiraLive.connect({
      rooms: ["branch:" + setup.branch.id],
      events: ["queue", "device", "setup"],
      onState: function (room, state) { if (state.services) mergeServices(state.services); },
      onEvent: function (name, data) {
        if (name === "queue" && data.services) mergeServices(data.services);
        if (name === "setup") reloadSetup();
        if (name === "device" && data.device && data.device.id === setup.device.id) {
          showPrinter(data.device);
        }
      },
      onStatus: function (status) { setOnline(status === "online"); },
    });
    $("done").addEventListener("click", function () { resetToStart(true); });
    document.querySelectorAll(".kiosk-back").forEach(function (button) {
      button.addEventListener("click", back);
    });
    $("issue").addEventListener("click", function () { issue(true); });
    $("skip-name").addEventListener("click", function () { issue(false); });
    ["pointerdown", "keydown"].forEach(function (kind) {
      document.addEventListener(kind, touched, { passive: true });
    });
    touched();
  }

  start();
})();
