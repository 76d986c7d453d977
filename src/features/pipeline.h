// The fitted feature pipeline: turns a Frame into the numeric matrix models train on. It is fitted
// on training rows only, serialised inside the model bundle, and applied unchanged at prediction
// time, so serving computes bit-for-bit what training computed. Unseen categories and missing
// values at prediction time map to defined values (the "other"/missing category, the imputed
// value); they never fail.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"
#include "core/status.h"
#include "data/frame.h"
#include "features/spec.h"

namespace kiln {

// A dense, row-major float matrix of features. NaN marks a missing value (only native categorical
// and tree-friendly features are left missing; see FeaturePipeline::Options::keep_missing).
struct FeatureMatrix {
  size_t rows = 0;
  size_t cols = 0;
  std::vector<float> values;             // rows * cols, row-major
  std::vector<std::string> names;        // cols entries, e.g. "age", "workclass=Private", "pc1"
  std::vector<uint8_t> categorical;      // cols entries; 1 = a category code for native splits
  std::vector<int32_t> category_counts;  // cols entries; number of codes when categorical, else 0

  float at(size_t row, size_t col) const { return values[row * cols + col]; }
};

// The training target as models see it: class index 0..k-1 for classification (binary: 1 is the
// positive class), the value for regression.
struct Target {
  TaskType task = TaskType::kBinary;
  std::vector<double> values;        // one per frame row; NaN where the target is missing
  std::vector<std::string> classes;  // classification: label of each class index
};

// Builds the target from the frame's target column per kiln.yaml: binary maps positive_class to 1
// and the one other label to 0; multiclass orders classes by label; regression needs a numeric
// column. kData with the column name and what to do when the column is absent, has a third class
// in a binary task, is constant, or is not numeric for regression.
Result<Target> ExtractTarget(const Frame& frame, const TaskSpec& task);

// The target of data scored by a model trained with class labels `classes` (Target::classes of
// training): each label maps to its training class index, so held-out data may hold any subset
// of the classes. kData naming the label and the known ones when a row holds an unseen label.
// Regression ignores `classes`.
Result<Target> ExtractTargetFor(const Frame& frame, const TaskSpec& task,
                                const std::vector<std::string>& classes);

class FeaturePipeline {
 public:
  struct Options {
    // The columns to use as inputs, in order (the caller has removed the target, ids, exclusions).
    std::vector<std::string> columns;
    // Models that handle NaN themselves (trees) may keep missing values: numeric imputation is
    // then skipped. Linear models need every value filled.
    bool keep_missing = false;
    // Native categorical encoding is only honoured when the model supports it; otherwise one-hot.
    bool native_categorical = false;
    uint64_t seed = 42;
  };

  // Fits on the rows listed in `rows` (indices into `frame`); `target` covers all frame rows.
  static Result<FeaturePipeline> Fit(const Frame& frame, std::span<const size_t> rows,
                                     const Target& target, const FeatureSpec& spec,
                                     const Options& options);

  // Applies the fitted pipeline to the listed rows of `frame` (all rows when `rows` is empty).
  // The frame must have the fitted input columns (by name, any order, extra columns ignored);
  // a missing column or one of an incompatible type is kData naming the column.
  Result<FeatureMatrix> Transform(const Frame& frame, std::span<const size_t> rows = {}) const;

  // The matrix for the training rows themselves. Identical to Transform except that target
  // encoding uses out-of-fold estimates, so a model never sees its own rows' targets.
  Result<FeatureMatrix> TransformTraining(const Frame& frame, std::span<const size_t> rows,
                                          const Target& target) const;

  const std::vector<std::string>& input_columns() const;
  const std::vector<std::string>& feature_names() const;
  // Columns of Options::columns left out because they hold free text, for the trainer to log.
  const std::vector<std::string>& skipped_columns() const;

  // A self-describing JSON document; Deserialize(Serialize()) transforms bit-identically.
  std::string Serialize() const;
  // kData with what is wrong when `text` is not a pipeline this Kiln can read.
  static Result<FeaturePipeline> Deserialize(std::string_view text);

  FeaturePipeline();
  ~FeaturePipeline();
  FeaturePipeline(FeaturePipeline&&) noexcept;
  FeaturePipeline& operator=(FeaturePipeline&&) noexcept;
  FeaturePipeline(const FeaturePipeline&);
  FeaturePipeline& operator=(const FeaturePipeline&);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace kiln
