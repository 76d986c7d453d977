#include "governance/retention.h"

#include <algorithm>

#include <fmt/format.h>

namespace kiln {

namespace {

using std::chrono::system_clock;

constexpr int kMinYear = 1678;
constexpr int kMaxYear = 2261;
// Longer than any clock value can be apart, so larger retentions behave alike without overflow.
constexpr int64_t kMaxRetentionDays = 1'000'000;

// Reads the fixed-width fields of an ISO-8601 timestamp left to right, remembering where it
// stopped so that an error can point at the offending character.
class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}

  bool AtEnd() const { return pos_ == text_.size(); }
  size_t pos() const { return pos_; }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }

  bool Consume(char c) {
    if (Peek() != c) return false;
    ++pos_;
    return true;
  }

  // Exactly `width` decimal digits.
  bool Digits(int width, int* out) {
    int value = 0;
    for (int i = 0; i < width; ++i) {
      char c = Peek();
      if (c < '0' || c > '9') return false;
      value = value * 10 + (c - '0');
      ++pos_;
    }
    *out = value;
    return true;
  }

  // One or more digits of a fraction of a second, returned as nanoseconds (digits beyond the
  // ninth are rejected rather than silently dropped).
  bool Fraction(int64_t* nanos) {
    int64_t value = 0;
    int count = 0;
    while (Peek() >= '0' && Peek() <= '9') {
      if (++count > 9) return false;
      value = value * 10 + (text_[pos_] - '0');
      ++pos_;
    }
    if (count == 0) return false;
    for (int i = count; i < 9; ++i) value *= 10;
    *nanos = value;
    return true;
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

Status Bad(std::string_view text, const Cursor& cursor, std::string_view what) {
  return MakeError(ErrorCode::kData,
                   "'{}' is not an ISO-8601 UTC timestamp: {} at character {} (expected e.g. "
                   "2026-12-03T18:22:31.123Z or 2026-12-03)",
                   text, what, cursor.pos() + 1);
}

}  // namespace

std::string FormatUtc(system_clock::time_point time) {
  auto millis = std::chrono::floor<std::chrono::milliseconds>(time);
  auto day = std::chrono::floor<std::chrono::days>(millis);
  std::chrono::year_month_day date{day};
  std::chrono::hh_mm_ss clock{millis - day};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                     clock.hours().count(), clock.minutes().count(), clock.seconds().count(),
                     clock.subseconds().count());
}

Result<system_clock::time_point> ParseUtc(std::string_view text) {
  Cursor in(text);
  int year = 0, month = 0, day = 0;
  if (!in.Digits(4, &year) || !in.Consume('-') || !in.Digits(2, &month) || !in.Consume('-') ||
      !in.Digits(2, &day)) {
    return Bad(text, in, "the date is not YYYY-MM-DD");
  }
  std::chrono::year_month_day date{std::chrono::year{year},
                                   std::chrono::month{static_cast<unsigned>(month)},
                                   std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok()) {
    return Bad(text, in, fmt::format("{:04}-{:02}-{:02} is not a calendar date", year, month, day));
  }
  // The system clock counts nanoseconds in 64 bits, which spans 1677-09-21 to 2262-04-11.
  if (year < kMinYear || year > kMaxYear) {
    return Bad(text, in, fmt::format("years {} to {} are supported", kMinYear, kMaxYear));
  }
  system_clock::time_point result = std::chrono::sys_days{date};
  if (in.AtEnd()) return result;

  if (!in.Consume('T') && !in.Consume('t') && !in.Consume(' ')) {
    return Bad(text, in, "expected 'T' between date and time");
  }
  int hour = 0, minute = 0, second = 0;
  int64_t nanos = 0;
  if (!in.Digits(2, &hour) || !in.Consume(':') || !in.Digits(2, &minute)) {
    return Bad(text, in, "the time is not HH:MM[:SS]");
  }
  if (in.Consume(':')) {
    if (!in.Digits(2, &second)) return Bad(text, in, "the seconds are not two digits");
    if ((in.Consume('.') || in.Consume(',')) && !in.Fraction(&nanos)) {
      return Bad(text, in, "the fraction of a second needs 1 to 9 digits");
    }
  }
  // A leap second (:60) cannot be represented by the system clock.
  if (hour > 23 || minute > 59 || second > 59) return Bad(text, in, "the time is out of range");
  result += std::chrono::hours{hour} + std::chrono::minutes{minute} + std::chrono::seconds{second} +
            std::chrono::duration_cast<system_clock::duration>(std::chrono::nanoseconds{nanos});

  if (in.Consume('Z') || in.Consume('z')) {
    if (!in.AtEnd()) return Bad(text, in, "unexpected text after the zone");
    return result;
  }
  int sign = in.Consume('+') ? 1 : (in.Consume('-') ? -1 : 0);
  if (sign == 0) {
    return Bad(text, in, "missing zone: end with 'Z' for UTC or give an offset such as +02:00");
  }
  int offset_hours = 0, offset_minutes = 0;
  if (!in.Digits(2, &offset_hours) || !in.Consume(':') || !in.Digits(2, &offset_minutes) ||
      offset_hours > 23 || offset_minutes > 59) {
    return Bad(text, in, "the zone offset is not +HH:MM or -HH:MM");
  }
  if (!in.AtEnd()) return Bad(text, in, "unexpected text after the zone");
  // 12:00+02:00 is 10:00 UTC.
  return result - sign * (std::chrono::hours{offset_hours} + std::chrono::minutes{offset_minutes});
}

bool IsExpired(const std::string& created_at_iso, int64_t retention_days,
               system_clock::time_point now) {
  Result<system_clock::time_point> created = ParseUtc(created_at_iso);
  if (!created.ok()) return true;
  retention_days = std::clamp<int64_t>(retention_days, 0, kMaxRetentionDays);
  // Milliseconds keep the difference of two extreme clock values inside 64 bits.
  auto age = std::chrono::floor<std::chrono::milliseconds>(now) -
             std::chrono::floor<std::chrono::milliseconds>(*created);
  return age >= std::chrono::days{retention_days};
}

}  // namespace kiln
