// Building blocks for Kiln's self-contained HTML reports: escaping document text for HTML, and
// placing JSON data and inline scripts so that no content can close the <script> element early.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace kiln {

// Escapes the five characters that are special in HTML text and in quoted attribute values, so
// that any string from a document (a project name, a feature name, a class label) shows as text.
std::string EscapeHtml(std::string_view text);

// `value` as JSON for a <script type="application/json"> element. '<', '>' and '&' become \u
// escapes (no "</script>" or "<!--" can appear) and invalid UTF-8 is replaced rather than thrown
// on, so any document renders.
std::string JsonForScript(const nlohmann::json& value);

// Library source for an inline <script>: the trailing source-map comment is dropped (there is no
// map file beside a report, and browsers would try to fetch it) and any "</script" is written as
// "<\/script", which JavaScript reads the same inside strings and regular expressions.
std::string InlineScriptSource(std::string_view source);

// Formats a figure for a table cell: four decimals for ordinary magnitudes (so a column of metrics
// lines up), two from 100 on, scientific notation for very large or very small ones, and "—" for
// NaN or infinity. Counts are integers in the document and are written by TextAt as such.
std::string FormatNumber(double value);

}  // namespace kiln
