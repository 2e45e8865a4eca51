// The counter workstation: the ticket in hand, the queues this counter serves, and the moves.
// The counter's state comes from the server (the counter:<id> room and GET /api/v1/counters/<id>),
// never from what this page guesses, so two people at one counter always see the same thing.
// One request at a time: while a move is on its way every button is disabled, so a double
// click can never call two tickets.
(function () {
  "use strict";

  const COUNTER_KEY = "sira.counter";
  const COLLAPSED_KEY = "sira.collapsedQueues";
  const root = document.getElementById("workstation");
  const labels = JSON.parse(root.dataset.labels);
  const counters = JSON.parse(root.dataset.counters);
  const services = JSON.parse(root.dataset.services);
  const branchId = Number(root.dataset.branchId);
  const el = function (id) { return document.getElementById(id); };

  let counterId = null;
  let state = null; // the counter's state as last received
  let clockOffset = 0; // server time minus this device's time
  let working = false; // a move is on its way
  let live = null;
  let refreshTimer = null;
  // While the page is open at a counter it says so every few seconds; the server closes a
  // counter whose workstation has gone quiet for its grace period.
  const HEARTBEAT_MS = 15000;
  let heartbeatTimer = null;
  let waitingBefore = null; // service id → how many waited at the last drawing
  let queuesShown = null; // what the queues showed at the last drawing (renderQueues)
  const joinedAt = {}; // service id → when someone joined its empty queue (highlighted a while)
  const JOINED_HIGHLIGHT_MS = 5000;
  const collapsed = new Set(JSON.parse(localStorage.getItem(COLLAPSED_KEY) || "[]"));

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, name) { return values[name]; });
  }

  function serverNow() {
    return Date.now() + clockOffset;
  }

  function duration(seconds) {
    seconds = Math.max(0, Math.round(seconds));
    const minutes = Math.floor(seconds / 60);
    const rest = String(seconds % 60).padStart(2, "0");
    if (minutes < 60) return minutes + ":" + rest;
    return Math.floor(minutes / 60) + "h " + String(minutes % 60).padStart(2, "0") + "m";
  }

  function serviceName(service) {
    const known = services.find(function (s) { return s.id === service.id; }) || service;
    return (known.names && known.names[root.dataset.lang]) || known.name;
  }

  // A time of day as the branch's clock shows it, whatever this PC's time zone.
  function clockTime(timestamp) {
    return new Date(timestamp).toLocaleTimeString(root.dataset.lang, {
      hour: "2-digit", minute: "2-digit", timeZone: root.dataset.timezone,
    });
  }

  function secondsSince(timestamp, until) {
    return ((until === undefined ? serverNow() : until) - Date.parse(timestamp)) / 1000;
  }

  // -- choosing the counter ----------------------------------------------------------------

  function chooseCounter() {
    const asked = Number(new URLSearchParams(location.search).get("counter"));
    const remembered = Number(localStorage.getItem(COUNTER_KEY));
    const known = function (id) { return counters.some(function (c) { return c.id === id; }); };
    if (known(asked)) return asked;
    if (known(remembered)) return remembered;
    return null;
  }

  function showPicker() {
    el("picker").hidden = false;
    el("desk-main").hidden = true;
    const list = el("picker-list");
    list.replaceChildren.apply(
      list,
      counters.filter(function (c) { return c.active; }).map(function (counter) {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = counter.name;
        button.dataset.counterId = counter.id;
        button.addEventListener("click", function () { useCounter(counter.id); });
        return button;
      })
    );
  }

  function useCounter(id) {
    localStorage.setItem(COUNTER_KEY, String(id));
    if (live) {
      live.socket.disconnect();
      live = null;
    }
    counterId = id;
    state = null;
    waitingBefore = null;
    queuesShown = null;
    el("picker").hidden = true;
    el("desk-main").hidden = false;
    el("counter-name").textContent = counters.find(function (c) { return c.id === id; }).name;
    live = SiraLive.connect({
      rooms: ["counter:" + id, "branch:" + branchId],
      events: ["queue", "called", "ticket", "counter"],
      onState: function (room, roomState) {
        if (room.startsWith("counter:")) apply(roomState);
      },
      onEvent: function (name, data) {
        scheduleRefresh();
        if (name === "ticket" && ["finished", "no_show"].indexOf(data.kind) !== -1) loadToday();
      },
      onStatus: function (status) { el("offline").hidden = status !== "offline"; },
    });
    openCounter();
    clearInterval(heartbeatTimer);
    heartbeatTimer = setInterval(heartbeat, HEARTBEAT_MS);
    loadToday();
  }

  // Signing in at the counter opens it (and closes any other this person was at).
  async function openCounter() {
    try {
      await SiraApi.post("/api/v1/counters/" + counterId + "/open");
    } catch (error) {
      showNotice(error.message, error.status);
    }
    scheduleRefresh();
  }

  function heartbeat() {
    if (!live || counterId === null) return;
    live.socket.emit("heartbeat", { counter_id: counterId }, function (ack) {
      if (ack && ack.ok && !ack.open) scheduleRefresh(); // closed meanwhile: show it
    });
  }

  function renderStaffing() {
    const counter = state.counter;
    const closed = !counter.staffed_by || counter.staffed_by.id !== Number(root.dataset.userId);
    el("closed-banner").hidden = !closed;
    el("closed-text").textContent = counter.staffed_by
      ? fill(labels.counter_taken, { name: counter.staffed_by.name })
      : labels.counter_closed;
    el("open-counter").textContent = labels.open_counter;
  }

  // -- the counter's state -----------------------------------------------------------------

  // Events only say that something changed; the counter's full state is read again, at most
  // once per burst of events.
  function scheduleRefresh() {
    if (refreshTimer) return;
    refreshTimer = setTimeout(refresh, 80);
  }

  async function refresh() {
    refreshTimer = null;
    if (counterId === null) return;
    try {
      apply(await SiraApi.get("/api/v1/counters/" + counterId));
    } catch (error) {
      showNotice(error.message, error.status);
    }
  }

  function apply(next) {
    if (!next || next.counter.id !== counterId) return;
    if (state && next.seq < state.seq) return; // an older answer overtaken by a newer one
    state = next;
    clockOffset = Date.parse(next.now) - Date.now();
    render();
  }

  async function loadToday() {
    if (counterId === null) return;
    try {
      const today = await SiraApi.get("/api/v1/counters/" + counterId + "/today");
      let text = fill(labels.served_today, { n: today.served });
      if (today.avg_service_s !== null) {
        text += " · " + fill(labels.avg_service, { time: duration(today.avg_service_s) });
      }
      el("today").textContent = text;
    } catch (error) {
      el("today").textContent = "";
    }
  }

  // -- drawing -----------------------------------------------------------------------------

  function render() {
    if (!state) return;
    renderPause();
    renderUndo();
    renderCurrent();
    renderQueues();
    renderButtons();
  }

  // A finish or no-show of a moment ago can be taken back (Z) until the server's deadline.
  function renderUndo() {
    const undo = state.undo;
    const left = undo ? Math.ceil((Date.parse(undo.until) - serverNow()) / 1000) : 0;
    el("undo-bar").hidden = left <= 0;
    el("action-undo").disabled = left <= 0 || working;
    if (left <= 0) return;
    el("undo-text").textContent = fill(labels["undo_" + undo.kind], { code: undo.code }) + " " +
      fill(labels.undo_left, { n: left });
  }

  function renderPause() {
    renderStaffing();
    const counter = state.counter;
    const banner = el("paused-banner");
    banner.hidden = !counter.paused_at;
    if (counter.paused_at) {
      const since = clockTime(counter.paused_at);
      banner.textContent = fill(labels.paused_since, {
        time: since,
        reason: counter.pause_reason === "other" ? counter.pause_note
          : labels.pause_reasons[counter.pause_reason] || counter.pause_reason,
      });
    }
    root.classList.toggle("is-paused", Boolean(counter.paused_at));
  }

  function renderCurrent() {
    const ticket = state.current;
    el("current").hidden = !ticket;
    el("no-current").hidden = Boolean(ticket);
    if (!ticket) return;
    el("current-code").textContent = ticket.code;
    el("current-status").textContent = labels["status_" + ticket.status] || ticket.status;
    el("current-status").dataset.status = ticket.status;
    el("current-priority").hidden = !ticket.priority;
    el("current-priority").textContent = labels["priority_" + ticket.priority] || labels.priority;
    el("current-transferred").hidden = !ticket.transferred;
    el("current-channel").replaceChildren.apply(el("current-channel"), phoneBadges(ticket));
    el("current-service").textContent = ticket.service.prefix + " · " + serviceName(ticket.service);
    el("current-name").textContent = ticket.customer_name || "";
    renderTimes();
    const notes = el("current-notes");
    notes.replaceChildren.apply(
      notes,
      ticket.history.filter(function (e) { return e.kind === "transferred" && e.data.note; })
        .map(function (event) {
          const item = document.createElement("li");
          item.textContent = fill(labels.note, {
            who: event.user_name || event.counter_name || "",
            note: event.data.note,
          });
          return item;
        })
    );
    const history = el("current-history");
    history.replaceChildren.apply(
      history,
      ticket.history.map(function (event) {
        const item = document.createElement("li");
        const parts = [clockTime(event.at), labels["kind_" + event.kind] || event.kind];
        if (event.data.out_of_turn) parts.push(labels.out_of_turn);
        if (event.counter_name) parts.push(event.counter_name);
        if (event.user_name) parts.push(event.user_name);
        item.textContent = parts.join(" · ");
        return item;
      })
    );
  }

  function renderTimes() {
    const ticket = state && state.current;
    if (!ticket) return;
    const waited = secondsSince(ticket.queued_at, Date.parse(ticket.called_at));
    const parts = [
      fill(labels.waited, { time: duration(waited) }),
      fill(labels.at_counter, { time: duration(secondsSince(ticket.called_at)) }),
    ];
    if (ticket.recall_count) parts.push(fill(labels.recalled, { n: ticket.recall_count }));
    el("current-times").textContent = parts.join(" · ");
  }

  function waitClass(seconds, target) {
    if (seconds >= target) return "wait-over";
    if (seconds >= target * 0.75) return "wait-near";
    return "wait-ok";
  }

  // Each queue folds away (remembered on this device); a queue that was empty and now has
  // someone flashes, with the chime, so nobody waits unseen behind a folded or idle queue.
  function renderQueues() {
    const box = el("queues");
    const callable = !working && !state.current && !state.counter.paused_at;
    // Redrawn only when what it shows has changed: a busy branch refreshes the desk several
    // times a second, and a redraw under the staff member's finger loses what they aim at.
    const shown = JSON.stringify([
      callable,
      state.services.map(function (s) { return [s.id, s.prefix, s.target_wait_s]; }),
      state.waiting.map(function (t) {
        return [t.id, t.service_id, t.customer_name, t.priority, t.transferred, t.channel,
          t.more_time_count, t.on_my_way_at, t.queued_at];
      }),
    ]);
    if (shown === queuesShown) {
      renderWaits();
      return;
    }
    queuesShown = shown;
    const counts = {};
    const joined = [];
    box.replaceChildren.apply(
      box,
      state.services.map(function (service) {
        const section = document.createElement("details");
        section.className = "queue";
        section.dataset.serviceId = service.id;
        section.open = !collapsed.has(service.id);
        section.addEventListener("toggle", function () {
          if (section.open) collapsed.delete(service.id);
          else collapsed.add(service.id);
          localStorage.setItem(COLLAPSED_KEY, JSON.stringify(Array.from(collapsed)));
        });
        const heading = document.createElement("summary");
        const tickets = state.waiting.filter(function (t) { return t.service_id === service.id; });
        counts[service.id] = tickets.length;
        if (waitingBefore && waitingBefore[service.id] === 0 && tickets.length > 0) {
          joinedAt[service.id] = Date.now();
          joined.push(serviceName(service));
        }
        if (!tickets.length) delete joinedAt[service.id];
        heading.textContent = service.prefix + " · " + serviceName(service) + " — " +
          fill(labels.waiting_count, { n: tickets.length }) + " (" +
          fill(labels.target, { time: duration(service.target_wait_s) }) + ")";
        const list = document.createElement("ol");
        list.className = "queue-list";
        tickets.forEach(function (ticket) {
          const item = document.createElement("li");
          item.dataset.ticketId = ticket.id;
          item.dataset.code = ticket.code;
          const code = document.createElement("span");
          code.className = "code";
          code.textContent = ticket.code;
          const name = document.createElement("span");
          name.className = "name";
          name.textContent = ticket.customer_name || "";
          const badges = document.createElement("span");
          badges.className = "badges";
          if (ticket.priority) {
            const need = badge(labels.priority, "priority");
            need.title = labels["priority_" + ticket.priority] || labels.priority;
            badges.append(need);
          }
          if (ticket.transferred) badges.append(badge(labels.transferred, "transferred"));
          phoneBadges(ticket).forEach(function (mark) { badges.append(mark); });
          const wait = document.createElement("span");
          wait.className = "wait";
          wait.dataset.queuedAt = ticket.queued_at;
          wait.dataset.target = service.target_wait_s;
          const call = document.createElement("button");
          call.type = "button";
          call.className = "secondary call-this";
          call.textContent = labels.call_this;
          call.disabled = !callable;
          call.addEventListener("click", function () {
            act("/api/v1/counters/" + counterId + "/call/" + ticket.id);
          });
          item.append(code, name, badges, wait, call);
          list.append(item);
        });
        if (!tickets.length) {
          const empty = document.createElement("li");
          empty.className = "empty";
          empty.textContent = labels.nobody_waiting;
          list.append(empty);
        }
        section.append(heading, list);
        return section;
      })
    );
    waitingBefore = counts;
    if (joined.length) announceJoin(joined);
    renderWaits();
  }

  function announceJoin(serviceNames) {
    el("joined").textContent = serviceNames.map(function (name) {
      return fill(labels.someone_joined, { service: name });
    }).join(" · ");
    clearTimeout(announceJoin.timer);
    announceJoin.timer = setTimeout(function () { el("joined").textContent = ""; }, 8000);
    const chime = new Audio(root.dataset.chime);
    chime.play().catch(function () { /* sound blocked until the page is touched: the flash stays */ });
  }

  // A ticket taken from a phone, how often its holder asked for more time, and whether they
  // said they are on their way.
  function phoneBadges(ticket) {
    if (ticket.channel !== "phone") return [];
    const marks = [badge(labels.phone, "phone")];
    if (ticket.more_time_count) {
      marks.push(badge(fill(labels.more_time, { n: ticket.more_time_count }), "more-time"));
    }
    if (ticket.on_my_way_at) marks.push(badge(labels.on_my_way, "on-my-way"));
    return marks;
  }

  function badge(text, kind) {
    const span = document.createElement("span");
    span.className = "badge " + kind;
    span.textContent = text;
    return span;
  }

  // The waits tick and a queue's "someone joined" highlight ends in place, every second,
  // without redrawing the queues under the staff member's finger.
  function renderWaits() {
    document.querySelectorAll(".queue").forEach(function (section) {
      const since = Date.now() - (joinedAt[section.dataset.serviceId] || -Infinity);
      section.classList.toggle("just-joined", since < JOINED_HIGHLIGHT_MS);
    });
    document.querySelectorAll(".queue-list .wait").forEach(function (wait) {
      const seconds = secondsSince(wait.dataset.queuedAt);
      wait.textContent = duration(seconds);
      wait.className = "wait " + waitClass(seconds, Number(wait.dataset.target));
    });
  }

  // Why each move cannot apply now, or null when it can.
  function reasons() {
    const ticket = state.current;
    const paused = Boolean(state.counter.paused_at);
    const none = labels.why_no_ticket;
    const status = ticket && ticket.status;
    const code = ticket ? ticket.code : "";
    return {
      "call-next": paused ? labels.why_paused
        : ticket ? fill(labels.why_busy, { code: code })
        : !state.waiting.length ? labels.why_nobody : null,
      recall: !ticket ? none : status !== "called" ? fill(labels.why_serving, { code: code }) : null,
      start: !ticket ? none : status !== "called" ? fill(labels.why_serving, { code: code }) : null,
      finish: !ticket ? none : status !== "serving" ? fill(labels.why_not_started, { code: code })
        : null,
      "no-show": !ticket ? none : status !== "called" ? fill(labels.why_serving, { code: code })
        : null,
      park: !ticket ? none : null,
      transfer: !ticket ? none : null,
      pause: null,
    };
  }

  function renderButtons() {
    const why = reasons();
    Object.keys(why).forEach(function (action) {
      const button = el("action-" + action);
      const reason = working ? labels.why_working : why[action];
      button.disabled = reason !== null;
      button.title = reason || "";
      // "No ticket in hand" is said once, in the in-hand panel, not under every button.
      const shown = why[action] === labels.why_no_ticket ? "" : why[action];
      el("why-" + action).textContent = working ? "" : shown || "";
    });
    const recallCount = state.current ? state.current.recall_count : 0;
    el("action-recall").querySelector(".label").textContent =
      recallCount ? fill(labels.recall_n, { n: recallCount }) : el("action-recall").dataset.label;
    el("action-pause").querySelector(".label").textContent =
      state.counter.paused_at ? labels.resume : labels.pause;
    document.querySelectorAll(".call-this").forEach(function (button) {
      button.disabled = working || Boolean(state.current) || Boolean(state.counter.paused_at);
    });
    renderUndo();
  }

  // -- moves -------------------------------------------------------------------------------

  async function act(url, body) {
    if (working) return null;
    working = true;
    hideNotice();
    renderButtons();
    try {
      const result = await SiraApi.post(url, body);
      await refresh();
      return result;
    } catch (error) {
      showNotice(error.message, error.status);
      await refresh();
      return null;
    } finally {
      working = false;
      if (state) renderButtons();
    }
  }

  function ticketUrl(move) {
    return "/api/v1/tickets/" + state.current.id + "/" + move;
  }

  const moves = {
    "call-next": async function () {
      const ticket = await act("/api/v1/counters/" + counterId + "/call-next");
      if (ticket === null && !el("notice").textContent) showNotice(labels.nobody_to_call);
    },
    recall: function () { return act(ticketUrl("recall")); },
    start: function () { return act(ticketUrl("start")); },
    finish: function () { return act(ticketUrl("finish")); },
    "no-show": function () { return act(ticketUrl("no-show")); },
    park: function () { return act(ticketUrl("park")); },
    undo: function () { return act("/api/v1/counters/" + counterId + "/undo"); },
    transfer: openTransfer,
    pause: function () {
      if (state.counter.paused_at) return act("/api/v1/counters/" + counterId + "/resume");
      el("pause-dialog").showModal();
    },
  };

  function openTransfer() {
    const select = el("transfer-service");
    select.replaceChildren.apply(
      select,
      services.filter(function (s) { return s.id !== state.current.service_id; })
        .map(function (service) {
          const option = document.createElement("option");
          option.value = service.id;
          option.textContent = service.prefix + " · " + serviceName(service);
          return option;
        })
    );
    el("transfer-note").value = "";
    el("transfer-dialog").showModal();
  }

  function run(action) {
    const button = el("action-" + action);
    if (button.disabled || !state) return;
    moves[action]();
  }

  // A signed-out session (expired, or signed out elsewhere) goes back to the sign-in form, once:
  // a second refusal on its way (a refresh, a heartbeat) must not abort that navigation.
  let leaving = false;
  function showNotice(message, status) {
    if (status === 401) {
      if (!leaving) {
        leaving = true;
        location.href = "/login?next=" + encodeURIComponent(location.pathname + location.search);
      }
      return;
    }
    el("notice").textContent = message;
    el("notice").hidden = false;
  }

  function hideNotice() {
    el("notice").textContent = "";
    el("notice").hidden = true;
  }

  // -- wiring ------------------------------------------------------------------------------

  document.querySelectorAll("[data-action]").forEach(function (button) {
    button.dataset.label = button.querySelector(".label").textContent;
    button.disabled = true; // until the counter's state has arrived
    button.addEventListener("click", function () { run(button.dataset.action); });
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    if (document.querySelector("dialog[open]")) return;
    if (event.target.closest("input, textarea, select")) return;
    const button = document.querySelector('[data-key="' + event.key.toUpperCase() + '"]');
    if (!button || el("desk-main").hidden) return;
    event.preventDefault();
    run(button.dataset.action);
  });

  el("transfer-form").addEventListener("submit", function () {
    const serviceId = Number(el("transfer-service").value);
    const note = el("transfer-note").value.trim();
    act(ticketUrl("transfer"), { service_id: serviceId, note: note || null });
  });
  el("transfer-cancel").addEventListener("click", function () { el("transfer-dialog").close(); });

  el("pause-form").addEventListener("submit", function () {
    const chosen = el("pause-form").querySelector('input[name="reason"]:checked');
    const reason = chosen ? chosen.value : "other";
    const note = reason === "other" ? el("pause-other").value.trim() : null;
    act("/api/v1/counters/" + counterId + "/pause", { reason: reason, note: note });
  });
  el("pause-other").addEventListener("input", function () {
    el("pause-other-choice").checked = true;
  });
  el("pause-cancel").addEventListener("click", function () { el("pause-dialog").close(); });
  el("change-counter").addEventListener("click", showPicker);
  el("open-counter").addEventListener("click", openCounter);

  setInterval(function () {
    if (!state) return;
    renderTimes();
    renderWaits();
    renderUndo();
  }, 1000);

  const chosen = chooseCounter();
  if (chosen === null) showPicker();
  else useCounter(chosen);
})();
