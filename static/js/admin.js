// Administration pages: ask before destructive buttons, show times in the browser's time zone.
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    const form = event.target;
    const question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });

  document.querySelectorAll("time.local-time").forEach(function (element) {
    const value = element.getAttribute("datetime");
    if (!value) return;
    const when = new Date(value);
    if (!isNaN(when)) {
      element.textContent = when.toLocaleString(document.documentElement.lang || undefined);
    }
  });
})();
