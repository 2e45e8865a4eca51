// The join page: pick a service, join from the phone, land on the ticket's own page.
// A retry after a lost answer reuses the same Idempotency-Key, so it never makes two tickets.
(function () {
  "use strict";

  const REFRESH_MS = 30 * 1000; // queues move: refresh the counts now and then

  const root = document.getElementById("join");
  const form = document.getElementById("join-form");
  const errorBox = document.getElementById("join-error");
  const priority = document.getElementById("join-priority");
  const labels = JSON.parse(root.dataset.labels);
  const slug = root.dataset.slug;
  const language = root.dataset.language;
  const heldKey = "sira-ticket:" + slug;
  let idempotencyKey = null;

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, name) { return values[name]; });
  }

  function newKey() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }

  // The server's eta_minutes: [n, n] about n minutes, [lo, hi] a range, null no counter open.
  function etaText(minutes) {
    if (!minutes) return labels.eta_closed;
    if (minutes[0] !== minutes[1]) return fill(labels.eta_range, { lo: minutes[0], hi: minutes[1] });
    return minutes[0] < 1 ? labels.no_wait : fill(labels.eta, { n: minutes[0] });
  }

  function showQueue(label, service) {
    const queue = label.querySelector(".join-service-queue");
    queue.textContent = fill(labels.waiting, { n: service.waiting }) + " · " +
      etaText(service.eta_minutes);
    const input = label.querySelector("input");
    input.disabled = !service.open;
    if (service.open) label.removeAttribute("data-closed");
    else label.dataset.closed = service.closed_because || "";
    label.querySelector(".join-service-closed").textContent =
      service.open ? "" : (labels[service.closed_because] || "");
  }

  function drawFromPage() {
    form.querySelectorAll(".join-service").forEach(function (label) {
      const queue = label.querySelector(".join-service-queue");
      showQueue(label, {
        waiting: Number(queue.dataset.waiting),
        eta_minutes: JSON.parse(queue.dataset.etaMinutes),
        open: !label.hasAttribute("data-closed"),
        closed_because: label.dataset.closed || null,
      });
    });
  }

  async function refresh() {
    try {
      const info = await SiraApi.get("/api/v1/join/" + encodeURIComponent(slug));
      info.services.forEach(function (service) {
        const label = form.querySelector('[data-service-id="' + service.id + '"]');
        if (label) showQueue(label, service);
      });
    } catch (error) { /* keep what is shown; the next refresh may reach the server */ }
  }

  function chosen(name) {
    const input = form.querySelector('input[name="' + name + '"]:checked');
    return input ? input.value : "";
  }

  form.addEventListener("change", function (event) {
    if (event.target.name === "service_id" && priority) {
      priority.hidden = event.target.dataset.priority !== "1";
    }
    idempotencyKey = null; // a changed form is a new request
  });

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    errorBox.textContent = "";
    const serviceId = chosen("service_id");
    if (!serviceId) {
      errorBox.textContent = labels.choose;
      return;
    }
    idempotencyKey = idempotencyKey || newKey();
    const button = document.getElementById("join-submit");
    button.disabled = true;
    try {
      const ticket = await SiraApi.post(
        "/api/v1/join/" + encodeURIComponent(slug),
        {
          service_id: Number(serviceId),
          language: language,
          customer_name: form.elements.customer_name.value || null,
          priority: (priority && !priority.hidden && chosen("priority")) || null,
        },
        { "Idempotency-Key": idempotencyKey }
      );
      localStorage.setItem(heldKey, ticket.token);
      location.assign("/t/" + encodeURIComponent(ticket.token));
    } catch (error) {
      button.disabled = false;
      if (error.status === 0) {
        errorBox.textContent = labels.offline; // same key on the retry
        return;
      }
      idempotencyKey = null;
      errorBox.textContent = labels[error.code] || error.message || labels.failed;
      const held = localStorage.getItem(heldKey);
      if (error.code === "one_ticket_per_phone" && held) {
        document.getElementById("join-held-link").href = "/t/" + encodeURIComponent(held);
        document.getElementById("join-held").hidden = false;
      }
      if (error.code !== "rate_limited") refresh();
    }
  });

  drawFromPage();
  setInterval(refresh, REFRESH_MS);
})();
