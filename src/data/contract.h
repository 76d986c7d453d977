// Data contracts: what a data set promised on its first ingest, written down as an editable YAML
// file and checked on every later ingest. A contract names the expected columns with their type,
// how many missing values each may hold, numeric and datetime ranges, allowed categories and
// uniqueness. A violated contract is a data error, reported with counts and example rows.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "data/frame.h"

namespace kiln {

struct ColumnRule {
  std::string name;
  ColumnType type = ColumnType::kText;
  // When false no value may be missing and max_null_rate is ignored.
  bool nullable = true;
  double max_null_rate = 1.0;  // share of rows, 0 to 1
  // Inclusive bounds for integer and float columns (as numbers) and datetime columns (seconds
  // since the epoch, UTC). Integers beyond 2^53 lose precision here.
  std::optional<double> min;
  std::optional<double> max;
  // For categorical columns: the allowed values; empty means any value is allowed.
  std::vector<std::string> categories;
  // No two non-missing values may be equal.
  bool unique = false;
};

struct Contract {
  std::vector<ColumnRule> columns;  // the expected column set, in the data set's order
  bool allow_extra_columns = false;
};

// Tolerances used by InferContract; the defaults are documented at each field.
struct InferContractOptions {
  // Missing share allowed = observed share rounded up to the next percent, plus this slack,
  // capped at 1. A column with no missing values on the first ingest is inferred not nullable.
  double null_rate_slack = 0.05;
  // Categorical columns with more distinct values than this get no category list: a list that
  // long is more often a free-text column than a closed vocabulary.
  size_t max_categories = 100;
};

// A contract that `frame` satisfies exactly: ranges are the observed minimum and maximum (later
// data outside them is a violation the user may accept by editing the file), categories the
// observed values, `unique` set for integer and text columns whose non-missing values are all
// distinct (with at least two of them), extra columns not allowed.
Contract InferContract(const Frame& frame, const InferContractOptions& options = {});

// A commented YAML document that ParseContractYaml reads back to an equal contract.
std::string ContractToYaml(const Contract& contract, const std::string& dataset_name);

// Errors are kConfig and start with "file_name:line:column:"; unknown keys are reported with the
// nearest valid key, unknown types with the accepted type names.
Result<Contract> ParseContractYaml(std::string_view yaml, const std::string& file_name);

struct ContractExample {
  size_t row = 0;     // index into the frame
  std::string value;  // rendered as `kiln data show` prints it; "" when missing
};

struct ContractViolation {
  std::string column;
  // "type", "nullable", "max_null_rate", "min", "max", "categories" or "unique".
  std::string rule;
  size_t count = 0;    // offending rows
  std::string detail;  // e.g. "expected integer, found float" or "3.2% missing > 1.0% allowed"
  std::vector<ContractExample> examples;  // the first offending rows, at most 5
};

struct ContractReport {
  bool passed = true;
  size_t rows = 0;
  std::vector<std::string> missing_columns;  // in the contract, not in the frame
  std::vector<std::string> extra_columns;    // in the frame, not in the contract
  bool extra_columns_allowed = false;        // extra columns then do not fail the report
  std::vector<ContractViolation> violations;
};

// Checks every rule; a column whose type differs is reported once for its type and its other
// rules are skipped, since values of another type cannot be compared with them.
ContractReport ValidateContract(const Frame& frame, const Contract& contract);

nlohmann::json ContractReportToJson(const ContractReport& report);

}  // namespace kiln
