// HTML escaping, script-safe JSON and figure formatting for the reports.
#include "report/html.h"

#include <cctype>
#include <cmath>

#include <fmt/format.h>

namespace kiln {

std::string EscapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string JsonForScript(const nlohmann::json& value) {
  const std::string json = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string out;
  out.reserve(json.size());
  for (char c : json) {
    // Outside strings JSON has none of these characters, so escaping them everywhere is safe.
    switch (c) {
      case '<':
        out += "\\u003c";
        break;
      case '>':
        out += "\\u003e";
        break;
      case '&':
        out += "\\u0026";
        break;
      default:
        out += c;
    }
  }
  return out;
}

namespace {

bool StartsWithNoCase(std::string_view text, size_t at, std::string_view prefix) {
  if (text.size() - at < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    const auto a = static_cast<unsigned char>(text[at + i]);
    if (std::tolower(a) != prefix[i]) return false;
  }
  return true;
}

// The comment counts only on the file's last line; one elsewhere is left alone.
std::string_view DropSourceMapComment(std::string_view source) {
  const size_t at = source.rfind("\n//# sourceMappingURL=");
  if (at == std::string_view::npos) return source;
  const size_t line_end = source.find('\n', at + 1);
  if (line_end != std::string_view::npos &&
      source.find_first_not_of(" \t\r\n", line_end) != std::string_view::npos) {
    return source;
  }
  return source.substr(0, at + 1);
}

}  // namespace

std::string InlineScriptSource(std::string_view source) {
  source = DropSourceMapComment(source);

  std::string out;
  out.reserve(source.size());
  for (size_t i = 0; i < source.size(); ++i) {
    if (source[i] == '<' && StartsWithNoCase(source, i + 1, "/script")) {
      out += "<\\";
      continue;
    }
    out += source[i];
  }
  return out;
}

std::string FormatNumber(double value) {
  if (!std::isfinite(value)) return "—";
  const double magnitude = std::fabs(value);
  if (magnitude >= 1e6 || (magnitude < 1e-3 && magnitude > 0)) return fmt::format("{:.3e}", value);
  if (magnitude >= 100) return fmt::format("{:.2f}", value);
  return fmt::format("{:.4f}", value);
}

}  // namespace kiln
