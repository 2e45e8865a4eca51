// The counter-top feedback screen. It follows its counter's room and shows, in turn:
// idle (counter name, welcome) → greeting while a customer is served → the rating prompt when
// service ends → thank you → idle. Every new ticket wipes what the previous customer saw or typed.
(function () {
  "use strict";

  const main = document.getElementById("feedback");
  const offline = document.getElementById("offline");
  const steps = ["unpaired", "idle", "greeting", "rating", "thanks"];
  const idleAfterMs = Number(main.dataset.idleAfterMs);
  const promptTimeoutMs = Number(main.dataset.promptTimeoutMs);
  let current = null; // the token of the ticket this screen is about, if any
  let timer = null;
  let form = null;

  function show(step) {
    steps.forEach(function (name) {
      document.getElementById("step-" + name).hidden = name !== step;
    });
    main.dataset.step = step;
  }

  function later(ms, action) {
    clearTimeout(timer);
    timer = setTimeout(action, ms);
  }

  function idle() {
    clearTimeout(timer);
    current = null;
    form.reset();
    document.getElementById("greeting").textContent = "";
    show("idle");
  }

  function firstName(name) {
    return (name || "").trim().split(/\s+/)[0] || "";
  }

  function greet(ticket) {
    const heading = document.getElementById("greeting");
    const name = firstName(ticket.customer_name);
    heading.textContent = name ? heading.dataset.named.replace("{name}", name) : heading.dataset.plain;
    show("greeting");
  }

  function thanks() {
    form.reset();
    current = null;
    show("thanks");
    later(idleAfterMs, idle);
  }

  // Left alone at the prompt: keep a chosen score, otherwise go back to idle.
  function promptTimedOut() {
    if (form.pending()) {
      form.send();
    } else {
      idle();
    }
  }

  function prompt(token) {
    if (current !== token) form.reset();
    current = token;
    show("rating");
    later(promptTimeoutMs, promptTimedOut);
  }

  // The rating of `token`; a second one (the phone was quicker) is no error for the screen.
  async function submit(token, rating) {
    try {
      await SiraApi.post("/api/v1/tickets/" + encodeURIComponent(token) + "/rating", rating);
    } catch (refused) {
      if (refused.status !== 409) throw refused;
    }
  }

  function onTicket(data) {
    const ticket = data.ticket;
    if (ticket.token !== current) {
      // A new customer: keep a score the last one chose, and wipe the screen of them.
      const left = main.dataset.step === "rating" ? form.pending() : null;
      if (left) submit(current, left).catch(function () {});
      form.reset();
      current = ticket.token;
    }
    if (ticket.status === "serving") {
      clearTimeout(timer);
      greet(ticket);
    } else if (ticket.status === "called") {
      clearTimeout(timer);
      show("idle");
    } else if (ticket.status !== "done") {
      idle(); // no-show, parked, transferred: nothing to rate here
    } else if (data.kind === "rated" && main.dataset.step === "rating") {
      thanks(); // rated on the phone first
    }
  }

  function setCounterName(name) {
    document.getElementById("counter-name").textContent = name;
    document.querySelectorAll("[data-counter-name]").forEach(function (el) {
      el.textContent = name;
    });
  }

  async function start() {
    await SiraLive.adoptDeviceToken();
    let me;
    try {
      me = await SiraApi.get("/api/v1/auth/me");
    } catch (refused) {
      show("unpaired");
      return;
    }
    if (me.role !== "feedback" || !me.counter_id) {
      show("unpaired");
      return;
    }
    form = SiraRatingForm.attach(document.getElementById("step-rating"), {
      send: async function (rating) {
        await submit(current, rating);
        thanks();
      },
      onActivity: function () { later(promptTimeoutMs, promptTimedOut); },
    });
    idle();
    SiraLive.connect({
      rooms: ["counter:" + me.counter_id],
      events: ["ticket", "rate"],
      onState: function (room, state) {
        setCounterName(state.counter.name);
        if (main.dataset.step === "rating" || main.dataset.step === "thanks") return;
        if (state.current && state.current.status === "serving") {
          current = state.current.token;
          greet(state.current);
        } else {
          idle();
        }
      },
      onEvent: function (name, data) {
        if (name === "ticket") onTicket(data);
        if (name === "rate") prompt(data.token);
      },
      onStatus: function (status) {
        offline.hidden = status === "online";
      },
    });
  }

  start();
})();
