// Reading an evaluation document (docs/evaluation-json.md) without trusting its shape. The report
// shows what is there and leaves out what is missing or of the wrong type, so these accessors
// never throw: a wrong type reads as absent.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace kiln {

// The member `key` of `object`, or nullptr when `object` is not an object, lacks `key`, or holds
// null there. Chains: Member(Member(doc, "curves"), "roc").
const nlohmann::json* Member(const nlohmann::json* object, std::string_view key);
inline const nlohmann::json* Member(const nlohmann::json& object, std::string_view key) {
  return Member(&object, key);
}

// The number held, or NaN when `value` is absent or not a number.
double NumberAt(const nlohmann::json* value);

// The array's elements as numbers, NaN for any that is not one (infinite values are written as
// null). Empty when `value` is absent or not an array.
std::vector<double> NumbersAt(const nlohmann::json* value);

// Text for a table cell: strings as they are, integers as integers, other numbers through
// FormatNumber, booleans as yes/no, and "" for anything else. The caller escapes it.
std::string TextAt(const nlohmann::json* value);

// The array's elements as text (TextAt each); empty when `value` is not an array.
std::vector<std::string> TextsAt(const nlohmann::json* value);

}  // namespace kiln
