// relaywatch: while the daemon reads the mail logs into its login index for the first time, show how
// far it is (GET /api/v1/index/progress) and reload the page when it is done. No external code.
(function () {
  'use strict';
  var box = document.querySelector('[data-index-progress]');
  if (!box || !window.fetch) return;
  var url = box.getAttribute('data-index-progress');
  var bar = box.querySelector('[role="progressbar"]');
  var fill = bar ? bar.querySelector('span') : null;
  var text = box.querySelector('[data-index-percent]');
  var building = false;
  // Each poll is a CGI run inside WHM: every second at first, then less often (up to every 15 s).
  var delay = 1000;
  function later(ms) { setTimeout(poll, ms); delay = Math.min(15000, Math.round(delay * 1.5)); }

  function show(percent) {
    box.hidden = false;
    if (fill) fill.style.width = percent + '%';
    if (bar) bar.setAttribute('aria-valuenow', String(percent));
    if (text) text.textContent = String(percent);
  }

  function poll() {
    fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (p) {
        if (!p) return;
        if (p.state === 'building') {
          building = true;
          show(p.percent);
          later(delay);
        } else if (building) {
          show(100);
          window.location.reload();
        }
      })
      .catch(function () { if (building) later(Math.max(delay, 3000)); });
  }
  poll();
})();
