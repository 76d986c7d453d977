// Detection of personal data (PII) in a frame, before it is stored or used for training. A column
// is reported when the user declared it personal, when its name says so ("email", "customer_name",
// "ip_address"), or when enough of its values look like e-mail addresses, phone numbers, payment
// card numbers, national identity numbers or IP addresses. Examples in findings are masked so
// that the report itself can be logged and shared.
//
// The value scanners are small hand-written matchers rather than regular expressions: they run
// over up to ten thousand values per column and must stay fast and predictable.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "data/frame.h"

namespace kiln {

enum class PiiKind {
  kEmail,
  kPhone,
  kCardNumber,
  kNationalId,  // US SSN, UK National Insurance number, Spanish DNI/NIE, passport columns
  kIpAddress,   // IPv4 and IPv6
  kPersonName,  // "name_like": a column named for a person's name
  kAddress,     // street address
  kPostalCode,
  kBirthDate,
  kBankAccount,  // IBAN, account numbers
  kDeclared,     // listed as personal by the user; no kind is claimed
};

// "email", "phone", "card_number", "national_id", "ip_address", "name_like", "address",
// "postal_code", "birth_date", "bank_account", "declared".
const char* PiiKindName(PiiKind kind);

enum class PiiEvidence { kName, kValues, kDeclared };
const char* PiiEvidenceName(PiiEvidence evidence);  // "name", "values", "declared"

struct PiiFinding {
  std::string column;
  PiiKind kind = PiiKind::kDeclared;
  PiiEvidence evidence = PiiEvidence::kDeclared;
  size_t sampled = 0;       // non-missing values examined
  size_t count = 0;         // of those, values containing a match for `kind`'s value pattern
  double match_rate = 0.0;  // count / sampled; 0 for kinds without a value pattern
  std::vector<std::string> examples;  // masked, distinct, at most PiiOptions::max_examples
};

struct PiiOptions {
  // A column is flagged by its values when at least this share of sampled values contains a
  // match. Lower rates are mostly incidental (one e-mail address quoted in a free-text comment),
  // and a column of random 16-digit identifiers passes the Luhn check for one value in ten, so
  // 0.3 separates columns that hold personal data from columns that merely mention it.
  double min_match_rate = 0.3;
  // Columns with more non-missing values are sampled at evenly spaced rows, so the result does
  // not depend on row order tricks and is the same on every run.
  size_t max_sampled_values = 10000;
  size_t max_examples = 3;
};

// Findings in column order; within a column: declared, then name, then values. A column may have
// several findings (its name says "phone" and its values are phone numbers). Declared names that
// are not columns of `frame` are ignored: the configuration layer checks them against the schema.
//
// Name evidence is word-aware: names are split at non-alphanumerics, lower-to-upper case changes
// and letter-digit changes, and words are compared whole, so "customer_name" and "FirstName"
// match while "filename", "sex9" and "Purpose4" do not; "file_name", "product_name" and similar
// non-person names are excluded. A name match is dropped when the column only holds yes/no style
// flags (a "Telephone" column of yes/none says whether someone has a phone, not which one).
std::vector<PiiFinding> DetectPii(const Frame& frame,
                                  const std::vector<std::string>& declared_pii_columns,
                                  const PiiOptions& options = {});

// The kind a column name points at, or nullopt.
std::optional<PiiKind> PiiKindForColumnName(std::string_view column_name);

// The first span of `text` matching the value pattern of `kind`, or nullopt. Patterns exist for
// kEmail, kPhone, kCardNumber, kNationalId and kIpAddress; other kinds never match.
//   phone: 7 to 15 digits with a leading "+" or separators (space - . parentheses); bare digit
//          strings, dates, SSN-, IPv4- and thousands-grouped numbers are not phones.
//   card:  13 to 19 digits, optionally grouped by spaces or dashes, starting 2-6, Luhn-valid.
//   national id: SSN ddd-dd-dddd (area not 000, 666 or 9xx; group and serial not zero),
//          UK NINO (AB123456C), Spanish DNI/NIE with a valid check letter.
std::optional<std::string_view> FindPii(std::string_view text, PiiKind kind);

// A masked rendering of a matched span: j***@example.com, **** **** **** 1111, +** *** ***67,
// ***-**-6789, 192.*.*.*. Kinds without a value pattern keep the first character of each word.
std::string MaskPii(std::string_view match, PiiKind kind);

// The Luhn (mod 10) check used by payment cards. `digits` must be non-empty and all digits.
bool PassesLuhn(std::string_view digits);

}  // namespace kiln
