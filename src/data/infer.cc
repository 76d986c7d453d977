// Type inference and conversion (see infer.h). Each column is decided on its own, trying the
// types from the narrowest up and converting as it goes, so a numeric column is read once:
//   1. integer (int64), widening to float at the first value that is not an integer (a decimal
//      point, an exponent, or an integer that overflows int64);
//   2. boolean: every value is true/false or yes/no, in any case (0/1 stays integer);
//   3. datetime: every value matches one candidate format of data/datetime.h; the first format
//      in the candidate order that fits every value wins, so day-first beats month-first when no
//      day exceeds 12;
//   4. categorical when it has at most `max_categories` distinct values or at most
//      `max_category_ratio` of its present values are distinct; free text otherwise. The
//      dictionary is sorted by byte order and codes index it, so equal data gives equal codes.
// A column with no value at all is float, all missing (what pandas does too).
// Missing values: a SQL NULL, a quoted empty field, or an unquoted field equal to one of
// `missing_tokens`; a float that reads as NaN is missing too, since NaN is how floats say it.
#include "data/infer.h"

#include <sys/mman.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <thread>
#include <utility>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include <fmt/ranges.h>

#include "core/parallel.h"
#include "core/text_distance.h"
#include "data/datetime.h"
#include "data/number_text.h"

namespace kiln {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Rows converted per column before moving to the next column: small enough that the block's
// bytes stay in the L2 cache while every column reads them.
constexpr size_t kBlockRows = 1024;

class MissingMatcher {
 public:
  explicit MissingMatcher(const std::vector<std::string>& tokens) : tokens_(tokens) {
    for (const std::string& t : tokens_) {
      if (t.empty()) {
        empty_ = true;
        continue;
      }
      max_length_ = std::max(max_length_, t.size());
      first_[static_cast<unsigned char>(t.front())] = true;
      const bool numeric = std::all_of(t.begin(), t.end(), [](char c) {
        return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.';
      });
      if (numeric) numeric_length_ = std::max(numeric_length_, t.size());
    }
  }

  // Values longer than this are never tokens, whatever they hold.
  size_t max_length() const { return max_length_; }
  // Values longer than this made only of digits, signs and points are never tokens (0 when no
  // token looks like a number, as none of the default ones does).
  size_t numeric_length() const { return numeric_length_; }

  bool Matches(std::string_view v) const {
    if (v.empty()) return empty_;
    if (v.size() > max_length_ || !first_[static_cast<unsigned char>(v.front())]) return false;
    return std::find(tokens_.begin(), tokens_.end(), v) != tokens_.end();
  }

 private:
  std::vector<std::string> tokens_;
  std::array<bool, 256> first_{};
  size_t max_length_ = 0;
  size_t numeric_length_ = 0;
  bool empty_ = false;
};

// The cells of one column and the rule that says which of them are missing.
class Cells {
 public:
  Cells(const RawTable& raw, size_t column, const MissingMatcher& matcher) : matcher_(matcher) {
    Bind(raw, column);
  }

  // Points at `column` of `raw`: the whole table, or the next chunk of a streamed read.
  void Bind(const RawTable& raw, size_t column) {
    values_ = &raw.cells[column];
    quoted_ = nullptr;
    if (column < raw.cell_quoted.size() && raw.cell_quoted[column].size() == values_->size()) {
      quoted_ = raw.cell_quoted[column].data();
    }
  }

  size_t size() const { return values_->size(); }
  std::string_view operator[](size_t row) const { return (*values_)[row]; }
  // Cells longer than this are present for sure; hot loops test that before calling IsMissing.
  size_t short_length() const { return matcher_.max_length(); }
  // Plain decimals longer than this are never missing.
  size_t numeric_token_length() const { return matcher_.numeric_length(); }
  bool IsMissing(size_t row) const { return IsMissingValue(row, (*values_)[row]); }
  // IsMissing for the cell `v` of `row`, already read.
  bool IsMissingValue(size_t row, std::string_view v) const {
    if (v.data() == nullptr) return true;
    if (quoted_ != nullptr && quoted_[row] != 0) return v.empty();
    return matcher_.Matches(v);
  }

  // The cells as the hot loops read them: a copy of the pointer they need, kept in a register.
  struct Values {
    const std::string_view* views;
    std::string_view operator[](size_t row) const { return views[row]; }
  };
  Values values() const { return {values_->data()}; }

 private:
  const std::vector<std::string_view>* values_ = nullptr;
  const uint8_t* quoted_ = nullptr;
  const MissingMatcher& matcher_;
};

// One column of a PlainRows block: unquoted fields of one text, so a cell is missing exactly
// when it equals a missing-value token. Same reading interface as Cells.
class PlainCells {
 public:
  PlainCells(const PlainRows& block, size_t column, size_t columns, const MissingMatcher& matcher)
      : text_(block.text),
        ends_(block.ends + column),
        stride_(columns),
        rows_(block.rows),
        matcher_(matcher) {}

  size_t size() const { return rows_; }
  std::string_view operator[](size_t row) const { return values()[row]; }
  size_t short_length() const { return matcher_.max_length(); }
  size_t numeric_token_length() const { return matcher_.numeric_length(); }
  bool IsMissing(size_t row) const { return matcher_.Matches((*this)[row]); }
  bool IsMissingValue(size_t /*row*/, std::string_view v) const { return matcher_.Matches(v); }

  struct Values {
    const char* text;
    const uint32_t* ends;  // this column's end in the first row
    size_t stride;
    std::string_view operator[](size_t row) const {
      const uint32_t* end = ends + row * stride;
      const uint32_t begin = end[-1] + 1;  // wraps to 0 for the block's first field
      return std::string_view(text + begin, *end - begin);
    }
  };
  Values values() const { return {text_, ends_, stride_}; }

 private:
  const char* text_;
  const uint32_t* ends_;
  size_t stride_;
  size_t rows_;
  const MissingMatcher& matcher_;
};

// The hot loops below read rows [begin, end) into scratch arrays indexed from `begin` and return
// the first row they cannot read, or `end`. They keep what they use in locals: a store through a
// byte pointer would otherwise make the compiler reload every member after it.
//
// Floats take two passes. The first reads every value that is a short plain decimal (see
// ParseQuickDecimalParts), nearly all of a numeric column's values, in a loop that does nothing
// else and whose branches (on a value's length and page) nearly always go the same way, and lists
// the others; the second reads those one by one with every rule: missing-value tokens, longer
// decimals, exponents, inf, nan. A value the first pass reads is never a missing-value token,
// since it is longer than any token that looks like a number. Each value is read as numerator and
// denominator and divided last, a pair at a time: a division per value inside the parsing loop
// would hold the loop back by its latency.

// The first pass, apart so that it has the registers to itself: values [begin, begin + count)
// into numerators and denominators; returns how many it leaves, listed in `others`.
template <typename Values>
[[gnu::noinline]] size_t ReadQuickDecimals(const Values values, size_t begin, size_t count,
                                           size_t min_length, double* numerators,
                                           double* denominators, uint16_t* others) {
  size_t other_count = 0;
  for (size_t i = 0; i < count; ++i) {
    const bool quick =
        ParseQuickDecimalParts(values[begin + i], min_length, &numerators[i], &denominators[i]);
    others[other_count] = static_cast<uint16_t>(i);
    other_count += quick ? 0 : 1;
  }
  return other_count;
}

template <typename CellsT>
size_t ReadFloats(const CellsT& cells, size_t begin, size_t end, double* floats, uint8_t* missing) {
  const auto values = cells.values();
  const size_t count = end - begin;
  double denominators[kBlockRows];
  uint16_t others[kBlockRows];
  static_assert(kBlockRows <= 65536);
  const size_t other_count = ReadQuickDecimals(
      values, begin, count, cells.numeric_token_length() + 1, floats, denominators, others);
  std::memset(missing, 0, count);

  const size_t short_length = cells.short_length();
  size_t done = count;
  for (size_t k = 0; k < other_count; ++k) {
    const size_t i = others[k];
    const std::string_view v = values[begin + i];
    double& numerator = floats[i];
    double& denominator = denominators[i];
    denominator = 1.0;
    if (v.size() <= short_length && cells.IsMissingValue(begin + i, v)) {
      missing[i] = 1;
      numerator = kNaN;
    } else if (!ParsePlainDecimalParts(v, &numerator, &denominator)) {
      denominator = 1.0;
      if (!ParseDecimalSlow(v, &numerator)) {
        done = i;
        break;
      }
      missing[i] = std::isnan(numerator) ? 1 : 0;  // "nan" reads as missing
    }
  }
  for (size_t i = 0; i < done; ++i) floats[i] /= denominators[i];
  return begin + done;
}

template <typename CellsT>
size_t ReadIntegers(const CellsT& cells, size_t begin, size_t end, int64_t* ints,
                    uint8_t* missing) {
  const auto values = cells.values();
  const size_t short_length = cells.short_length();
  for (size_t row = begin; row < end; ++row) {
    const std::string_view v = values[row];
    int64_t& out = ints[row - begin];
    uint8_t& gap = missing[row - begin];
    gap = 0;
    if (v.size() <= short_length && cells.IsMissingValue(row, v)) {
      gap = 1;
      out = 0;
    } else if (!ParseInteger(v, &out)) {
      return row;
    }
  }
  return end;
}

// Reserves room for `count` values. Large columns ask the kernel for transparent huge pages: a
// million-row column otherwise takes thousands of page faults as it fills, which cost more than
// parsing its values. A huge page is only used where a whole aligned 2 MiB lies inside the
// mapping, so the request is rounded up to whole huge pages less the allocator's chunk header:
// the allocator then maps exactly whole huge pages, which the kernel places on a 2 MiB boundary,
// and the hint can cover the column from its first byte to its last. The part of the request
// past `count` is address space only until it is written.
template <typename T>
void ReserveLarge(std::vector<T>* v, size_t count) {
  constexpr size_t kHuge = size_t{2} << 20;
  constexpr size_t kPage = 4096;
  // What glibc's malloc puts before and after a chunk it maps on its own, rounded up.
  constexpr size_t kChunkOverhead = 32;
  constexpr int kCollapse = 25;  // MADV_COLLAPSE (Linux 6.1), absent from older headers
  size_t bytes = count * sizeof(T);
  if (bytes >= kHuge / 2) bytes = (bytes + kChunkOverhead + kHuge - 1) / kHuge * kHuge;
  if (bytes > kChunkOverhead) bytes -= kChunkOverhead;
  v->reserve(std::max(count, bytes / sizeof(T)));
  const auto begin = reinterpret_cast<uintptr_t>(v->data());
  const uintptr_t end = begin + v->capacity() * sizeof(T);
  // A boundary within the page of the first (last) byte lies in the same mapping as that byte.
  uintptr_t first = begin & ~(kHuge - 1);
  if (begin - first >= kPage) first += kHuge;
  uintptr_t last = (end + kHuge - 1) & ~(kHuge - 1);
  if (last - end >= kPage) last -= kHuge;
  if (last <= first) return;
  if (madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE) != 0) return;  // a hint
  if (first < begin) {
    // The allocator has written its header into the first huge page's range, so that range
    // already has small pages and would fill with 511 more faults: collapse it into a huge page
    // now, while it holds one page. Kernels before 6.1 do not know the request; then it fails
    // and the range fills as before.
    madvise(reinterpret_cast<void*>(first), kHuge, kCollapse);
  }
}

template <typename T>
void Append(std::vector<T>* to, const T* from, size_t count) {
  to->insert(to->end(), from, from + count);
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != b[i]) return false;
  }
  return true;
}

std::optional<bool> ParseBool(std::string_view s, bool accept_digits) {
  if (EqualsIgnoreCase(s, "true") || EqualsIgnoreCase(s, "yes")) return true;
  if (EqualsIgnoreCase(s, "false") || EqualsIgnoreCase(s, "no")) return false;
  if (accept_digits && s == "1") return true;
  if (accept_digits && s == "0") return false;
  return std::nullopt;
}

// What the configuration forces on one column.
struct Forced {
  std::optional<ColumnType> type;
  std::optional<DatetimeFormat> format;
};

// Where a conversion stopped: the row whose value did not fit.
using FailedRow = std::optional<size_t>;

FailedRow ConvertBoolean(const Cells& cells, bool accept_digits, Column* col) {
  col->type = ColumnType::kBoolean;
  col->ints.assign(cells.size(), 0);
  for (size_t row = 0; row < cells.size(); ++row) {
    if (cells.IsMissing(row)) continue;
    const std::optional<bool> value = ParseBool(cells[row], accept_digits);
    if (!value) return row;
    col->ints[row] = *value ? 1 : 0;
  }
  return std::nullopt;
}

FailedRow ConvertDatetime(const Cells& cells, const DatetimeFormat& format, Column* col) {
  col->type = ColumnType::kDatetime;
  col->datetime_format = format.text();
  col->ints.assign(cells.size(), 0);
  for (size_t row = 0; row < cells.size(); ++row) {
    if (cells.IsMissing(row)) continue;
    const std::optional<int64_t> seconds = format.Parse(cells[row]);
    if (!seconds) return row;
    col->ints[row] = *seconds;
  }
  return std::nullopt;
}

// The first candidate format that reads every present value, if any. `count` values are read
// through `value(i)`, which gives nullopt for a missing one.
template <typename ValueAt>
const DatetimeFormat* DetectDatetimeFormatOf(size_t count, const ValueAt& value) {
  const std::vector<DatetimeFormat>& candidates = CandidateDatetimeFormats();
  uint64_t viable = candidates.size() >= 64 ? ~uint64_t{0} : (uint64_t{1} << candidates.size()) - 1;
  bool any = false;
  for (size_t row = 0; row < count && viable != 0; ++row) {
    const std::optional<std::string_view> v = value(row);
    if (!v) continue;
    if (v->empty() || v->front() < '0' || v->front() > '9') return nullptr;
    any = true;
    for (uint64_t bits = viable; bits != 0; bits &= bits - 1) {
      const int i = __builtin_ctzll(bits);
      if (!candidates[static_cast<size_t>(i)].Parse(*v)) viable &= ~(uint64_t{1} << i);
    }
  }
  if (!any || viable == 0) return nullptr;
  return &candidates[static_cast<size_t>(__builtin_ctzll(viable))];
}

const DatetimeFormat* DetectDatetimeFormat(const Cells& cells) {
  return DetectDatetimeFormatOf(cells.size(), [&](size_t row) -> std::optional<std::string_view> {
    if (cells.IsMissing(row)) return std::nullopt;
    return cells[row];
  });
}

// Open-addressing hash set of the distinct values of a column, giving each a code in order of
// first appearance. Keys are views into the RawTable, so nothing is copied per cell. A key of up
// to 16 bytes is packed into two words (with overlapping loads, all inside the key), so that
// hashing and comparing it never goes back to the text; longer keys are hashed with XXH3 and
// compared byte by byte.
class CategoryTable {
 public:
  CategoryTable() : slots_(64), mask_(63) {}

  int32_t Insert(std::string_view key) {
    const Packed packed = Pack(key);
    const uint64_t hash = Hash(packed);
    for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
      Slot& slot = slots_[i];
      if (slot.code < 0) {
        slot = {packed, static_cast<int32_t>(keys_.size())};
        keys_.push_back(key);
        if (keys_.size() * 2 > slots_.size()) Grow();
        return static_cast<int32_t>(keys_.size() - 1);
      }
      if (slot.key.a == packed.a && slot.key.b == packed.b && slot.key.size == packed.size &&
          (packed.size <= 16 || keys_[static_cast<size_t>(slot.code)] == key)) {
        return slot.code;
      }
    }
  }

  size_t size() const { return keys_.size(); }
  const std::vector<std::string_view>& keys() const { return keys_; }

 private:
  struct Packed {
    uint64_t a = 0;
    uint64_t b = 0;
    uint64_t size = 0;
  };
  struct Slot {
    Packed key;
    int32_t code = -1;  // -1 marks an empty slot
  };

  template <typename T>
  static uint64_t Load(const char* p) {
    T value;
    std::memcpy(&value, p, sizeof value);
    return value;
  }

  static Packed Pack(std::string_view s) {
    const char* p = s.data();
    const size_t n = s.size();
    Packed k;
    k.size = n;
    if (n > 16) {
      k.a = XXH3_64bits(p, n);
    } else if (n >= 8) {
      k.a = Load<uint64_t>(p);
      k.b = Load<uint64_t>(p + n - 8);
    } else if (n >= 4) {
      k.a = Load<uint32_t>(p) | (Load<uint32_t>(p + n - 4) << 32);
    } else if (n > 0) {
      k.a = static_cast<unsigned char>(p[0]) | (static_cast<uint64_t>(p[n / 2] & 0xff) << 8) |
            (static_cast<uint64_t>(p[n - 1] & 0xff) << 16);
    }
    return k;
  }

  static uint64_t Hash(const Packed& k) {
    uint64_t h = (k.a * 0x9E3779B97F4A7C15ull) ^ ((k.b + k.size) * 0xC2B2AE3D27D4EB4Full);
    h ^= h >> 32;
    h *= 0xD6E8FEB86659FD93ull;
    return h ^ (h >> 29);
  }

  void Grow() {
    const std::vector<Slot> old = std::exchange(slots_, std::vector<Slot>(slots_.size() * 2));
    mask_ = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.code < 0) continue;
      size_t i = Hash(s.key) & mask_;
      while (slots_[i].code >= 0) i = (i + 1) & mask_;
      slots_[i] = s;
    }
  }

  std::vector<Slot> slots_;
  size_t mask_;
  std::vector<std::string_view> keys_;
};

void ConvertText(const Cells& cells, Column* col) {
  col->type = ColumnType::kText;
  col->texts.assign(cells.size(), std::string());
  for (size_t row = 0; row < cells.size(); ++row) {
    if (cells.IsMissing(row)) {
      col->missing[row] = 1;
    } else {
      col->texts[row] = std::string(cells[row]);
    }
  }
}

const char* WithArticle(ColumnType type) {
  switch (type) {
    case ColumnType::kInteger:
      return "an integer";
    case ColumnType::kFloat:
      return "a number";
    case ColumnType::kBoolean:
      return "a boolean (true/false, yes/no, 1/0)";
    case ColumnType::kDatetime:
      return "a date";
    case ColumnType::kCategorical:
    case ColumnType::kText:
      break;
  }
  return "text";
}

Status ConversionError(const RawTable& raw, const Column& col, const Cells& cells, size_t row,
                       ColumnType type, const std::string& format) {
  const std::string where = row < raw.row_lines.size() ? fmt::format("line {}", raw.row_lines[row])
                                                       : fmt::format("row {}", row + 1);
  std::string value(cells[row].substr(0, 60));
  if (cells[row].size() > 60) value += "...";
  const std::string expected =
      format.empty() ? WithArticle(type) : fmt::format("a date in the format '{}'", format);
  return MakeError(ErrorCode::kData,
                   "{}: {}, column '{}': '{}' is not {}, but the column is set to {} in the "
                   "configuration; fix the value, list it among the missing-value tokens, or "
                   "change the column's type",
                   raw.source, where, col.name, value, expected, ColumnTypeName(type));
}

// Converts one column block after block of rows, so that every column of a block is read while
// the block's bytes are still in cache: read column by column over a whole file, each row's
// cache lines would come from memory once per column instead of once. Values are parsed into
// small scratch arrays and appended to the column, so its storage is written once, in order,
// right after the kernel hands out each page.
//
// A column starts as integers, widens to floats at the first value that needs it, and falls back
// to strings at the first value that is not a number; strings are hashed into categories as
// they come, and booleans, dates and free text are decided once all rows are seen.
class ColumnBuilder {
 public:
  // `expected_rows` sizes the column's storage: the table's rows, or an estimate when the rows
  // arrive in chunks (see Rebind).
  ColumnBuilder(const RawTable& raw, size_t index, const InferOptions& options,
                const MissingMatcher& matcher, const Forced& forced, size_t expected_rows)
      : raw_(&raw),
        index_(index),
        cells_(raw, index, matcher),
        options_(options),
        forced_(forced),
        expected_rows_(expected_rows) {
    col_.name = raw.names[index];
    ReserveLarge(&col_.missing, expected_rows_);
    const std::optional<ColumnType> type = forced_.type;
    if (!type || *type == ColumnType::kInteger) {
      mode_ = Mode::kInteger;  // storage is reserved at the first integer (see ConsumeIntegers)
    } else if (*type == ColumnType::kFloat) {
      StartFloats();
    } else {
      StartStrings();
    }
  }

  // Streaming: the rows consumed so far are done with, and the next rows come from `chunk`
  // (same columns), numbered from 0 again. Only possible while the column can be decided without
  // looking back at earlier cells; see Streamable().
  void Rebind(const RawTable& chunk, size_t rows_before) {
    raw_ = &chunk;
    cells_.Bind(chunk, index_);
    rows_before_ = rows_before;
  }

  // False once the column needs every cell at once (free text, a type switch to strings after
  // the first chunk, a conversion error), so a streamed read must start over on the whole table.
  bool Streamable() const {
    return mode_ != Mode::kFailed && !(mode_ == Mode::kStrings && !hashing_);
  }

  // Finishes a streamed column from its category dictionary instead of its cells; nullopt when
  // the column needs the whole table (booleans, datetimes, free text, a conversion error).
  std::optional<Column> FinishStreamed() {
    if (!Streamable()) return std::nullopt;
    if (mode_ != Mode::kStrings) {
      Result<Column> column = Finish();
      if (!column.ok()) return std::nullopt;
      return std::move(column).value();
    }
    const std::vector<std::string_view>& keys = categories_.keys();
    if (forced_.type != ColumnType::kCategorical) {
      // Every present value is a key, so a test over the keys is the test over the column.
      const bool all_boolean = !keys.empty() && std::all_of(keys.begin(), keys.end(), [](auto k) {
        return ParseBool(k, false).has_value();
      });
      if (all_boolean) return std::nullopt;
      const DatetimeFormat* format = DetectDatetimeFormatOf(
          keys.size(), [&](size_t i) { return std::optional<std::string_view>(keys[i]); });
      if (format != nullptr) return std::nullopt;
      if (TooManyCategories(col_.size() - col_.missing_count())) return std::nullopt;
    }
    FinishCategories();
    return std::move(col_);
  }

  // Converts rows [begin, end); calls come in row order and cover every row once.
  void Consume(size_t begin, size_t end) { ConsumeFrom(cells_, begin, end); }

  // Streaming: converts the rows of a plain block (see PlainRows), which come after
  // `rows_before` rows consumed earlier.
  void ConsumePlain(const PlainCells& cells, size_t rows_before) {
    rows_before_ = rows_before;
    ConsumeFrom(cells, 0, cells.size());
  }

  Result<Column> Finish() {
    switch (mode_) {
      case Mode::kFailed:
        return Fail(failed_row_);
      case Mode::kInteger:
        if (!forced_.type && col_.missing_count() == col_.size()) {  // no value at all
          std::vector<int64_t>().swap(col_.ints);
          col_.type = ColumnType::kFloat;
          col_.floats.assign(col_.missing.size(), kNaN);
        } else {
          col_.type = ColumnType::kInteger;
        }
        return std::move(col_);
      case Mode::kFloat:
        col_.type = ColumnType::kFloat;
        return std::move(col_);
      case Mode::kStrings:
        break;
    }
    return FinishStrings();
  }

 private:
  enum class Mode { kInteger, kFloat, kStrings, kFailed };

  template <typename CellsT>
  void ConsumeFrom(const CellsT& cells, size_t begin, size_t end) {
    size_t row = begin;
    while (row < end) {
      switch (mode_) {
        case Mode::kInteger:
          row = ConsumeIntegers(cells, row, end);
          break;
        case Mode::kFloat:
          row = ConsumeFloats(cells, row, end);
          break;
        case Mode::kStrings:
          row = ConsumeStrings(cells, row, end);
          break;
        case Mode::kFailed:
          return;
      }
    }
  }

  template <typename CellsT>
  size_t ConsumeIntegers(const CellsT& cells, size_t row, size_t end) {
    int64_t values[kBlockRows];
    uint8_t missing[kBlockRows];
    while (row < end) {
      const size_t stop = std::min(end, row + kBlockRows);
      const size_t done = ReadIntegers(cells, row, stop, values, missing);
      // Reserved only once there is an integer to keep: a float or string column, which fails
      // here at its first value, then never maps and frees a column of integers. (Freeing a
      // large block makes glibc keep later ones of that size in its heap, where they cannot be
      // placed on huge-page boundaries; see ReserveLarge.)
      if (done > row && col_.ints.capacity() == 0) ReserveLarge(&col_.ints, expected_rows_);
      Append(&col_.ints, values, done - row);
      Append(&col_.missing, missing, done - row);
      if (done < stop) {
        if (forced_.type == ColumnType::kInteger) return FailAt(done);
        StartFloats();
        return done;
      }
      row = stop;
    }
    return end;
  }

  // Switches to floats, converting the integers read so far.
  void StartFloats() {
    mode_ = Mode::kFloat;
    if (!col_.ints.empty()) ReserveLarge(&col_.floats, expected_rows_);  // else at the first float
    for (size_t i = 0; i < col_.ints.size(); ++i) {
      col_.floats.push_back(col_.missing[i] ? kNaN : static_cast<double>(col_.ints[i]));
    }
    std::vector<int64_t>().swap(col_.ints);
  }

  template <typename CellsT>
  size_t ConsumeFloats(const CellsT& cells, size_t row, size_t end) {
    double values[kBlockRows];
    uint8_t missing[kBlockRows];
    while (row < end) {
      const size_t stop = std::min(end, row + kBlockRows);
      const size_t done = ReadFloats(cells, row, stop, values, missing);
      if (done > row && col_.floats.capacity() == 0) ReserveLarge(&col_.floats, expected_rows_);
      Append(&col_.floats, values, done - row);
      Append(&col_.missing, missing, done - row);
      if (done < stop) {
        if (forced_.type == ColumnType::kFloat) return FailAt(done);
        // Streaming: the strings of earlier chunks are gone; give up on this read.
        if (rows_before_ > 0) return FailAt(done);
        std::vector<double>().swap(col_.floats);
        col_.missing.clear();
        StartStrings();
        ConsumeStrings(cells, 0, done);
        return done;
      }
      row = stop;
    }
    return end;
  }

  void StartStrings() {
    mode_ = Mode::kStrings;
    const std::optional<ColumnType> type = forced_.type;
    hashing_ = !type || *type == ColumnType::kCategorical;
    if (hashing_) ReserveLarge(&col_.codes, expected_rows_);
  }

  // Hashes values into categories until there are too many of them for a categorical column;
  // the other string types are decided in Finish.
  template <typename CellsT>
  size_t ConsumeStrings(const CellsT& cells, size_t row, size_t end) {
    int32_t codes[kBlockRows];
    uint8_t missing[kBlockRows];
    const auto values = cells.values();
    const size_t short_length = cells.short_length();
    while (row < end && hashing_) {
      const size_t stop = std::min(end, row + kBlockRows);
      for (size_t r = row; r < stop; ++r) {
        const std::string_view v = values[r];
        const bool gap = v.size() <= short_length && cells.IsMissingValue(r, v);
        missing[r - row] = gap ? 1 : 0;
        codes[r - row] = gap ? -1 : categories_.Insert(v);
      }
      Append(&col_.codes, codes, stop - row);
      Append(&col_.missing, missing, stop - row);
      // The row count bounds the final number of present values, so once this holds it holds
      // at the end.
      if (TooManyCategories(std::max(cells.size() + rows_before_, expected_rows_))) {
        hashing_ = false;
        std::vector<int32_t>().swap(col_.codes);
      }
      row = stop;
    }
    return end;
  }

  bool TooManyCategories(size_t present) const {
    return forced_.type != ColumnType::kCategorical &&
           categories_.size() > options_.max_categories &&
           static_cast<double>(categories_.size()) >
               options_.max_category_ratio * static_cast<double>(present);
  }

  Result<Column> FinishStrings() {
    const std::optional<ColumnType> type = forced_.type;
    if (!type || *type == ColumnType::kBoolean) {
      const FailedRow failed = FirstNonBoolean(type.has_value());
      if (!failed) {
        ConvertBoolean(cells_, type.has_value(), &col_);
        return WithMissing();
      }
      if (type) return Fail(*failed);
    }
    if (!type || *type == ColumnType::kDatetime) {
      const DatetimeFormat* format =
          forced_.format ? &*forced_.format : DetectDatetimeFormat(cells_);
      if (format != nullptr) {
        const FailedRow failed = ConvertDatetime(cells_, *format, &col_);
        if (failed) return Fail(*failed, format->text());
        return WithMissing();
      }
      if (type) return AllMissingDatetime();
    }
    if (type == ColumnType::kText || !hashing_ ||
        TooManyCategories(col_.size() - col_.missing_count())) {
      std::vector<int32_t>().swap(col_.codes);
      col_.missing.assign(cells_.size(), 0);
      ConvertText(cells_, &col_);
      return std::move(col_);
    }
    FinishCategories();
    return std::move(col_);
  }

  FailedRow FirstNonBoolean(bool accept_digits) const {
    bool any = false;
    for (size_t row = 0; row < cells_.size(); ++row) {
      if (cells_.IsMissing(row)) continue;
      if (!ParseBool(cells_[row], accept_digits)) return row;
      any = true;
    }
    if (!any && !accept_digits) return 0;  // no values: no evidence of booleans
    return std::nullopt;
  }

  Result<Column> WithMissing() {
    std::vector<int32_t>().swap(col_.codes);
    col_.missing.resize(cells_.size());
    for (size_t row = 0; row < cells_.size(); ++row) col_.missing[row] = cells_.IsMissing(row);
    return std::move(col_);
  }

  Result<Column> AllMissingDatetime() {
    for (size_t row = 0; row < cells_.size(); ++row) {
      if (!cells_.IsMissing(row)) return Fail(row);
    }
    col_.type = ColumnType::kDatetime;
    col_.ints.assign(cells_.size(), 0);
    col_.missing.assign(cells_.size(), 1);
    return std::move(col_);
  }

  // Sorts the dictionary by byte order and renumbers the codes to match.
  void FinishCategories() {
    const std::vector<std::string_view>& keys = categories_.keys();
    std::vector<int32_t> order(keys.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int32_t>(i);
    std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
      return keys[static_cast<size_t>(a)] < keys[static_cast<size_t>(b)];
    });
    std::vector<int32_t> rank(keys.size());
    col_.dictionary.reserve(keys.size());
    for (size_t i = 0; i < order.size(); ++i) {
      rank[static_cast<size_t>(order[i])] = static_cast<int32_t>(i);
      col_.dictionary.emplace_back(keys[static_cast<size_t>(order[i])]);
    }
    for (int32_t& code : col_.codes) {
      if (code >= 0) code = rank[static_cast<size_t>(code)];
    }
    col_.type = ColumnType::kCategorical;
  }

  size_t FailAt(size_t row) {
    mode_ = Mode::kFailed;
    failed_row_ = row;
    return std::numeric_limits<size_t>::max();
  }

  Status Fail(size_t row, const std::string& format = std::string()) const {
    return ConversionError(*raw_, col_, cells_, row, *forced_.type, format);
  }

  const RawTable* raw_;
  size_t index_;
  Cells cells_;
  const InferOptions& options_;
  const Forced& forced_;
  size_t expected_rows_;
  size_t rows_before_ = 0;  // streaming: rows consumed from earlier chunks
  Column col_;
  Mode mode_ = Mode::kInteger;
  size_t failed_row_ = 0;
  bool hashing_ = false;
  CategoryTable categories_;
};

Status UnknownColumn(const RawTable& raw, const std::string& name, const char* what) {
  const std::optional<std::string> nearest = NearestName(name, raw.names);
  const std::string hint = nearest
                               ? fmt::format("; did you mean '{}'?", *nearest)
                               : fmt::format("; its columns are {}", fmt::join(raw.names, ", "));
  return MakeError(ErrorCode::kConfig,
                   "{}: the configuration gives {} for column '{}', but the data has no such "
                   "column{}",
                   raw.source, what, name, hint);
}

Result<std::vector<Forced>> ResolveOverrides(const RawTable& raw, const InferOptions& options) {
  std::vector<Forced> forced(raw.cols());
  auto find = [&](const std::string& name) -> std::optional<size_t> {
    for (size_t c = 0; c < raw.names.size(); ++c) {
      if (raw.names[c] == name) return c;
    }
    return std::nullopt;
  };
  for (const auto& [name, type] : options.type_overrides) {
    const std::optional<size_t> c = find(name);
    if (!c) return UnknownColumn(raw, name, "a type");
    forced[*c].type = type;
  }
  for (const auto& [name, text] : options.datetime_formats) {
    const std::optional<size_t> c = find(name);
    if (!c) return UnknownColumn(raw, name, "a datetime format");
    if (forced[*c].type && *forced[*c].type != ColumnType::kDatetime) {
      return MakeError(ErrorCode::kConfig,
                       "column '{}' is given the datetime format '{}' but the type {}; drop one "
                       "of the two",
                       name, text, ColumnTypeName(*forced[*c].type));
    }
    Result<DatetimeFormat> format = DatetimeFormat::Compile(text);
    if (!format.ok()) return format.status().WithContext(fmt::format("column '{}'", name));
    forced[*c].type = ColumnType::kDatetime;
    forced[*c].format = std::move(format).value();
  }
  return forced;
}

Status CheckShape(const RawTable& raw) {
  if (raw.cells.size() != raw.names.size()) {
    return MakeError(ErrorCode::kInternal, "{}: table has {} names but {} columns of cells",
                     raw.source, raw.names.size(), raw.cells.size());
  }
  for (const auto& column : raw.cells) {
    if (column.size() != raw.rows()) {
      return MakeError(ErrorCode::kInternal, "{}: columns of the table differ in length",
                       raw.source);
    }
  }
  return Status::Ok();
}

}  // namespace

Result<Frame> InferFrame(const RawTable& raw, const InferOptions& options) {
  KILN_RETURN_IF_ERROR(CheckShape(raw));
  KILN_ASSIGN_OR_RETURN(const std::vector<Forced> forced, ResolveOverrides(raw, options));
  const MissingMatcher matcher(options.missing_tokens);

  const size_t cols = raw.cols();
  const size_t rows = raw.rows();
  std::vector<std::optional<ColumnBuilder>> builders(cols);
  std::vector<std::optional<Result<Column>>> results(cols);
  // Worker `w` of `workers` converts the columns w, w + workers, ... block by block.
  auto work = [&](size_t w, size_t workers) {
    for (size_t c = w; c < cols; c += workers)
      builders[c].emplace(raw, c, options, matcher, forced[c], rows);
    for (size_t begin = 0; begin < rows; begin += kBlockRows) {
      const size_t end = std::min(rows, begin + kBlockRows);
      for (size_t c = w; c < cols; c += workers) builders[c]->Consume(begin, end);
    }
    for (size_t c = w; c < cols; c += workers) {
      results[c] = builders[c]->Finish();
      builders[c].reset();
    }
  };
  const size_t workers = std::min<size_t>(static_cast<size_t>(std::max(options.threads, 1)),
                                          std::max<size_t>(cols, 1));
  if (workers <= 1) {
    work(0, 1);
  } else {
    std::vector<std::thread> threads;
    for (size_t w = 0; w < workers; ++w) threads.emplace_back(work, w, workers);
    for (std::thread& t : threads) t.join();
  }

  Frame frame;
  for (size_t c = 0; c < cols; ++c) {
    if (!results[c]->ok()) return results[c]->status();
    frame.Add(std::move(*results[c]).value());
  }
  return frame;
}

struct StreamingInference::State {
  RawTable header;  // names only, for overrides and messages
  InferOptions options;
  std::vector<Forced> forced;
  MissingMatcher matcher;
  std::vector<std::optional<ColumnBuilder>> builders;
  size_t rows = 0;
  bool streamable = true;

  State(const std::vector<std::string>& names, const InferOptions& o)
      : options(o), matcher(o.missing_tokens) {
    header.names = names;
    header.cells.resize(names.size());
  }
};

std::unique_ptr<StreamingInference> StreamingInference::Start(const std::vector<std::string>& names,
                                                              const InferOptions& options,
                                                              size_t expected_rows) {
  std::unique_ptr<StreamingInference> stream(new StreamingInference());
  stream->state_ = std::make_unique<State>(names, options);
  State& st = *stream->state_;
  Result<std::vector<Forced>> forced = ResolveOverrides(st.header, options);
  if (!forced.ok()) return nullptr;  // the whole-table path reports the error
  st.forced = std::move(forced).value();
  st.builders.resize(names.size());
  for (size_t c = 0; c < names.size(); ++c) {
    st.builders[c].emplace(st.header, c, st.options, st.matcher, st.forced[c], expected_rows);
    if (!st.builders[c]->Streamable()) return nullptr;
  }
  return stream;
}

StreamingInference::StreamingInference() = default;
StreamingInference::~StreamingInference() = default;

bool StreamingInference::Consume(const RawTable& chunk) {
  State& st = *state_;
  if (!st.streamable || chunk.cols() != st.builders.size() || !CheckShape(chunk).ok()) {
    st.streamable = false;
    return false;
  }
  const size_t rows = chunk.rows();
  for (auto& builder : st.builders) builder->Rebind(chunk, st.rows);
  for (size_t begin = 0; begin < rows; begin += kBlockRows) {
    const size_t end = std::min(rows, begin + kBlockRows);
    for (auto& builder : st.builders) builder->Consume(begin, end);
  }
  st.rows += rows;
  for (auto& builder : st.builders) {
    if (!builder->Streamable()) {
      st.streamable = false;
      return false;
    }
  }
  return true;
}

bool StreamingInference::ConsumePlain(const PlainRows& block) {
  State& st = *state_;
  if (!st.streamable) return false;
  const size_t cols = st.builders.size();
  for (size_t c = 0; c < cols; ++c) {
    ColumnBuilder& builder = *st.builders[c];
    builder.ConsumePlain(PlainCells(block, c, cols, st.matcher), st.rows);
    if (!builder.Streamable()) {
      st.streamable = false;
      return false;
    }
  }
  st.rows += block.rows;
  return true;
}

bool StreamingInference::ConsumePlainWindow(const std::vector<PlainRows>& blocks, int threads) {
  State& st = *state_;
  if (!st.streamable) return false;
  const size_t cols = st.builders.size();
  // Builders share nothing but the read-only matcher; a column that fails stops early, and the
  // others' work is then thrown away with the stream.
  (void)ParallelFor(cols, threads, [&](size_t c) {
    ColumnBuilder& builder = *st.builders[c];
    size_t rows_before = st.rows;
    for (const PlainRows& block : blocks) {
      builder.ConsumePlain(PlainCells(block, c, cols, st.matcher), rows_before);
      if (!builder.Streamable()) break;
      rows_before += block.rows;
    }
    return Status::Ok();
  });
  for (const auto& builder : st.builders) {
    if (!builder->Streamable()) {
      st.streamable = false;
      return false;
    }
  }
  for (const PlainRows& block : blocks) st.rows += block.rows;
  return true;
}

std::optional<Frame> StreamingInference::Finish() {
  State& st = *state_;
  if (!st.streamable || st.rows == 0) return std::nullopt;
  Frame frame;
  for (auto& builder : st.builders) {
    std::optional<Column> column = builder->FinishStreamed();
    if (!column) return std::nullopt;
    frame.Add(std::move(*column));
  }
  return frame;
}

}  // namespace kiln
