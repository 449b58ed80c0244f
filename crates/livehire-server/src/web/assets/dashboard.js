// livehire dashboard: plain JavaScript, no build step, no inline script.
// - Copy buttons: any <button type="button" data-copy="TEXT"> copies TEXT
//   (optional data-copied="…" is the word shown after; data-copy-url makes a
//   path a full URL).
// - Countdowns: [data-countdown] with data-ends-at (RFC 3339) and
//   data-status (active | sold_out | ended), data-sold-out / data-ended words.
// - Live session: #live[data-stream] listens to the session's event stream,
//   updates [data-metric] figures and the uPlot charts ([data-chart]).
// Every page is complete without this script; it only keeps figures live.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var zh = (document.documentElement.lang || "").indexOf("zh") === 0;

  // ---- copy to clipboard ------------------------------------------------
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (ok, fail) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "offscreen";
      document.body.appendChild(area);
      area.select();
      var done = false;
      try { done = document.execCommand("copy"); } catch (e) { done = false; }
      area.remove();
      if (done) { ok(); } else { fail(new Error("copy refused")); }
    });
  }

  function flashLabel(button, text) {
    if (!button.dataset.label) { button.dataset.label = button.textContent; }
    button.textContent = text;
    clearTimeout(button.copyTimer);
    button.copyTimer = setTimeout(function () {
      button.textContent = button.dataset.label;
    }, 1500);
  }

  document.addEventListener("click", function (e) {
    var button = e.target.closest ? e.target.closest("button[data-copy]") : null;
    if (!button) { return; }
    e.preventDefault();
    var text = button.dataset.copy;
    // data-copy-url: a link, copied as a full URL (this page's origin when
    // the server gave a path).
    if (button.hasAttribute("data-copy-url")) {
      try { text = new URL(text, window.location.href).href; } catch (err) { /* as given */ }
    }
    copyText(text).then(function () {
      flashLabel(button, button.dataset.copied || (zh ? "已复制" : "Copied"));
    }, function () {
      flashLabel(button, button.dataset.copyFailed || (zh ? "复制失败" : "Copy failed"));
    });
  });

  // ---- countdowns -------------------------------------------------------
  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function tickCountdowns() {
    var now = Date.now();
    document.querySelectorAll("[data-countdown]").forEach(function (el) {
      var status = el.dataset.status;
      var left = Math.max(0, Math.ceil((Date.parse(el.dataset.endsAt) - now) / 1000));
      var text;
      if (status === "sold_out") {
        text = el.dataset.soldOut;
      } else if (status === "ended" || !(left > 0)) {
        text = el.dataset.ended;
      } else {
        text = pad(Math.floor(left / 60)) + ":" + pad(left % 60);
      }
      if (el.textContent !== text) { el.textContent = text; }
    });
  }

  // ---- live session -----------------------------------------------------
  function startLive(root) {
    var lang = root.dataset.lang || "en";
    var currency = root.dataset.currency || "";
    var ints = new Intl.NumberFormat(lang);
    var short = new Intl.NumberFormat(lang, { notation: "compact", maximumFractionDigits: 1 });
    var cash;
    try {
      cash = new Intl.NumberFormat(lang, { style: "currency", currency: currency, currencyDisplay: "narrowSymbol" });
    } catch (e) {
      cash = { format: function (v) { return ints.format(v) + " " + currency; } };
    }
    var formats = {
      gmv: function (v) { return cash.format(Number(v)); },
      conversion_rate: function (v) { return (Number(v) * 100).toFixed(1) + "%"; }
    };
    var charts = [];
    var maxPoints = 3600;

    root.querySelectorAll("[data-chart]").forEach(function (el) {
      var metric = el.dataset.chart;
      var xs = [], ys = [];
      var history = [];
      try { history = JSON.parse(el.dataset.history || "[]"); } catch (e) { history = []; }
      history.forEach(function (p) {
        xs.push(p[0]);
        ys.push(metric === "gmv" ? Number(p[2]) : Number(p[1]));
      });
      var chart = { el: el, metric: metric, xs: xs, ys: ys, plot: null };
      if (typeof uPlot === "function") {
        var opts = {
          width: Math.max(200, el.clientWidth),
          height: 180,
          legend: { show: false },
          cursor: { show: true },
          // Seconds apart at least a minute wide: one point, or a few
          // seconds of them, would otherwise stretch to years or milliseconds.
          scales: { x: { time: true, range: function (u, min, max) {
            if (min == null || max == null) { return [min, max]; }
            return max - min < 60 ? [max - 60, max] : [min, max];
          } } },
          axes: [{}, { size: 56, values: function (u, vals) { return vals.map(function (v) { return short.format(v); }); } }],
          series: [{}, { label: el.getAttribute("aria-label") || metric, stroke: "#d6245c", width: 2, fill: "rgba(214,36,92,.08)" }]
        };
        chart.plot = new uPlot(opts, [xs, ys], el);
      }
      charts.push(chart);
    });

    window.addEventListener("resize", function () {
      charts.forEach(function (c) {
        if (c.plot) { c.plot.setSize({ width: Math.max(200, c.el.clientWidth), height: 180 }); }
      });
    });

    function showMetrics(m) {
      root.querySelectorAll("[data-metric]").forEach(function (el) {
        var name = el.dataset.metric;
        if (!(name in m)) { return; }
        var f = formats[name] || function (v) { return ints.format(Number(v)); };
        var text = f(m[name]);
        if (el.textContent !== text) { el.textContent = text; }
      });
      var now = Math.floor(Date.now() / 1000);
      charts.forEach(function (c) {
        if (!(c.metric in m)) { return; }
        var v = Number(m[c.metric]);
        if (c.xs.length && c.xs[c.xs.length - 1] >= now) {
          c.ys[c.ys.length - 1] = v;
        } else {
          c.xs.push(now);
          c.ys.push(v);
        }
        if (c.xs.length > maxPoints) { c.xs.shift(); c.ys.shift(); }
        if (c.plot) { c.plot.setData([c.xs, c.ys]); }
      });
    }

    function showSale(s) {
      var row = document.querySelector('[data-sale="' + s.id + '"]');
      if (!row) {
        // A sale started elsewhere (the API, the other party's page): show it.
        if (s.id && !document.querySelector("#flash-sales form :focus")) { window.location.reload(); }
        return;
      }
      var remaining = row.querySelector('[data-field="remaining"]');
      if (remaining && typeof s.remaining === "number") { remaining.textContent = ints.format(s.remaining); }
      var countdown = row.querySelector("[data-countdown]");
      if (countdown && s.status) {
        countdown.dataset.status = s.status;
        if (s.ends_at) { countdown.dataset.endsAt = s.ends_at; }
      }
      tickCountdowns();
    }

    var source = new EventSource(root.dataset.stream);
    source.addEventListener("metrics", function (e) { showMetrics(JSON.parse(e.data)); });
    source.addEventListener("flash_sale", function (e) { showSale(JSON.parse(e.data)); });
    source.addEventListener("sold_out", function (e) { showSale(JSON.parse(e.data)); });
    source.addEventListener("run_of_show", function (e) {
      var place = root.querySelector("[data-run-of-show]");
      if (!place) { return; }
      var d = JSON.parse(e.data);
      place.textContent = d.line;
      if (d.next) {
        var next = document.createElement("small");
        next.className = "muted";
        next.textContent = d.next;
        place.appendChild(document.createElement("br"));
        place.appendChild(next);
      }
    });
    source.addEventListener("session", function () {
      // The session started or ended: its controls change; read it again.
      source.close();
      window.location.reload();
    });
    source.addEventListener("shutdown", function () { /* EventSource reconnects by itself */ });
  }

  function init() {
    setInterval(tickCountdowns, 250);
    tickCountdowns();
    var root = document.getElementById("live");
    if (root && root.dataset.stream && window.EventSource) { startLive(root); }
  }

  // Deferred scripts run before DOMContentLoaded, in document order: wait
  // for it, so that uPlot (loaded after this script) is there.
  if (document.readyState === "complete") {
    init();
  } else {
    document.addEventListener("DOMContentLoaded", init);
  }
})();
