// The HTML evaluation report: one self-contained file (styles, data and the charting library
// inlined) that opens offline in any browser. It renders the JSON document `kiln evaluate`
// writes; see docs/evaluation-json.md for that document's fields.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace kiln {

// The report for one evaluation result. kUsage when `result` lacks the fields the report needs
// (task, metrics), naming the first missing one. Long curves are thinned to at most 500 points
// that keep the curve's shape; every text from the document is HTML-escaped.
Result<std::string> RenderEvaluationReport(const nlohmann::json& result);

}  // namespace kiln
