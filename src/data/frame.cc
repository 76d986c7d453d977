#include "data/frame.h"

#include <cmath>
#include <ctime>
#include <limits>

#include <fmt/format.h>

namespace kiln {

const char* ColumnTypeName(ColumnType type) {
  switch (type) {
    case ColumnType::kInteger:
      return "integer";
    case ColumnType::kFloat:
      return "float";
    case ColumnType::kBoolean:
      return "boolean";
    case ColumnType::kCategorical:
      return "categorical";
    case ColumnType::kDatetime:
      return "datetime";
    case ColumnType::kText:
      return "text";
  }
  return "text";
}

std::optional<ColumnType> ParseColumnType(std::string_view name) {
  if (name == "integer" || name == "int") return ColumnType::kInteger;
  if (name == "float" || name == "number") return ColumnType::kFloat;
  if (name == "boolean" || name == "bool") return ColumnType::kBoolean;
  if (name == "categorical" || name == "category") return ColumnType::kCategorical;
  if (name == "datetime" || name == "date") return ColumnType::kDatetime;
  if (name == "text" || name == "string") return ColumnType::kText;
  return std::nullopt;
}

size_t Column::missing_count() const {
  size_t n = 0;
  for (uint8_t m : missing) n += m;
  return n;
}

double Column::AsDouble(size_t row) const {
  if (missing[row]) return std::numeric_limits<double>::quiet_NaN();
  switch (type) {
    case ColumnType::kFloat:
      return floats[row];
    case ColumnType::kInteger:
    case ColumnType::kBoolean:
    case ColumnType::kDatetime:
      return static_cast<double>(ints[row]);
    case ColumnType::kCategorical:
      return static_cast<double>(codes[row]);
    case ColumnType::kText:
      break;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

std::string Column::Render(size_t row) const {
  if (missing[row]) return "";
  switch (type) {
    case ColumnType::kInteger:
      return std::to_string(ints[row]);
    case ColumnType::kFloat:
      return fmt::format("{}", floats[row]);
    case ColumnType::kBoolean:
      return ints[row] ? "true" : "false";
    case ColumnType::kCategorical:
      return dictionary[static_cast<size_t>(codes[row])];
    case ColumnType::kDatetime: {
      std::time_t t = static_cast<std::time_t>(ints[row]);
      std::tm tm{};
      gmtime_r(&t, &tm);
      char buf[32];
      size_t n = (tm.tm_hour || tm.tm_min || tm.tm_sec)
                     ? std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm)
                     : std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
      return std::string(buf, n);
    }
    case ColumnType::kText:
      return texts[row];
  }
  return "";
}

std::optional<size_t> Frame::Find(std::string_view name) const {
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i].name == name) return i;
  }
  return std::nullopt;
}

namespace {

template <typename T>
std::vector<T> Keep(const std::vector<T>& values, const std::vector<uint8_t>& keep) {
  std::vector<T> out;
  if (values.empty()) return out;
  for (size_t i = 0; i < values.size(); ++i) {
    if (keep[i]) out.push_back(values[i]);
  }
  return out;
}

}  // namespace

Frame Frame::FilterRows(const std::vector<uint8_t>& keep) const {
  Frame out;
  for (const Column& c : columns_) {
    Column k;
    k.name = c.name;
    k.type = c.type;
    k.dictionary = c.dictionary;
    k.datetime_format = c.datetime_format;
    k.ints = Keep(c.ints, keep);
    k.floats = Keep(c.floats, keep);
    k.codes = Keep(c.codes, keep);
    k.texts = Keep(c.texts, keep);
    k.missing = Keep(c.missing, keep);
    out.Add(std::move(k));
  }
  return out;
}

}  // namespace kiln
