/* The dashboard's charts (ECharts, vendored). The same figures are in the tables below each chart,
   which screen readers use; the charts are aria-hidden. Clicking a bar drills down. */
(function () {
  "use strict";
  var source = document.getElementById("dashboard-charts");
  if (!source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var palette = ["#b71c1c", "#1565c0", "#2e7d32", "#ef6c00"];
  var charts = [];

  function seriesOf(list, type) {
    return list.map(function (s) {
      return { name: s.title + (s.unit ? "（" + s.unit + "）" : ""), type: type, data: s.values, smooth: type === "line" };
    });
  }

  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var section = data.sections[el.dataset.section];
    var byChild = el.dataset.chart === "by-child";
    var list = byChild ? section.byChild : section.byMonth;
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      color: palette,
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 8, bottom: 8, top: 36, containLabel: true },
      xAxis: { type: "category", data: byChild ? data.children : data.months, axisLabel: { interval: 0, rotate: byChild && data.children.length > 6 ? 40 : 0 } },
      yAxis: { type: "value" },
      series: seriesOf(list, byChild ? "bar" : "line"),
    });
    if (byChild) {
      // A click anywhere in a township's column (not only on a bar, which may be tiny or zero) drills down.
      chart.getZr().on("click", function (event) {
        var point = [event.offsetX, event.offsetY];
        if (!chart.containPixel("grid", point)) return;
        var url = data.childUrls[chart.convertFromPixel({ xAxisIndex: 0 }, point[0])];
        if (url) window.location.href = url;
      });
      chart.getZr().on("mousemove", function (event) {
        chart.getZr().setCursorStyle(chart.containPixel("grid", [event.offsetX, event.offsetY]) ? "pointer" : "default");
      });
    }
    el.dataset.ready = "1";
    charts.push(chart);
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  // Print at A4 width: resize before printing, back after.
  window.addEventListener("beforeprint", function () { charts.forEach(function (c) { c.resize({ width: 680 }); }); });
  window.addEventListener("afterprint", function () { charts.forEach(function (c) { c.resize(); }); });
})();
