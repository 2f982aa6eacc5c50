// The footprint questionnaire: airport suggestions while typing a code or city.
// A static file because the Content-Security-Policy forbids inline scripts.
(function () {
  "use strict";

  const DELAY_MS = 250;
  let timer = null;
  let controller = null;

  function suggest(input) {
    const list = document.getElementById(input.getAttribute("list"));
    const query = input.value.trim();
    if (!list || query.length < 2) return;
    if (controller) controller.abort();
    controller = new AbortController();
    const url = input.dataset.airportSearch + "?q=" + encodeURIComponent(query);
    fetch(url, { signal: controller.signal, credentials: "same-origin" })
      .then((response) => (response.ok ? response.text() : ""))
      .then((html) => {
        const parsed = new DOMParser().parseFromString(
          "<datalist>" + html + "</datalist>", "text/html");
        list.replaceChildren(...parsed.querySelectorAll("option"));
      })
      .catch(() => {});
  }

  document.addEventListener("input", (event) => {
    const input = event.target.closest("[data-airport-search]");
    if (!input) return;
    clearTimeout(timer);
    timer = setTimeout(() => suggest(input), DELAY_MS);
  });
})();
