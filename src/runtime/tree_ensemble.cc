#include "runtime/tree_ensemble.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include <nlohmann/json.hpp>

#include "core/parallel.h"

namespace kiln {
namespace {

using nlohmann::json;

Status Bad(std::string_view why) {
  return MakeError(ErrorCode::kData, "cannot compile the XGBoost model: {}", why);
}

// XGBoost writes its parameters as decimal text ("5E-1").
bool ParseNumber(const json& value, double* out) {
  if (value.is_number()) {
    *out = value.get<double>();
    return true;
  }
  if (!value.is_string()) return false;
  const std::string text = value.get<std::string>();
  char* end = nullptr;
  *out = std::strtod(text.c_str(), &end);
  return end != text.c_str() && *end == '\0';
}

template <typename T>
bool ReadArray(const json& tree, const char* key, size_t size, std::vector<T>* out) {
  const auto it = tree.find(key);
  if (it == tree.end() || !it->is_array() || (size != SIZE_MAX && it->size() != size)) {
    return false;
  }
  out->clear();
  out->reserve(it->size());
  for (const json& v : *it) {
    if (std::is_floating_point_v<T>) {
      // NaN and infinities arrive as UBJSON floats; nlohmann keeps them as numbers.
      if (!v.is_number()) return false;
    } else if (!v.is_number_integer() && !v.is_number_unsigned()) {
      return false;
    }
    out->push_back(v.get<T>());
  }
  return true;
}

// `v` when `keep` is 1, else `otherwise`, by masking bits rather than branching.
float Select(uint32_t keep, float v, float otherwise) {
  uint32_t a = 0, b = 0;
  std::memcpy(&a, &v, sizeof a);
  std::memcpy(&b, &otherwise, sizeof b);
  const uint32_t mask = 0u - keep;
  const uint32_t bits = (a & mask) | (b & ~mask);
  float out = 0;
  std::memcpy(&out, &bits, sizeof out);
  return out;
}

// XGBoost's float formulas, so that scores match its predictor exactly.
float Sigmoid(float x) {
  return 1.0f / (1.0f + std::exp(-x));
}

}  // namespace

Result<TreeEnsemble> TreeEnsemble::FromXgboost(std::string_view ubjson, int rounds) {
  const json model = json::from_ubjson(ubjson, /*strict=*/true, /*allow_exceptions=*/false);
  if (model.is_discarded() || !model.is_object()) return Bad("the bytes are not UBJSON");
  const json* learner = model.contains("learner") ? &model["learner"] : nullptr;
  if (learner == nullptr || !learner->is_object()) return Bad("no learner");

  TreeEnsemble e;
  e.bits_ = {0, 0};  // the empty bitset that numeric splits and leaves point at
  const json& params = learner->value("learner_model_param", json::object());
  double base_score = 0.5, num_class = 0, num_feature = 0, num_target = 1;
  if (!ParseNumber(params.value("base_score", json("0.5")), &base_score) ||
      !ParseNumber(params.value("num_class", json("0")), &num_class) ||
      !ParseNumber(params.value("num_feature", json("0")), &num_feature) ||
      !ParseNumber(params.value("num_target", json("1")), &num_target)) {
    return Bad("unreadable learner parameters");
  }
  if (num_target != 1) return Bad("several targets (vector leaves) are not compiled");
  if (num_feature < 1 || num_feature > 1e7 || num_class < 0 || num_class > 1e6) {
    return Bad("implausible feature or class counts");
  }
  e.features_ = static_cast<size_t>(num_feature);
  e.groups_ = num_class >= 2 ? static_cast<size_t>(num_class) : 1;

  const std::string objective =
      learner->contains("objective") && (*learner)["objective"].is_object()
          ? (*learner)["objective"].value("name", std::string())
          : std::string();
  const float base = static_cast<float>(base_score);
  if (objective == "binary:logistic" || objective == "reg:logistic") {
    e.transform_ = Transform::kSigmoid;
    e.base_margin_ = -std::log(1.0f / base - 1.0f);
  } else if (objective == "reg:squarederror" || objective == "reg:squaredlogerror" ||
             objective == "reg:pseudohubererror" || objective == "reg:absoluteerror" ||
             objective == "binary:logitraw") {
    e.transform_ = Transform::kIdentity;
    e.base_margin_ = base;
  } else if (objective == "multi:softprob") {
    e.transform_ = Transform::kSoftmax;
    e.base_margin_ = base;
  } else if (objective == "count:poisson" || objective == "reg:gamma" ||
             objective == "reg:tweedie") {
    e.transform_ = Transform::kExp;
    e.base_margin_ = std::log(base);
  } else {
    return Bad(fmt::format("objective '{}' is not compiled", objective));
  }
  if (e.transform_ == Transform::kSoftmax) {
    if (e.groups_ < 2) return Bad("multi:softprob without num_class");
  } else if (e.groups_ != 1) {
    return Bad("several output groups for a single-output objective");
  }

  const json& booster = learner->value("gradient_booster", json::object());
  if (booster.value("name", std::string()) != "gbtree") {
    return Bad(fmt::format("booster '{}' is not compiled; only gbtree is",
                           booster.value("name", std::string("?"))));
  }
  const json& gbtree = booster.value("model", json::object());
  const json& trees = gbtree.value("trees", json::array());
  std::vector<int64_t> tree_info;
  if (!trees.is_array() || !ReadArray(gbtree, "tree_info", trees.size(), &tree_info)) {
    return Bad("trees and tree_info do not match");
  }
  double parallel = 1;
  if (!ParseNumber(
          gbtree.value("gbtree_model_param", json::object()).value("num_parallel_tree", json("1")),
          &parallel) ||
      parallel < 1) {
    return Bad("unreadable num_parallel_tree");
  }
  const size_t per_round = e.groups_ * static_cast<size_t>(parallel);
  size_t keep = trees.size();
  if (rounds > 0) keep = std::min(keep, static_cast<size_t>(rounds) * per_round);

  std::vector<int64_t> left, right, index;
  std::vector<float> cond;
  std::vector<int64_t> default_left, split_type, cat_nodes, cat_segments, cat_sizes, categories;
  for (size_t t = 0; t < keep; ++t) {
    const json& tree = trees[t];
    if (!tree.is_object()) return Bad(fmt::format("tree {} is not an object", t));
    if (!ReadArray(tree, "left_children", SIZE_MAX, &left) || left.empty()) {
      return Bad(fmt::format("tree {} has no nodes", t));
    }
    const size_t n = left.size();
    if (n > (1u << 24)) return Bad(fmt::format("tree {} is too large", t));
    if (!ReadArray(tree, "right_children", n, &right) ||
        !ReadArray(tree, "split_indices", n, &index) ||
        !ReadArray(tree, "split_conditions", n, &cond) ||
        !ReadArray(tree, "default_left", n, &default_left)) {
      return Bad(fmt::format("tree {} has node arrays of unequal length", t));
    }
    if (!ReadArray(tree, "split_type", n, &split_type)) split_type.assign(n, 0);
    cat_nodes.clear();
    cat_segments.clear();
    cat_sizes.clear();
    categories.clear();
    if (std::count(split_type.begin(), split_type.end(), 1) > 0 &&
        (!ReadArray(tree, "categories_nodes", SIZE_MAX, &cat_nodes) ||
         !ReadArray(tree, "categories_segments", cat_nodes.size(), &cat_segments) ||
         !ReadArray(tree, "categories_sizes", cat_nodes.size(), &cat_sizes) ||
         !ReadArray(tree, "categories", SIZE_MAX, &categories))) {
      return Bad(fmt::format("tree {} has categorical splits without their categories", t));
    }
    if (tree_info[t] < 0 || static_cast<size_t>(tree_info[t]) >= e.groups_) {
      return Bad(fmt::format("tree {} belongs to output group {}", t, tree_info[t]));
    }

    // Breadth-first renumbering puts the children of every split side by side. The walk also
    // proves the arrays form a tree: each node reached once, every index in range.
    const uint32_t root = static_cast<uint32_t>(e.nodes_.size());
    std::vector<int64_t> order = {0};
    std::vector<uint32_t> depth = {0};
    uint32_t tree_depth = 0;
    std::vector<char> seen(n, 0);
    seen[0] = 1;
    e.nodes_.push_back({});
    for (size_t i = 0; i < order.size(); ++i) {
      const size_t id = static_cast<size_t>(order[i]);
      Node node{};
      node.value = cond[id];
      if (left[id] == -1) {
        if (right[id] != -1) return Bad(fmt::format("tree {} node {} has one child", t, id));
        // A leaf is a categorical split on an empty set whose children are the leaf itself:
        // every row that reaches it stays, so scoring needs no test for leaves.
        node.left = root + static_cast<uint32_t>(i);
        node.feature = kCategorical | kDefaultLeft;
        node.category = 0;
        tree_depth = std::max(tree_depth, depth[i]);
      } else {
        for (const int64_t child : {left[id], right[id]}) {
          if (child <= 0 || static_cast<size_t>(child) >= n || seen[static_cast<size_t>(child)]) {
            return Bad(fmt::format("tree {} node {} has an invalid child {}", t, id, child));
          }
          seen[static_cast<size_t>(child)] = 1;
          order.push_back(child);
          depth.push_back(depth[i] + 1);
        }
        if (index[id] < 0 || static_cast<size_t>(index[id]) >= e.features_) {
          return Bad(fmt::format("tree {} node {} splits on feature {} of {}", t, id, index[id],
                                 e.features_));
        }
        node.left = static_cast<uint32_t>(e.nodes_.size());
        e.nodes_.push_back({});
        e.nodes_.push_back({});
        node.feature = static_cast<uint32_t>(index[id]);
        if (default_left[id] != 0) node.feature |= kDefaultLeft;
        if (split_type[id] == 1) {
          const auto at = std::find(cat_nodes.begin(), cat_nodes.end(), static_cast<int64_t>(id));
          if (at == cat_nodes.end()) {
            return Bad(fmt::format("tree {} node {} has no categories", t, id));
          }
          const size_t k = static_cast<size_t>(at - cat_nodes.begin());
          const int64_t begin = cat_segments[k], size = cat_sizes[k];
          if (begin < 0 || size < 0 || static_cast<size_t>(begin + size) > categories.size()) {
            return Bad(fmt::format("tree {} node {} has categories out of range", t, id));
          }
          // XGBoost sizes a split's bitset to hold its largest category; the categories in the
          // set go right.
          int64_t largest = -1;
          for (int64_t j = begin; j < begin + size; ++j) {
            if (categories[static_cast<size_t>(j)] < 0 ||
                categories[static_cast<size_t>(j)] >= (1 << 24)) {
              return Bad(fmt::format("tree {} node {} has an invalid category", t, id));
            }
            largest = std::max(largest, categories[static_cast<size_t>(j)]);
          }
          const uint32_t words = static_cast<uint32_t>((largest + 1 + 31) / 32);
          node.feature |= kCategorical;
          node.category = static_cast<uint32_t>(e.bits_.size());
          e.bits_.push_back(words);
          const size_t first = e.bits_.size();
          e.bits_.resize(first + words, 0);
          for (int64_t j = begin; j < begin + size; ++j) {
            const auto c = static_cast<uint32_t>(categories[static_cast<size_t>(j)]);
            e.bits_[first + c / 32] |= 1u << (c % 32);
          }
        }
      }
      // Nodes are appended in the order they are queued, so node i of `order` sits at root + i.
      e.nodes_[root + i] = node;
    }
    e.roots_.push_back(root);
    e.depth_.push_back(tree_depth);
    e.group_.push_back(static_cast<uint32_t>(tree_info[t]));
  }
  return e;
}

void TreeEnsemble::Margins(const float* x, size_t begin, size_t end, float* out) const {
  // A block of rows walks each tree level by level, all rows side by side, for as many steps as
  // the tree is deep (leaves keep the rows that reach them early). Each step is branch-free:
  // what a row does at a split depends on its data, which a branch predictor cannot guess.
  constexpr size_t kBlock = 64;
  const Node* nodes = nodes_.data();
  const uint32_t* bits = bits_.data();
  for (size_t b = begin; b < end; b += kBlock) {
    const size_t count = std::min(end - b, kBlock);
    const float* rows = x + b * features_;
    for (size_t r = 0; r < count; ++r) {
      for (size_t g = 0; g < groups_; ++g) out[(b + r) * groups_ + g] = base_margin_;
    }
    uint32_t at[kBlock];
    for (size_t t = 0; t < roots_.size(); ++t) {
      std::fill(at, at + count, roots_[t]);
      for (uint32_t level = 0; level < depth_[t]; ++level) {
        for (size_t r = 0; r < count; ++r) {
          const Node& node = nodes[at[r]];
          const float v = rows[r * features_ + (node.feature & kFeatureMask)];
          uint32_t right = static_cast<uint32_t>(!(v < node.value));
          if ((node.feature & kCategorical) != 0) {
            const uint32_t* set = bits + node.category;
            const auto limit = static_cast<float>(set[0] * 32u);
            const uint32_t inside =
                static_cast<uint32_t>(v >= 0.0f) & static_cast<uint32_t>(v < limit);
            const auto code = static_cast<uint32_t>(Select(inside, v, 0.0f));
            right = (set[1 + (code >> 5)] >> (code & 31u)) & inside;
          }
          // Missing values take the default branch: a mask, not a branch.
          const uint32_t default_right = ((node.feature >> 31) & 1u) ^ 1u;
          right ^= (right ^ default_right) & (0u - static_cast<uint32_t>(v != v));
          at[r] = node.left + right;
        }
      }
      const uint32_t group = group_[t];
      for (size_t r = 0; r < count; ++r) out[(b + r) * groups_ + group] += nodes[at[r]].value;
    }
  }
}

void TreeEnsemble::PredictMargin(const float* x, size_t rows, float* out, int threads) const {
  constexpr size_t kRowsPerTask = 2048;
  const size_t tasks = (rows + kRowsPerTask - 1) / kRowsPerTask;
  if (tasks <= 1) {
    Margins(x, 0, rows, out);
    return;
  }
  (void)ParallelFor(tasks, CoresToUse(threads), [&](size_t task) {
    Margins(x, task * kRowsPerTask, std::min(rows, (task + 1) * kRowsPerTask), out);
    return Status::Ok();
  });
}

void TreeEnsemble::Predict(const float* x, size_t rows, float* out, int threads) const {
  PredictMargin(x, rows, out, threads);
  switch (transform_) {
    case Transform::kIdentity:
      break;
    case Transform::kSigmoid:
      for (size_t i = 0; i < rows; ++i) out[i] = Sigmoid(out[i]);
      break;
    case Transform::kExp:
      for (size_t i = 0; i < rows; ++i) out[i] = std::exp(out[i]);
      break;
    case Transform::kSoftmax:
      for (size_t r = 0; r < rows; ++r) {
        float* row = out + r * groups_;
        const float top = *std::max_element(row, row + groups_);
        double sum = 0;  // XGBoost sums in double and divides by the float of the sum
        for (size_t g = 0; g < groups_; ++g) {
          row[g] = std::exp(row[g] - top);
          sum += row[g];
        }
        const auto total = static_cast<float>(sum);
        for (size_t g = 0; g < groups_; ++g) row[g] /= total;
      }
      break;
  }
}

}  // namespace kiln
