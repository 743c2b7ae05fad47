/**
 * The status page's script, sent to the browser as it is written here (ES2017, no build step,
 * no library). It polls `api/status` once a second and redraws; every value from the collector
 * goes in through `textContent` or an attribute, never as HTML, since span names and error
 * messages come from outside.
 */
export const PAGE_SCRIPT = `'use strict';
(function () {
  var POLL_MS = 1000;
  var STATES = {
    ok: ['ok', 'ok'],
    recoverable_error: ['failing, retrying', 'warn'],
    degraded: ['degraded', 'bad'],
    failed: ['failed', 'bad'],
    starting: ['starting', 'idle'],
    stopping: ['stopping', 'idle'],
    stopped: ['stopped', 'idle']
  };

  function byId(id) { return document.getElementById(id); }

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function add(parent) {
    for (var i = 1; i < arguments.length; i++) if (arguments[i]) parent.appendChild(arguments[i]);
    return parent;
  }

  function tone(state) { return (STATES[state] || [state, 'idle'])[1]; }

  function badge(state) {
    var b = el('span', 'badge ' + tone(state), (STATES[state] || [state])[0]);
    b.setAttribute('data-state', state);
    return b;
  }

  function count(n) { return Number(n || 0).toLocaleString('en'); }

  function rate(n) { return n >= 100 ? String(Math.round(n)) : Number(n || 0).toFixed(1); }

  function duration(ms) {
    var s = Math.max(0, Math.round(ms / 1000));
    if (s < 60) return s + 's';
    var m = Math.floor(s / 60);
    if (m < 60) return m + 'm ' + (s % 60) + 's';
    return Math.floor(m / 60) + 'h ' + (m % 60) + 'm';
  }

  function since(iso, now) { return iso ? duration(now - Date.parse(iso)) : ''; }

  function clock(iso) { return iso ? new Date(iso).toLocaleTimeString() : ''; }

  function sparkline(history) {
    var ns = 'http://www.w3.org/2000/svg';
    var w = 168, h = 24;
    var svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('class', 'spark');
    svg.setAttribute('width', String(w));
    svg.setAttribute('height', String(h));
    var points = history.length > 1 ? history : [0, 0];
    var max = Math.max.apply(null, points.concat([1]));
    var line = document.createElementNS(ns, 'polyline');
    line.setAttribute('points', points.map(function (v, i) {
      var x = (i / (points.length - 1)) * (w - 2) + 1;
      var y = h - 1 - (v / max) * (h - 2);
      return x.toFixed(1) + ',' + y.toFixed(1);
    }).join(' '));
    svg.appendChild(line);
    return svg;
  }

  var VERBS = { receiver: 'received', processor: 'in', exporter: 'sent' };

  function nodeBox(n, now) {
    var box = el('div', 'node ' + tone(n.state));
    box.setAttribute('data-kind', n.kind);
    box.setAttribute('data-id', n.id);
    box.setAttribute('data-state', n.state);
    add(box, el('div', 'kind', n.kind), el('div', 'name', n.id), badge(n.state));
    var r = el('div', 'rate');
    r.setAttribute('data-rate', String(n.flow.perSecond));
    add(r, el('b', null, rate(n.flow.perSecond)), document.createTextNode(' spans/s · ' + count(n.flow.total) + ' ' + VERBS[n.kind]));
    add(box, r, sparkline(n.flow.history));
    if (n.trouble.total > 0) add(box, el('div', 'trouble', count(n.trouble.total) + ' ' + n.trouble.label));
    if (n.reason) {
      var lasted = n.state !== 'ok' && n.since ? ' (for ' + since(n.since, now) + ')' : '';
      add(box, el('div', 'reason', n.reason + lasted));
    }
    return box;
  }

  function column(nodes, now) {
    var c = el('div', 'column');
    nodes.forEach(function (n) { c.appendChild(nodeBox(n, now)); });
    return c;
  }

  function arrow() { return el('div', 'arrow', '→'); }

  function renderPipelines(s, now) {
    var root = byId('pipelines');
    var parts = [];
    s.pipelines.forEach(function (p) {
      parts.push(el('div', 'lane-title', 'pipeline ' + p.id));
      var lane = el('div', 'lane');
      lane.setAttribute('data-pipeline', p.id);
      lane.appendChild(column(p.receivers, now));
      p.processors.forEach(function (n) { add(lane, arrow(), column([n], now)); });
      add(lane, arrow(), column(p.exporters, now));
      parts.push(lane);
    });
    root.replaceChildren.apply(root, parts);
  }

  function fact(list, term, value) {
    if (value === undefined || value === null || value === '') return;
    add(list, el('dt', null, term), typeof value === 'string' ? el('dd', null, value) : add(el('dd'), value));
  }

  function queueFact(q) {
    var wrap = el('div', 'queue');
    var unit = q.sizer === 'items' ? 'spans' : q.sizer;
    var share = q.capacity > 0 ? (100 * q.size) / q.capacity : 0;
    wrap.appendChild(el('span', null, count(q.size) + ' of ' + count(q.capacity) + ' ' + unit +
      ' (' + share.toFixed(1) + '%)' + (q.persistent ? ', on disk' : ', in memory')));
    var bar = el('div', 'bar' + (share > 50 ? ' warn' : ''));
    var fill = el('div');
    fill.style.width = Math.min(100, share).toFixed(1) + '%';
    add(wrap, add(bar, fill));
    return wrap;
  }

  function exporterCard(x, now) {
    var card = el('div', 'card');
    card.setAttribute('data-exporter', x.id);
    add(card, add(el('h3'), document.createTextNode(x.id), badge(x.state)));
    var facts = el('dl', 'facts');
    fact(facts, 'path in use', x.path ? x.path.toUpperCase() : undefined);
    if (x.destination) {
      var dest = x.destination.url ? el('a', null, x.destination.label) : el('span', null, x.destination.label);
      if (x.destination.url) { dest.href = x.destination.url; dest.target = '_blank'; dest.rel = 'noopener'; }
      fact(facts, 'sends to', dest);
    }
    if (x.queue) fact(facts, 'queue', queueFact(x.queue));
    var d = x.delivery;
    if (d) {
      fact(facts, 'delivered', count(d.deliveredSpans) + ' spans');
      fact(facts, 'retries', count(d.retries) + ' (' + count(d.failedAttempts) + ' failed attempts)');
      fact(facts, 'dead-lettered', count(d.deadLettered) + ' items' + (d.deadLetterFile ? ' → ' + d.deadLetterFile : ''));
      if (d.failingSince) fact(facts, 'failing for', since(d.failingSince, now));
    }
    card.appendChild(facts);
    if (d && d.lastErrors.length > 0) {
      card.appendChild(el('div', 'muted', 'last errors'));
      var list = el('ul', 'errors');
      d.lastErrors.forEach(function (e) {
        var li = el('li', null, clock(e.time) + ' — ' + e.message + (e.count > 1 ? ' (×' + e.count + ')' : ''));
        list.appendChild(li);
      });
      card.appendChild(list);
    }
    return card;
  }

  function renderExporters(s, now) {
    var root = byId('exporters');
    var cards = el('div', 'cards');
    s.exporters.forEach(function (x) { cards.appendChild(exporterCard(x, now)); });
    root.replaceChildren(cards);
  }

  function renderTraces(s) {
    var root = byId('traces');
    var rows = [];
    s.exporters.forEach(function (x) {
      (x.recentTraces || []).forEach(function (t) { rows.push({ t: t, exporter: x.id }); });
    });
    rows.sort(function (a, b) { return a.t.time < b.t.time ? 1 : a.t.time > b.t.time ? -1 : 0; });
    if (rows.length === 0) {
      root.replaceChildren(el('p', 'muted', 'No trace delivered yet.'));
      return;
    }
    var table = el('table');
    var head = el('tr');
    ['time', 'trace', 'spans', 'status', 'exporter', ''].forEach(function (h) { head.appendChild(el('th', null, h)); });
    table.appendChild(head);
    rows.slice(0, 20).forEach(function (r) {
      var tr = el('tr');
      tr.setAttribute('data-trace', r.t.id);
      var link = el('td');
      if (r.t.url) {
        var a = el('a', null, 'open in Opik');
        a.href = r.t.url; a.target = '_blank'; a.rel = 'noopener';
        link.appendChild(a);
      }
      add(tr, el('td', null, clock(r.t.time)), el('td', null, r.t.name), el('td', null, count(r.t.spans)),
        add(el('td'), badge(r.t.status === 'error' ? 'failed' : 'ok')), el('td', null, r.exporter), link);
      table.appendChild(tr);
    });
    root.replaceChildren(table);
  }

  /** The worst state of all components, as one word. */
  function overall(s) {
    var states = [];
    s.pipelines.forEach(function (p) {
      p.receivers.concat(p.processors, p.exporters).forEach(function (n) { states.push(n.state); });
    });
    s.extensions.forEach(function (x) { states.push(x.state); });
    if (!s.collector.ready) return 'starting';
    var order = ['failed', 'degraded', 'recoverable_error'];
    for (var i = 0; i < order.length; i++) if (states.indexOf(order[i]) >= 0) return order[i];
    return 'ok';
  }

  function render(s) {
    var now = Date.parse(s.generatedAt);
    var o = byId('overall');
    var b = badge(overall(s));
    b.id = 'overall';
    o.replaceWith(b);
    byId('uptime').textContent = s.collector.uptime ? 'up ' + s.collector.uptime : '';
    byId('updated').textContent = 'updated ' + clock(s.generatedAt);
    renderPipelines(s, now);
    renderExporters(s, now);
    renderTraces(s);
  }

  function showBanner(text) {
    var banner = byId('banner');
    banner.textContent = text;
    banner.hidden = !text;
  }

  function refresh() {
    fetch('api/status', { cache: 'no-store' })
      .then(function (res) {
        if (!res.ok) throw new Error('HTTP ' + res.status);
        return res.json();
      })
      .then(function (s) { render(s); showBanner(''); })
      .catch(function (err) {
        showBanner('Cannot reach the collector (' + err.message + '); showing the last data it sent.');
      })
      .then(function () { setTimeout(refresh, POLL_MS); });
  }

  refresh();
})();
`;
