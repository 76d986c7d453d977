#include "data/contract.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <limits>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

namespace kiln {

namespace {

constexpr int kFormatVersion = 1;
constexpr size_t kMaxExamples = 5;
constexpr size_t kYamlWidth = 100;

// ---- datetimes as text ----
// Seconds rather than the system clock's nanoseconds, so that any year a datetime column can hold
// (0000 to 9999) round-trips without overflow.

std::string FormatSeconds(int64_t seconds) {
  std::chrono::sys_seconds time{std::chrono::seconds{seconds}};
  auto day = std::chrono::floor<std::chrono::days>(time);
  std::chrono::year_month_day date{day};
  std::chrono::hh_mm_ss clock{time - day};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                     clock.hours().count(), clock.minutes().count(), clock.seconds().count());
}

// "YYYY-MM-DD", optionally followed by "THH:MM:SS" (or a space for the T) and an optional "Z".
std::optional<int64_t> ParseSeconds(std::string_view text) {
  auto number = [&](size_t pos, size_t width, int* out) {
    if (pos + width > text.size()) return false;
    auto [end, ec] = std::from_chars(text.data() + pos, text.data() + pos + width, *out);
    return ec == std::errc() && end == text.data() + pos + width;
  };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!number(0, 4, &y) || text.size() < 10 || text[4] != '-' || !number(5, 2, &mo) ||
      text[7] != '-' || !number(8, 2, &d)) {
    return std::nullopt;
  }
  std::chrono::year_month_day date{std::chrono::year{y}, std::chrono::month{unsigned(mo)},
                                   std::chrono::day{unsigned(d)}};
  if (!date.ok()) return std::nullopt;
  std::string_view rest = text.substr(10);
  if (!rest.empty()) {
    if (rest.size() < 9 || (rest[0] != 'T' && rest[0] != ' ') || rest[3] != ':' || rest[6] != ':' ||
        !number(11, 2, &h) || !number(14, 2, &mi) || !number(17, 2, &s) || h > 23 || mi > 59 ||
        s > 59) {
      return std::nullopt;
    }
    rest.remove_prefix(9);
    if (rest == "Z") rest.remove_prefix(1);
    if (!rest.empty()) return std::nullopt;
  }
  auto days = std::chrono::sys_days{date}.time_since_epoch();
  return std::chrono::duration_cast<std::chrono::seconds>(days).count() + h * 3600 + mi * 60 + s;
}

bool HasRange(ColumnType type) {
  return type == ColumnType::kInteger || type == ColumnType::kFloat ||
         type == ColumnType::kDatetime;
}

bool MayBeUnique(ColumnType type) {
  return type == ColumnType::kInteger || type == ColumnType::kText;
}

std::string FormatBound(double value, ColumnType type) {
  if (std::isinf(value)) return value > 0 ? ".inf" : "-.inf";
  bool whole = std::trunc(value) == value && std::abs(value) < 9.2e18;
  if (type == ColumnType::kDatetime && whole) return FormatSeconds(static_cast<int64_t>(value));
  if (type == ColumnType::kInteger && whole) return fmt::format("{}", static_cast<int64_t>(value));
  return fmt::format("{}", value);
}

// ---- inference ----

void InferRange(const Column& column, ColumnRule* rule) {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -lo;
  for (size_t row = 0; row < column.size(); ++row) {
    double v = column.AsDouble(row);
    if (std::isnan(v)) continue;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  if (lo <= hi) {
    rule->min = lo;
    rule->max = hi;
  }
}

void InferCategories(const Column& column, size_t max_categories, ColumnRule* rule) {
  std::vector<uint8_t> used(column.dictionary.size(), 0);
  for (size_t row = 0; row < column.size(); ++row) {
    if (!column.is_missing(row)) used[static_cast<size_t>(column.codes[row])] = 1;
  }
  std::set<std::string> values;
  for (size_t code = 0; code < used.size(); ++code) {
    if (used[code]) values.insert(column.dictionary[code]);
  }
  if (values.size() <= max_categories) rule->categories.assign(values.begin(), values.end());
}

bool AllDistinct(const Column& column) {
  size_t present = 0;
  if (column.type == ColumnType::kInteger) {
    std::unordered_set<int64_t> seen;
    for (size_t row = 0; row < column.size(); ++row) {
      if (column.is_missing(row)) continue;
      ++present;
      if (!seen.insert(column.ints[row]).second) return false;
    }
  } else {
    std::unordered_set<std::string_view> seen;
    for (size_t row = 0; row < column.size(); ++row) {
      if (column.is_missing(row)) continue;
      ++present;
      if (!seen.insert(column.texts[row]).second) return false;
    }
  }
  return present >= 2;
}

// ---- YAML writing ----

bool IsReservedWord(std::string_view s) {
  static const std::unordered_set<std::string> kWords = {"null", "~",  "true", "false", "yes",
                                                         "no",   "on", "off",  "y",     "n"};
  std::string lower(s);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return kWords.count(lower) > 0;
}

// Plain when a YAML reader cannot take it for anything else; double-quoted otherwise.
std::string YamlScalar(std::string_view s) {
  auto plain_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' ||
           c == '/' || c == ' ';
  };
  bool plain = !s.empty() && (std::isalnum(static_cast<unsigned char>(s.front())) || s[0] == '_') &&
               s.back() != ' ' && s.find("  ") == std::string_view::npos &&
               std::all_of(s.begin(), s.end(), plain_char) && !IsReservedWord(s);
  if (plain) return std::string(s);

  std::string out = "\"";
  for (char c : s) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7f) {
      out += fmt::format("\\x{:02x}", byte);
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// A flow sequence wrapped to the line width, continuation lines indented under the first item.
std::string FlowList(const std::vector<std::string>& items, size_t first_column) {
  std::string out = "[";
  size_t column = first_column + 1;
  std::string indent(first_column + 1, ' ');
  for (size_t i = 0; i < items.size(); ++i) {
    std::string item = YamlScalar(items[i]) + (i + 1 < items.size() ? "," : "");
    if (i > 0 && column + 1 + item.size() > kYamlWidth) {
      out += "\n" + indent;
      column = indent.size();
    } else if (i > 0) {
      out += ' ';
      ++column;
    }
    out += item;
    column += item.size();
  }
  return out + "]";
}

constexpr std::string_view kYamlHeader =
    "# Inferred from the data set's first ingest and checked on every later one; edit it to\n"
    "# loosen or tighten a rule. Keys of each column:\n"
    "#   type           integer, float, boolean, categorical, datetime or text\n"
    "#   nullable       false: no value may be missing\n"
    "#   max_null_rate  largest share of missing values allowed, 0 to 1\n"
    "#   min, max       inclusive range: numbers, or datetimes such as 2026-12-03T18:22:31Z\n"
    "#   categories     the values a categorical column may take (delete the key to allow any)\n"
    "#   unique         true: no two values may be equal\n";

void WriteRule(const ColumnRule& rule, std::string* out) {
  *out += fmt::format("  {}:\n", YamlScalar(rule.name));
  *out += fmt::format("    type: {}\n", ColumnTypeName(rule.type));
  *out += fmt::format("    nullable: {}\n", rule.nullable ? "true" : "false");
  if (rule.nullable) *out += fmt::format("    max_null_rate: {}\n", rule.max_null_rate);
  if (rule.min) *out += fmt::format("    min: {}\n", FormatBound(*rule.min, rule.type));
  if (rule.max) *out += fmt::format("    max: {}\n", FormatBound(*rule.max, rule.type));
  if (!rule.categories.empty()) {
    *out += "    categories: " + FlowList(rule.categories, 16) + "\n";
  }
  if (rule.unique) *out += "    unique: true\n";
}

// ---- YAML reading ----

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1] ? 1 : 0)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// "; did you mean 'max'?" when a valid choice is close, else the list of valid choices.
std::string Suggest(std::string_view wrong, const std::vector<std::string_view>& valid) {
  std::string_view best;
  size_t best_distance = std::numeric_limits<size_t>::max();
  for (std::string_view candidate : valid) {
    size_t d = EditDistance(wrong, candidate);
    if (d < best_distance) {
      best = candidate;
      best_distance = d;
    }
  }
  if (best_distance <= std::max<size_t>(2, wrong.size() / 3)) {
    return fmt::format("; did you mean '{}'?", best);
  }
  return fmt::format("; expected one of: {}", fmt::join(valid, ", "));
}

const std::vector<std::string_view> kTopKeys = {"version", "dataset", "allow_extra_columns",
                                                "columns"};
const std::vector<std::string_view> kColumnKeys = {"type", "nullable",   "max_null_rate", "min",
                                                   "max",  "categories", "unique"};
const std::vector<std::string_view> kTypeNames = {"integer",     "float",    "boolean",
                                                  "categorical", "datetime", "text"};

class ContractReader {
 public:
  explicit ContractReader(const std::string& file_name) : file_(file_name) {}

  Result<Contract> Read(const YAML::Node& root) {
    if (!root.IsMap()) {
      return Error(root,
                   "a contract is a mapping with keys version, dataset, "
                   "allow_extra_columns and columns");
    }
    Contract contract;
    // yaml-cpp's Node assignment rebinds or copies depending on state; optional avoids both.
    std::optional<YAML::Node> columns;
    KILN_RETURN_IF_ERROR(CheckKeys(root, kTopKeys, "at the top level"));
    for (const auto& entry : root) {
      std::string key = entry.first.Scalar();
      const YAML::Node& value = entry.second;
      if (key == "version") {
        KILN_RETURN_IF_ERROR(ReadVersion(entry.first, value));
      } else if (key == "dataset") {
        if (!value.IsScalar()) return Error(At(entry.first, value), "'dataset' must be a name");
      } else if (key == "allow_extra_columns") {
        KILN_ASSIGN_OR_RETURN(contract.allow_extra_columns, ReadBool(entry.first, value));
      } else {
        if (!value.IsMap()) {
          return Error(At(entry.first, value), "'columns' must map each column name to its rules");
        }
        columns.emplace(value);
      }
    }
    if (!columns) {
      return Error(root, "the contract has no 'columns' mapping; add one entry per column");
    }
    KILN_RETURN_IF_ERROR(ReadColumns(*columns, &contract));
    return contract;
  }

  template <typename... Args>
  Status Error(const YAML::Node& node, fmt::format_string<Args...> format, Args&&... args) const {
    return ErrorAt(node.Mark(), fmt::format(format, std::forward<Args>(args)...));
  }

  Status ErrorAt(const YAML::Mark& mark, const std::string& message) const {
    return MakeError(ErrorCode::kConfig, "{}:{}:{}: {}", file_, std::max(mark.line, 0) + 1,
                     std::max(mark.column, 0) + 1, message);
  }

 private:
  Status CheckKeys(const YAML::Node& map, const std::vector<std::string_view>& valid,
                   const std::string& where) const {
    std::set<std::string> seen;
    for (const auto& entry : map) {
      if (!entry.first.IsScalar()) return Error(entry.first, "keys must be plain names");
      const std::string& key = entry.first.Scalar();
      if (std::find(valid.begin(), valid.end(), key) == valid.end()) {
        return Error(entry.first, "unknown key '{}' {}{}", key, where, Suggest(key, valid));
      }
      if (!seen.insert(key).second) return Error(entry.first, "key '{}' repeated {}", key, where);
    }
    return Status::Ok();
  }

  // An empty value has no position of its own (yaml-cpp points past it), so errors about it
  // point at its key.
  static const YAML::Node& At(const YAML::Node& key, const YAML::Node& value) {
    return value.IsNull() ? key : value;
  }

  Status ReadVersion(const YAML::Node& key, const YAML::Node& value) const {
    if (!value.IsScalar() || value.Scalar() != std::to_string(kFormatVersion)) {
      return Error(At(key, value), "unsupported contract version '{}'; this Kiln reads version {}",
                   value.IsScalar() ? value.Scalar() : "?", kFormatVersion);
    }
    return Status::Ok();
  }

  Result<bool> ReadBool(const YAML::Node& key, const YAML::Node& value) const {
    if (value.IsScalar() && value.Scalar() == "true") return true;
    if (value.IsScalar() && value.Scalar() == "false") return false;
    return Error(At(key, value), "'{}' must be true or false", key.Scalar());
  }

  Result<double> ReadNumber(const YAML::Node& key, const YAML::Node& value,
                            const std::string& what) const {
    if (value.IsScalar()) {
      const std::string& s = value.Scalar();
      if (s == ".inf" || s == "+.inf") return std::numeric_limits<double>::infinity();
      if (s == "-.inf") return -std::numeric_limits<double>::infinity();
      double number = 0;
      const char* begin = s.data() + (!s.empty() && s[0] == '+' ? 1 : 0);
      auto [end, ec] = std::from_chars(begin, s.data() + s.size(), number);
      if (ec == std::errc() && end == s.data() + s.size() && !s.empty() && !std::isnan(number)) {
        return number;
      }
    }
    return Error(At(key, value), "{} must be a number", what);
  }

  Result<double> ReadBound(const YAML::Node& key, const YAML::Node& value,
                           const ColumnRule& rule) const {
    std::string what = fmt::format("'{}' of column '{}'", key.Scalar(), rule.name);
    if (rule.type != ColumnType::kDatetime) return ReadNumber(key, value, what);
    std::optional<int64_t> seconds;
    if (value.IsScalar()) seconds = ParseSeconds(value.Scalar());
    if (!seconds) {
      return Error(At(key, value),
                   "{} must be a UTC datetime such as 2026-12-03T18:22:31Z or 2026-12-03", what);
    }
    return static_cast<double>(*seconds);
  }

  Status ReadColumns(const YAML::Node& columns, Contract* contract) const {
    std::set<std::string> names;
    for (const auto& entry : columns) {
      if (!entry.first.IsScalar()) return Error(entry.first, "column names must be scalars");
      ColumnRule rule;
      rule.name = entry.first.Scalar();
      if (!names.insert(rule.name).second) {
        return Error(entry.first, "column '{}' is listed twice", rule.name);
      }
      KILN_RETURN_IF_ERROR(ReadRule(entry.first, entry.second, &rule));
      contract->columns.push_back(std::move(rule));
    }
    return Status::Ok();
  }

  Status ReadType(const YAML::Node& key, const YAML::Node& rules, ColumnRule* rule) const {
    const YAML::Node type = rules["type"];
    if (!type) return Error(key, "column '{}' has no 'type'", rule->name);
    std::optional<ColumnType> parsed;
    if (type.IsScalar()) parsed = ParseColumnType(type.Scalar());
    if (!parsed) {
      std::string given = type.IsScalar() ? type.Scalar() : "";
      return Error(type.IsNull() ? key : type, "unknown type '{}' for column '{}'{}", given,
                   rule->name, Suggest(given, kTypeNames));
    }
    rule->type = *parsed;
    return Status::Ok();
  }

  Status ReadRule(const YAML::Node& key, const YAML::Node& rules, ColumnRule* rule) const {
    if (!rules.IsMap()) {
      return Error(rules.IsNull() ? key : rules,
                   "column '{}' needs a mapping of rules with at "
                   "least a 'type'",
                   rule->name);
    }
    KILN_RETURN_IF_ERROR(CheckKeys(rules, kColumnKeys, fmt::format("in column '{}'", rule->name)));
    KILN_RETURN_IF_ERROR(ReadType(key, rules, rule));
    const char* type_name = ColumnTypeName(rule->type);

    for (const auto& entry : rules) {
      const YAML::Node& field = entry.first;
      const std::string name = field.Scalar();
      const YAML::Node& value = entry.second;
      if (name == "nullable") {
        KILN_ASSIGN_OR_RETURN(rule->nullable, ReadBool(field, value));
      } else if (name == "max_null_rate") {
        KILN_ASSIGN_OR_RETURN(rule->max_null_rate, ReadNumber(field, value, "'max_null_rate'"));
        if (!(rule->max_null_rate >= 0 && rule->max_null_rate <= 1)) {
          return Error(value, "'max_null_rate' is a share of rows between 0 and 1");
        }
      } else if (name == "min" || name == "max") {
        if (!HasRange(rule->type)) {
          return Error(entry.first,
                       "'{}' applies to integer, float and datetime columns; "
                       "column '{}' is {}",
                       name, rule->name, type_name);
        }
        KILN_ASSIGN_OR_RETURN(double bound, ReadBound(field, value, *rule));
        (name == "min" ? rule->min : rule->max) = bound;
      } else if (name == "categories") {
        KILN_RETURN_IF_ERROR(ReadCategories(entry.first, value, rule));
      } else if (name == "unique") {
        KILN_ASSIGN_OR_RETURN(rule->unique, ReadBool(field, value));
        if (rule->unique && !MayBeUnique(rule->type)) {
          return Error(entry.first,
                       "'unique' applies to integer and text columns; column '{}' "
                       "is {}",
                       rule->name, type_name);
        }
      }
    }
    if (rule->min && rule->max && *rule->min > *rule->max) {
      return Error(rules["min"], "column '{}' has min {} above max {}", rule->name,
                   FormatBound(*rule->min, rule->type), FormatBound(*rule->max, rule->type));
    }
    return Status::Ok();
  }

  Status ReadCategories(const YAML::Node& key, const YAML::Node& value, ColumnRule* rule) const {
    if (rule->type != ColumnType::kCategorical) {
      return Error(key, "'categories' applies to categorical columns; column '{}' is {}",
                   rule->name, ColumnTypeName(rule->type));
    }
    if (!value.IsSequence()) return Error(At(key, value), "'categories' must be a list of values");
    std::set<std::string> seen;
    for (const YAML::Node& item : value) {
      if (!item.IsScalar()) {
        return Error(item, "each category must be a single value (quote values such as \"null\")");
      }
      if (!seen.insert(item.Scalar()).second) {
        return Error(item, "category '{}' is listed twice for column '{}'", item.Scalar(),
                     rule->name);
      }
      rule->categories.push_back(item.Scalar());
    }
    return Status::Ok();
  }

  std::string file_;
};

// ---- validation ----

class ColumnChecker {
 public:
  ColumnChecker(const Column& column, const ColumnRule& rule, ContractReport* report)
      : column_(column), rule_(rule), report_(report) {}

  void Run() {
    if (column_.type != rule_.type) {
      ReportType();
      return;
    }
    CheckMissing();
    if (HasRange(rule_.type)) CheckRange();
    if (rule_.type == ColumnType::kCategorical && !rule_.categories.empty()) CheckCategories();
    if (rule_.unique) CheckUnique();
  }

 private:
  // Adds a violation listing the rows for which `offends(row)` holds. Its detail reads
  // "<count> [<adjective>] value(s)<suffix>", e.g. "2 values above the maximum 90".
  template <typename Predicate>
  void Collect(const std::string& rule, Predicate offends, std::string_view adjective,
               std::string_view suffix) {
    ContractViolation v;
    v.column = column_.name;
    v.rule = rule;
    for (size_t row = 0; row < column_.size(); ++row) {
      if (!offends(row)) continue;
      ++v.count;
      if (v.examples.size() < kMaxExamples) v.examples.push_back({row, column_.Render(row)});
    }
    if (v.count == 0) return;
    v.detail = fmt::format("{}{}{} {}{}", v.count, adjective.empty() ? "" : " ", adjective,
                           v.count == 1 ? "value" : "values", suffix);
    report_->violations.push_back(std::move(v));
  }

  void ReportType() {
    ContractViolation v;
    v.column = column_.name;
    v.rule = "type";
    v.count = column_.size();
    v.detail = fmt::format("expected {}, found {}", ColumnTypeName(rule_.type),
                           ColumnTypeName(column_.type));
    for (size_t row = 0; row < column_.size() && v.examples.size() < kMaxExamples; ++row) {
      if (!column_.is_missing(row)) v.examples.push_back({row, column_.Render(row)});
    }
    report_->violations.push_back(std::move(v));
  }

  void CheckMissing() {
    auto missing = [&](size_t row) { return column_.is_missing(row); };
    if (!rule_.nullable) {
      Collect("nullable", missing, "missing", "; the contract allows none");
      return;
    }
    size_t count = column_.missing_count();
    double rate =
        column_.size() ? static_cast<double>(count) / static_cast<double>(column_.size()) : 0.0;
    // Allowances are written in whole percents; the epsilon keeps 5 of 100 within 0.05.
    if (rate <= rule_.max_null_rate + 1e-12) return;
    Collect("max_null_rate", missing, "missing",
            fmt::format(" ({:.2f}% of rows), more than the allowed {:.2f}%", rate * 100,
                        rule_.max_null_rate * 100));
  }

  void CheckRange() {
    if (rule_.min) {
      double lo = *rule_.min;
      Collect(
          "min", [&](size_t row) { return column_.AsDouble(row) < lo; }, "",
          " below the minimum " + FormatBound(lo, rule_.type));
    }
    if (rule_.max) {
      double hi = *rule_.max;
      Collect(
          "max", [&](size_t row) { return column_.AsDouble(row) > hi; }, "",
          " above the maximum " + FormatBound(hi, rule_.type));
    }
  }

  void CheckCategories() {
    std::unordered_set<std::string_view> allowed(rule_.categories.begin(), rule_.categories.end());
    std::vector<uint8_t> ok(column_.dictionary.size());
    for (size_t code = 0; code < ok.size(); ++code) {
      ok[code] = allowed.count(column_.dictionary[code]) > 0;
    }
    Collect(
        "categories",
        [&](size_t row) {
          return !column_.is_missing(row) && !ok[static_cast<size_t>(column_.codes[row])];
        },
        "", fmt::format(" outside the {} allowed categories", rule_.categories.size()));
  }

  void CheckUnique() {
    std::unordered_set<int64_t> ints;
    std::unordered_set<std::string> texts;
    auto repeated = [&](size_t row) {
      if (column_.is_missing(row)) return false;
      if (column_.type == ColumnType::kInteger) return !ints.insert(column_.ints[row]).second;
      return !texts.insert(column_.Render(row)).second;
    };
    Collect("unique", repeated, "repeated", ", each equal to an earlier row's");
  }

  const Column& column_;
  const ColumnRule& rule_;
  ContractReport* report_;
};

}  // namespace

Contract InferContract(const Frame& frame, const InferContractOptions& options) {
  Contract contract;
  int slack_percent = static_cast<int>(std::lround(options.null_rate_slack * 100));
  for (const Column& column : frame.columns()) {
    ColumnRule rule;
    rule.name = column.name;
    rule.type = column.type;

    size_t missing = column.missing_count();
    rule.nullable = missing > 0;
    if (rule.nullable) {
      // Whole percents keep the file readable: 0.07, not 0.0663.
      double percent = 100.0 * static_cast<double>(missing) / static_cast<double>(column.size());
      int allowed = static_cast<int>(std::ceil(percent - 1e-9)) + slack_percent;
      rule.max_null_rate = std::min(allowed, 100) / 100.0;
    } else {
      rule.max_null_rate = 0.0;
    }

    if (HasRange(column.type)) InferRange(column, &rule);
    if (column.type == ColumnType::kCategorical) {
      InferCategories(column, options.max_categories, &rule);
    }
    if (MayBeUnique(column.type)) rule.unique = AllDistinct(column);
    contract.columns.push_back(std::move(rule));
  }
  return contract;
}

std::string ContractToYaml(const Contract& contract, const std::string& dataset_name) {
  std::string out = fmt::format("# Data contract for the data set {}.\n", YamlScalar(dataset_name));
  out += kYamlHeader;
  out += fmt::format("version: {}\n", kFormatVersion);
  out += fmt::format("dataset: {}\n", YamlScalar(dataset_name));
  out += "# true: columns not listed below are accepted; false: they fail the check.\n";
  out += fmt::format("allow_extra_columns: {}\n", contract.allow_extra_columns ? "true" : "false");
  out += contract.columns.empty() ? "columns: {}\n" : "columns:\n";
  for (const ColumnRule& rule : contract.columns) WriteRule(rule, &out);
  return out;
}

Result<Contract> ParseContractYaml(std::string_view yaml, const std::string& file_name) {
  ContractReader reader(file_name);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return reader.ErrorAt(e.mark, e.msg);
  }
  // yaml-cpp may still throw while nodes are read (bad conversions, deep nesting); the reader
  // turns its own findings into Status, so anything thrown here is a malformed document.
  try {
    return reader.Read(root);
  } catch (const YAML::Exception& e) {
    return reader.ErrorAt(e.mark, e.msg);
  } catch (const std::exception& e) {
    return MakeError(ErrorCode::kConfig, "{}: cannot read contract: {}", file_name, e.what());
  }
}

ContractReport ValidateContract(const Frame& frame, const Contract& contract) {
  ContractReport report;
  report.rows = frame.rows();
  report.extra_columns_allowed = contract.allow_extra_columns;

  std::unordered_set<std::string_view> expected;
  for (const ColumnRule& rule : contract.columns) {
    expected.insert(rule.name);
    std::optional<size_t> index = frame.Find(rule.name);
    if (!index) {
      report.missing_columns.push_back(rule.name);
      continue;
    }
    ColumnChecker(frame.column(*index), rule, &report).Run();
  }
  for (const Column& column : frame.columns()) {
    if (expected.count(column.name) == 0) report.extra_columns.push_back(column.name);
  }

  report.passed = report.missing_columns.empty() && report.violations.empty() &&
                  (report.extra_columns.empty() || contract.allow_extra_columns);
  return report;
}

nlohmann::json ContractReportToJson(const ContractReport& report) {
  nlohmann::json violations = nlohmann::json::array();
  for (const ContractViolation& v : report.violations) {
    nlohmann::json examples = nlohmann::json::array();
    for (const ContractExample& e : v.examples) {
      examples.push_back({{"row", e.row}, {"value", e.value}});
    }
    violations.push_back({{"column", v.column},
                          {"rule", v.rule},
                          {"count", v.count},
                          {"detail", v.detail},
                          {"examples", examples}});
  }
  return {{"passed", report.passed},
          {"rows", report.rows},
          {"missing_columns", report.missing_columns},
          {"extra_columns", report.extra_columns},
          {"extra_columns_allowed", report.extra_columns_allowed},
          {"violations", violations}};
}

}  // namespace kiln
