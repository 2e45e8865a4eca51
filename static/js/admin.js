// Administration pages: ask before destructive buttons (times are written by the server, in the
// branch's time zone and the page's language).
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    const form = event.target;
    const question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });
})();
