// Sıra live connection, shared by every page: connect, subscribe to rooms, keep `seq` in order,
// and reload a room's state from the server whenever a change may have been missed.
//
//   const live = SiraLive.connect({ rooms: ["branch:1"], onState, onEvent, onStatus });
//
// onState(room, state)  — the room's full state: on subscribe, after a reconnect, after a gap
// onEvent(name, data)   — each event (queue, called, ticket, rate, device) in seq order
// onStatus("online" | "offline")
(function () {
  "use strict";

  // The page's session cookie makes this a cookie-borne write, so it carries the CSRF token.
  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  // A device opened with #token=… trades it for an HttpOnly cookie, then forgets it. A device
  // that boots before the server (or meets a proxy's 502) keeps the token and tries again.
  async function adoptDeviceToken() {
    const match = location.hash.match(/token=([^&]+)/);
    if (!match) return;
    history.replaceState(null, "", location.pathname + location.search);
    for (let delay = 1000; ; delay = Math.min(delay * 2, 30000)) {
      try {
        const response = await fetch("/api/v1/device/session", {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
          credentials: "same-origin",
          body: JSON.stringify({ token: decodeURIComponent(match[1]) }),
        });
        if (response.status < 500) return;
      } catch (unreachable) {
        // not up yet: wait and try again
      }
      await new Promise(function (resolve) { setTimeout(resolve, delay); });
    }
  }

  function connect(options) {
    const rooms = options.rooms || [];
    const onState = options.onState || function () {};
    const onEvent = options.onEvent || function () {};
    const onStatus = options.onStatus || function () {};
    const events = options.events || ["queue", "called", "ticket", "rate", "device"];
    let lastSeq = null;
    // The server joins a room before it reads the room's state, so events may come before
    // the acknowledgement that carries it: they wait, and are applied on top of the state.
    let subscribing = 0;
    let held = [];
    // A handshake that hangs (a server that died while accepting it) is given up after 10 s
    // and tried again: socket.io would wait 20 s, showing the page online all the while.
    const socket = io({ transports: ["websocket"], reconnectionDelayMax: 5000, timeout: 10000 });

    function subscribe(room) {
      subscribing += 1;
      socket.emit("subscribe", { room: room }, function (ack) {
        subscribing -= 1;
        if (!ack || !ack.ok) {
          onStatus("refused", ack && ack.error);
        } else {
          if (room.startsWith("branch:") || lastSeq === null || ack.seq > lastSeq) {
            lastSeq = ack.seq;
          }
          onState(room, ack.state);
        }
        if (subscribing === 0) {
          const waiting = held;
          held = [];
          waiting.forEach(function (event) { receive(event[0], event[1]); });
        }
      });
    }

    function resync() {
      rooms.forEach(subscribe);
    }

    function receive(name, data) {
      if (subscribing > 0) {
        held.push([name, data]);
        return;
      }
      const seq = data && data.seq;
      // Branch rooms see every change, so a jump in seq means something was missed. A paced
      // `queue` stands for every change from its `seq_from` on.
      const first = data && typeof data.seq_from === "number" ? data.seq_from : seq;
      const followsBranch = rooms.some(function (r) { return r.startsWith("branch:"); });
      if (followsBranch && typeof seq === "number" && lastSeq !== null && first > lastSeq + 1) {
        lastSeq = seq;
        resync();
        return;
      }
      // Changes committed at the same moment may be published out of order: a `queue`
      // older than what is shown is dropped; other events still happened, so they pass.
      if (name === "queue" && typeof seq === "number" && lastSeq !== null && seq < lastSeq) {
        return;
      }
      if (typeof seq === "number" && (lastSeq === null || seq > lastSeq)) lastSeq = seq;
      onEvent(name, data);
    }

    socket.on("connect", function () {
      onStatus("online");
      resync();
    });
    socket.on("disconnect", function () {
      // Acknowledgements lost with the connection never come: the reconnect's resync starts over.
      subscribing = 0;
      held = [];
      onStatus("offline");
    });
    socket.on("connect_error", function () {
      onStatus("offline");
    });
    events.forEach(function (name) {
      socket.on(name, function (data) { receive(name, data); });
    });
    return {
      socket: socket,
      resync: resync,
      lastSeq: function () { return lastSeq; },
    };
  }

  window.SiraLive = { connect: connect, adoptDeviceToken: adoptDeviceToken };
})();
