// Consent filtering: which rows of a frame may be used, according to a column that records each
// person's consent. Rows without a recorded consent are dropped, never assumed to consent.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "data/frame.h"

namespace kiln {

// One entry per row of `frame`: 1 to keep, 0 to drop; pass it to Frame::FilterRows.
//
// Keeps rows whose consent value is true, yes, y, 1, granted or accepted (case-insensitive,
// surrounding spaces ignored) and drops rows whose value is false, no, n, 0, denied or withdrawn,
// and rows where the value is missing. Boolean, integer, float (0 or 1 only), categorical and
// text columns are read; a datetime column is refused.
//
// Errors: kConfig when the column does not exist (the message lists the frame's columns) or has
// an unusable type; kData naming the column, the first row holding an unrecognised value, that
// value and the accepted spellings.
Result<std::vector<uint8_t>> ConsentMask(const Frame& frame, const std::string& consent_column);

}  // namespace kiln
