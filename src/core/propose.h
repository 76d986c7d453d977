// `kiln init --from data.csv --target COL`: looks at a loaded frame and proposes a problem
// definition (task type, positive class, north-star metric, protected attributes, identifier
// columns) with the reason for each guess, for config_template.h to write out as kiln.yaml.
// Guesses are starting points for a person to review, not decisions.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/status.h"
#include "data/frame.h"

namespace kiln {

// One line of the column summary written as a comment at the top of the proposed kiln.yaml.
struct ColumnSketch {
  std::string name;
  ColumnType type = ColumnType::kText;
  size_t distinct = 0;  // distinct non-missing values
  size_t missing = 0;
};

// Everything the kiln.yaml template needs. A default-constructed proposal is the blank template
// `kiln init` writes without --from: placeholders that parse, with no reasons and no columns.
struct InitProposal {
  std::string project = "my-project";
  std::string source_name = "train";
  std::string source_path = "data.csv";  // written as is; relative to the kiln.yaml directory
  size_t rows = 0;                       // 0 when no data was looked at
  std::vector<ColumnSketch> columns;

  std::string target = "target";
  TaskType task_type = TaskType::kBinary;
  std::string task_reason;  // why this task type; empty when not inferred
  std::string positive_class = "1";
  std::string positive_class_reason;

  std::string north_star = "roc_auc";
  double threshold = 0.8;
  std::string threshold_reason = "The threshold is a placeholder: set the value a model must reach";

  std::vector<std::string> protected_attributes;  // guessed from column names
  std::vector<std::string> id_columns;            // unique values in a column named like an id
};

// Proposes a problem for predicting `target` in `frame`, read from `source_path`.
// kUsage when `target` is not a column (naming the nearest one); kData when the target is
// entirely missing, constant, a datetime, or non-numeric with more than 50 classes.
Result<InitProposal> ProposeProblem(const Frame& frame, const std::string& target,
                                    const std::string& source_path);

// Whether a column's name suggests a legally protected characteristic (sex, gender, race,
// ethnicity, age, religion, nationality, marital status, disability, ...). Names are split into
// words at separators, digits and camel case, so "sex9", "Age13" and "maritalStatus" match while
// "page" and "usage" do not.
bool LooksProtected(std::string_view column_name);

// Whether a column's name reads as an identifier: "id", "ID", "customer_id", "CustomerId".
bool LooksLikeId(std::string_view column_name);

}  // namespace kiln
