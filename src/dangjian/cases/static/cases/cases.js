// Case collection: live character counts while writing, and the report charts.
(function () {
  "use strict";
  var NOT_COUNTED = /[\s\u3000，。、；：？！“”‘’（）《》〈〉【】…—,.;:?!"'()\[\]<>-]+/g;

  function count(el) {
    var text = el.value.replace(/<[^>]*>/g, "");
    return text.replace(NOT_COUNTED, "").length;
  }

  function bindCounters() {
    document.querySelectorAll("textarea.case-input").forEach(function (el) {
      var out = document.querySelector('.word-count[data-for="' + el.id + '"]');
      if (!out) return;
      var limit = parseInt(el.dataset.limit, 10);
      var update = function () {
        var n = count(el);
        out.textContent = n;
        out.classList.toggle("text-danger", n > limit);
      };
      el.addEventListener("input", update);
      update();
    });
  }

  function charts() {
    var data = document.getElementById("case-report-data");
    if (!data || !window.echarts) return;
    var d = JSON.parse(data.textContent);
    var score = document.getElementById("score-chart");
    if (score) {
      echarts.init(score).setOption({
        tooltip: {},
        xAxis: { type: "category", data: d.bins },
        yAxis: { type: "value", minInterval: 1 },
        series: [{ type: "bar", name: score.dataset.seriesName, data: d.counts, itemStyle: { color: "#b3140c" } }],
      });
    }
    var sel = document.getElementById("selection-chart");
    if (sel) {
      echarts.init(sel).setOption({
        tooltip: {},
        legend: {},
        xAxis: { type: "category", data: d.categories },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { type: "bar", name: sel.dataset.submitted, data: d.submitted, itemStyle: { color: "#adb5bd" } },
          { type: "bar", name: sel.dataset.selected, data: d.selected, itemStyle: { color: "#b3140c" } },
        ],
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    bindCounters();
    charts();
  });
})();
