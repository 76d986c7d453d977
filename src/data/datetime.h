// Dates and date-times in text: compiling a strftime-style format once and parsing many values
// against it into seconds since 1970-01-01 UTC. Inference uses the candidate list below to
// detect a column's format; kiln.yaml may force one per column.
//
// Supported directives: %Y (four-digit year), %m, %d, %H, %M, %S (one or two digits each), %%
// and literal characters, which must match exactly. Values carry no time zone and are read as
// UTC.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace kiln {

class DatetimeFormat {
 public:
  // Fails with kConfig when the format uses a directive outside the supported set or has no
  // date part at all.
  static Result<DatetimeFormat> Compile(std::string_view format);

  // Seconds since the epoch, or nullopt when `text` does not match the format exactly or names an
  // impossible date (month 13, 31 April, 29 February in a common year, hour 24...).
  std::optional<int64_t> Parse(std::string_view text) const;

  const std::string& text() const { return text_; }

 private:
  enum class Part : uint8_t { kLiteral, kYear, kMonth, kDay, kHour, kMinute, kSecond };
  struct Step {
    Part part;
    char literal;
  };

  std::string text_;
  std::vector<Step> steps_;
};

// The formats inference tries, in order of preference. Day-first orders come before month-first
// ones, so a column whose days never exceed 12 reads as day-first.
const std::vector<DatetimeFormat>& CandidateDatetimeFormats();

// Days from 1970-01-01 to the given proleptic Gregorian date (negative before it).
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);

}  // namespace kiln
