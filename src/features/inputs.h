// The first stage of the feature pipeline: reads the fitted input columns of a Frame into a
// Workspace. It fixes, at fit time, each column's role (numeric, boolean, datetime, categorical)
// and each categorical column's category order, and at transform time maps the frame's own
// dictionary onto that order once per column, so no row ever touches a string.
#pragma once

#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "data/frame.h"
#include "features/step.h"

namespace kiln::features {

enum class InputRole : uint8_t { kNumeric, kBoolean, kDatetime, kCategorical };

struct InputColumn {
  std::string name;
  InputRole role = InputRole::kNumeric;
  // Categorical only: the labels seen in training, most frequent first (ties by label), so a
  // category's index is also its frequency rank. `had_missing`: training rows had missing values.
  std::vector<std::string> categories;
  bool had_missing = false;
  std::unordered_map<std::string, int32_t> index;  // label -> position in `categories`
};

class InputReader {
 public:
  // Chooses the inputs among `columns` (text columns are skipped) and fits category orders on
  // the training `rows`. kData naming the column (and the nearest names) when one is absent.
  Status Fit(const Frame& frame, std::span<const size_t> rows,
             const std::vector<std::string>& columns);

  // Fills `workspace` with one feature per input for the given rows (all rows when empty).
  Status Read(const Frame& frame, std::span<const size_t> rows, Workspace& workspace) const;

  const std::vector<InputColumn>& inputs() const { return inputs_; }
  const std::vector<std::string>& names() const { return names_; }
  const std::vector<std::string>& skipped() const { return skipped_; }

  nlohmann::json ToJson() const;
  Status FromJson(const nlohmann::json& json);

 private:
  Status ReadColumn(const InputColumn& input, const Column& column, std::span<const size_t> rows,
                    Feature& feature) const;

  std::vector<InputColumn> inputs_;
  std::vector<std::string> names_;
  std::vector<std::string> skipped_;
};

}  // namespace kiln::features
