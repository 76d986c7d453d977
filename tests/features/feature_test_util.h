// Small frames, targets and specs for the feature pipeline tests.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "features/pipeline.h"

namespace kiln::testing {

inline constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

// A float column; NaN marks a missing value.
inline Column FloatColumn(const std::string& name, const std::vector<double>& values) {
  Column c;
  c.name = name;
  c.type = ColumnType::kFloat;
  for (double v : values) {
    c.floats.push_back(v);
    c.missing.push_back(std::isnan(v) ? 1 : 0);
  }
  return c;
}

inline Column IntColumn(const std::string& name, const std::vector<int64_t>& values) {
  Column c;
  c.name = name;
  c.type = ColumnType::kInteger;
  c.ints = values;
  c.missing.assign(values.size(), 0);
  return c;
}

inline Column DatetimeColumn(const std::string& name, const std::vector<int64_t>& seconds) {
  Column c = IntColumn(name, seconds);
  c.type = ColumnType::kDatetime;
  return c;
}

// A categorical column with its dictionary in order of first appearance; "" marks missing.
inline Column CategoricalColumn(const std::string& name, const std::vector<std::string>& values) {
  Column c;
  c.name = name;
  c.type = ColumnType::kCategorical;
  for (const std::string& v : values) {
    if (v.empty()) {
      c.codes.push_back(-1);
      c.missing.push_back(1);
      continue;
    }
    size_t code = 0;
    while (code < c.dictionary.size() && c.dictionary[code] != v) ++code;
    if (code == c.dictionary.size()) c.dictionary.push_back(v);
    c.codes.push_back(static_cast<int32_t>(code));
    c.missing.push_back(0);
  }
  return c;
}

inline Column TextColumn(const std::string& name, const std::vector<std::string>& values) {
  Column c;
  c.name = name;
  c.type = ColumnType::kText;
  c.texts = values;
  for (const std::string& v : values) c.missing.push_back(v.empty() ? 1 : 0);
  return c;
}

inline Frame MakeFrame(std::vector<Column> columns) {
  Frame frame;
  for (Column& c : columns) frame.Add(std::move(c));
  return frame;
}

inline std::vector<size_t> AllRows(size_t n) {
  std::vector<size_t> rows(n);
  for (size_t i = 0; i < n; ++i) rows[i] = i;
  return rows;
}

inline Target BinaryTarget(const std::vector<double>& values) {
  Target t;
  t.task = TaskType::kBinary;
  t.values = values;
  t.classes = {"no", "yes"};
  return t;
}

// A spec that changes nothing it is not asked to: no scaling, no selection.
inline FeatureSpec PlainSpec() {
  FeatureSpec spec;
  spec.select.min_variance = -1;
  return spec;
}

inline FeaturePipeline::Options Inputs(std::vector<std::string> columns) {
  FeaturePipeline::Options options;
  options.columns = std::move(columns);
  return options;
}

// Column `name` of the matrix, as doubles; fails the test when absent.
inline std::vector<double> FeatureColumn(const FeatureMatrix& m, const std::string& name) {
  for (size_t c = 0; c < m.cols; ++c) {
    if (m.names[c] != name) continue;
    std::vector<double> out;
    for (size_t r = 0; r < m.rows; ++r) out.push_back(m.at(r, c));
    return out;
  }
  ADD_FAILURE() << "no feature named " << name;
  return {};
}

}  // namespace kiln::testing
