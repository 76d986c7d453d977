// Tests of number parsing: the fast paths give exactly what the general parser gives, on
// structured and random text, at the end of a readable page too.
#include "data/number_text.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>

namespace kiln {
namespace {

// Parses `s` both ways and checks that they agree on whether it is a number and on its bits.
void ExpectSameAsSlowPath(const std::string& s) {
  double fast = 0, slow = 0;
  const bool fast_ok = ParseDecimal(s, &fast);
  const bool slow_ok = ParseDecimalSlow(s, &slow);
  ASSERT_EQ(fast_ok, slow_ok) << '"' << s << '"';
  if (fast_ok && !std::isnan(slow)) {
    EXPECT_EQ(std::bit_cast<uint64_t>(fast), std::bit_cast<uint64_t>(slow)) << s;
  }
}

std::string Digits(std::mt19937_64& rng, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += static_cast<char>('0' + rng() % 10);
  return out;
}

TEST(NumberText, PlainDecimalsOfEveryShapeMatchStrtod) {
  std::mt19937_64 rng(3);
  const char* signs[] = {"", "-", "+"};
  for (int i = 0; i < 200000; ++i) {
    const int whole = static_cast<int>(rng() % 12);
    const int fraction = static_cast<int>(rng() % 14);
    std::string s = signs[rng() % 3] + Digits(rng, whole);
    if (rng() % 8 != 0) s += '.' + Digits(rng, fraction);
    ExpectSameAsSlowPath(s);
    double value = 0;
    if (ParseDecimal(s, &value)) {
      EXPECT_EQ(std::bit_cast<uint64_t>(value),
                std::bit_cast<uint64_t>(std::strtod(s.c_str(), nullptr)))
          << s;
    }
  }
}

// 0 to 18 characters drawn from `alphabet`.
std::string RandomText(std::mt19937_64& rng, const std::string& alphabet) {
  const size_t length = rng() % 19;
  std::string s;
  for (size_t k = 0; k < length; ++k) s += alphabet[rng() % alphabet.size()];
  return s;
}

TEST(NumberText, RandomTextIsReadOnlyWhenTheGeneralParserReadsIt) {
  std::mt19937_64 rng(5);
  const std::string alphabet = "0123456789012345678901234567890123456789..--++eE ,xn";
  for (int i = 0; i < 300000; ++i) {
    ExpectSameAsSlowPath(RandomText(rng, alphabet));
  }
  for (const char* s : {"",
                        ".",
                        "-",
                        "+",
                        "-.",
                        "+.",
                        ".5",
                        "5.",
                        "-0",
                        "-0.0",
                        "+-1",
                        "1..2",
                        "1.2.3",
                        "0000000000000001",
                        "123456789012345",
                        "1234567890123456",
                        "12345678901234567",
                        "9007199254740993",
                        "1e5",
                        "-1.5E-3",
                        "inf",
                        "nan",
                        "1 ",
                        " 1",
                        "١"}) {
    ExpectSameAsSlowPath(s);
  }
}

TEST(NumberText, SignOfZeroIsKept) {
  double value = 1;
  ASSERT_TRUE(ParseDecimal("-0.000000", &value));
  EXPECT_TRUE(std::signbit(value));
  ASSERT_TRUE(ParseDecimal("0.0", &value));
  EXPECT_FALSE(std::signbit(value));
}

// Values that end where a page ends, before an unreadable page: the fast paths must not read
// past the page.
TEST(NumberText, ValuesAtTheEndOfAPageAreReadWithoutCrossingIt) {
  const auto page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  void* mapping =
      mmap(nullptr, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(mapping, MAP_FAILED);
  char* base = static_cast<char*>(mapping);
  ASSERT_EQ(mprotect(base + page, page, PROT_NONE), 0);
  for (const std::string s : {"-1.234567", "7", "12.5", "-0.1234567890123", "3.25"}) {
    char* at = base + page - s.size();
    std::memcpy(at, s.data(), s.size());
    double value = 0;
    ASSERT_TRUE(ParseDecimal(std::string_view(at, s.size()), &value)) << s;
    EXPECT_EQ(value, std::strtod(s.c_str(), nullptr)) << s;
    int64_t integer = 0;
    EXPECT_EQ(ParseInteger(std::string_view(at, s.size()), &integer),
              s.find('.') == std::string::npos);
  }
  munmap(mapping, 2 * page);
}

// The quick path reads a value exactly when it is a plain decimal of min_length to 16 bytes with
// at most 15 digits, and then to the bits the general parser gives; it never reads anything else.
TEST(NumberText, QuickDecimalsAreExactAndOnlyPlainShortOnes) {
  std::mt19937_64 rng(9);
  const std::string alphabet = "01234567890123456789012345678901234567890123456789..--++eE x";
  for (int i = 0; i < 300000; ++i) {
    // Values are read from a buffer with room after them, as in a file.
    const std::string s = RandomText(rng, alphabet);
    const std::string buffer = s + std::string(32, ',');
    const std::string_view v(buffer.data(), s.size());
    const size_t min_length = 1 + rng() % 4;
    double numerator = 0, denominator = 0;
    const bool quick = ParseQuickDecimalParts(v, min_length, &numerator, &denominator);
    double slow = 0;
    const bool slow_ok = ParseDecimalSlow(s, &slow);
    if (quick) {
      ASSERT_TRUE(slow_ok) << '"' << s << '"';
      EXPECT_GE(s.size(), min_length) << s;
      EXPECT_EQ(std::bit_cast<uint64_t>(numerator / denominator), std::bit_cast<uint64_t>(slow))
          << s;
    } else if (slow_ok && s.size() >= min_length && s.size() <= 16 &&
               s.find_first_of("eEx ") == std::string::npos && s.find('.') == s.rfind('.')) {
      // Refused although plain: only for more than 15 digits, or where the vector path cannot
      // read ahead (sanitizer builds).
      const auto digits = static_cast<size_t>(
          std::count_if(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }));
#if defined(__SSSE3__)
      if (number_text_internal::CanReadAhead(v.data(), 16)) {
        EXPECT_GT(digits, 15u) << s;
      }
#else
      (void)digits;
#endif
    }
  }
}

TEST(NumberText, IntegersFitInInt64OrAreRefused) {
  int64_t value = 0;
  ASSERT_TRUE(ParseInteger("-9223372036854775808", &value));
  EXPECT_EQ(value, INT64_MIN);
  ASSERT_TRUE(ParseInteger("+9223372036854775807", &value));
  EXPECT_EQ(value, INT64_MAX);
  EXPECT_FALSE(ParseInteger("9223372036854775808", &value));
  EXPECT_FALSE(ParseInteger("-", &value));
  EXPECT_FALSE(ParseInteger("1.0", &value));
  EXPECT_FALSE(ParseInteger("", &value));
}

}  // namespace
}  // namespace kiln
