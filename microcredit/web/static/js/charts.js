// Renders every <div class="chart" data-chart='{…echarts option…}'> with the vendored ECharts.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("div.chart[data-chart]").forEach(function (el) {
    var chart = echarts.init(el);
    chart.setOption(JSON.parse(el.dataset.chart));
    window.addEventListener("resize", function () { chart.resize(); });
  });
});
