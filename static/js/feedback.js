// The counter-top feedback screen. It follows its counter's room and shows, in turn:
// idle (counter name, welcome) → greeting while a customer is served → the rating prompt when
// service ends → thank you → idle. It speaks the customer's language (the page holds every
// language's steps in a "pack"), and every new ticket wipes what the previous customer saw or typed.
(function () {
  "use strict";

  const main = document.getElementById("feedback");
  const offline = document.getElementById("offline");
  const idleAfterMs = Number(main.dataset.idleAfterMs);
  const promptTimeoutMs = Number(main.dataset.promptTimeoutMs);
  const autoSendMs = Number(main.dataset.autoSendMs); // a face tapped, then this long untouched
  const packs = {};
  let pack = null; // the language pack on screen
  let current = null; // the ticket this screen is about: {token, language}
  let timer = null;

  function later(ms, action) {
    clearTimeout(timer);
    timer = setTimeout(action, ms);
  }

  // Show one step of one language's pack, hiding everything else.
  function show(step, language) {
    const next = packs[language] || packs[main.dataset.lang];
    Object.values(packs).forEach(function (other) {
      other.root.hidden = other !== next;
    });
    pack = next;
    pack.root.querySelectorAll(".step").forEach(function (section) {
      section.hidden = !section.classList.contains("step-" + step);
    });
    main.dataset.step = step;
  }

  function wipe() {
    Object.values(packs).forEach(function (each) {
      each.form.reset();
      each.root.querySelector(".greeting").textContent = "";
    });
  }

  function idle() {
    clearTimeout(timer);
    current = null;
    wipe();
    show("idle");
  }

  function firstName(name) {
    return (name || "").trim().split(/\s+/)[0] || "";
  }

  function greet(ticket) {
    show("greeting", ticket.language);
    const heading = pack.root.querySelector(".greeting");
    const name = firstName(ticket.customer_name);
    heading.textContent = name ? heading.dataset.named.replace("{name}", name) : heading.dataset.plain;
  }

  // Told twice when the `rated` event overtakes our own POST's answer: the first one stands
  // (the second no longer knows the customer's language).
  function thanks() {
    if (main.dataset.step === "thanks") return;
    const language = current && current.language;
    wipe();
    current = null;
    show("thanks", language);
    later(idleAfterMs, idle);
  }

  // The rating of `token`; a second one (the phone was quicker) is no error for the screen.
  async function submit(token, rating) {
    try {
      await SiraApi.post("/api/v1/tickets/" + encodeURIComponent(token) + "/rating", rating);
    } catch (refused) {
      if (refused.status !== 409) throw refused;
    }
  }

  // Left alone at the question: keep a score already chosen, otherwise go back to idle.
  function promptTimedOut() {
    if (pack.form.pending()) {
      pack.form.send();
    } else {
      idle();
    }
  }

  function prompt(token) {
    if (!current || current.token !== token) {
      wipe();
      current = { token: token, language: null };
    }
    show("rating", current.language);
    later(promptTimeoutMs, promptTimedOut);
  }

  function onTicket(data) {
    const ticket = data.ticket;
    if (!current || ticket.token !== current.token) {
      // A new customer: keep a score the last one chose, and wipe the screen of them.
      const left = main.dataset.step === "rating" ? pack.form.pending() : null;
      if (left && current) submit(current.token, left).catch(function () {});
      wipe();
      current = { token: ticket.token, language: ticket.language };
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

  // Each language's steps name the counter in that language, where it has a name in it.
  function setCounterName(counter) {
    Object.keys(packs).forEach(function (code) {
      packs[code].root.querySelectorAll(".counter-name").forEach(function (el) {
        el.textContent = (counter.names && counter.names[code]) || counter.name;
      });
    });
  }

  async function start() {
    await SiraLive.adoptDeviceToken();
    let me = null;
    try {
      me = await SiraApi.get("/api/v1/auth/me");
    } catch (refused) {
      me = null;
    }
    if (!me || me.role !== "feedback" || !me.counter_id) {
      document.getElementById("step-unpaired").hidden = false;
      main.dataset.step = "unpaired";
      return;
    }
    main.querySelectorAll(".lang-pack").forEach(function (root) {
      packs[root.dataset.lang] = {
        root: root,
        form: SiraRatingForm.attach(root.querySelector(".step-rating"), {
          send: async function (rating) {
            await submit(current.token, rating);
            thanks();
          },
          onActivity: function () { later(promptTimeoutMs, promptTimedOut); },
          autoSendMs: autoSendMs,
        }),
      };
    });
    // The screen shows its first step once subscribed, so nothing can be missed in between.
    const live = SiraLive.connect({
      rooms: ["counter:" + me.counter_id],
      events: ["ticket", "rate", "setup"],
      onState: function (room, state) {
        setCounterName(state.counter);
        if (main.dataset.step === "rating" || main.dataset.step === "thanks") return;
        if (state.current && state.current.status === "serving") {
          current = { token: state.current.token, language: state.current.language };
          greet(state.current);
        } else {
          idle();
        }
      },
      onEvent: function (name, data) {
        if (name === "ticket") onTicket(data);
        if (name === "rate") prompt(data.token);
        if (name === "setup") live.resync(); // the counter renamed: read its state again
      },
      onStatus: function (status) {
        offline.hidden = status === "online";
      },
    });
  }

  start();
})();
