/* Recordings pages enhancement (progressive: without it every link and form works on its own).
 * - Transcript editor: a click on a segment's time (or its play link) seeks the audio element and
 *   plays from there instead of reloading the page; ?t= in the address starts the player there.
 * - Progress: elements with data-progress-url are polled until the transcription ends, then the
 *   page reloads once to show the transcript (or the reason it failed). */
(function () {
  "use strict";

  var POLL_MS = 4000;

  function playFrom(audio, seconds) {
    if (isNaN(seconds)) { return; }
    var seek = function () {
      audio.currentTime = seconds;
      var played = audio.play();
      if (played && played.catch) { played.catch(function () { /* autoplay refused: seeking is enough */ }); }
    };
    if (audio.readyState >= 1) { seek(); } else {
      audio.addEventListener("loadedmetadata", seek, { once: true });
      audio.load();
    }
  }

  function bindPlayer() {
    var audio = document.getElementById("recording-audio");
    if (!audio) { return; }
    document.addEventListener("click", function (ev) {
      var target = ev.target;
      var link = target && target.closest ? target.closest("a.seek, a.play") : null;
      if (!link || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.button !== 0) { return; }
      ev.preventDefault();
      playFrom(audio, parseFloat(link.getAttribute("data-start")));
      var row = link.closest("li");
      if (row && row.id && window.history && history.replaceState) {
        history.replaceState(null, "", "#" + row.id);
      }
    });
    // Follow the audio: the segment being heard is marked, so a correction lands on the right one.
    var rows = Array.prototype.map.call(document.querySelectorAll("li.segment a.seek"), function (a) {
      return { start: parseFloat(a.getAttribute("data-start")), row: a.closest("li") };
    });
    var current = null;
    audio.addEventListener("timeupdate", function () {
      var now = null;
      rows.forEach(function (r) { if (r.start <= audio.currentTime + 0.05) { now = r.row; } });
      if (now === current) { return; }
      if (current) { current.classList.remove("playing"); }
      if (now) { now.classList.add("playing"); }
      current = now;
    });
  }

  function poll(el) {
    var url = el.getAttribute("data-progress-url");
    var timer = window.setInterval(function () {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          var pct = Math.round((data.progress || 0) * 100);
          el.value = pct;
          el.textContent = pct + "%";
          if (data.state === "done" || data.state === "failed") {
            window.clearInterval(timer);
            window.location.reload();
          }
        })
        .catch(function () { window.clearInterval(timer); });
    }, POLL_MS);
  }

  bindPlayer();
  Array.prototype.forEach.call(document.querySelectorAll("[data-progress-url]"), poll);
})();
