// Datetime expansion: each datetime input becomes numeric parts, all in UTC from its seconds since
// the epoch: year, month (1-12), day_of_week (Monday = 0), hour (0-23), and elapsed (days, with
// fraction, since the reference: kiln.yaml's features.datetime.reference, or the earliest
// training timestamp). Missing timestamps give NaN parts, which imputation then fills.
#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "data/datetime.h"
#include "features/step.h"

namespace kiln::features {

namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr int64_t kSecondsPerDay = 86400;
constexpr const auto& kParts = kDatetimeParts;

int64_t FloorDiv(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

struct CivilDate {
  int64_t year;
  int64_t month;
};

// The proleptic Gregorian year and month of a day count since 1970-01-01, by counting whole
// 400-year cycles (146097 days each) from 0000-03-01, where starting the year in March puts the
// leap day last.
CivilDate CivilFromDays(int64_t days) {
  const int64_t shifted = days + 719468;  // days from 0000-03-01 to 1970-01-01
  const int64_t cycle = FloorDiv(shifted, 146097);
  const int64_t day_of_cycle = shifted - cycle * 146097;  // [0, 146096]
  const int64_t year_of_cycle =
      (day_of_cycle - day_of_cycle / 1460 + day_of_cycle / 36524 - day_of_cycle / 146096) / 365;
  const int64_t day_of_year =
      day_of_cycle - (365 * year_of_cycle + year_of_cycle / 4 - year_of_cycle / 100);
  const int64_t march_month = (5 * day_of_year + 2) / 153;  // 0 = March
  const int64_t month = march_month < 10 ? march_month + 3 : march_month - 9;
  return {year_of_cycle + cycle * 400 + (month <= 2 ? 1 : 0), month};
}

// "YYYY-MM-DD", optionally followed by " HH:MM:SS" or "THH:MM:SS".
std::optional<int64_t> ParseReference(std::string_view text) {
  const auto number = [&](size_t at, size_t width) -> std::optional<int64_t> {
    if (at + width > text.size()) return std::nullopt;
    int64_t value = 0;
    auto [ptr, ec] = std::from_chars(text.data() + at, text.data() + at + width, value);
    if (ec != std::errc() || ptr != text.data() + at + width) return std::nullopt;
    return value;
  };
  if (text.size() != 10 && text.size() != 19) return std::nullopt;
  if (text[4] != '-' || text[7] != '-') return std::nullopt;
  const auto year = number(0, 4), month = number(5, 2), day = number(8, 2);
  if (!year || !month || !day || *month < 1 || *month > 12 || *day < 1 || *day > 31) {
    return std::nullopt;
  }
  int64_t seconds =
      DaysFromCivil(*year, static_cast<unsigned>(*month), static_cast<unsigned>(*day)) *
      kSecondsPerDay;
  if (text.size() == 19) {
    if ((text[10] != ' ' && text[10] != 'T') || text[13] != ':' || text[16] != ':') {
      return std::nullopt;
    }
    const auto hour = number(11, 2), minute = number(14, 2), second = number(17, 2);
    if (!hour || !minute || !second || *hour > 23 || *minute > 59 || *second > 59) {
      return std::nullopt;
    }
    seconds += *hour * 3600 + *minute * 60 + *second;
  }
  return seconds;
}

enum class Part : uint8_t { kYear, kMonth, kDayOfWeek, kHour, kElapsed };

Part ParsePart(std::string_view name) {
  for (size_t i = 0; i < kParts.size(); ++i) {
    if (kParts[i] == name) return static_cast<Part>(i);
  }
  return Part::kElapsed;  // unreachable: parts are checked when fitted or read
}

// Timestamps beyond about 3 billion years are not dates; their parts are missing rather than an
// overflow.
constexpr double kLargestSeconds = 1e17;

double PartOf(Part part, double seconds, double reference) {
  if (std::isnan(seconds) || std::fabs(seconds) > kLargestSeconds) return kNan;
  const auto s = static_cast<int64_t>(seconds);
  const int64_t days = FloorDiv(s, kSecondsPerDay);
  switch (part) {
    case Part::kYear:
      return static_cast<double>(CivilFromDays(days).year);
    case Part::kMonth:
      return static_cast<double>(CivilFromDays(days).month);
    case Part::kDayOfWeek:
      return static_cast<double>(((days + 3) % 7 + 7) % 7);  // 1970-01-01 was a Thursday
    case Part::kHour:
      return static_cast<double>((s - days * kSecondsPerDay) / 3600);
    case Part::kElapsed:
      break;
  }
  return (seconds - reference) / static_cast<double>(kSecondsPerDay);
}

class DatetimeStep final : public Step {
 public:
  explicit DatetimeStep(const FeatureSpec& spec) : parts_(spec.datetime.parts) {
    reference_text_ = spec.datetime.reference;
  }

  std::string_view name() const override { return "datetime"; }

  Status Fit(const Workspace& workspace, const TrainingContext&) override {
    KILN_RETURN_IF_ERROR(CheckParts());
    std::optional<int64_t> fixed;
    if (!reference_text_.empty()) {
      fixed = ParseReference(reference_text_);
      if (!fixed) {
        return MakeError(ErrorCode::kConfig,
                         "features.datetime.reference '{}' is not a date; write YYYY-MM-DD or "
                         "YYYY-MM-DD HH:MM:SS",
                         reference_text_);
      }
    }
    references_.clear();
    for (const Feature& feature : workspace.features) {
      if (feature.kind != FeatureKind::kDatetime) continue;
      references_.push_back(fixed ? static_cast<double>(*fixed) : Earliest(feature.values));
    }
    return Status::Ok();
  }

  Status Apply(Workspace& workspace, const TrainingContext*) const override {
    std::vector<Feature> out;
    out.reserve(workspace.features.size() + references_.size() * parts_.size());
    size_t seen = 0;
    for (Feature& feature : workspace.features) {
      if (feature.kind != FeatureKind::kDatetime) {
        out.push_back(std::move(feature));
        continue;
      }
      if (seen == references_.size()) return MismatchError(name(), "more datetime inputs");
      const double reference = references_[seen++];
      for (const std::string& part_name : parts_) {
        const Part part = ParsePart(part_name);
        Feature expanded;
        expanded.name = feature.name + "." + part_name;
        expanded.values.resize(feature.values.size());
        for (size_t i = 0; i < feature.values.size(); ++i) {
          expanded.values[i] = PartOf(part, feature.values[i], reference);
        }
        out.push_back(std::move(expanded));
      }
    }
    if (seen != references_.size()) return MismatchError(name(), "fewer datetime inputs");
    workspace.features = std::move(out);
    return Status::Ok();
  }

  nlohmann::json ToJson() const override {
    return {{"parts", parts_}, {"references", DoublesJson(references_)}};
  }

  Status FromJson(const nlohmann::json& json) override {
    KILN_ASSIGN_OR_RETURN(parts_, ReadStrings(json, "parts", "step datetime"));
    KILN_ASSIGN_OR_RETURN(references_, ReadDoubles(json, "references", "step datetime"));
    for (double r : references_) {
      if (!std::isfinite(r)) return MismatchError(name(), "a reference is not finite");
    }
    return CheckParts();
  }

  std::unique_ptr<Step> Clone() const override { return std::make_unique<DatetimeStep>(*this); }

 private:
  // The earliest timestamp, or 0 (the epoch) when there is none.
  static double Earliest(const std::vector<double>& seconds) {
    double earliest = std::numeric_limits<double>::infinity();
    for (double v : seconds) {
      if (v < earliest) earliest = v;  // false for NaN
    }
    return std::isinf(earliest) ? 0 : earliest;
  }

  Status CheckParts() const {
    for (const std::string& part : parts_) {
      if (std::find(kParts.begin(), kParts.end(), part) == kParts.end()) {
        return MakeError(ErrorCode::kConfig,
                         "unknown datetime part '{}' in features.datetime.parts; known: {}", part,
                         fmt::join(kParts, ", "));
      }
    }
    return Status::Ok();
  }

  std::vector<std::string> parts_;
  std::string reference_text_;
  std::vector<double> references_;  // seconds since the epoch, one per datetime input
};

}  // namespace

std::unique_ptr<Step> CreateDatetimeStep(const FeatureSpec& spec, const FeaturePipeline::Options&,
                                         bool) {
  return std::make_unique<DatetimeStep>(spec);
}

}  // namespace kiln::features

namespace kiln {

std::optional<int64_t> ParseDatetimeReference(std::string_view text) {
  return features::ParseReference(text);
}

}  // namespace kiln
