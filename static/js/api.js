// Sıra's fetch helper for pages: JSON in and out, the CSRF token on writes, errors as objects.
//   const ticket = await SiraApi.post("/api/v1/tickets", { service_id: 1 });
// A refusal throws SiraApi.Error with .status, .code, .message and .field from the server.
(function () {
  "use strict";

  class ApiError extends Error {
    constructor(status, body) {
      const error = (body && body.error) || {};
      super(error.message || "The server could not be reached.");
      this.status = status;
      this.code = error.code || (status ? "http_" + status : "offline");
      this.field = error.field || null;
    }
  }

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  async function request(method, url, body, headers) {
    let response;
    try {
      response = await fetch(url, {
        method: method,
        credentials: "same-origin",
        // Refusals come back in the page's language (the kiosk sets it to the customer's).
        headers: Object.assign(
          {
            "Content-Type": "application/json",
            "X-CSRFToken": csrfToken(),
            "Accept-Language": document.documentElement.lang || "en",
          },
          headers || {}
        ),
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (networkError) {
      throw new ApiError(0, null);
    }
    if (response.status === 204) return null;
    const data = await response.json().catch(function () { return null; });
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }

  window.SiraApi = {
    Error: ApiError,
    get: function (url) { return request("GET", url); },
    post: function (url, body, headers) { return request("POST", url, body || {}, headers); },
  };
})();
