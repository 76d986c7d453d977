// Page assembly for the HTML reports. The scripts run in order at the end of <body>: the error
// recorder first (so that it sees errors in the library too), then the chart list as JSON, the
// inlined Chart.js, and the loop that draws each chart and records how many drew.
#include "report/report_page.h"

#include <fmt/format.h>

#include "report/html.h"
#include "report/web_library.h"

namespace kiln {
namespace {

// No source is allowed but the page itself: a report that tried to fetch anything would be
// blocked (and the attempt would show in the browser's console) rather than leak or hang.
constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

constexpr const char* kStyle = R"css(
:root { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111; }
body { margin: 0 auto; max-width: 1200px; padding: 24px; background: #f8fafc; }
h1 { margin: 0 0 12px; font-size: 26px; }
h2 { margin: 0 0 12px; font-size: 19px; }
section, header { background: #fff; border: 1px solid #e5e7eb; border-radius: 8px;
                  padding: 16px 20px; margin-bottom: 16px; }
.facts { display: flex; flex-wrap: wrap; gap: 8px 32px; margin: 0; }
.facts dt { font-size: 12px; color: #6b7280; text-transform: uppercase; }
.facts dd { margin: 0; font-weight: 600; }
.gate.go { border: 2px solid #16a34a; background: #f0fdf4; }
.gate.nogo { border: 2px solid #dc2626; background: #fef2f2; }
.verdict { font-size: 44px; font-weight: 800; letter-spacing: 2px; margin-bottom: 8px; }
.gate.go .verdict { color: #15803d; }
.gate.nogo .verdict { color: #b91c1c; }
.reasons { color: #b91c1c; font-weight: 600; }
table { border-collapse: collapse; margin-bottom: 8px; }
th, td { border: 1px solid #e5e7eb; padding: 4px 10px; text-align: left; }
th { background: #f3f4f6; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.pass td:nth-child(2) { color: #15803d; font-weight: 600; }
tr.fail td:nth-child(2) { color: #b91c1c; font-weight: 600; }
.confusion td { text-align: center; min-width: 64px; font-variant-numeric: tabular-nums; }
.confusion small { display: block; font-size: 11px; opacity: 0.8; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(340px, 1fr)); gap: 16px; }
.chart { position: relative; min-width: 0; }
footer { color: #6b7280; font-size: 13px; text-align: center; margin-top: 8px; }
)css";

constexpr const char* kErrorRecorder = R"js(
(function () {
  var errors = [];
  window.kilnRecordError = function (message) {
    errors.push(String(message));
    document.body.setAttribute('data-errors', errors.join(' | '));
  };
  window.addEventListener('error', function (event) {
    window.kilnRecordError(event.message || 'script error');
  });
  window.addEventListener('unhandledrejection', function (event) {
    window.kilnRecordError('unhandled rejection: ' + event.reason);
  });
})();
)js";

// A chart counts as drawn when its canvas holds at least one painted pixel, not merely when its
// constructor returned.
constexpr const char* kDrawCharts = R"js(
(function () {
  function painted(canvas) {
    if (canvas.width === 0 || canvas.height === 0) return false;
    var pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    for (var i = 3; i < pixels.length; i += 4) {
      if (pixels[i] !== 0) return true;
    }
    return false;
  }
  var charts = JSON.parse(document.getElementById('kiln-charts').textContent);
  var drawn = 0;
  charts.forEach(function (chart) {
    try {
      var canvas = document.getElementById(chart.id);
      new Chart(canvas, chart.config);
      if (painted(canvas)) {
        drawn += 1;
      } else {
        window.kilnRecordError(chart.id + ': nothing was drawn');
      }
    } catch (error) {
      window.kilnRecordError(chart.id + ': ' + error.message);
    }
  });
  document.body.dataset.rendered = String(drawn);
})();
)js";

}  // namespace

void ReportPage::AddChart(const std::string& id, const nlohmann::json& config, int height_px) {
  body_ += fmt::format(
      "<div class=\"chart\" style=\"height: {}px\"><canvas id=\"{}\" role=\"img\"></canvas>"
      "</div>\n",
      height_px, EscapeHtml(id));
  charts_.push_back({{"id", id}, {"config", config}});
}

std::string ReportPage::Render(const std::string& title) const {
  const WebLibrary& chart_js = ChartJsLibrary();
  std::string html;
  html.reserve(body_.size() + chart_js.source.size() + 64 * 1024);
  html += fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\n<title>{}</title>\n"
      "<!-- Charts are drawn by {} {} ({} License), inlined below; no file is fetched. -->\n"
      "<style>{}</style>\n</head>\n",
      kContentSecurityPolicy, EscapeHtml(title), chart_js.name, chart_js.version, chart_js.license,
      kStyle);
  html += fmt::format("<body data-charts=\"{}\">\n<script>{}</script>\n", charts_.size(),
                      kErrorRecorder);
  html += body_;
  html += "<script type=\"application/json\" id=\"kiln-charts\">";
  html += JsonForScript(charts_);
  html += "</script>\n<script>\n";
  html += InlineScriptSource(chart_js.source);
  html += "\n</script>\n";
  html += fmt::format("<script>{}</script>\n</body>\n</html>\n", kDrawCharts);
  return html;
}

}  // namespace kiln
