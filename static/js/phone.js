// The customer's phone page: their ticket live over the ticket:<token> room. When called it
// says which counter to go to, with a vibration and a chime where the phone allows; after
// service it offers the rating page.
(function () {
  "use strict";

  const RECHECK_MS = 60 * 1000; // estimates drift as others are served: reload now and then

  const root = document.getElementById("phone");
  const labels = JSON.parse(root.dataset.labels);
  let ticket = JSON.parse(root.dataset.ticket);
  const el = function (id) { return document.getElementById(id); };
  const chime = new Audio("/static/sounds/chime.wav");

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, name) { return values[name]; });
  }

  function render() {
    const status = ticket.status;
    root.dataset.status = status;
    el("status").textContent = labels["status_" + status] || status;
    el("ahead").textContent = "";
    el("eta").textContent = "";
    const names = (ticket.counter && ticket.counter.names) || {};
    const counter = ticket.counter
      ? names[document.documentElement.lang] || ticket.counter.name
      : "";
    if (status === "waiting") {
      el("message").textContent = labels.waiting;
      const position = ticket.position || 0;
      el("ahead").textContent =
        position === 0 ? labels.next
        : position === 1 ? labels.one_ahead
        : fill(labels.ahead, { n: position });
      el("eta").textContent = etaText(ticket.eta_minutes);
    } else if (status === "called") {
      el("message").textContent = fill(labels.called, { counter: counter });
    } else if (status === "serving") {
      el("message").textContent = fill(labels.serving, { counter: counter });
    } else {
      el("message").textContent = labels[status] || "";
    }
    el("rate").hidden = status !== "done";
    document.dispatchEvent(new CustomEvent("sira:ticket", { detail: ticket }));
  }

  // The server's eta_minutes: [n, n] about n minutes, [lo, hi] a range, null no counter open.
  function etaText(minutes) {
    if (!minutes) return labels.eta_closed;
    if (minutes[0] !== minutes[1]) return fill(labels.eta_range, { lo: minutes[0], hi: minutes[1] });
    return minutes[0] < 1 ? labels.eta_soon : fill(labels.eta, { n: minutes[0] });
  }

  function alertCustomer() {
    // browsers refuse (and log) a vibration before the person has touched the page
    const touched = !navigator.userActivation || navigator.userActivation.hasBeenActive;
    if (navigator.vibrate && touched) navigator.vibrate([400, 150, 400]);
    const playing = chime.play();
    if (playing) playing.catch(function () {}); // phones may refuse sound without a tap
  }

  function onEvent(name, data) {
    if (name === "ticket" && data.ticket.token === ticket.token) {
      ticket = data.ticket;
      render();
    } else if (name === "called") {
      ticket = Object.assign({}, ticket, {
        status: "called", counter: data.counter, position: null, eta_s: null,
      });
      render();
      alertCustomer();
    } else if (name === "rate") {
      el("rate").hidden = false;
    }
  }

  const live = SiraLive.connect({
    rooms: ["ticket:" + ticket.token],
    events: ["ticket", "called", "rate"],
    onState: function (room, state) {
      ticket = state.ticket;
      render();
    },
    onEvent: onEvent,
    onStatus: function (status) { el("offline").hidden = status !== "offline"; },
  });
  setInterval(function () { live.resync(); }, RECHECK_MS);
  // A phone that slept may have missed events: catch up as soon as it is looked at again.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") live.resync();
  });
  // For the page's actions (phone-actions.js): show a ticket the server returned, alert.
  window.SiraPhone = {
    update: function (changed) { ticket = changed; render(); },
    alert: alertCustomer,
  };
  render();
})();
