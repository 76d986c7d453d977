// What kiln.yaml's `features:` section asks of the feature pipeline. Parsed and validated by
// core/config; fitted by features/pipeline. Every field has a default, so an absent section gives
// a sensible pipeline for gradient-boosted trees and linear models alike.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kiln {

enum class NumericImpute { kMean, kMedian, kConstant };
enum class CategoricalImpute { kMostFrequent, kConstant };  // constant = a "missing" category

struct ImputeSpec {
  NumericImpute numeric = NumericImpute::kMedian;
  CategoricalImpute categorical = CategoricalImpute::kConstant;
  double numeric_fill = 0;         // kConstant only
  bool missing_indicators = true;  // one 0/1 feature per numeric column that had missing values
};

// How categorical (and boolean) columns become numbers.
//   kNative:  one feature holding the category code, marked categorical, for models that split on
//             categories themselves (XGBoost); linear models get one-hot instead.
//   kOneHot:  one 0/1 feature per category, the most frequent `max_categories`, the rest "other".
//   kOrdinal: the category code as a number, categories ordered by frequency.
//   kTarget:  the smoothed mean of the target per category, computed out-of-fold on training rows.
enum class CategoricalEncoding { kNative, kOneHot, kOrdinal, kTarget };

struct EncodeSpec {
  CategoricalEncoding categorical = CategoricalEncoding::kNative;
  int max_categories = 20;       // one-hot cap; rarer categories share an "other" feature
  double target_smoothing = 10;  // kTarget: weight of the prior, in rows
  int target_folds = 5;          // kTarget: folds for the out-of-fold estimate on training rows
};

enum class Scaling { kNone, kStandard, kRobust };

// The parts DatetimeSpec::parts may name. core/config accepts exactly these, so a kiln.yaml that
// validates never fails later in the datetime step.
inline constexpr std::array<std::string_view, 5> kDatetimeParts = {"year", "month", "day_of_week",
                                                                   "hour", "elapsed"};

// Seconds since the epoch (UTC) of a DatetimeSpec::reference written "YYYY-MM-DD", optionally
// followed by " HH:MM:SS" or "THH:MM:SS"; nullopt for any other text.
std::optional<int64_t> ParseDatetimeReference(std::string_view text);

// Datetime columns expand into these parts; "elapsed" is days since `reference` (ISO date, or
// empty = the earliest training timestamp).
struct DatetimeSpec {
  std::vector<std::string> parts = {"year", "month", "day_of_week", "hour", "elapsed"};
  std::string reference;
};

struct PcaSpec {
  int components = 0;  // 0 = off; replaces the numeric features by this many components
};

struct SelectSpec {
  double min_variance = 0;         // drop features with training variance at most this; < 0 = off
  double max_correlation = 1;      // of a pair with |Pearson r| above this, drop the later one
  int mutual_information_top = 0;  // keep the k features with highest MI with the target; 0 = off
  int importance_top = 0;          // keep the k most important features of a quick model; 0 = off
};

struct FeatureSpec {
  ImputeSpec impute;
  EncodeSpec encode;
  Scaling scaling = Scaling::kNone;
  DatetimeSpec datetime;
  PcaSpec pca;
  SelectSpec select;
};

}  // namespace kiln
