// Type-tolerant accessors over the evaluation document.
#include "report/document.h"

#include <limits>

#include "report/html.h"

namespace kiln {

const nlohmann::json* Member(const nlohmann::json* object, std::string_view key) {
  if (object == nullptr || !object->is_object()) return nullptr;
  const auto it = object->find(key);
  if (it == object->end() || it->is_null()) return nullptr;
  return &*it;
}

double NumberAt(const nlohmann::json* value) {
  if (value == nullptr || !value->is_number()) return std::numeric_limits<double>::quiet_NaN();
  return value->get<double>();
}

std::vector<double> NumbersAt(const nlohmann::json* value) {
  std::vector<double> numbers;
  if (value == nullptr || !value->is_array()) return numbers;
  numbers.reserve(value->size());
  for (const nlohmann::json& element : *value) numbers.push_back(NumberAt(&element));
  return numbers;
}

std::string TextAt(const nlohmann::json* value) {
  if (value == nullptr) return "";
  if (value->is_string()) return value->get<std::string>();
  if (value->is_number_integer()) return value->dump();
  if (value->is_number()) return FormatNumber(value->get<double>());
  if (value->is_boolean()) return value->get<bool>() ? "yes" : "no";
  return "";
}

std::vector<std::string> TextsAt(const nlohmann::json* value) {
  std::vector<std::string> texts;
  if (value == nullptr || !value->is_array()) return texts;
  for (const nlohmann::json& element : *value) texts.push_back(TextAt(&element));
  return texts;
}

}  // namespace kiln
