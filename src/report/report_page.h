// A self-contained HTML report page: body HTML written by the caller plus charts given as Chart.js
// configurations, rendered into one file that inlines its styles, data and the charting library.
// Used by the evaluation report; any other report can be built the same way.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace kiln {

class ReportPage {
 public:
  // The page's <body> content so far. Text from documents must go through EscapeHtml.
  std::string& body() { return body_; }

  // Appends a canvas for `config` (a Chart.js configuration) at this point of the body. `id` must
  // be unique within the page and consist of letters, digits and '-'; `height_px` is the chart's
  // height (its width follows the layout).
  void AddChart(const std::string& id, const nlohmann::json& config, int height_px = 320);

  std::size_t chart_count() const { return charts_.size(); }

  // The complete document. <body data-charts> holds chart_count(); once drawing finishes the page
  // sets data-rendered to the number of charts that drew, and a script error anywhere writes its
  // message into data-errors.
  std::string Render(const std::string& title) const;

 private:
  std::string body_;
  std::vector<nlohmann::json> charts_;  // {id, config}
};

}  // namespace kiln
