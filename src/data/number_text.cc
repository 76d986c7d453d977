// Number parsing (see number_text.h): the integer reader and the general decimal parser.
#include "data/number_text.h"

#include <limits>
#include <system_error>

#include <fast_float/fast_float.h>

namespace kiln {

bool ParseInteger(std::string_view s, int64_t* out) {
  const char* p = s.data();
  const char* end = p + s.size();
  bool negative = false;
  if (p != end && (*p == '-' || *p == '+')) {
    negative = *p == '-';
    ++p;
  }
  if (p == end || end - p > 19) return false;
  uint64_t value = 0;  // 19 decimal digits always fit in uint64
  for (; p != end; ++p) {
    const unsigned digit = static_cast<unsigned char>(*p) - unsigned{'0'};
    if (digit > 9) return false;
    value = value * 10 + digit;
  }
  constexpr uint64_t kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (negative) {
    if (value > kMax + 1) return false;
    *out = value == kMax + 1 ? std::numeric_limits<int64_t>::min() : -static_cast<int64_t>(value);
  } else {
    if (value > kMax) return false;
    *out = static_cast<int64_t>(value);
  }
  return true;
}

bool ParseDecimalSlow(std::string_view s, double* out) {
  const char* p = s.data();
  const char* end = p + s.size();
  if (p != end && *p == '+') {
    ++p;
    if (p != end && *p == '-') return false;
  }
  if (p == end) return false;
  const auto result = fast_float::from_chars(p, end, *out);
  return result.ec == std::errc() && result.ptr == end;
}

}  // namespace kiln
