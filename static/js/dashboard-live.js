// Manager dashboard, live view: follow the branch room and redraw the panel after each change;
// between changes, let the longest waits tick and turn red when they pass their target.
(function () {
  "use strict";

  const panel = document.getElementById("live-panel");
  const offline = document.getElementById("offline");
  if (!panel) return;
  const branchId = panel.dataset.branchId;
  let clockOffsetMs = 0;
  let pending = null;

  function formatDuration(seconds) {
    const whole = Math.max(0, Math.round(seconds));
    const hours = Math.floor(whole / 3600);
    const minutes = Math.floor((whole % 3600) / 60);
    const secs = String(whole % 60).padStart(2, "0");
    return hours ? hours + ":" + String(minutes).padStart(2, "0") + ":" + secs : minutes + ":" + secs;
  }

  function syncClock() {
    const totals = panel.querySelector("[data-now]");
    if (totals) clockOffsetMs = Date.parse(totals.dataset.now) - Date.now();
  }

  function tick() {
    const now = Date.now() + clockOffsetMs;
    panel.querySelectorAll(".longest-wait[data-oldest]").forEach(function (cell) {
      if (!cell.dataset.oldest) return;
      const waited = (now - Date.parse(cell.dataset.oldest)) / 1000;
      cell.textContent = formatDuration(waited);
      cell.closest("tr").classList.toggle("over-target", waited > Number(cell.dataset.target));
    });
  }

  async function redraw() {
    pending = null;
    const response = await fetch(panel.dataset.panelUrl, { credentials: "same-origin" });
    if (!response.ok) return;
    panel.innerHTML = await response.text();
    panel.dataset.seq = String(live.lastSeq());
    syncClock();
    tick();
  }

  // Several changes in a burst make one redraw.
  function redrawSoon() {
    if (pending === null) pending = setTimeout(redraw, 300);
  }

  const live = SiraLive.connect({
    rooms: ["branch:" + branchId],
    onState: redrawSoon,
    onEvent: redrawSoon,
    onStatus: function (status) {
      offline.hidden = status === "online";
    },
  });
  syncClock();
  setInterval(tick, 1000);
})();
