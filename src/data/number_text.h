// Reading numbers from CSV and SQL text, exactly: what the type inference of data/infer.h
// accepts as an integer or a float, and the value it gives.
//   - ParseInteger: an optional sign and 1 to 19 digits that fit in int64.
//   - ParseDecimal: what fast_float reads as a whole (decimals, exponents, inf, nan), with an
//     optional leading '+'. Results are the correctly rounded double, bit for bit what strtod
//     gives. Plain decimals ("-12.345678") take fast paths: with at most 15 digits the mantissa
//     is one exact integer and the power of ten is exact, so one IEEE division rounds correctly
//     (Clinger's fast path); a 16-byte SIMD step reads such a value in a few instructions.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__SSSE3__)
#include <immintrin.h>
#endif

namespace kiln {

bool ParseInteger(std::string_view s, int64_t* out);

// The general parser, for what the fast paths leave: exponents, long mantissas, inf and nan.
bool ParseDecimalSlow(std::string_view s, double* out);

namespace number_text_internal {

// Whether `bytes` bytes from `p` can be read although the value may end sooner: they lie in the
// same 4 KiB page as p, which is readable. Off under AddressSanitizer, which rightly flags reads
// past the end of a heap string even when they cannot fault.
inline bool CanReadAhead(const char* p, size_t bytes) {
#if defined(__SANITIZE_ADDRESS__)
  (void)p;
  (void)bytes;
  return false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
  (void)p;
  (void)bytes;
  return false;
#else
  return (reinterpret_cast<uintptr_t>(p) & 4095) <= 4096 - bytes;
#endif
#else
  return (reinterpret_cast<uintptr_t>(p) & 4095) <= 4096 - bytes;
#endif
}

inline constexpr double kPowersOfTen[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                          1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                          1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
inline constexpr uint64_t kPowersOfTenU64[] = {1,      10,      100,      1000,     10000,
                                               100000, 1000000, 10000000, 100000000};

// The number of ASCII digits (0 to 8) that start the 8 bytes at `p`, and their value, found with
// word-wide arithmetic instead of a loop per character. Bytes after the first non-digit do not
// matter: a borrow or carry between bytes only moves towards later bytes.
inline size_t LeadingDigits(const char* p, uint64_t* value) {
  uint64_t word;
  std::memcpy(&word, p, 8);  // little-endian: p[0] is the low byte
  const uint64_t d = word - 0x3030303030303030ULL;
  const uint64_t not_digit = (d | (d + 0x7676767676767676ULL)) & 0x8080808080808080ULL;
  const size_t n = not_digit == 0 ? 8 : static_cast<size_t>(__builtin_ctzll(not_digit)) / 8;
  if (n == 0) {
    *value = 0;
    return 0;
  }
  // Move the n digits to the top bytes; the zero bytes below them read as leading zeros.
  uint64_t v = n == 8 ? d : d << (8 * (8 - n));
  v = (v * 10) + (v >> 8);  // pairs of digits
  v = (((v & 0x000000FF000000FFULL) * 0x000F424000000064ULL) +
       (((v >> 16) & 0x000000FF000000FFULL) * 0x0000271000000001ULL)) >>
      32;
  *value = v;
  return n;
}

// The sign bit of `negative` put on a non-negative double.
inline double WithSign(double value, bool negative) {
  return std::bit_cast<double>(std::bit_cast<uint64_t>(value) |
                               (static_cast<uint64_t>(negative) << 63));
}

// Plain decimals with at most 19 digits, a mantissa up to 2^53 and at most 22 decimals, one
// character at a time (eight at a time after the point). False means "not that simple", not
// "not a number".
inline bool ParsePlainDecimal(std::string_view s, double* out) {
  if (s.empty()) return false;
  const char* p = s.data();
  const char* const end = p + s.size();
  // Signs are as likely as not in real data, so they are handled without branches.
  const bool negative = *p == '-';
  p += static_cast<size_t>(negative || *p == '+');
  const char* const digits = p;
  uint64_t mantissa = 0;
  while (p != end && static_cast<unsigned char>(*p - '0') <= 9) {
    mantissa = mantissa * 10 + static_cast<unsigned char>(*p - '0');
    ++p;
  }
  size_t count = static_cast<size_t>(p - digits);
  size_t decimals = 0;
  if (p != end && *p == '.') {
    const char* const fraction = ++p;
    if (CanReadAhead(p, 8)) {
      uint64_t value = 0;
      const size_t n = LeadingDigits(p, &value);
      if (n <= static_cast<size_t>(end - p)) {  // else digits run on past the field: go slowly
        mantissa = mantissa * kPowersOfTenU64[n] + value;
        p += n;
      }
    }
    while (p != end && static_cast<unsigned char>(*p - '0') <= 9) {
      mantissa = mantissa * 10 + static_cast<unsigned char>(*p - '0');
      ++p;
    }
    decimals = static_cast<size_t>(p - fraction);
    count += decimals;
  }
  if (p != end || count == 0 || count > 19 || decimals > 22 || mantissa > (uint64_t{1} << 53)) {
    return false;
  }
  *out = WithSign(static_cast<double>(mantissa) / kPowersOfTen[decimals], negative);
  return true;
}

#if defined(__SSSE3__)

// For a value of `length` bytes (1 to 16) with its point at `point` (`length` when it has none):
// the pshufb control that gathers its digits, last digit in byte 15, skipping the point. Bytes
// with no digit left (the sign's place among them) take 0x80, which pshufb turns into zero.
// The denominator too: 10 to the number of digits after the point.
struct DigitGather {
  alignas(16) uint8_t control[17][17][16];
  double denominator[17][17];
  constexpr DigitGather() : control{}, denominator{} {
    for (int length = 1; length <= 16; ++length) {
      for (int point = 0; point <= length; ++point) {
        denominator[length][point] = kPowersOfTen[point < length ? length - 1 - point : 0];
        int source = length - 1;
        for (int byte = 15; byte >= 0; --byte) {
          if (source == point) --source;
          control[length][point][byte] = source >= 0 ? static_cast<uint8_t>(source) : 0x80;
          if (source >= 0) --source;
        }
      }
    }
  }
};
inline constexpr DigitGather kDigitGather{};

// A plain decimal of 1 to 16 bytes with at most 15 digits, read with 16-byte vector steps:
// classify every byte at once, check the shape (an optional sign, digits, at most one point),
// gather the digits and multiply them out in pairs, fours and eights. The value is
// *numerator / *denominator, an exact signed integer over an exact power of ten, so that the
// caller's division (for a whole block at once, in vector steps) is the correctly rounded value.
// The 16 bytes at `p` must be readable. False means "not that simple".
inline bool ParseShortDecimalParts(const char* p, size_t length, double* numerator,
                                   double* denominator) {
  // The empty asm hides where p points: after inlining, GCC would otherwise warn that 16 bytes
  // overrun a short string literal, not knowing CanReadAhead said the read is safe.
  const char* ahead = p;
  asm("" : "+r"(ahead));
  const __m128i text = _mm_loadu_si128(reinterpret_cast<const __m128i*>(ahead));
  const __m128i digits = _mm_sub_epi8(text, _mm_set1_epi8('0'));
  const __m128i is_digit = _mm_cmpeq_epi8(_mm_min_epu8(digits, _mm_set1_epi8(9)), digits);
  const auto in_value = static_cast<uint32_t>((1u << length) - 1);
  const auto digit_bits = static_cast<uint32_t>(_mm_movemask_epi8(is_digit)) & in_value;
  const auto point_bits =
      static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(text, _mm_set1_epi8('.')))) & in_value;
  const uint32_t point_bit = point_bits & (0u - point_bits);  // the first point, if any
  const auto point = static_cast<size_t>(std::countr_zero(point_bit | (1u << length)));
  const bool negative = p[0] == '-';
  const auto sign = static_cast<uint32_t>(negative || p[0] == '+');
  const uint32_t expected = in_value & ~sign & ~point_bit;
  // One test for all three: digits where expected, at least one, at most 15 (16 digits fill
  // all 16 bytes).
  if ((digit_bits != expected) | (expected == 0) | (expected == 0xFFFF)) return false;

  const __m128i control =
      _mm_load_si128(reinterpret_cast<const __m128i*>(kDigitGather.control[length][point]));
  const __m128i gathered = _mm_shuffle_epi8(_mm_and_si128(digits, is_digit), control);
  const __m128i pairs = _mm_maddubs_epi16(gathered, _mm_set1_epi16(0x010A));  // 10 * a + b
  const __m128i fours = _mm_madd_epi16(pairs, _mm_set1_epi32(0x00010064));    // 100 * a + b
  const __m128i packed = _mm_packs_epi32(fours, fours);
  const __m128i eights = _mm_madd_epi16(packed, _mm_set1_epi32(0x00012710));  // 10000 * a + b
  const auto high = static_cast<uint64_t>(static_cast<uint32_t>(_mm_cvtsi128_si32(eights)));
  const auto low =
      static_cast<uint64_t>(static_cast<uint32_t>(_mm_cvtsi128_si32(_mm_srli_si128(eights, 4))));
  const uint64_t mantissa = high * 100000000 + low;
  *numerator = WithSign(static_cast<double>(mantissa), negative);
  *denominator = kDigitGather.denominator[length][point];
  return true;
}

#endif

}  // namespace number_text_internal

// The fast paths alone, giving the value as *numerator / *denominator (see
// ParseShortDecimalParts): false for anything but a plain decimal, which may still be a number
// (see ParseDecimalSlow). Never NaN.
inline bool ParsePlainDecimalParts(std::string_view s, double* numerator, double* denominator) {
  using namespace number_text_internal;
#if defined(__SSSE3__)
  if (!s.empty() && s.size() <= 16 && CanReadAhead(s.data(), 16)) {
    return ParseShortDecimalParts(s.data(), s.size(), numerator, denominator) ||
           (ParsePlainDecimal(s, numerator) && ((*denominator = 1.0), true));
  }
#endif
  *denominator = 1.0;
  return ParsePlainDecimal(s, numerator);
}

// ParseShortDecimalParts alone, for values of `min_length` (at least 1) to 16 bytes that can be
// read 16 bytes at a time; false for any other value, which it does not look at.
inline bool ParseQuickDecimalParts(std::string_view s, size_t min_length, double* numerator,
                                   double* denominator) {
#if defined(__SSSE3__)
  using namespace number_text_internal;
  return s.size() >= min_length && s.size() <= 16 && CanReadAhead(s.data(), 16) &&
         ParseShortDecimalParts(s.data(), s.size(), numerator, denominator);
#else
  (void)s;
  (void)min_length;
  (void)numerator;
  (void)denominator;
  return false;
#endif
}

inline bool ParsePlainDecimalFast(std::string_view s, double* out) {
  double numerator, denominator;
  if (!ParsePlainDecimalParts(s, &numerator, &denominator)) return false;
  *out = numerator / denominator;
  return true;
}

// See the top of the file. Inline, for the conversion loops.
inline bool ParseDecimal(std::string_view s, double* out) {
  return ParsePlainDecimalFast(s, out) || ParseDecimalSlow(s, out);
}

}  // namespace kiln
