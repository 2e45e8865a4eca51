// The holder's actions on the phone page: "I need more time" (at most twice), "Leave the
// queue", and near the front "Are you on your way?" with a vibration and a chime, asked once.
(function () {
  "use strict";

  const root = document.getElementById("phone");
  const labels = JSON.parse(root.dataset.labels);
  const nearFront = Number(root.dataset.onYourWay);
  const moreTimeLimit = Number(root.dataset.moreTimeLimit);
  const prompt = document.getElementById("on-your-way");
  const actions = document.getElementById("actions");
  const message = document.getElementById("action-message");
  let ticket = JSON.parse(root.dataset.ticket);

  function asked() { return localStorage.getItem("sira-on-your-way:" + ticket.token) === "1"; }

  function show(current) {
    ticket = current;
    const waiting = ticket.status === "waiting";
    const near = waiting && ticket.position !== null && ticket.position <= nearFront;
    if (near && !asked()) {
      localStorage.setItem("sira-on-your-way:" + ticket.token, "1");
      prompt.hidden = false;
      window.SiraPhone.alert();
    }
    if (!waiting) prompt.hidden = true;
    drawButtons();
  }

  // "I need more time" is offered once on screen: in the question while it is asked.
  function drawButtons() {
    const waiting = ticket.status === "waiting";
    const moreTimeLeft = (ticket.more_time_count || 0) < moreTimeLimit;
    actions.hidden = !waiting;
    prompt.querySelector('[data-move="more-time"]').hidden = !moreTimeLeft;
    document.getElementById("more-time").hidden = !moreTimeLeft || !prompt.hidden;
  }

  async function move(name) {
    if (name === "leave" && !window.confirm(labels.leave_confirm)) return;
    message.textContent = "";
    try {
      const changed = await SiraApi.post(
        "/api/v1/tickets/" + encodeURIComponent(ticket.token) + "/" + name
      );
      prompt.hidden = true;
      window.SiraPhone.update(changed);
      drawButtons();
      message.textContent = name === "leave" ? labels.left : labels.more_time_done;
    } catch (error) {
      message.textContent = error.status ? error.message : labels.failed;
    }
  }

  document.querySelectorAll("[data-move]").forEach(function (button) {
    button.addEventListener("click", function () { move(button.dataset.move); });
  });
  document.getElementById("on-my-way").addEventListener("click", async function () {
    prompt.hidden = true;
    drawButtons();
    try {
      await SiraApi.post("/api/v1/tickets/" + encodeURIComponent(ticket.token) + "/on-my-way");
      message.textContent = labels.on_my_way;
    } catch (error) {
      message.textContent = error.status ? error.message : labels.failed;
    }
  });
  document.addEventListener("sira:ticket", function (event) { show(event.detail); });
  show(ticket);
})();
