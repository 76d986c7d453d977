// Guesses for `kiln init --from`; see propose.h.
#include "core/propose.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <unordered_set>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/text_distance.h"

namespace kiln {
namespace {

// A non-numeric target with more classes than this is more likely an identifier or free text.
constexpr size_t kMaxProposedClasses = 50;
constexpr size_t kMaxListedColumns = 12;

constexpr std::string_view kProtectedWords[] = {
    "sex",      "gender",   "race",      "racial",      "ethnicity",   "ethnic",
    "age",      "religion", "religious", "nationality", "citizenship", "citizen",
    "marital",  "marriage", "married",   "disability",  "disabled",    "pregnancy",
    "pregnant", "native",   "birth",     "dob",
};

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool IsLowerAscii(char c) {
  return c >= 'a' && c <= 'z';
}
bool IsUpperAscii(char c) {
  return c >= 'A' && c <= 'Z';
}
bool IsDigitAscii(char c) {
  return c >= '0' && c <= '9';
}

// Lower-case words of a column name, split at non-alphanumerics, letter/digit changes and
// lower-to-upper changes: "maritalStatus_2" -> marital, status, 2.
std::vector<std::string> NameWords(std::string_view name) {
  std::vector<std::string> words;
  std::string word;
  char previous = 0;
  for (char c : name) {
    bool alnum = IsLowerAscii(c) || IsUpperAscii(c) || IsDigitAscii(c);
    bool boundary = !alnum || (IsDigitAscii(c) != IsDigitAscii(previous) && previous != 0) ||
                    (IsUpperAscii(c) && IsLowerAscii(previous));
    if (boundary && !word.empty()) words.push_back(Lower(std::exchange(word, "")));
    if (alnum) word += c;
    previous = alnum ? c : 0;
  }
  if (!word.empty()) words.push_back(Lower(word));
  return words;
}

// Distinct non-missing values of a column as rendered text, with their counts.
std::map<std::string, size_t> CountValues(const Column& column) {
  std::map<std::string, size_t> counts;
  for (size_t row = 0; row < column.size(); ++row) {
    if (!column.is_missing(row)) ++counts[column.Render(row)];
  }
  return counts;
}

size_t DistinctCount(const Column& column) {
  std::unordered_set<std::string> seen;
  for (size_t row = 0; row < column.size(); ++row) {
    if (!column.is_missing(row)) seen.insert(column.Render(row));
  }
  return seen.size();
}

std::string Percent(size_t part, size_t whole) {
  return fmt::format("{:.1f} %", whole ? 100.0 * static_cast<double>(part) / whole : 0.0);
}

bool LooksPositive(std::string_view label) {
  std::string text = Lower(label);
  return text == "1" || text == "yes" || text == "y" || text == "true" || text == "t" ||
         text == "positive" || text == "pos" || text.starts_with(">");
}

bool LooksNegative(std::string_view label) {
  std::string text = Lower(label);
  return text == "0" || text == "no" || text == "n" || text == "false" || text == "f" ||
         text == "negative" || text == "neg" || text.starts_with("<");
}

// Sets the positive class of a two-valued target: the label that reads as positive when the other
// reads as negative ("1"/"0", "yes"/"no", ">50K"/"<=50K"), otherwise the minority class, since
// the rarer outcome is usually the one to detect.
void ChoosePositiveClass(const std::map<std::string, size_t>& counts, InitProposal& proposal) {
  auto first = counts.begin();
  auto second = std::next(first);
  size_t total = first->second + second->second;

  for (auto [positive, negative] : {std::pair{first, second}, std::pair{second, first}}) {
    if (LooksPositive(positive->first) && LooksNegative(negative->first)) {
      proposal.positive_class = positive->first;
      proposal.positive_class_reason =
          fmt::format("'{}' reads as the positive label next to '{}'; it is {} of rows",
                      positive->first, negative->first, Percent(positive->second, total));
      return;
    }
  }
  auto minority = first->second < second->second ? first : second;
  proposal.positive_class = minority->first;
  if (first->second == second->second) {
    proposal.positive_class_reason =
        fmt::format("both labels are equally common; '{}' was picked, check it", minority->first);
  } else {
    proposal.positive_class_reason = fmt::format("'{}' is the minority class ({} of rows)",
                                                 minority->first, Percent(minority->second, total));
  }
}

double RoundToSignificant(double value, int digits) {
  if (value == 0 || !std::isfinite(value)) return value;
  double scale = std::pow(10.0, digits - 1 - static_cast<int>(std::floor(std::log10(value))));
  return std::round(value * scale) / scale;
}

double StandardDeviation(const Column& column) {
  double sum = 0, sum_squares = 0;
  size_t n = 0;
  for (size_t row = 0; row < column.size(); ++row) {
    double x = column.AsDouble(row);
    if (std::isnan(x)) continue;
    sum += x;
    sum_squares += x * x;
    ++n;
  }
  if (n < 2) return 0;
  double mean = sum / static_cast<double>(n);
  return std::sqrt(std::max(0.0, sum_squares / static_cast<double>(n) - mean * mean));
}

void ProposeMetric(const Column& column, InitProposal& proposal) {
  switch (proposal.task_type) {
    case TaskType::kBinary:
      proposal.north_star = "roc_auc";
      proposal.threshold = 0.8;
      proposal.threshold_reason =
          "The threshold is a placeholder: set the ROC AUC a model must reach";
      return;
    case TaskType::kMulticlass:
      proposal.north_star = "macro_f1";
      proposal.threshold = 0.6;
      proposal.threshold_reason =
          "The threshold is a placeholder: set the macro F1 a model must reach";
      return;
    case TaskType::kRegression: {
      double spread = RoundToSignificant(StandardDeviation(column), 3);
      proposal.north_star = "rmse";
      proposal.threshold = spread;
      proposal.threshold_reason = fmt::format(
          "Predicting the mean of {} gives an RMSE of about {}; lower the threshold to the error "
          "you need",
          column.name, spread);
      return;
    }
  }
}

Status TaskFromValues(const Column& column, const std::map<std::string, size_t>& counts,
                      InitProposal& proposal) {
  size_t present = column.size() - column.missing_count();
  size_t distinct = counts.size();
  if (distinct == 2) {
    auto first = counts.begin(), second = std::next(first);
    proposal.task_type = TaskType::kBinary;
    proposal.task_reason = fmt::format("{} has 2 distinct values: '{}' ({}), '{}' ({})",
                                       column.name, first->first, Percent(first->second, present),
                                       second->first, Percent(second->second, present));
    ChoosePositiveClass(counts, proposal);
    return Status::Ok();
  }

  bool integer = column.type == ColumnType::kInteger;
  bool few = distinct <= kMaxProposedClasses && 2 * distinct <= present;
  if (column.type == ColumnType::kFloat || (integer && !few)) {
    proposal.task_type = TaskType::kRegression;
    proposal.task_reason = fmt::format("{} is numeric with {} distinct values in {} rows",
                                       column.name, distinct, present);
    return Status::Ok();
  }
  if (!integer && distinct > kMaxProposedClasses) {
    return MakeError(ErrorCode::kData,
                     "target '{}' has {} distinct non-numeric values; a class label rarely has "
                     "more than {}. Check that it is the column to predict, or write task.type: "
                     "multiclass into kiln.yaml yourself",
                     column.name, distinct, kMaxProposedClasses);
  }
  proposal.task_type = TaskType::kMulticlass;
  proposal.task_reason = fmt::format("{} has {} distinct {} values in {} rows", column.name,
                                     distinct, ColumnTypeName(column.type), present);
  return Status::Ok();
}

Status ProposeTask(const Column& column, InitProposal& proposal) {
  if (column.type == ColumnType::kDatetime) {
    return MakeError(ErrorCode::kData, "target '{}' holds dates; Kiln predicts classes or numbers",
                     column.name);
  }
  std::map<std::string, size_t> counts = CountValues(column);
  if (counts.empty()) {
    return MakeError(ErrorCode::kData,
                     "target '{}' is missing in all {} rows; there is nothing to learn from",
                     column.name, column.size());
  }
  if (counts.size() == 1) {
    return MakeError(ErrorCode::kData,
                     "target '{}' is '{}' in every row that has a value; "
                     "there is nothing to predict",
                     column.name, counts.begin()->first);
  }
  KILN_RETURN_IF_ERROR(TaskFromValues(column, counts, proposal));
  ProposeMetric(column, proposal);
  return Status::Ok();
}

bool IsUniqueAndComplete(const Column& column) {
  if (column.missing_count() > 0 || column.size() < 2) return false;
  if (column.type == ColumnType::kInteger) {
    std::unordered_set<int64_t> seen(column.ints.begin(), column.ints.end());
    return seen.size() == column.size();
  }
  if (column.type == ColumnType::kText || column.type == ColumnType::kCategorical) {
    return DistinctCount(column) == column.size();
  }
  return false;
}

Status TargetNotFound(const Frame& frame, const std::string& target,
                      const std::string& source_path) {
  std::vector<std::string> names;
  for (const Column& column : frame.columns()) names.push_back(column.name);
  std::optional<std::string> nearest = NearestName(target, std::span<const std::string>(names));
  if (nearest) {
    return MakeError(ErrorCode::kUsage, "target column '{}' is not in {}; did you mean '{}'?",
                     target, source_path, *nearest);
  }
  std::vector<std::string> shown(names.begin(),
                                 names.begin() + std::min(names.size(), kMaxListedColumns));
  return MakeError(ErrorCode::kUsage, "target column '{}' is not in {}; its columns are {}{}",
                   target, source_path, fmt::join(shown, ", "),
                   names.size() > shown.size() ? ", ..." : "");
}

std::string SourceStem(const std::string& source_path) {
  std::string stem = std::filesystem::path(source_path).stem().string();
  return stem.empty() ? "train" : stem;
}

// "adult-train" -> "adult": the training split's file name usually carries the project name.
std::string ProjectName(std::string stem) {
  for (std::string_view suffix : {"-train", "_train", ".train", "-training", "_training"}) {
    if (stem.size() > suffix.size() && stem.ends_with(suffix)) {
      stem.resize(stem.size() - suffix.size());
    }
  }
  std::string name = ToProjectName(stem);
  return name.empty() ? "my-project" : name;
}

}  // namespace

bool LooksProtected(std::string_view column_name) {
  for (const std::string& word : NameWords(column_name)) {
    if (std::find(std::begin(kProtectedWords), std::end(kProtectedWords), word) !=
        std::end(kProtectedWords)) {
      return true;
    }
  }
  return false;
}

bool LooksLikeId(std::string_view column_name) {
  std::vector<std::string> words = NameWords(column_name);
  if (words.empty()) return false;
  for (std::string_view id : {"id", "uuid", "guid"}) {
    if (words.back() == id || words.front() == id) return true;
  }
  return false;
}

Result<InitProposal> ProposeProblem(const Frame& frame, const std::string& target,
                                    const std::string& source_path) {
  std::optional<size_t> target_index = frame.Find(target);
  if (!target_index) return TargetNotFound(frame, target, source_path);

  InitProposal proposal;
  proposal.source_path = source_path;
  proposal.source_name = SourceStem(source_path);
  proposal.project = ProjectName(proposal.source_name);
  proposal.rows = frame.rows();
  proposal.target = target;
  KILN_RETURN_IF_ERROR(ProposeTask(frame.column(*target_index), proposal));

  for (const Column& column : frame.columns()) {
    proposal.columns.push_back(
        {column.name, column.type, DistinctCount(column), column.missing_count()});
    if (column.name == target) continue;
    if (LooksProtected(column.name)) proposal.protected_attributes.push_back(column.name);
    if (LooksLikeId(column.name) && IsUniqueAndComplete(column)) {
      proposal.id_columns.push_back(column.name);
    }
  }
  return proposal;
}

}  // namespace kiln
