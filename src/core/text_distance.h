// Edit distance between short names, used to turn "unknown key" and "unknown column" errors into
// "did you mean ...?" suggestions. Built for identifiers of a few dozen characters, not documents.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace kiln {

// Optimal-string-alignment distance: Levenshtein (insertions, deletions, substitutions) plus
// swaps of two adjacent characters, each costing 1, so "traget" is one edit from "target".
// Case-sensitive; inputs longer than 256 bytes are compared on their first 256 bytes only.
size_t EditDistance(std::string_view a, std::string_view b);

// The candidate that `word` was most plausibly a typo or an abbreviation of, compared
// case-insensitively, or nullopt when none is close. In order of preference: a candidate that
// starts with `word` (3 characters or more: "demographic_parity_diff" -> "..._difference"); the
// candidate at the smallest distance, when that is at most a third of the longer name (at least
// 1); a candidate containing `word` or contained in it (3 characters or more: "auc" ->
// "roc_auc"). Ties go to the earlier candidate, so callers list the most common names first.
std::optional<std::string> NearestName(std::string_view word,
                                       std::span<const std::string_view> candidates);
std::optional<std::string> NearestName(std::string_view word,
                                       std::span<const std::string> candidates);

}  // namespace kiln
