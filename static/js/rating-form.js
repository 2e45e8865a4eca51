// The rating steps shared by the feedback screen and the phone page: a face (1–5), then
// optional reason chips and a comment, then send. With `autoSendMs` (the counter-top screen)
// one tap on a face is enough: the rating goes by itself after that long without a touch.
//
//   const form = SiraRatingForm.attach(element, { send: async (rating) => {}, onActivity,
//                                                 autoSendMs });
//   form.reset();  // forget everything typed or chosen (a new customer is coming)
//   form.pending() // the rating chosen so far, or null
(function () {
  "use strict";

  function attach(root, options) {
    const faces = root.querySelectorAll(".face");
    const chips = root.querySelectorAll(".chip");
    const details = root.querySelector(".rating-details");
    const question = root.querySelector(".reasons-question");
    const comment = root.querySelector("textarea");
    const sendButton = root.querySelector(".rating-send");
    const error = root.querySelector(".rating-error");
    const onActivity = options.onActivity || function () {};
    const autoSendMs = options.autoSendMs || 0;
    const autoHint = root.querySelector(".rating-auto");
    let score = null;
    let sending = false;
    let autoTimer = null;

    // Every touch restarts the pause after which the rating sends itself.
    function touched() {
      onActivity();
      clearTimeout(autoTimer);
      if (autoSendMs && score !== null) autoTimer = setTimeout(send, autoSendMs);
    }

    function press(button, on) {
      button.setAttribute("aria-pressed", on ? "true" : "false");
    }

    function reset() {
      clearTimeout(autoTimer);
      score = null;
      sending = false;
      faces.forEach(function (face) { press(face, false); });
      chips.forEach(function (chip) { press(chip, false); });
      comment.value = "";
      details.hidden = true;
      if (autoHint) autoHint.hidden = !autoSendMs;
      error.hidden = true;
      error.textContent = "";
      sendButton.disabled = false;
    }

    function pending() {
      if (score === null) return null;
      const reasons = [];
      chips.forEach(function (chip) {
        if (chip.getAttribute("aria-pressed") === "true") reasons.push(chip.dataset.reason);
      });
      return { score: score, reasons: reasons, comment: comment.value.trim() || null };
    }

    async function send() {
      const rating = pending();
      if (rating === null || sending) return;
      clearTimeout(autoTimer);
      sending = true;
      sendButton.disabled = true;
      try {
        await options.send(rating);
      } catch (refused) {
        sending = false;
        sendButton.disabled = false;
        error.textContent = refused.message;
        error.hidden = false;
      }
    }

    faces.forEach(function (face) {
      face.addEventListener("click", function () {
        score = Number(face.dataset.score);
        faces.forEach(function (other) { press(other, other === face); });
        question.textContent = score >= 4 ? question.dataset.good : question.dataset.bad;
        details.hidden = false;
        touched();
      });
    });
    chips.forEach(function (chip) {
      chip.addEventListener("click", function () {
        press(chip, chip.getAttribute("aria-pressed") !== "true");
        touched();
      });
    });
    comment.addEventListener("input", touched);
    sendButton.addEventListener("click", send);
    reset();
    return { reset: reset, pending: pending, send: send };
  }

  window.SiraRatingForm = { attach: attach };
})();
