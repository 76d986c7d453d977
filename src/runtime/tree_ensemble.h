// Kiln's tree runtime: a boosted or bagged tree ensemble compiled into flat arrays for scoring.
//
// XGBoost's trees (gbtree boosters, numeric and categorical splits, any of the objectives Kiln
// trains with) are read from the UBJSON bytes XGBoost saves and re-laid so that each node is 16
// bytes, the two children of a split sit next to each other, and every tree of the ensemble lies
// in one array. Scoring walks a block of rows through one tree at a time, level by level and
// without branches, so a tree stays in cache while the block passes it and mispredicted branches
// cost nothing; blocks spread over threads.
//
// Scores equal XGBoost's own predictor bit for bit: leaf values are summed in float in tree order
// from the same base margin, and the objective's transform (sigmoid, softmax, exp) is XGBoost's
// float formula. tests/runtime/tree_ensemble_test.cc holds this against XGBoost on generated and
// real data, with missing values and categories the trees never saw.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace kiln {

class TreeEnsemble {
 public:
  // How margins become scores.
  enum class Transform { kIdentity, kSigmoid, kSoftmax, kExp };

  // Compiles the model in `ubjson` (XGBoosterSaveModelToBuffer with format "ubj"), keeping the
  // first `rounds` boosting rounds (0 = all). kData, with the reason, when the bytes are not
  // such a model or hold what the runtime does not compile (gblinear and dart boosters, vector
  // leaves, ranking and survival objectives); callers may then leave scoring to XGBoost.
  static Result<TreeEnsemble> FromXgboost(std::string_view ubjson, int rounds = 0);

  size_t features() const { return features_; }
  size_t outputs() const { return groups_; }  // scores per row: classes for softmax, else 1
  size_t trees() const { return roots_.size(); }
  Transform transform() const { return transform_; }

  // Scores `rows` rows of `x` (row-major, features() floats per row, NaN = missing) into `out`
  // (rows * outputs() values) after the objective's transform. `threads` 0 = every core.
  void Predict(const float* x, size_t rows, float* out, int threads = 0) const;

  // The same before the transform: base margin plus the sum of the leaves.
  void PredictMargin(const float* x, size_t rows, float* out, int threads = 0) const;

 private:
  struct Node {
    float value;        // a split's threshold, a leaf's value
    uint32_t feature;   // the split's feature in the low bits, flags in the high bits
    uint32_t left;      // the left child's index; the right child is left + 1
    uint32_t category;  // offset in bits_ of a categorical split's bitset (0: the empty one)
  };
  static constexpr uint32_t kDefaultLeft = 1u << 31;
  static constexpr uint32_t kCategorical = 1u << 30;
  static constexpr uint32_t kFeatureMask = kCategorical - 1;

  void Margins(const float* x, size_t begin, size_t end, float* out) const;

  size_t features_ = 0;
  size_t groups_ = 1;
  Transform transform_ = Transform::kIdentity;
  float base_margin_ = 0;
  std::vector<Node> nodes_;
  std::vector<uint32_t> roots_;  // each tree's root in nodes_
  std::vector<uint32_t> depth_;  // each tree's depth (steps from the root to its deepest leaf)
  std::vector<uint32_t> group_;  // each tree's output group
  std::vector<uint32_t> bits_;   // per categorical split: word count, then the words
};

}  // namespace kiln
