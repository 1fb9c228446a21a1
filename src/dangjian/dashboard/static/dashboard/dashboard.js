// The dashboard's charts, drawn from the figures the page carries (json_script: strict CSP, no
// inline script). Each chart's table is in the page first; once a chart is drawn the table is
// kept for screen readers (visually hidden) and a button switches between the two. On the big
// screen the figures are fetched again every few minutes; when the server cannot be reached
// the last figures stay, marked with their time.
(function () {
  "use strict";
  var body = document.body;
  var screen = body.classList.contains("dash-screen");
  var instances = {};
  var big = screen ? 20 : 12;

  function pct(unit) {
    return function (v) { return v == null ? "—" : v + (unit || ""); };
  }

  function option(c) {
    var text = { fontSize: big };
    var base = {
      backgroundColor: "transparent",
      // A room's screen redraws every few minutes: no growing bars each time.
      animation: !screen,
      textStyle: text,
      tooltip: { trigger: c.type === "pie" || c.type === "heatmap" ? "item" : "axis", valueFormatter: pct(c.unit) },
      legend: { top: 0, textStyle: text },
      grid: { left: 8, right: 16, top: screen ? 48 : 36, bottom: 8, containLabel: true },
    };
    if (c.type === "pie") {
      base.series = [{
        type: "pie", radius: ["35%", "65%"], top: screen ? 40 : 30,
        label: { fontSize: big, formatter: "{b}: {c} ({d}%)" },
        data: c.x.map(function (name, i) { return { name: name, value: c.series[0].data[i] }; }),
      }];
      return base;
    }
    if (c.type === "heatmap") {
      base.legend = undefined;
      base.grid = { left: 8, right: 16, top: 8, bottom: 56, containLabel: true };
      base.xAxis = { type: "category", data: c.x, axisLabel: { fontSize: big - 2 } };
      base.yAxis = { type: "category", data: c.y, inverse: true, axisLabel: { fontSize: big - 2, width: screen ? 260 : 180, overflow: "truncate" } };
      base.visualMap = { min: 0, max: 100, calculable: false, orient: "horizontal", left: "center", bottom: 0, itemHeight: screen ? 300 : 160,
        inRange: { color: ["#b91c1c", "#f59e0b", "#15803d"] }, textStyle: text };
      base.series = [{ type: "heatmap", data: c.series[0].data, label: { show: !screen && c.y.length <= 15, fontSize: 10 } }];
      return base;
    }
    var categories = { type: "category", data: c.x, axisLabel: { fontSize: big - 2, hideOverlap: true } };
    var amounts = { type: "value", axisLabel: { fontSize: big - 2, formatter: c.unit ? "{value}" + c.unit : "{value}" } };
    if (c.unit === "%") { amounts.min = 0; amounts.max = 100; }
    if (c.type === "stack") {
      // Long names (the kinds of findings): horizontal bars, the names read down the side.
      categories.inverse = true;
      categories.axisLabel = { fontSize: big - 2, width: screen ? 220 : 160, overflow: "truncate", interval: 0 };
      base.xAxis = amounts;
      base.yAxis = categories;
    } else {
      base.xAxis = categories;
      base.yAxis = amounts;
    }
    base.series = c.series.map(function (s) {
      return {
        name: s.name,
        type: c.type === "line" ? "line" : "bar",
        stack: c.type === "stack" ? "total" : undefined,
        showSymbol: false,
        data: s.data,
      };
    });
    return base;
  }

  function part(selector, id) {
    return document.querySelector(selector + '[data-chart="' + id + '"]');
  }

  function show(id, asTable) {
    var box = part(".dash-box", id);
    var table = part(".dash-table", id);
    var button = part(".dash-toggle", id);
    if (!box || !table) return;
    box.classList.toggle("d-none", asTable);
    table.classList.toggle("visually-hidden", !asTable);
    if (button) {
      button.textContent = asTable ? button.dataset.chartLabel : button.dataset.tableLabel;
      button.setAttribute("aria-pressed", asTable ? "true" : "false");
    }
    if (!asTable && instances[id]) instances[id].resize();
  }

  function draw(charts) {
    if (!window.echarts) return;
    Object.keys(charts).forEach(function (id) {
      var box = part(".dash-box", id);
      if (!box) return;
      var c = charts[id];
      var first = !instances[id];
      if (first) {
        show(id, false);
        instances[id] = window.echarts.init(box, screen ? "dark" : null);
        var button = part(".dash-toggle", id);
        if (button) {
          button.classList.remove("d-none");
          button.addEventListener("click", function () {
            // The table is hidden while the chart shows: the button shows the table, and back.
            show(id, part(".dash-table", id).classList.contains("visually-hidden"));
          });
        }
      }
      var chart = instances[id];
      chart.setOption(option(c), true);
      chart.off("click");
      chart.on("click", function (p) {
        var links = c.links || [];
        var index = c.type === "heatmap" ? (p.data && p.data[1]) : p.dataIndex;
        if (links[index]) window.location.href = links[index];
      });
      box.dataset.ready = "1";
    });
  }

  var source = document.getElementById("dashboard-charts");
  if (source) draw(JSON.parse(source.textContent));
  window.addEventListener("resize", function () {
    Object.keys(instances).forEach(function (id) { instances[id].resize(); });
  });

  if (!screen) return;
  var status = document.getElementById("screen-status");
  var clock = document.getElementById("screen-clock");
  function hhmm(d) { return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2); }
  function tick() { if (clock) clock.textContent = hhmm(new Date()); }
  tick();
  window.setInterval(tick, 30000);
  var last = new Date();
  function refresh() {
    fetch(body.dataset.source, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) {
        Object.keys(data.figures).forEach(function (id) {
          var f = data.figures[id];
          var el = document.querySelector('[data-figure="' + id + '"]');
          if (el) el.textContent = f.value == null ? "—" : f.value + (f.unit || "");
          var detail = document.querySelector('[data-figure-detail="' + id + '"]');
          if (detail && f.detail) detail.textContent = f.detail;
        });
        draw(data.charts);
        var day = document.getElementById("screen-day-value");
        if (day && data.day) day.textContent = data.day;
        last = new Date();
        status.textContent = body.dataset.updated + " " + hhmm(last);
        status.classList.remove("screen-offline");
      })
      .catch(function () {
        status.textContent = body.dataset.offline + " " + hhmm(last);
        status.classList.add("screen-offline");
      });
  }
  var seconds = parseInt(body.dataset.refresh, 10) || 300;
  window.setInterval(refresh, seconds * 1000);
  // "R" asks at once (someone in the room after a change; the browser test of going offline).
  document.addEventListener("keydown", function (e) {
    if ((e.key === "r" || e.key === "R") && !e.ctrlKey && !e.metaKey) refresh();
  });
})();
