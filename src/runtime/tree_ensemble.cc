#include "runtime/tree_ensemble.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "core/parallel.h"

namespace kiln {
namespace {

using nlohmann::json;

Status Bad(std::string_view why) {
  return MakeError(ErrorCode::kData, "cannot compile the XGBoost model: {}", why);
}

// The parts of XGBoost's model document the runtime needs, read in one streaming pass over the
// UBJSON (no document tree: a model of a few hundred trees holds a million numbers).
struct RawTree {
  // Node arrays by name; a name that never appeared stays absent.
  std::map<std::string, std::vector<double>, std::less<>> arrays;
  const std::vector<double>* Find(std::string_view name) const {
    const auto it = arrays.find(name);
    return it == arrays.end() ? nullptr : &it->second;
  }
};

struct RawModel {
  std::map<std::string, std::string, std::less<>> learner_params;  // learner_model_param
  std::string objective, booster, parallel_trees;
  bool has_learner = false, has_tree_info = false;
  std::vector<double> tree_info;
  std::vector<RawTree> trees;
};

// A SAX consumer for nlohmann's UBJSON parser that keeps only RawModel's paths.
class ModelReader {
 public:
  // `input_bytes` bounds the work: UBJSON lets a typed array of nulls or booleans declare any
  // count while taking no bytes per element, so the reader stops after more values than bytes.
  ModelReader(RawModel* out, size_t input_bytes) : out_(out), budget_(2 * input_bytes + 64) {}

  bool null() { return Spend(); }
  bool boolean(bool) { return Spend(); }
  bool number_integer(int64_t v) { return Number(static_cast<double>(v)); }
  bool number_unsigned(uint64_t v) { return Number(static_cast<double>(v)); }
  bool number_float(double v, const std::string&) { return Number(v); }
  bool binary(json::binary_t&) { return Spend(); }
  bool string(std::string& v) {
    if (!Spend()) return false;
    if (Inside({"learner", "learner_model_param"})) {
      out_->learner_params[key_] = v;
    } else if (Inside({"learner", "objective"}) && key_ == "name") {
      out_->objective = v;
    } else if (Inside({"learner", "gradient_booster"}) && key_ == "name") {
      out_->booster = v;
    } else if (Inside({"learner", "gradient_booster", "model", "gbtree_model_param"}) &&
               key_ == "num_parallel_tree") {
      out_->parallel_trees = v;
    }
    return true;
  }
  bool key(std::string& k) {
    key_ = k;
    return Spend();
  }
  bool start_object(size_t count) {
    if (!Spend() || !Fits(count)) return false;
    Open(false);
    if (Inside({"learner"})) out_->has_learner = true;
    if (Inside({"learner", "gradient_booster", "model", "trees", "[]"})) out_->trees.emplace_back();
    return true;
  }
  bool end_object() { return Close(); }
  bool start_array(size_t count) {
    if (!Spend() || !Fits(count)) return false;
    Open(true);
    target_ = nullptr;
    if (Inside({"learner", "gradient_booster", "model", "tree_info"})) {
      out_->has_tree_info = true;
      target_ = &out_->tree_info;
    } else if (path_.size() == 7 &&
               Inside({"learner", "gradient_booster", "model", "trees", "[]"}, 1) &&
               !out_->trees.empty()) {
      target_ = &out_->trees.back().arrays[path_.back()];
    }
    return true;
  }
  bool end_array() {
    target_ = nullptr;
    return Close();
  }
  bool parse_error(size_t, const std::string&, const nlohmann::detail::exception&) { return false; }

 private:
  bool Number(double v) {
    if (!Spend()) return false;
    if (target_ != nullptr && arrays_.back()) target_->push_back(v);
    return true;
  }
  bool Spend() {
    if (budget_ == 0) return false;
    --budget_;
    return true;
  }
  // A declared element count (npos when none is declared) no larger than the work left, at a
  // nesting depth XGBoost's documents never reach (the parser recurses once per level).
  bool Fits(size_t count) const {
    return path_.size() < kMaxDepth && (count == static_cast<size_t>(-1) || count <= budget_);
  }
  static constexpr size_t kMaxDepth = 32;
  void Open(bool array) {
    // The container's name: its key in an object, "[]" in an array, "" for the root.
    path_.push_back(arrays_.empty() ? std::string() : arrays_.back() ? "[]" : key_);
    arrays_.push_back(array);
  }
  bool Close() {
    if (path_.empty()) return false;
    path_.pop_back();
    arrays_.pop_back();
    return true;
  }
  // Whether the open containers below the root are `names` (less the last `skip` open ones).
  bool Inside(std::initializer_list<std::string_view> names, size_t skip = 0) const {
    if (path_.size() != names.size() + 1 + skip) return false;
    size_t i = 1;
    for (std::string_view n : names) {
      if (path_[i++] != n) return false;
    }
    return true;
  }

  RawModel* out_;
  std::vector<std::string> path_;
  std::vector<bool> arrays_;
  std::string key_;
  std::vector<double>* target_ = nullptr;
  size_t budget_;
};

// XGBoost writes its parameters as decimal text ("5E-1").
bool ParseNumber(const std::map<std::string, std::string, std::less<>>& params,
                 std::string_view key, double fallback, double* out) {
  const auto it = params.find(key);
  if (it == params.end()) {
    *out = fallback;
    return true;
  }
  char* end = nullptr;
  *out = std::strtod(it->second.c_str(), &end);
  return end != it->second.c_str() && *end == '\0' && std::isfinite(*out);
}

// The node array `name` as integers; false when absent, of another length (`size` SIZE_MAX:
// any), or holding a value that is not an integer.
bool Integers(const RawTree& tree, std::string_view name, size_t size, std::vector<int64_t>* out) {
  const std::vector<double>* values = tree.Find(name);
  if (values == nullptr || (size != SIZE_MAX && values->size() != size)) return false;
  out->clear();
  out->reserve(values->size());
  for (double v : *values) {
    if (!(std::fabs(v) < 9e15) || v != std::floor(v)) return false;
    out->push_back(static_cast<int64_t>(v));
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
  RawModel raw;
  ModelReader reader(&raw, ubjson.size());
  bool parsed = false;
  try {
    parsed = json::sax_parse(ubjson.begin(), ubjson.end(), &reader, json::input_format_t::ubjson,
                             /*strict=*/true);
  } catch (const json::exception&) {
    parsed = false;
  }
  if (!parsed) return Bad("the bytes are not UBJSON");
  if (!raw.has_learner) return Bad("no learner");

  TreeEnsemble e;
  e.bits_ = {0, 0};  // the empty bitset that numeric splits and leaves point at
  double base_score = 0.5, num_class = 0, num_feature = 0, num_target = 1;
  if (!ParseNumber(raw.learner_params, "base_score", 0.5, &base_score) ||
      !ParseNumber(raw.learner_params, "num_class", 0, &num_class) ||
      !ParseNumber(raw.learner_params, "num_feature", 0, &num_feature) ||
      !ParseNumber(raw.learner_params, "num_target", 1, &num_target)) {
    return Bad("unreadable learner parameters");
  }
  if (num_target != 1) return Bad("several targets (vector leaves) are not compiled");
  if (num_feature < 1 || num_feature > 1e7 || num_class < 0 || num_class > 1e6) {
    return Bad("implausible feature or class counts");
  }
  e.features_ = static_cast<size_t>(num_feature);
  e.groups_ = num_class >= 2 ? static_cast<size_t>(num_class) : 1;

  const std::string& objective = raw.objective;
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
  if (!std::isfinite(e.base_margin_)) return Bad("the base score is out of range");

  if (raw.booster != "gbtree") {
    return Bad(fmt::format("booster '{}' is not compiled; only gbtree is",
                           raw.booster.empty() ? "?" : raw.booster));
  }
  const std::vector<RawTree>& trees = raw.trees;
  if (!raw.has_tree_info || raw.tree_info.size() != trees.size()) {
    return Bad("trees and tree_info do not match");
  }
  double parallel = 1;
  char* parallel_end = nullptr;
  if (!raw.parallel_trees.empty()) {
    parallel = std::strtod(raw.parallel_trees.c_str(), &parallel_end);
    if (*parallel_end != '\0') parallel = 0;
  }
  if (!(parallel >= 1 && parallel <= 1e6)) return Bad("unreadable num_parallel_tree");
  const size_t per_round = e.groups_ * static_cast<size_t>(parallel);
  size_t keep = trees.size();
  if (rounds > 0) keep = std::min(keep, static_cast<size_t>(rounds) * per_round);

  std::vector<int64_t> left, right, index;
  std::vector<int64_t> default_left, split_type, cat_nodes, cat_segments, cat_sizes, categories;
  for (size_t t = 0; t < keep; ++t) {
    const RawTree& tree = trees[t];
    if (!Integers(tree, "left_children", SIZE_MAX, &left) || left.empty()) {
      return Bad(fmt::format("tree {} has no nodes", t));
    }
    const size_t n = left.size();
    if (n > (1u << 24)) return Bad(fmt::format("tree {} is too large", t));
    const std::vector<double>* cond = tree.Find("split_conditions");
    if (!Integers(tree, "right_children", n, &right) ||
        !Integers(tree, "split_indices", n, &index) || cond == nullptr || cond->size() != n ||
        !Integers(tree, "default_left", n, &default_left)) {
      return Bad(fmt::format("tree {} has node arrays of unequal length", t));
    }
    if (!Integers(tree, "split_type", n, &split_type)) split_type.assign(n, 0);
    cat_nodes.clear();
    cat_segments.clear();
    cat_sizes.clear();
    categories.clear();
    if (std::count(split_type.begin(), split_type.end(), 1) > 0 &&
        (!Integers(tree, "categories_nodes", SIZE_MAX, &cat_nodes) ||
         !Integers(tree, "categories_segments", cat_nodes.size(), &cat_segments) ||
         !Integers(tree, "categories_sizes", cat_nodes.size(), &cat_sizes) ||
         !Integers(tree, "categories", SIZE_MAX, &categories))) {
      return Bad(fmt::format("tree {} has categorical splits without their categories", t));
    }
    const double group = raw.tree_info[t];
    if (!(group >= 0 && group < static_cast<double>(e.groups_)) || group != std::floor(group)) {
      return Bad(fmt::format("tree {} belongs to output group {}", t, group));
    }

    // Breadth-first renumbering puts the children of every split side by side. The walk also
    // proves the arrays form a tree: each node reached once, every index in range.
    const uint32_t root = static_cast<uint32_t>(e.nodes_.size());
    std::vector<int64_t> order = {0};
    std::vector<uint32_t> depth = {0};
    uint32_t tree_depth = 0;
    std::vector<char> seen(n, 0);
    std::vector<uint32_t> leaves;
    seen[0] = 1;
    e.nodes_.push_back({});
    for (size_t i = 0; i < order.size(); ++i) {
      const size_t id = static_cast<size_t>(order[i]);
      Node node{};
      node.value = static_cast<float>((*cond)[id]);
      if (left[id] == -1) {
        if (right[id] != -1) return Bad(fmt::format("tree {} node {} has one child", t, id));
        // A leaf is a categorical split on an empty set whose children are the leaf itself:
        // every row that reaches it stays, so scoring needs no test for leaves.
        node.left = root + static_cast<uint32_t>(i);
        node.feature = kCategorical | kDefaultLeft;
        node.category = 0;
        tree_depth = std::max(tree_depth, depth[i]);
        leaves.push_back(root + static_cast<uint32_t>(i));
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
    // With a feature to read, a leaf becomes a numeric split whose two children are copies of
    // the leaf that lead to each other: rows that reach it early bounce between the copies, all
    // worth the leaf's value, and the walk's test for categorical splits then meets only real
    // ones, which keeps that branch predictable.
    if (e.features_ > 0) {
      for (const uint32_t p : leaves) {
        const auto twins = static_cast<uint32_t>(e.nodes_.size());
        const Node copy{e.nodes_[p].value, 0, twins, 0};
        e.nodes_.push_back(copy);
        e.nodes_.push_back(copy);
        e.nodes_[p] = copy;
      }
    }
    e.roots_.push_back(root);
    e.depth_.push_back(tree_depth);
    e.group_.push_back(static_cast<uint32_t>(group));
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
  // At least four tasks a core when there are rows enough, so that the cores finish together
  // (a few thousand rows in 2,048-row tasks left one core with twice the other's share), in
  // whole blocks of 64 rows, and no fewer than 256 rows a task, which keeps the hand-out cheap.
  const int cores = CoresToUse(threads);
  const size_t wanted =
      (rows + 4 * static_cast<size_t>(cores) - 1) / (4 * static_cast<size_t>(cores));
  const size_t per_task = std::clamp<size_t>((wanted + 63) / 64 * 64, 256, 2048);
  const size_t tasks = (rows + per_task - 1) / per_task;
  if (tasks <= 1 || cores <= 1) {
    Margins(x, 0, rows, out);
    return;
  }
  (void)ParallelFor(tasks, cores, [&](size_t task) {
    Margins(x, task * per_task, std::min(rows, (task + 1) * per_task), out);
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
