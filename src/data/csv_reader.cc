// The CSV reader (see csv_reader.h). Speed comes from three choices: the file is mapped, not
// copied; fields are views into it, written straight into per-column vectors reserved from an
// estimate of the row count; and the scan for the next delimiter or line break looks at 64
// bytes at a time through a bit mask (SSE2 where available), so an ordinary unquoted field costs
// a shift and a count of trailing zeros. Quoted fields take a slower path that looks for the
// closing quote with memchr and copies the field only when it holds doubled quotes.
#include "data/csv_reader.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <deque>
#include <limits>
#include <set>
#include <type_traits>
#include <unordered_set>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <fast_float/fast_float.h>

#include "data/datetime.h"
#include "data/infer.h"

namespace kiln {

namespace {

constexpr size_t kProgressStep = 4u << 20;
constexpr size_t kSampleRows = 32;
constexpr size_t kSampleBytes = 256u << 10;
constexpr char kDelimiterCandidates[] = {',', ';', '\t', '|'};

struct Location {
  int64_t line;
  int64_t column;  // 1-based byte column within the line
};

// Counts line breaks the way the tokenizer does: LF, CRLF and a lone CR each end a line.
Location Locate(std::string_view text, size_t offset) {
  int64_t line = 1;
  size_t line_start = 0;
  offset = std::min(offset, text.size());
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n' || (text[i] == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n'))) {
      ++line;
      line_start = i + 1;
    }
  }
  return {line, static_cast<int64_t>(offset - line_start) + 1};
}

std::string_view StripBom(std::string_view bytes) {
  if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
  return bytes;
}

std::string Printable(char c) {
  if (c >= 0x20 && c < 0x7f) return fmt::format("'{}'", c);
  return fmt::format("byte 0x{:02X}", static_cast<unsigned char>(c));
}

std::string DelimiterName(char d) {
  return d == '\t' ? "tab" : fmt::format("'{}'", d);
}

// Length of the well-formed UTF-8 sequence starting at `s` (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF), or 0 when it is malformed.
size_t Utf8SequenceLength(const unsigned char* s, size_t available) {
  const unsigned char c = s[0];
  auto continuation = [&](size_t i) { return i < available && (s[i] & 0xC0) == 0x80; };
  auto in_range = [&](size_t i, unsigned char lo, unsigned char hi) {
    return i < available && s[i] >= lo && s[i] <= hi;
  };
  if (c < 0x80) return 1;
  if (c < 0xC2) return 0;
  if (c < 0xE0) return continuation(1) ? 2 : 0;
  if (c < 0xF0) {
    const unsigned char lo = c == 0xE0 ? 0xA0 : 0x80;
    const unsigned char hi = c == 0xED ? 0x9F : 0xBF;
    return in_range(1, lo, hi) && continuation(2) ? 3 : 0;
  }
  if (c < 0xF5) {
    const unsigned char lo = c == 0xF0 ? 0x90 : 0x80;
    const unsigned char hi = c == 0xF4 ? 0x8F : 0xBF;
    return in_range(1, lo, hi) && continuation(2) && continuation(3) ? 4 : 0;
  }
  return 0;
}

// Rejects text that is not UTF-8 or holds NUL bytes. Runs of 64 and of 16 plain ASCII bytes are
// checked at once, so a typical file costs a fraction of the tokenizing time.
Status CheckText(std::string_view text, const std::string& source) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
#if defined(__SSE2__)
    // A NUL byte makes the block's minimum zero; any byte above 0x7F sets a high bit of the OR.
    while (i + 64 <= n) {
      const auto* block = reinterpret_cast<const __m128i*>(s + i);
      const __m128i a = _mm_loadu_si128(block), b = _mm_loadu_si128(block + 1);
      const __m128i c = _mm_loadu_si128(block + 2), d = _mm_loadu_si128(block + 3);
      const __m128i low = _mm_min_epu8(_mm_min_epu8(a, b), _mm_min_epu8(c, d));
      const __m128i any = _mm_or_si128(_mm_or_si128(a, b), _mm_or_si128(c, d));
      if ((_mm_movemask_epi8(any) | _mm_movemask_epi8(_mm_cmpeq_epi8(low, _mm_setzero_si128()))) !=
          0) {
        break;
      }
      i += 64;
    }
    if (i == n) break;
    if (i + 16 <= n) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i));
      const int high = _mm_movemask_epi8(v);
      const int zero = _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_setzero_si128()));
      if ((high | zero) == 0) {
        i += 16;
        continue;
      }
    }
#endif
    if (s[i] == 0) break;
    const size_t length = Utf8SequenceLength(s + i, n - i);
    if (length == 0) break;
    i += length;
  }
  if (i == n) return Status::Ok();

  // A NUL byte anywhere near the start says "binary file" better than the first bad sequence.
  const size_t window = std::min<size_t>(n, 64u << 10);
  const void* nul = std::memchr(s, 0, window);
  if (s[i] == 0 || nul != nullptr) {
    const size_t at =
        s[i] == 0 ? i : static_cast<size_t>(static_cast<const unsigned char*>(nul) - s);
    const Location loc = Locate(text, at);
    return MakeError(ErrorCode::kData,
                     "{}: line {}, byte column {}: NUL byte; the file looks binary, not CSV text. "
                     "Export the data as a UTF-8 CSV file and add that",
                     source, loc.line, loc.column);
  }
  const Location loc = Locate(text, i);
  return MakeError(ErrorCode::kData,
                   "{}: line {}, byte column {}: invalid UTF-8 (byte 0x{:02X}); re-save the file "
                   "as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)",
                   source, loc.line, loc.column, s[i]);
}

struct SampledField {
  std::string_view text;
  bool quoted;
};

// Collects the first records as rows of fields of any length: used to sniff the delimiter and
// the header, and to estimate the row count.
class SampleSink {
 public:
  SampleSink(size_t max_rows, size_t max_bytes) : max_rows_(max_rows), max_bytes_(max_bytes) {}

  bool Field(std::string_view text, bool quoted) {
    row_.push_back({text, quoted});
    return true;
  }
  bool EndRow(int64_t line) {
    rows_.push_back(std::move(row_));
    row_.clear();
    lines_.push_back(line);
    return true;
  }
  void RowDone(size_t next) { ends_.push_back(next); }
  bool Full() const { return rows_.size() >= max_rows_ || ends_.back() >= max_bytes_; }
  size_t fields() const { return row_.size(); }
  size_t columns() const { return 0; }

  const std::vector<std::vector<SampledField>>& rows() const { return rows_; }
  const std::vector<int64_t>& lines() const { return lines_; }
  const std::vector<size_t>& ends() const { return ends_; }

 private:
  size_t max_rows_;
  size_t max_bytes_;
  std::vector<SampledField> row_;
  std::vector<std::vector<SampledField>> rows_;
  std::vector<int64_t> lines_;
  std::vector<size_t> ends_;
};

// Writes fields straight into the table's columns. Quote flags are kept only from the first
// quoted field on, so files without quotes pay nothing for them.
class TableSink {
 public:
  TableSink(RawTable* table, size_t columns)
      : table_(table), columns_(columns), cells_(table->cells.data()) {}

  bool Field(std::string_view text, bool quoted) {
    if (field_ == columns_) return false;
    cells_[field_].push_back(text);
    if (quoted || tracking_quotes_) MarkQuoted(quoted);
    ++field_;
    return true;
  }
  bool EndRow(int64_t line) {
    if (field_ != columns_) return false;
    table_->row_lines.push_back(line);
    field_ = 0;
    return true;
  }
  void RowDone(size_t) {}
  bool Full() const { return false; }
  size_t fields() const { return field_; }
  size_t columns() const { return columns_; }

  // Appends a whole row of unquoted fields already checked by the tokenizer's fast path.
  void AppendPlainRow(const std::string_view* fields, int64_t line) {
    for (size_t c = 0; c < columns_; ++c) cells_[c].push_back(fields[c]);
    if (tracking_quotes_) {
      for (size_t c = 0; c < columns_; ++c) table_->cell_quoted[c].push_back(0);
    }
    table_->row_lines.push_back(line);
  }

 private:
  void MarkQuoted(bool quoted) {
    if (!tracking_quotes_) {
      tracking_quotes_ = true;
      table_->cell_quoted.resize(columns_);
      for (size_t c = 0; c < columns_; ++c) {
        table_->cell_quoted[c].reserve(table_->cells[c].capacity());
        table_->cell_quoted[c].resize(table_->cells[c].size() - (c == field_ ? 1 : 0), 0);
      }
    }
    table_->cell_quoted[field_].push_back(quoted ? 1 : 0);
  }

  RawTable* table_;
  size_t columns_;
  std::vector<std::string_view>* cells_;
  size_t field_ = 0;
  bool tracking_quotes_ = false;
};

// Where the fast path puts the rows it reads: views appended to a table.
class ViewRows {
 public:
  ViewRows(TableSink& sink, std::vector<std::string_view>* fields) : sink_(sink) {
    fields->resize(sink.columns());
    fields_ = fields->data();
  }
  void Set(size_t c, const char* text, size_t first, size_t last) {
    fields_[c] = std::string_view(text + first, last - first);
  }
  void Commit(int64_t line) { sink_.AppendPlainRow(fields_, line); }

 private:
  TableSink& sink_;
  std::string_view* fields_;
};

class Tokenizer {
 public:
  Tokenizer(std::string_view text, char delimiter, bool trim, size_t max_field,
            const std::string& source, std::deque<std::string>* arena)
      : text_(text),
        delimiter_(delimiter),
        trim_(trim),
        max_field_(max_field),
        source_(source),
        arena_(arena) {}

  // Positions the tokenizer at `offset`, which must start a line.
  void Seek(size_t offset) {
    const Location loc = Locate(text_, offset);
    line_ = loc.line;
    line_start_ = offset - static_cast<size_t>(loc.column - 1);
  }

  // Reads records from `begin` (the start of a line) until the end, until the sink is full or,
  // within ReadWindow, until a chunk's end; stopped_at() then tells where the next record starts.
  template <typename Sink>
  Status Run(size_t begin, Sink& sink, const ProgressFn* progress);

  size_t stopped_at() const { return stopped_at_; }

  // The streamed read's step: reads the records of at most kFastChunk bytes from `pos` (the
  // start of a line). When every record there is a plain row of `cols` fields that needs no
  // trimming, the rows are left in place as `block` (byte ranges of the text, see PlainRows),
  // valid until the next call; otherwise they are appended to `sink` as views, and *block has no
  // rows. Returns where the next record starts.
  Status ReadWindow(size_t pos, size_t cols, PlainRows* block, TableSink& sink, size_t* next);
  // What fixed the number of columns, for ragged-row messages: "the header" or "the first row".
  void set_columns_origin(const char* origin) { columns_origin_ = origin; }
  // Hands over the stop list of the last plain block (the one its `ends` point into) for
  // `spare`, so that the block stays valid while later chunks are read.
  void SwapStops(std::vector<uint32_t>* spare) { stops_.swap(*spare); }

 private:
  // Bytes scanned at a time by the fast path; its stop list then stays in the L2 cache.
  static constexpr size_t kFastChunk = 32u << 10;

  // What CollectStops notes about a chunk besides its stops, when asked to.
  struct ChunkShape {
    size_t line_feeds = 0;
    bool odd = false;          // a '"' or a CR anywhere
    bool edge_spaces = false;  // with trimming: a space that starts or ends a field
  };

  template <typename Sink>
  Status ReadRow(size_t* pos, Sink& sink);
  size_t ReadPlainRows(size_t pos, size_t cols, ViewRows& out, size_t* scanned_to);
  size_t ReadCollectedRows(size_t pos, size_t cols, size_t count, ViewRows& out);
  // Per 64-byte block, for ChunkShape: bit i is set when text_[at + i] is that character.
  struct BlockMasks {
    uint64_t line_feeds, returns, quotes, spaces;
  };
  BlockMasks OtherMasks(size_t at) const;
  template <bool kShape>
  size_t CollectStops(size_t begin, size_t end, ChunkShape* shape);
  bool HasEdgeSpaces(size_t begin, size_t end) const;
  size_t PlainRowCount(size_t pos, size_t cols, size_t count, const ChunkShape& shape) const;
  Status ReadQuoted(size_t quote, size_t field_number, std::string_view* value, size_t* stop);
  size_t NextStop(size_t from);
  const char* BlockAt(size_t at, char (&tail)[64]) const;
  uint64_t Mask(size_t at) const;
  size_t SkipLineBreak(size_t at);
  void CountLineBreaks(size_t begin, size_t end);
  int64_t ColumnOf(size_t offset) const { return static_cast<int64_t>(offset - line_start_) + 1; }
  size_t CountFields(size_t row_begin, int64_t row_line) const;

  Status RaggedRow(size_t row_begin, int64_t row_line, size_t at, size_t columns) const;
  Status FieldTooLarge(int64_t line, int64_t column, size_t field_number, size_t bytes) const;

  std::string_view text_;
  char delimiter_;
  bool trim_;
  size_t max_field_;
  const std::string& source_;
  std::deque<std::string>* arena_;

  int64_t line_ = 1;
  size_t line_start_ = 0;
  size_t stopped_at_ = 0;
  size_t mask_base_ = 0;
  uint64_t mask_ = 0;
  // Fast path: offsets of the delimiters and line breaks of a chunk from stops_[1] on, after a
  // stops_[0] of UINT32_MAX, so that field i of a plain chunk starts after stop i - 1 for every
  // i >= 0 (see PlainRows).
  std::vector<uint32_t> stops_;
  std::vector<std::string_view> fields_;  // fast path: the row being checked
  size_t fast_resume_at_ = 0;             // the fast path is not tried again before this offset
  size_t until_ = std::numeric_limits<size_t>::max();  // Run stops at the first record here
  // ReadWindow: chunks not plain in a row, and chunks left to read before the next look.
  int plain_misses_ = 0;
  int plain_pause_ = 0;
  const char* columns_origin_ = "the header";
};

// 64 readable bytes from text_[at]: the text itself, or, near its end, what is left of it copied
// into `tail` and padded with NULs.
const char* Tokenizer::BlockAt(size_t at, char (&tail)[64]) const {
  const char* p = text_.data() + at;
  const size_t available = text_.size() - at;
  if (available >= 64) return p;
  std::memset(tail, 0, sizeof tail);
  std::memcpy(tail, p, available);
  return tail;
}

// Bit i is set when text_[at + i] is the delimiter, LF or CR.
uint64_t Tokenizer::Mask(size_t at) const {
  alignas(16) char tail[64];
  const char* p = BlockAt(at, tail);
#if defined(__SSE2__)
  const __m128i delimiter = _mm_set1_epi8(delimiter_);
  const __m128i lf = _mm_set1_epi8('\n');
  const __m128i cr = _mm_set1_epi8('\r');
  uint64_t mask = 0;
  for (int i = 0; i < 4; ++i) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i));
    const __m128i hit = _mm_or_si128(_mm_cmpeq_epi8(v, delimiter),
                                     _mm_or_si128(_mm_cmpeq_epi8(v, lf), _mm_cmpeq_epi8(v, cr)));
    mask |= static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(hit))) << (16 * i);
  }
  return mask;
#else
  uint64_t mask = 0;
  for (int i = 0; i < 64; ++i) {
    const char c = p[i];
    if (c == delimiter_ || c == '\n' || c == '\r') mask |= uint64_t{1} << i;
  }
  return mask;
#endif
}

Tokenizer::BlockMasks Tokenizer::OtherMasks(size_t at) const {
  alignas(16) char tail[64];
  const char* p = BlockAt(at, tail);
  BlockMasks masks{};
#if defined(__SSE2__)
  const __m128i lf = _mm_set1_epi8('\n');
  const __m128i cr = _mm_set1_epi8('\r');
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i space = _mm_set1_epi8(' ');
  const auto bits = [](__m128i hit, int i) {
    return static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(hit))) << (16 * i);
  };
  for (int i = 0; i < 4; ++i) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i));
    masks.line_feeds |= bits(_mm_cmpeq_epi8(v, lf), i);
    masks.returns |= bits(_mm_cmpeq_epi8(v, cr), i);
    masks.quotes |= bits(_mm_cmpeq_epi8(v, quote), i);
    masks.spaces |= bits(_mm_cmpeq_epi8(v, space), i);
  }
#else
  for (int i = 0; i < 64; ++i) {
    const uint64_t bit = uint64_t{1} << i;
    masks.line_feeds |= p[i] == '\n' ? bit : 0;
    masks.returns |= p[i] == '\r' ? bit : 0;
    masks.quotes |= p[i] == '"' ? bit : 0;
    masks.spaces |= p[i] == ' ' ? bit : 0;
  }
#endif
  return masks;
}

// Offset of the first delimiter or line break at or after `from`, or the text size.
inline size_t Tokenizer::NextStop(size_t from) {
  for (;;) {
    size_t delta = from - mask_base_;
    if (delta >= 64) {
      if (from >= text_.size()) return text_.size();
      mask_base_ = from;
      mask_ = Mask(from);
      delta = 0;
    }
    const uint64_t bits = mask_ >> delta;
    if (bits != 0) return from + static_cast<size_t>(__builtin_ctzll(bits));
    from = mask_base_ + 64;
  }
}

size_t Tokenizer::SkipLineBreak(size_t at) {
  at += (text_[at] == '\r' && at + 1 < text_.size() && text_[at + 1] == '\n') ? 2 : 1;
  ++line_;
  line_start_ = at;
  return at;
}

void Tokenizer::CountLineBreaks(size_t begin, size_t end) {
  for (size_t i = begin; i < end; ++i) {
    const char c = text_[i];
    if (c == '\n' || (c == '\r' && (i + 1 >= text_.size() || text_[i + 1] != '\n'))) {
      ++line_;
      line_start_ = i + 1;
    }
  }
}

template <typename Sink>
Status Tokenizer::Run(size_t begin, Sink& sink, const ProgressFn* progress) {
  const char* p = text_.data();
  const size_t n = text_.size();
  size_t pos = begin;
  size_t next_report = begin + kProgressStep;
  mask_base_ = std::numeric_limits<size_t>::max() - 64;

  while (pos < n && pos < until_) {
    if constexpr (std::is_same_v<Sink, TableSink>) {
      if (pos >= fast_resume_at_) {
        size_t scanned_to;
        ViewRows rows(sink, &fields_);
        const size_t next = ReadPlainRows(pos, sink.columns(), rows, &scanned_to);
        if (next == pos) fast_resume_at_ = scanned_to;
        pos = next;
        if (progress != nullptr && pos >= next_report) {
          (*progress)(pos, n);
          next_report = pos + kProgressStep;
        }
        if (sink.Full()) break;
        continue;
      }
    }
    size_t first = pos;
    if (trim_) {
      while (first < n && p[first] == ' ') ++first;
    }
    if (first == n) {
      pos = n;
      break;
    }
    if (p[first] == '\n' || p[first] == '\r') {  // a blank line
      pos = SkipLineBreak(first);
      continue;
    }
    KILN_RETURN_IF_ERROR(ReadRow(&pos, sink));
    sink.RowDone(pos);
    if (sink.Full()) break;
    if (progress != nullptr && pos >= next_report) {
      (*progress)(pos, n);
      next_report = pos + kProgressStep;
    }
  }
  stopped_at_ = pos;
  return Status::Ok();
}

// Offsets (from `begin`) of every delimiter, LF and CR in [begin, end), into stops_ from
// stops_[1] on. With kShape, also what `shape` holds.
template <bool kShape>
size_t Tokenizer::CollectStops(size_t begin, size_t end, ChunkShape* shape) {
  stops_.resize(end - begin + 64 + 1);
  stops_[0] = std::numeric_limits<uint32_t>::max();
  uint32_t* out = stops_.data() + 1;
  size_t count = 0;
  size_t line_feeds = 0;
  bool odd = false;     // a quote or a CR
  bool spaced = false;  // a space, when trimming
#if defined(__SSE2__)
  constexpr bool kVectorShape = true;
  // Full blocks load their bytes once and keep the rare characters as running vector ORs, read
  // once per chunk: two movemasks a 16-byte step rather than five.
  __m128i odd_bytes = _mm_setzero_si128();
  __m128i space_bytes = _mm_setzero_si128();
  const __m128i delimiter = _mm_set1_epi8(delimiter_);
  const __m128i lf = _mm_set1_epi8('\n');
  const __m128i cr = _mm_set1_epi8('\r');
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i space = _mm_set1_epi8(trim_ ? ' ' : '\n');  // LFs are stops anyway
#else
  constexpr bool kVectorShape = false;
#endif
  for (size_t block = begin; block < end; block += 64) {
    const uint64_t valid = end - block < 64 ? (uint64_t{1} << (end - block)) - 1 : ~uint64_t{0};
    uint64_t bits = 0;
    if (kShape && kVectorShape && end - block >= 64) {
#if defined(__SSE2__)
      uint64_t feeds = 0;
      for (int i = 0; i < 4; ++i) {
        const char* const p = text_.data() + block + 16 * i;
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        const __m128i is_lf = _mm_cmpeq_epi8(v, lf);
        const __m128i is_cr = _mm_cmpeq_epi8(v, cr);
        const __m128i hit = _mm_or_si128(_mm_cmpeq_epi8(v, delimiter), _mm_or_si128(is_lf, is_cr));
        odd_bytes = _mm_or_si128(odd_bytes, _mm_or_si128(is_cr, _mm_cmpeq_epi8(v, quote)));
        space_bytes = _mm_or_si128(space_bytes, _mm_cmpeq_epi8(v, space));
        bits |= static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(hit))) << (16 * i);
        feeds |= static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(is_lf))) << (16 * i);
      }
      line_feeds += static_cast<size_t>(std::popcount(feeds));
#endif
    } else {
      bits = Mask(block) & valid;
      if constexpr (kShape) {
        const BlockMasks masks = OtherMasks(block);
        line_feeds += static_cast<size_t>(std::popcount(masks.line_feeds & valid));
        odd |= ((masks.quotes | masks.returns) & valid) != 0;
        spaced |= trim_ && (masks.spaces & valid) != 0;
      }
    }
    const auto offset = static_cast<uint32_t>(block - begin);
    // Eight slots are written whatever the block holds, and the count moves by the number of
    // stops: most blocks hold fewer than eight, so the loop's exit is predictable, where a loop
    // per stop mispredicts its exit about once a block. Slots past the count are overwritten.
    const auto stops = static_cast<size_t>(std::popcount(bits));
    uint32_t* slot = out + count;
    for (int i = 0; i < 8; ++i) {
      slot[i] = offset + static_cast<uint32_t>(std::countr_zero(bits));
      bits &= bits - 1;
    }
    if (stops > 8) {
      for (size_t i = 8; bits != 0; ++i) {
        slot[i] = offset + static_cast<uint32_t>(std::countr_zero(bits));
        bits &= bits - 1;
      }
    }
    count += stops;
  }
  if constexpr (kShape) {
#if defined(__SSE2__)
    odd |= _mm_movemask_epi8(odd_bytes) != 0;
    spaced |= trim_ && _mm_movemask_epi8(space_bytes) != 0;
#endif
    shape->line_feeds = line_feeds;
    shape->odd = odd;
    // Spaces inside fields are common ("New York"); only those at a field's edge need trimming.
    shape->edge_spaces = !odd && spaced && HasEdgeSpaces(begin, end);
  }
  return count;
}

// Whether a field in [begin, end) starts or ends with a space; the chunk starts a field.
bool Tokenizer::HasEdgeSpaces(size_t begin, size_t end) const {
  uint64_t before_stops = uint64_t{1} << 63;  // as if a stop ended the previous block
  uint64_t before_spaces = 0;
  uint64_t edge_spaces = 0;
  for (size_t block = begin; block < end; block += 64) {
    const uint64_t valid = end - block < 64 ? (uint64_t{1} << (end - block)) - 1 : ~uint64_t{0};
    const uint64_t bits = Mask(block) & valid;
    const uint64_t spaces = OtherMasks(block).spaces & valid;
    // A space just after a stop starts a field; one just before a stop ends one.
    edge_spaces |= spaces & ((bits << 1) | (before_stops >> 63));
    edge_spaces |= (spaces & (bits >> 1)) | ((before_spaces >> 63) & bits & 1);
    before_stops = bits;
    before_spaces = spaces;
  }
  return edge_spaces != 0;
}

// The number of complete rows in the chunk at `pos` when all of them are plain rows of `cols`
// fields needing no trimming, else 0. Without CRs the stops are delimiters and LFs only, so when
// the chunk's m LFs are exactly stops cols - 1, 2 cols - 1, ..., m cols - 1 (counting from 0),
// every other stop before them is a delimiter and each row has `cols` fields. No field can be
// over the size limit, which is at least a chunk.
size_t Tokenizer::PlainRowCount(size_t pos, size_t cols, size_t count,
                                const ChunkShape& shape) const {
  const size_t rows = shape.line_feeds;
  if (shape.odd || shape.edge_spaces || cols < 2 || rows == 0 || rows * cols > count ||
      max_field_ < kFastChunk) {
    return 0;
  }
  const char* p = text_.data() + pos;
  const uint32_t* stops = stops_.data() + 1;
  bool all = true;
  for (size_t r = 1; r <= rows; ++r) all &= p[stops[r * cols - 1]] == '\n';
  return all ? rows : 0;
}

// The fast path for the common case: rows on one line, with exactly `cols` fields, none quoted,
// none over the size limit. It lists the stops of a chunk first and then checks and stores a row
// at a time, so the work per field has no chain of dependent steps. Returns where it stopped: at
// the first row it leaves to ReadRow (or the row cut by the chunk's end); `scanned_to` is the end
// of the chunk it looked at.
size_t Tokenizer::ReadPlainRows(size_t pos, size_t cols, ViewRows& out, size_t* scanned_to) {
  const size_t end = std::min(text_.size(), pos + kFastChunk);
  *scanned_to = end;
  return ReadCollectedRows(pos, cols, CollectStops<false>(pos, end, nullptr), out);
}

// ReadPlainRows over the `count` stops collected from `pos`.
size_t Tokenizer::ReadCollectedRows(size_t pos, size_t cols, size_t count, ViewRows& out) {
  const char* p = text_.data();
  const uint32_t* stops = stops_.data() + 1;
  size_t row = pos;
  size_t k = 0;
  while (k + cols <= count) {
    size_t start = row;
    bool plain = true;
    bool first_empty = false;
    for (size_t c = 0; c < cols; ++c) {
      const size_t stop = pos + stops[k + c];
      size_t first = start;
      size_t last = stop;
      if (trim_) {
        while (first < last && p[first] == ' ') ++first;
        while (last > first && p[last - 1] == ' ') --last;
      }
      // p[first] is the stop itself when the field is empty, so it is never a quote then.
      plain &= (c + 1 == cols) | (p[stop] == delimiter_);
      plain &= (last - first <= max_field_) & (p[first] != '"');
      if (c == 0) first_empty = first == last;
      out.Set(c, p, first, last);
      start = stop + 1;
    }
    const size_t stop = pos + stops[k + cols - 1];
    size_t used = cols;
    if (p[stop] == '\r') {  // CRLF: the LF is the next stop
      plain &=
          k + cols < count && stops[k + cols] == stops[k + cols - 1] + 1 && p[stop + 1] == '\n';
      used = cols + 1;
      start = stop + 2;
    } else {
      plain &= p[stop] == '\n';
    }
    plain &= cols > 1 || !first_empty;  // one empty field on a line is a blank line
    if (!plain) break;

    out.Commit(line_);
    ++line_;
    row = start;
    line_start_ = row;
    k += used;
  }
  return row;
}

Status Tokenizer::ReadWindow(size_t pos, size_t cols, PlainRows* block, TableSink& sink,
                             size_t* next) {
  const size_t end = std::min(text_.size(), pos + kFastChunk);
  // A file whose chunks are not plain (spaces after its delimiters, CRLF, quotes everywhere)
  // stops paying for the look at each chunk's shape: after n chunks in a row that were not, the
  // next 2^n - 1 (at most 15) are read row by row without a look. An odd row now and then costs
  // a chunk or two.
  const bool try_plain = plain_pause_ == 0;
  plain_pause_ -= try_plain ? 0 : 1;
  ChunkShape shape;
  const size_t count =
      try_plain ? CollectStops<true>(pos, end, &shape) : CollectStops<false>(pos, end, nullptr);
  block->rows = try_plain ? PlainRowCount(pos, cols, count, shape) : 0;
  if (try_plain) {
    plain_misses_ = block->rows > 0 ? 0 : std::min(plain_misses_ + 1, 4);
    plain_pause_ = (1 << plain_misses_) - 1;
  }
  if (block->rows > 0) {
    block->text = text_.data() + pos;
    block->ends = stops_.data() + 1;
    line_ += static_cast<int64_t>(block->rows);
    *next = pos + block->ends[block->rows * cols - 1] + 1;
    line_start_ = *next;
    return Status::Ok();
  }
  // Row by row: plain rows from the stops just collected, or, when the first row is not plain,
  // a record at a time to the end of the chunk.
  ViewRows rows(sink, &fields_);
  *next = ReadCollectedRows(pos, cols, count, rows);
  if (*next == pos) {
    fast_resume_at_ = end;
    until_ = end;
    const Status status = Run(pos, sink, nullptr);
    until_ = std::numeric_limits<size_t>::max();
    KILN_RETURN_IF_ERROR(status);
    *next = stopped_at_;
  }
  return Status::Ok();
}

// Reads one record starting at *pos and leaves *pos at the start of the next line.
template <typename Sink>
Status Tokenizer::ReadRow(size_t* pos, Sink& sink) {
  const char* p = text_.data();
  const size_t n = text_.size();
  const size_t row_begin = *pos;
  const int64_t row_line = line_;
  size_t field_begin = row_begin;

  for (;;) {
    size_t start = field_begin;
    if (trim_) {
      while (start < n && p[start] == ' ') ++start;
    }
    std::string_view value;
    size_t stop;
    const bool quoted = start < n && p[start] == '"';
    if (quoted) {
      KILN_RETURN_IF_ERROR(ReadQuoted(start, sink.fields() + 1, &value, &stop));
    } else {
      stop = NextStop(start);
      size_t end = stop;
      if (trim_) {
        while (end > start && p[end - 1] == ' ') --end;
      }
      value = std::string_view(p + start, end - start);
      if (value.size() > max_field_) {
        return FieldTooLarge(line_, ColumnOf(start), sink.fields() + 1, value.size());
      }
    }
    if (!sink.Field(value, quoted)) {
      return RaggedRow(row_begin, row_line, field_begin, sink.columns());
    }
    if (stop < n && p[stop] == delimiter_) {
      field_begin = stop + 1;
      continue;
    }
    if (!sink.EndRow(row_line)) return RaggedRow(row_begin, row_line, stop, sink.columns());
    *pos = stop < n ? SkipLineBreak(stop) : n;
    return Status::Ok();
  }
}

// Reads the quoted field whose opening quote is at `quote`. On success `value` holds the
// unquoted content and `stop` the offset of the delimiter or line break after it (or the end).
Status Tokenizer::ReadQuoted(size_t quote, size_t field_number, std::string_view* value,
                             size_t* stop) {
  const char* p = text_.data();
  const size_t n = text_.size();
  const int64_t open_line = line_;
  const int64_t open_column = ColumnOf(quote);

  bool doubled = false;
  size_t close = quote + 1;
  for (;;) {
    const void* found = std::memchr(p + close, '"', n - close);
    if (found == nullptr) {
      return MakeError(ErrorCode::kData,
                       "{}: line {}, byte column {}: the quote that opens field {} here is never "
                       "closed (the file ends inside it); close it, and write a quote inside a "
                       "quoted value as two quotes (\"\")",
                       source_, open_line, open_column, field_number);
    }
    close = static_cast<size_t>(static_cast<const char*>(found) - p);
    if (close + 1 < n && p[close + 1] == '"') {
      doubled = true;
      close += 2;
      continue;
    }
    break;
  }

  const size_t size = close - quote - 1;
  if (size > max_field_) return FieldTooLarge(open_line, open_column, field_number, size);
  CountLineBreaks(quote + 1, close);
  if (doubled) {
    std::string unescaped;
    unescaped.reserve(size);
    for (size_t i = quote + 1; i < close; ++i) {
      unescaped.push_back(p[i]);
      if (p[i] == '"') ++i;
    }
    arena_->push_back(std::move(unescaped));
    *value = arena_->back();
  } else {
    *value = std::string_view(p + quote + 1, size);
  }

  size_t after = close + 1;
  if (trim_) {
    while (after < n && p[after] == ' ') ++after;
  }
  if (after < n && p[after] != delimiter_ && p[after] != '\n' && p[after] != '\r') {
    return MakeError(ErrorCode::kData,
                     "{}: line {}, byte column {}: unexpected {} after the closing quote of field "
                     "{} (opened on line {}); a quoted value must be followed by the delimiter "
                     "{} or a line end: quote the whole value and write quotes inside it as \"\"",
                     source_, line_, ColumnOf(after), Printable(p[after]), field_number, open_line,
                     DelimiterName(delimiter_));
  }
  *stop = after;
  return Status::Ok();
}

size_t Tokenizer::CountFields(size_t row_begin, int64_t row_line) const {
  std::deque<std::string> arena;
  Tokenizer again(text_, delimiter_, trim_, std::numeric_limits<size_t>::max(), source_, &arena);
  again.line_ = row_line;
  again.line_start_ = row_begin;
  SampleSink row(1, std::numeric_limits<size_t>::max());
  (void)again.Run(row_begin, row, nullptr);
  return row.rows().empty() ? row.fields() : row.rows().front().size();
}

Status Tokenizer::RaggedRow(size_t row_begin, int64_t row_line, size_t at, size_t columns) const {
  const size_t fields = CountFields(row_begin, row_line);
  const std::string where =
      line_ == row_line ? std::string() : fmt::format(" (the row starts on line {})", row_line);
  return MakeError(ErrorCode::kData,
                   "{}: line {}, byte column {}{}: the row has {} fields but {} has {}; quote "
                   "values that contain the delimiter {}, or fix the row",
                   source_, line_, ColumnOf(at), where, fields, columns_origin_, columns,
                   DelimiterName(delimiter_));
}

Status Tokenizer::FieldTooLarge(int64_t line, int64_t column, size_t field_number,
                                size_t bytes) const {
  return MakeError(ErrorCode::kData,
                   "{}: line {}, byte column {}: field {} is {} bytes, over the limit of {} "
                   "bytes; raise csv.max_field_bytes if values this long are expected, or look "
                   "for a quote that is never closed",
                   source_, line, column, field_number, bytes, max_field_);
}

bool LooksNumericOrDate(std::string_view s) {
  if (s.empty()) return false;
  if (s.front() == '+' || s.front() == '-') s.remove_prefix(1);
  double value;
  const auto result = fast_float::from_chars(s.data(), s.data() + s.size(), value);
  if (result.ec == std::errc() && result.ptr == s.data() + s.size()) return true;
  for (const DatetimeFormat& format : CandidateDatetimeFormats()) {
    if (format.Parse(s)) return true;
  }
  return false;
}

// The first record is a header unless one of its values looks like a number or a date, or every
// one of them shows up again further down its column (the way data repeats and names do not).
bool LooksLikeHeader(const std::vector<std::vector<SampledField>>& rows) {
  const std::vector<SampledField>& first = rows.front();
  for (const SampledField& f : first) {
    if (!f.quoted && LooksNumericOrDate(f.text)) return false;
  }
  if (rows.size() == 1) return true;
  for (size_t c = 0; c < first.size(); ++c) {
    bool repeated = false;
    for (size_t r = 1; r < rows.size() && !repeated; ++r) {
      repeated = c < rows[r].size() && rows[r][c].text == first[c].text;
    }
    if (!repeated) return true;
  }
  return false;
}

std::vector<std::string> HeaderNames(const std::vector<SampledField>& header) {
  std::set<std::string> taken;
  for (const SampledField& f : header) taken.insert(std::string(f.text));
  std::vector<std::string> names;
  std::unordered_set<std::string> used;
  for (size_t c = 0; c < header.size(); ++c) {
    std::string name(header[c].text);
    if (name.empty()) name = fmt::format("col_{}", c + 1);
    if (used.count(name) != 0) {
      const std::string base = name;
      for (int k = 2;; ++k) {
        name = fmt::format("{}_{}", base, k);
        if (used.count(name) == 0 && taken.count(name) == 0) break;
      }
    }
    used.insert(name);
    names.push_back(std::move(name));
  }
  return names;
}

Status CheckDelimiter(char d, const std::string& source) {
  if (d == '"' || d == '\n' || d == '\r') {
    return MakeError(ErrorCode::kConfig,
                     "{}: csv.delimiter cannot be {}; use one character such as ',' ';' '|' or "
                     "tab, or leave it unset to sniff it",
                     source, Printable(d));
  }
  return Status::Ok();
}

// A generous estimate of the rows in `bytes` from the sampled rows' average length.
size_t EstimateRows(size_t bytes, const SampleSink& sample, size_t cols) {
  const size_t sampled_bytes = std::max<size_t>(sample.ends().back(), 1);
  const size_t per_row = std::max<size_t>(sampled_bytes / sample.rows().size(), 1);
  const size_t rows = bytes / per_row + bytes / per_row / 4 + 16;
  return std::min(rows, bytes / std::max<size_t>(cols, 1) + 1);
}

void ReserveColumns(RawTable* table, size_t bytes, const SampleSink& sample) {
  const size_t rows = EstimateRows(bytes, sample, table->cols());
  for (auto& column : table->cells) column.reserve(rows);
  table->row_lines.reserve(rows);
}

// Rows a streamed read's table of views is sized for: it holds the rows of one chunk of
// Tokenizer::kFastChunk bytes that are not plain (see Tokenizer::ReadWindow), and grows for
// chunks of very short rows.
constexpr size_t kChunkRows = 2048;

// With more than one thread, plain chunks gather into windows of this many (2 MiB), whose
// columns are then converted side by side, each by one thread.
constexpr size_t kWindowChunks = 64;

}  // namespace

namespace csv_internal {

// Tokenizes a chunk of rows, converts it while its text is in cache, and goes on with the next.
// A chunk of plain rows goes to the columns as the offsets of its delimiters, with no view per
// cell; any other as a table of views, whose storage the next chunk reuses. With
// infer.threads > 1, plain chunks are converted a window at a time, columns side by side.
std::optional<Frame> StreamCsvFrame(std::string_view bytes, const CsvOptions& options,
                                    const InferOptions& infer, const std::string& source_name,
                                    const ProgressFn& progress) {
  const std::string_view text = StripBom(bytes);
  // The text is checked a chunk at a time, right after the tokenizer has read it and while it is
  // still in cache; nothing read from it is kept unless all of it passes.
  size_t checked = 0;
  const auto check_to = [&](size_t end) {
    const bool ok = CheckText(text.substr(checked, end - checked), source_name).ok();
    checked = end;
    return ok;
  };
  const char delimiter = options.delimiter != 0 ? options.delimiter : SniffDelimiter(text);
  if (!CheckDelimiter(delimiter, source_name).ok()) return std::nullopt;

  std::deque<std::string> arena;  // unescaped quoted fields; category keys may point into it
  Tokenizer tokenizer(text, delimiter, options.trim_spaces, options.max_field_bytes, source_name,
                      &arena);
  SampleSink sample(kSampleRows, kSampleBytes);
  if (!tokenizer.Run(0, sample, nullptr).ok() || sample.rows().empty()) return std::nullopt;
  const std::vector<SampledField>& first = sample.rows().front();
  const bool header = options.header > 0 || (options.header < 0 && LooksLikeHeader(sample.rows()));

  RawTable chunk;
  chunk.source = source_name;
  if (header) {
    chunk.names = HeaderNames(first);
  } else {
    for (size_t c = 0; c < first.size(); ++c) chunk.names.push_back(fmt::format("col_{}", c + 1));
  }
  const size_t cols = chunk.cols();
  std::unique_ptr<StreamingInference> stream =
      StreamingInference::Start(chunk.names, infer, EstimateRows(text.size(), sample, cols));
  if (!stream) return std::nullopt;
  chunk.cells.resize(cols);
  for (auto& column : chunk.cells) column.reserve(kChunkRows);

  const int threads = std::max(infer.threads, 1);
  std::vector<PlainRows> window;
  std::vector<std::vector<uint32_t>> window_stops(threads > 1 ? kWindowChunks : 0);
  const auto flush = [&] {
    const bool ok = window.empty() || stream->ConsumePlainWindow(window, threads);
    window.clear();
    return ok;
  };

  size_t pos = header ? sample.ends().front() : 0;
  tokenizer.Seek(pos);
  if (!header) tokenizer.set_columns_origin("the first row");
  size_t next_report = pos + kProgressStep;
  while (pos < text.size()) {
    if (progress && pos >= next_report) {
      progress(pos, text.size());
      next_report = pos + kProgressStep;
    }
    for (auto& column : chunk.cells) column.clear();
    chunk.cell_quoted.clear();
    chunk.row_lines.clear();
    TableSink sink(&chunk, cols);
    PlainRows block{};
    size_t next = pos;
    if (!tokenizer.ReadWindow(pos, cols, &block, sink, &next).ok()) return std::nullopt;
    // Records end at line breaks, so a UTF-8 sequence never straddles `next`.
    if (!check_to(next)) return std::nullopt;
    if (block.rows > 0) {
      if (threads > 1) {
        tokenizer.SwapStops(&window_stops[window.size()]);
        window.push_back(block);
        if (window.size() == kWindowChunks && !flush()) return std::nullopt;
      } else if (!stream->ConsumePlain(block)) {
        return std::nullopt;
      }
    }
    // Rows are converted in file order: the window's first.
    if (chunk.rows() > 0 && !(flush() && stream->Consume(chunk))) return std::nullopt;
    pos = next;
  }
  if (!flush() || !check_to(text.size())) return std::nullopt;
  std::optional<Frame> frame = stream->Finish();
  if (frame && progress) progress(text.size(), text.size());
  return frame;
}

}  // namespace csv_internal

char SniffDelimiter(std::string_view bytes) {
  const std::string_view text = StripBom(bytes);
  const std::string source;
  char best = ',';
  double best_consistency = -1;
  size_t best_fields = 1;
  for (char d : kDelimiterCandidates) {
    std::deque<std::string> arena;
    Tokenizer tokenizer(text, d, true, 1u << 20, source, &arena);
    SampleSink sample(20, 64u << 10);
    (void)tokenizer.Run(0, sample, nullptr);
    if (sample.rows().empty()) continue;
    const size_t fields = sample.rows().front().size();
    if (fields < 2) continue;
    size_t same = 0;
    for (const auto& row : sample.rows()) same += row.size() == fields ? 1 : 0;
    const double consistency = static_cast<double>(same) / sample.rows().size();
    if (consistency > best_consistency ||
        (consistency == best_consistency && fields > best_fields)) {
      best = d;
      best_consistency = consistency;
      best_fields = fields;
    }
  }
  return best;
}

Result<RawTable> ReadCsv(std::string_view bytes, const CsvOptions& options,
                         const std::string& source_name, const ProgressFn& progress) {
  const std::string_view text = StripBom(bytes);
  KILN_RETURN_IF_ERROR(CheckText(text, source_name));
  const char delimiter = options.delimiter != 0 ? options.delimiter : SniffDelimiter(text);
  KILN_RETURN_IF_ERROR(CheckDelimiter(delimiter, source_name));

  RawTable table;
  table.source = source_name;
  Tokenizer tokenizer(text, delimiter, options.trim_spaces, options.max_field_bytes, source_name,
                      &table.arena);
  SampleSink sample(kSampleRows, kSampleBytes);
  KILN_RETURN_IF_ERROR(tokenizer.Run(0, sample, nullptr));
  if (sample.rows().empty()) {
    return MakeError(ErrorCode::kData,
                     "{}: line 1, byte column 1: the file is empty (no header, no rows); give a "
                     "CSV file with a header line and at least one data row",
                     source_name);
  }

  const std::vector<SampledField>& first = sample.rows().front();
  const bool header = options.header > 0 || (options.header < 0 && LooksLikeHeader(sample.rows()));
  if (header) {
    table.names = HeaderNames(first);
  } else {
    for (size_t c = 0; c < first.size(); ++c) table.names.push_back(fmt::format("col_{}", c + 1));
  }
  table.cells.resize(table.names.size());
  ReserveColumns(&table, text.size(), sample);

  const size_t data_begin = header ? sample.ends().front() : 0;
  tokenizer.Seek(data_begin);
  if (!header) tokenizer.set_columns_origin("the first row");
  TableSink sink(&table, table.cols());
  KILN_RETURN_IF_ERROR(tokenizer.Run(data_begin, sink, progress ? &progress : nullptr));
  if (table.rows() == 0) {
    const Location end = Locate(text, text.size());
    return MakeError(ErrorCode::kData,
                     "{}: line {}, byte column {}: no data rows after the header on line {}; add "
                     "rows, or set csv.header to 0 if that line is data",
                     source_name, end.line, end.column, sample.lines().front());
  }
  if (progress) progress(text.size(), text.size());
  return table;
}

Result<Frame> ReadCsvFrame(std::string_view bytes, const CsvOptions& options,
                           const InferOptions& infer, const std::string& source_name,
                           const ProgressFn& progress) {
  std::optional<Frame> frame =
      csv_internal::StreamCsvFrame(bytes, options, infer, source_name, progress);
  if (frame) return std::move(*frame);
  KILN_ASSIGN_OR_RETURN(RawTable table, ReadCsv(bytes, options, source_name, progress));
  return InferFrame(table, infer);
}

namespace {

struct MappedFile {
  std::shared_ptr<const void> backing;
  std::string_view bytes;
};

Result<MappedFile> MapFile(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    if (error == ENOENT) {
      return MakeError(ErrorCode::kNotFound, "{}: no such file; check the path", path);
    }
    return MakeError(ErrorCode::kIo, "{}: cannot open: {}", path, std::strerror(error));
  }
  struct stat info {};
  if (fstat(fd, &info) != 0 || S_ISDIR(info.st_mode)) {
    close(fd);
    return MakeError(ErrorCode::kIo, "{}: is a directory or cannot be read; give a CSV file", path);
  }

  std::shared_ptr<const void> backing;
  std::string_view bytes;
  if (S_ISREG(info.st_mode)) {
    const size_t size = static_cast<size_t>(info.st_size);
    if (size > 0) {
      void* address = mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
      if (address == MAP_FAILED) {
        const int error = errno;
        close(fd);
        return MakeError(ErrorCode::kIo, "{}: cannot map the file: {}", path, std::strerror(error));
      }
      backing = std::shared_ptr<const void>(
          address, [size](const void* a) { munmap(const_cast<void*>(a), size); });
      bytes = std::string_view(static_cast<const char*>(address), size);
    }
  } else {
    // Pipes and devices cannot be mapped: read them into memory instead.
    auto buffer = std::make_shared<std::string>();
    char chunk[1 << 16];
    ssize_t got;
    while ((got = read(fd, chunk, sizeof chunk)) > 0)
      buffer->append(chunk, static_cast<size_t>(got));
    if (got < 0) {
      const int error = errno;
      close(fd);
      return MakeError(ErrorCode::kIo, "{}: read failed: {}", path, std::strerror(error));
    }
    bytes = *buffer;
    backing = std::move(buffer);
  }
  close(fd);
  return MappedFile{std::move(backing), bytes};
}

}  // namespace

Result<RawTable> ReadCsvFile(const std::string& path, const CsvOptions& options,
                             const ProgressFn& progress) {
  KILN_ASSIGN_OR_RETURN(MappedFile file, MapFile(path));
  KILN_ASSIGN_OR_RETURN(RawTable table, ReadCsv(file.bytes, options, path, progress));
  table.backing = std::move(file.backing);
  return table;
}

Result<Frame> ReadCsvFileFrame(const std::string& path, const CsvOptions& options,
                               const InferOptions& infer, const ProgressFn& progress) {
  KILN_ASSIGN_OR_RETURN(MappedFile file, MapFile(path));
  return ReadCsvFrame(file.bytes, options, infer, path, progress);
}

namespace {

class CsvSource : public DataSource {
 public:
  CsvSource(std::string path, CsvOptions options) : path_(std::move(path)), options_(options) {}

  Result<RawTable> Read(const ProgressFn& progress) override {
    return ReadCsvFile(path_, options_, progress);
  }
  Result<Frame> ReadFrame(const InferOptions& infer, const ProgressFn& progress) override {
    return ReadCsvFileFrame(path_, options_, infer, progress);
  }
  std::string Describe() const override { return path_; }

 private:
  std::string path_;
  CsvOptions options_;
};

}  // namespace

Result<std::unique_ptr<DataSource>> MakeCsvSource(const std::string& path, const SourceOptions& o) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) {
    return MakeError(ErrorCode::kNotFound,
                     "{}: no such file; give the path of a CSV file, or a sqlite: or "
                     "postgresql:// URI",
                     path);
  }
  std::unique_ptr<DataSource> source = std::make_unique<CsvSource>(path, o.csv);
  return Result<std::unique_ptr<DataSource>>(std::move(source));
}

}  // namespace kiln
