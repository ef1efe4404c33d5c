/* Ask page enhancement (progressive: without it the form posts and the page renders in full).
 * Streams the answer over server-sent events (/ask/stream), shows the pieces as plain text
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

  function start(form) {
    var live = byId("ask-live");
    var text = byId("ask-live-text");
    var status = byId("ask-live-status");
    var button = byId("ask-submit");
    var question = form.elements.q.value.trim();
    var max = parseInt(form.getAttribute("data-max") || "4000", 10);
    if (!live || !text || !window.EventSource || !window.fetch || !question || question.length > max) {
      return false; // the server answers the plain POST (and explains bad input)
    }
    var params = new URLSearchParams();
    params.set("q", question);
    params.set("conv", form.elements.conv.value);
    var oldError = byId("ask-error");
    if (oldError) { oldError.hidden = true; }
    byId("ask-stream-error").hidden = true;
    text.textContent = "";
    live.hidden = false;
    live.setAttribute("aria-busy", "true");
    setStatus(status, "waiting");
    if (button) { button.disabled = true; }
    var finished = false;
    var source = new EventSource(form.getAttribute("data-stream") + "?" + params.toString());

    function finish() {
      finished = true;
      source.close();
      live.setAttribute("aria-busy", "false");
      if (button) { button.disabled = false; }
    }

    source.addEventListener("token", function (e) {
      if (!text.textContent) { status.textContent = ""; }
      text.textContent += JSON.parse(e.data).text;
    });
    source.addEventListener("answer", function (e) {
      var answer = JSON.parse(e.data);
      finished = true;
      source.close();
      setStatus(status, "checking");
      swapIn(answer.audit_id, form, live, finish);
    });
    source.addEventListener("done", function () { if (!finished) { finish(); } });
    source.addEventListener("error", function (e) {
      if (finished) { return; }
      if (e.data) { // our own error event: code, text and hint
        finish();
        live.hidden = true;
        showError(JSON.parse(e.data));
        return;
      }
      // The connection failed before an answer came: fall back to the plain form post.
      finish();
      setStatus(status, "failed");
      form.submit();
    });
    return true;
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form && form.id === "ask-form" && start(form)) { e.preventDefault(); }
  });
  bindCopy();
})();
