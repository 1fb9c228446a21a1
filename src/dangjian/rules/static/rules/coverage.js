// Coverage trend chart: data comes from the page through json_script (strict CSP, no inline JS).
(function () {
  "use strict";
  function draw() {
    var box = document.getElementById("coverage-trend");
    var source = document.getElementById("coverage-trend-data");
    if (!box || !source || !window.echarts) return;
    var points = JSON.parse(source.textContent);
    var chart = window.echarts.init(box);
    function series(name, key) {
      return { name: name, type: "line", showSymbol: false, data: points.map(function (p) { return p[key]; }) };
    }
    chart.setOption({
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v + "%"; } },
      legend: { top: 0 },
      grid: { left: 40, right: 20, top: 40, bottom: 30 },
      xAxis: { type: "category", data: points.map(function (p) { return p.day; }) },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      series: [
        series(box.dataset.work || "工作覆盖率", "work_rate"),
        series(box.dataset.organizational || "组织覆盖率", "organizational_rate"),
        series(box.dataset.single || "单独组建率", "single_rate"),
      ],
    });
    box.dataset.ready = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
