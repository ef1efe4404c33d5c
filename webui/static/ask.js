/* Ask page enhancement (progressive: without it the form posts and the page renders in full).
 * Posts the form (CSRF token included) to /ask/stream and reads the server-sent events from the
 * response body as they arrive, shows the pieces as plain text
 * (textContent only: model output never becomes markup), then swaps in the checked answer that the
 * server renders (/ask/answer/{id}?fragment=1); the copy button copies the plain-text rendering. */
(function () {
  "use strict";

  function byId(id) { return document.getElementById(id); }

  function setStatus(el, key) { if (el) { el.textContent = el.getAttribute("data-" + key) || ""; } }

  function showError(data) {
    var box = byId("ask-stream-error");
    if (!box) { return; }
    byId("ask-stream-error-text").textContent = data.text || data.message || "";
    byId("ask-stream-error-hint").textContent = data.hint || "";
    byId("ask-stream-error-code").textContent = data.code || "";
    box.hidden = false;
  }

  function bindCopy() {
    var button = byId("copy-answer");
    var area = byId("answer-plain");
    if (!button || !area || !navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(area.value).then(function () {
        var status = byId("copy-status");
        if (status) { status.textContent = button.getAttribute("data-copied") || ""; }
      }, function () { area.select(); });
    });
  }

  function swapIn(answerId, form, live, done) {
    var conv = form.elements.conv.value;
    var url = "/ask/answer/" + encodeURIComponent(answerId) + "?fragment=1&conv=" + encodeURIComponent(conv);
    var page = "/ask/answer/" + encodeURIComponent(answerId) + "?conv=" + encodeURIComponent(conv);
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("ask-result");
        var current = byId("ask-result");
        if (!fresh || !current) { throw new Error("fragment"); }
        current.replaceWith(document.importNode(fresh, true));
        form.elements.conv.value = fresh.getAttribute("data-conv") || "";
        form.elements.q.value = "";
        live.hidden = true;
        bindCopy();
        var heading = byId("answer-heading");
        if (heading) { heading.focus(); }
        done();
      })
      .catch(function () { window.location.assign(page); });
  }

  // Server-sent events from a streamed POST body: "event:"/"data:" lines, blocks end at a blank line.
  function readEvents(response, onEvent) {
    var reader = response.body.getReader();
    var decoder = new TextDecoder();
    var buffer = "";
    function emit(block) {
      var event = "message";
      var data = [];
      block.split("\n").forEach(function (line) {
        if (line.indexOf("event:") === 0) { event = line.slice(6).trim(); }
        else if (line.indexOf("data:") === 0) { data.push(line.slice(5).replace(/^ /, "")); }
      });
      if (data.length) { onEvent(event, data.join("\n")); }
    }
    function pump() {
      return reader.read().then(function (chunk) {
        if (chunk.done) { return; }
        buffer += decoder.decode(chunk.value, { stream: true }).replace(/\r\n?/g, "\n");
        var end = buffer.indexOf("\n\n");
        while (end >= 0) {
          emit(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf("\n\n");
        }
        return pump();
      });
    }
    return pump();
  }

  function start(form) {
    var live = byId("ask-live");
    var text = byId("ask-live-text");
    var status = byId("ask-live-status");
    var button = byId("ask-submit");
    var question = form.elements.q.value.trim();
    var max = parseInt(form.getAttribute("data-max") || "4000", 10);
    if (!live || !text || !window.fetch || !window.ReadableStream || !window.TextDecoder || !question ||
        question.length > max) {
      return false; // the server answers the plain POST (and explains bad input)
    }
    // The same fields as the plain form, CSRF token included: asking changes state, so it is a POST.
    var body = new URLSearchParams();
    body.set("q", question);
    body.set("conv", form.elements.conv.value);
    body.set("_csrf_token", form.elements._csrf_token.value);
    var oldError = byId("ask-error");
    if (oldError) { oldError.hidden = true; }
    byId("ask-stream-error").hidden = true;
    text.textContent = "";
    live.hidden = false;
    live.setAttribute("aria-busy", "true");
    setStatus(status, "waiting");
    if (button) { button.disabled = true; }
    var finished = false;
    var controller = window.AbortController ? new AbortController() : null;

    function finish() {
      finished = true;
      if (controller) { controller.abort(); }
      live.setAttribute("aria-busy", "false");
      if (button) { button.disabled = false; }
    }

    function fallBack() {
      // The connection failed before an answer came: fall back to the plain form post.
      if (finished) { return; }
      finish();
      setStatus(status, "failed");
      form.submit();
    }

    function onEvent(event, data) {
      if (finished) { return; }
      if (event === "token") {
        if (!text.textContent) { status.textContent = ""; }
        text.textContent += JSON.parse(data).text;
      } else if (event === "answer") {
        var answer = JSON.parse(data);
        finished = true;
        if (controller) { controller.abort(); }
        setStatus(status, "checking");
        swapIn(answer.audit_id, form, live, finish);
      } else if (event === "error") { // our own error event: code, text and hint
        finish();
        live.hidden = true;
        showError(JSON.parse(data));
      } else if (event === "done") {
        finish();
      }
    }

    fetch(form.getAttribute("data-stream"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "text/event-stream", "Content-Type": "application/x-www-form-urlencoded",
                 "X-CSRFToken": form.elements._csrf_token.value },
      body: body.toString(),
      signal: controller ? controller.signal : undefined
    }).then(function (r) {
      if (!r.ok || !r.body) { throw new Error(String(r.status)); }
      return readEvents(r, onEvent);
    }).then(function () { if (!finished) { fallBack(); } }, fallBack);
    return true;
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form && form.id === "ask-form" && start(form)) { e.preventDefault(); }
  });
  bindCopy();
})();
