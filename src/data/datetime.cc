// Parsing of dates and date-times against compiled strftime-style formats (see datetime.h).
#include "data/datetime.h"

namespace kiln {

namespace {

bool IsLeapYear(int64_t year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

unsigned DaysInMonth(int64_t year, unsigned month) {
  static constexpr unsigned kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

// Reads between `min_digits` and `max_digits` digits at `*pos`, greedily.
bool ReadNumber(std::string_view text, size_t* pos, int min_digits, int max_digits, int* out) {
  int value = 0;
  int digits = 0;
  while (digits < max_digits && *pos < text.size() && IsDigit(text[*pos])) {
    value = value * 10 + (text[*pos] - '0');
    ++*pos;
    ++digits;
  }
  *out = value;
  return digits >= min_digits;
}

}  // namespace

int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day) {
  // Shifts the year to start in March so that the leap day is the last day of the shifted year,
  // then counts whole 400-year eras (146097 days each).
  year -= month <= 2 ? 1 : 0;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t year_of_era = year - era * 400;
  const int64_t shifted_month = month > 2 ? month - 3 : month + 9;
  const int64_t day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

Result<DatetimeFormat> DatetimeFormat::Compile(std::string_view format) {
  DatetimeFormat compiled;
  compiled.text_ = std::string(format);
  bool has_year = false;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') {
      compiled.steps_.push_back({Part::kLiteral, format[i]});
      continue;
    }
    if (++i == format.size()) {
      return MakeError(ErrorCode::kConfig,
                       "datetime format '{}' ends with a lone '%'; write '%%' for a percent sign",
                       format);
    }
    Part part;
    switch (format[i]) {
      case 'Y':
        part = Part::kYear;
        has_year = true;
        break;
      case 'm':
        part = Part::kMonth;
        break;
      case 'd':
        part = Part::kDay;
        break;
      case 'H':
        part = Part::kHour;
        break;
      case 'M':
        part = Part::kMinute;
        break;
      case 'S':
        part = Part::kSecond;
        break;
      case '%':
        compiled.steps_.push_back({Part::kLiteral, '%'});
        continue;
      default:
        return MakeError(ErrorCode::kConfig,
                         "datetime format '{}' uses %{}, which Kiln does not support; use %Y, %m, "
                         "%d, %H, %M, %S and literal characters",
                         format, format[i]);
    }
    compiled.steps_.push_back({part, 0});
  }
  if (!has_year) {
    return MakeError(ErrorCode::kConfig, "datetime format '{}' has no %Y; a date needs its year",
                     format);
  }
  return compiled;
}

std::optional<int64_t> DatetimeFormat::Parse(std::string_view text) const {
  int year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0;
  size_t pos = 0;
  for (const Step& step : steps_) {
    bool ok = true;
    switch (step.part) {
      case Part::kLiteral:
        ok = pos < text.size() && text[pos] == step.literal;
        ++pos;
        break;
      case Part::kYear:
        ok = ReadNumber(text, &pos, 4, 4, &year);
        break;
      case Part::kMonth:
        ok = ReadNumber(text, &pos, 1, 2, &month) && month >= 1 && month <= 12;
        break;
      case Part::kDay:
        ok = ReadNumber(text, &pos, 1, 2, &day) && day >= 1;
        break;
      case Part::kHour:
        ok = ReadNumber(text, &pos, 1, 2, &hour) && hour <= 23;
        break;
      case Part::kMinute:
        ok = ReadNumber(text, &pos, 1, 2, &minute) && minute <= 59;
        break;
      case Part::kSecond:
        ok = ReadNumber(text, &pos, 1, 2, &second) && second <= 59;
        break;
    }
    if (!ok) return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  if (static_cast<unsigned>(day) > DaysInMonth(year, static_cast<unsigned>(month))) {
    return std::nullopt;
  }
  const int64_t days =
      DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return days * 86400 + hour * 3600 + minute * 60 + second;
}

const std::vector<DatetimeFormat>& CandidateDatetimeFormats() {
  static const std::vector<DatetimeFormat> kFormats = [] {
    std::vector<DatetimeFormat> formats;
    for (const char* text :
         {"%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%SZ",
          "%Y-%m-%d %H:%M", "%Y/%m/%d", "%Y/%m/%d %H:%M:%S", "%d-%m-%Y", "%m-%d-%Y", "%d/%m/%Y",
          "%m/%d/%Y", "%d/%m/%Y %H:%M:%S", "%m/%d/%Y %H:%M:%S", "%d.%m.%Y"}) {
      formats.push_back(*DatetimeFormat::Compile(text));
    }
    return formats;
  }();
  return kFormats;
}

}  // namespace kiln
