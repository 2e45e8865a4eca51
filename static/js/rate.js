// The phone rating page: send the rating, then say thank you.
(function () {
  "use strict";

  const page = document.getElementById("phone-rate");
  const rating = document.getElementById("step-rating");
  if (!page || !rating) return;
  SiraRatingForm.attach(rating, {
    send: async function (chosen) {
      try {
        await SiraApi.post("/api/v1/tickets/" + encodeURIComponent(page.dataset.token) + "/rating", chosen);
      } catch (refused) {
        if (refused.status !== 409) throw refused; // rated already, at the counter: fine
      }
      rating.hidden = true;
      document.getElementById("step-thanks").hidden = false;
    },
  });
})();
