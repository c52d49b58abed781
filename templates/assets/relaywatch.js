// relaywatch page behaviour: table sorting and filtering, relative times. No external code.
(function () {
  'use strict';

  function rowsOf(table) {
    // A data row may be followed by its summary row; they move together.
    var out = [];
    var rows = table.tBodies[0] ? table.tBodies[0].rows : [];
    for (var i = 0; i < rows.length; i++) {
      if (rows[i].classList.contains('rw-summary-row')) { if (out.length) out[out.length - 1].push(rows[i]); }
      else out.push([rows[i]]);
    }
    return out;
  }

  function ipKey(text) {
    if (text.indexOf(':') < 0) return '4' + text.split('.').map(function (p) { return ('000' + p).slice(-3); }).join('.');
    return '6' + text;
  }

  function sortTable(table, th) {
    var index = Array.prototype.indexOf.call(th.parentNode.children, th);
    var kind = th.getAttribute('data-sort');
    var asc = th.getAttribute('aria-sort') !== 'ascending';
    Array.prototype.forEach.call(th.parentNode.children, function (h) { h.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
    var groups = rowsOf(table);
    groups.sort(function (a, b) {
      var ca = a[0].cells[index], cb = b[0].cells[index];
      var va = ca.getAttribute('data-value') || ca.textContent.trim();
      var vb = cb.getAttribute('data-value') || cb.textContent.trim();
      if (kind === 'ip') { va = ipKey(va); vb = ipKey(vb); }
      if (kind === 'number') { return (asc ? 1 : -1) * (Number(va) - Number(vb)); }
      return (asc ? 1 : -1) * va.localeCompare(vb);
    });
    var body = table.tBodies[0];
    groups.forEach(function (g) { g.forEach(function (r) { body.appendChild(r); }); });
  }

  function applyFilters(table) {
    var text = document.querySelector('[data-filter-for="' + table.id + '"]');
    var status = document.querySelector('[data-status-filter-for="' + table.id + '"]');
    var q = text ? text.value.trim().toLowerCase() : '';
    var s = status ? status.value : '';
    rowsOf(table).forEach(function (g) {
      var row = g[0];
      var okText = !q || row.textContent.toLowerCase().indexOf(q) >= 0;
      var okStatus = !s || (' ' + (row.getAttribute('data-status') || '') + ' ').indexOf(' ' + s + ' ') >= 0;
      g.forEach(function (r) { r.hidden = !(okText && okStatus); });
    });
  }

  document.querySelectorAll('table.rw-table').forEach(function (table) {
    table.querySelectorAll('th[data-sort]').forEach(function (th) {
      th.tabIndex = 0;
      th.addEventListener('click', function () { sortTable(table, th); });
      th.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sortTable(table, th); } });
    });
    var inputs = document.querySelectorAll('[data-filter-for="' + table.id + '"], [data-status-filter-for="' + table.id + '"]');
    inputs.forEach(function (el) { el.addEventListener('input', function () { applyFilters(table); }); });
  });

  // "in 12 min" / "5 min ago" after absolute times marked data-relative (the absolute time stays).
  document.querySelectorAll('time[data-relative]').forEach(function (el) {
    var t = Date.parse(el.getAttribute('datetime'));
    if (isNaN(t)) return;
    var mins = Math.round((t - Date.now()) / 60000);
    var rel = mins >= 0 ? 'in ' + mins + ' min' : -mins + ' min ago';
    if (Math.abs(mins) > 120) rel = mins >= 0 ? 'in ' + Math.round(mins / 60) + ' h' : Math.round(-mins / 60) + ' h ago';
    var span = document.createElement('span');
    span.className = 'rw-relative';
    span.textContent = ' (' + rel + ')';
    el.parentNode.insertBefore(span, el.nextSibling);
  });

  // Narrow screens show each row as a stack of "Column: value" lines: every cell gets its column's name.
  document.querySelectorAll('table.rw-table').forEach(function (table) {
    var heads = table.tHead ? table.tHead.rows[0].cells : [];
    var names = Array.prototype.map.call(heads, function (th) { return th.textContent.replace(/\s+/g, ' ').trim(); });
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        if (row.cells.length !== names.length) return;
        Array.prototype.forEach.call(row.cells, function (td, i) { if (names[i]) td.setAttribute('data-label', names[i]); });
      });
    });
  });

  // A table wider than its box scrolls inside it: keyboard users can then reach it too.
  function markScrollers() {
    document.querySelectorAll('.rw-table-wrap').forEach(function (wrap) {
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1 || wrap.scrollHeight > wrap.clientHeight + 1;
      if (scrolls && !wrap.hasAttribute('tabindex')) {
        wrap.tabIndex = 0;
        wrap.setAttribute('role', 'region');
        var table = wrap.querySelector('table');
        var section = wrap.closest('section');
        var h = section ? section.querySelector('h2') : null;
        wrap.setAttribute('aria-label', (h ? h.textContent.replace(/\s+/g, ' ').trim() : (table && table.id) || 'Table'));
      }
    });
  }
  markScrollers();
  if (typeof window.addEventListener === 'function') window.addEventListener('resize', markScrollers);

  window.relaywatch = window.relaywatch || {};
})();

// Long jobs (the blacklist check, the log index): follow their progress without blocking the page,
// and reload it once the job is done so the result shows.
(function () {
  'use strict';
  function pctOf(p) {
    if (!p) return null;
    var total = Number(p.total || p.bytesTotal || 0);
    var done = Number(p.done || p.bytesDone || 0);
    if (typeof p.percent === 'number') return Math.max(0, Math.min(100, Math.floor(p.percent)));
    return total > 0 ? Math.max(0, Math.min(100, Math.floor((done / total) * 100))) : 0;
  }
  document.querySelectorAll('[data-progress-url]').forEach(function (box) {
    var url = box.getAttribute('data-progress-url');
    var bar = box.querySelector('progress');
    var label = box.querySelector('.rw-job-pct');
    var failures = 0;
    // Every answer of a poll is a CGI run inside WHM: ask after 1 s, then less and less often (up to
    // every 15 s), as long jobs take minutes.
    var delay = 1000;
    function later(ms) { setTimeout(poll, ms); delay = Math.min(15000, Math.round(delay * 1.5)); }
    function poll() {
      fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } })
        .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
        .then(function (body) {
          var p = body && body.progress ? body.progress : body;
          var pct = pctOf(p);
          if (pct !== null && bar) { bar.value = pct; bar.textContent = pct + '%'; }
          if (pct !== null && label) label.textContent = pct + '%';
          if (p && p.running === false) { window.location.reload(); return; }
          later(delay);
        })
        .catch(function () {
          // Keep the page usable; stop after a few failures instead of polling a dead route forever.
          if (++failures < 5) later(Math.max(delay, 3000));
        });
    }
    later(delay);
  });
})();
