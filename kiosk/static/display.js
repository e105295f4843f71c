// The display: a carousel of server-rendered slides, refreshed when the
// shop pushes an offer (server-sent events), with search and product
// panels for touch screens. It keeps showing what it has while the
// network is down, reconnects by itself with backoff, and goes back to
// pairing if the screen is revoked. The window layout uses it too, without
// the totem's search, panels and visit code. No build step, no framework.
(function () {
  "use strict";
  var slides = document.getElementById("slides");
  var panel = document.getElementById("panel");
  var offline = document.getElementById("offline");
  var visitQR = document.getElementById("visit-qr");
  var greeting = document.getElementById("greeting");
  var SLIDE_MS = 8000, REFRESH_MS = 5 * 60 * 1000, REPORT_MS = 60 * 1000, IDLE_MS = 60 * 1000;
  var current = 0, shownAt = new Date(), plays = [], lastEventId = "", retry = 1000, source = null, idle = null;
  var slideTimer = null;

  function items() { return slides.querySelectorAll(".slide"); }
  function show(i) {
    var list = items();
    if (!list.length) return;
    record();
    current = (i + list.length) % list.length;
    for (var k = 0; k < list.length; k++) list[k].classList.toggle("active", k === current);
    shownAt = new Date();
    // Every slide gets its full time, a pushed offer too: the carousel's
    // clock starts again with each slide shown.
    clearTimeout(slideTimer);
    slideTimer = setTimeout(next, SLIDE_MS);
  }
  function next() {
    if (!panel || panel.hidden) show(current + 1);
    else slideTimer = setTimeout(next, SLIDE_MS);
  }
  function record() {
    var s = items()[current];
    if (!s || !s.dataset.kind) return;
    plays.push({ item_kind: s.dataset.kind, item_id: s.dataset.id, shown_at: shownAt.toISOString(),
      seconds: Math.round((new Date() - shownAt) / 1000) });
    if (plays.length > 500) plays = plays.slice(-500);
  }
  function showing() {
    var s = items()[current];
    return s && s.dataset.kind ? s.dataset.kind + ":" + s.dataset.id : "";
  }
  function report() {
    var batch = plays;
    plays = [];
    fetch("/kiosk/v1/plays", { method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ showing: showing(), plays: batch }) })
      .then(function (r) { if (r.status === 401) pairAgain(); else if (!r.ok && r.status >= 500) plays = batch.concat(plays); })
      .catch(function () { plays = batch.concat(plays); });
  }
  function pairAgain() { window.location.href = "/kiosk"; }

  // refresh fetches the slides again; focus names an offer to show first.
  function refresh(focus) {
    return fetch("/kiosk/display/slides", { credentials: "same-origin" }).then(function (r) {
      if (r.status === 401 || r.redirected && r.url.indexOf("/kiosk/display") < 0) { pairAgain(); return; }
      if (!r.ok) throw new Error("status " + r.status);
      return r.text().then(function (html) {
        record();
        slides.innerHTML = html;
        var list = items(), at = 0;
        for (var k = 0; k < list.length; k++) if (focus && list[k].dataset.id === focus) at = k;
        current = at;
        show(at);
        online(true);
      });
    }).catch(function () { online(false); });
  }
  function online(ok) { offline.hidden = ok; }

  // The visit code: a new one as often as the server says (each lives
  // 60 s), and at once when the last was claimed. Its image is drawn by
  // the server.
  var qrTimer = null, rotateMS = 25000;
  function newCode() {
    if (!visitQR) return; // a window display has no visit code
    clearTimeout(qrTimer);
    qrTimer = setTimeout(newCode, rotateMS);
    fetch("/kiosk/v1/visit-qr", { credentials: "same-origin" }).then(function (r) {
      if (r.status === 401) { pairAgain(); return; }
      if (!r.ok) return;
      return r.json().then(function (q) {
        if (q.rotate_seconds > 0 && q.rotate_seconds * 1000 !== rotateMS) {
          rotateMS = q.rotate_seconds * 1000;
          clearTimeout(qrTimer);
          qrTimer = setTimeout(newCode, rotateMS);
        }
        var img = visitQR.querySelector("img") || document.createElement("img");
        img.alt = visitQR.dataset.alt || "QR";
        img.src = q.svg;
        img.dataset.url = q.url;
        if (!img.parentNode) visitQR.appendChild(img);
        visitQR.setAttribute("aria-hidden", "false");
      });
    }).catch(function () { online(false); });
  }
  function greet(name) {
    if (!greeting) return;
    greeting.textContent = (greeting.dataset.hello || "Ciao") + ", " + name + "!";
    greeting.hidden = false;
    setTimeout(function () { greeting.hidden = true; }, 8000);
  }

  function connect() {
    var url = "/kiosk/v1/events" + (lastEventId ? "?last_event_id=" + encodeURIComponent(lastEventId) : "");
    source = new EventSource(url);
    source.onopen = function () { retry = 1000; online(true); };
    source.addEventListener("offer", function (e) {
      lastEventId = e.lastEventId || lastEventId;
      var data = {};
      try { data = JSON.parse(e.data); } catch (err) { /* keep going */ }
      refresh(data.id);
    });
    source.addEventListener("content", function (e) { lastEventId = e.lastEventId || lastEventId; refresh(); });
    source.addEventListener("revoked", function () { source.close(); pairAgain(); });
    source.addEventListener("qr", function (e) { lastEventId = e.lastEventId || lastEventId; newCode(); });
    source.addEventListener("greeting", function (e) {
      lastEventId = e.lastEventId || lastEventId;
      try { greet(JSON.parse(e.data).first_name); } catch (err) { /* keep going */ }
    });
    source.onerror = function () {
      // The browser would retry at a fixed pace, and never after a 401:
      // close, ask whether the screen is still paired, and come back with
      // backoff (1 s doubling to 30 s, with jitter).
      source.close();
      online(false);
      fetch("/kiosk/v1/session", { credentials: "same-origin" }).then(function (r) {
        if (r.status === 401) { pairAgain(); return; }
        if (r.ok) refresh();
        later();
      }).catch(later);
    };
  }
  function later() {
    var wait = retry + Math.random() * retry / 2;
    retry = Math.min(retry * 2, 30000);
    setTimeout(connect, wait);
  }

  function openPanel(url) {
    if (!panel) return;
    fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) return;
      return r.text().then(function (html) { panel.innerHTML = html; panel.hidden = false; touched(); });
    }).catch(function () { online(false); });
  }
  function closePanel() { if (panel) { panel.hidden = true; panel.innerHTML = ""; } }
  function touched() { clearTimeout(idle); idle = setTimeout(closePanel, IDLE_MS); }

  // "Ho finito": the visit ends, the next visitor's starts with a new code.
  var endVisit = document.getElementById("end-visit"), search = document.getElementById("search");
  if (endVisit) endVisit.addEventListener("click", function () {
    closePanel();
    fetch("/kiosk/v1/visit/end", { method: "POST", credentials: "same-origin" }).then(newCode).catch(function () { online(false); });
  });
  if (search) search.addEventListener("submit", function (e) {
    e.preventDefault();
    var q = e.target.elements.q.value;
    openPanel("/kiosk/display/search?q=" + encodeURIComponent(q));
  });
  document.addEventListener("click", function (e) {
    var t = e.target;
    if (t.closest && t.closest(".close")) { closePanel(); return; }
    var card = t.closest && t.closest("[data-product]");
    if (card && !card.classList.contains("detail")) openPanel("/kiosk/display/product/" + encodeURIComponent(card.dataset.product));
    touched();
  });

  show(0);
  newCode();
  setInterval(refresh, REFRESH_MS);
  setInterval(report, REPORT_MS);
  setInterval(function () { fetch("/kiosk/v1/session", { credentials: "same-origin" }).catch(function () {}); }, 60 * 60 * 1000);
  connect();
})();
