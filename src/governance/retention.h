// Retention windows and the UTC timestamps they are measured from. Records carry an ISO-8601
// creation time such as "2026-12-03T18:22:31.123Z"; a retention policy keeps a record for a
// number of whole days after that instant and no longer.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace kiln {

// "YYYY-MM-DDTHH:MM:SS.mmmZ", always with milliseconds (truncated towards the past, so that a
// formatted time never lies after the instant it names).
std::string FormatUtc(std::chrono::system_clock::time_point time);

// Accepts "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.f...]]" followed by "Z" or a "+HH:MM"/"-HH:MM"
// offset (converted to UTC); a space may stand for the "T", and 1 to 9 fraction digits are kept
// to the clock's resolution. A date-time without a zone is refused: local time is ambiguous.
// Fails with kData naming the text, the character position and the expected shape.
Result<std::chrono::system_clock::time_point> ParseUtc(std::string_view text);

// True when `now` is at or after created_at + retention_days (a record lives for the half-open
// window [created_at, created_at + days)). A negative retention counts as zero days. A creation
// time that does not parse counts as expired: a record whose age cannot be shown is not kept.
// Callers who must report such values call ParseUtc first.
bool IsExpired(const std::string& created_at_iso, int64_t retention_days,
               std::chrono::system_clock::time_point now);

}  // namespace kiln
