#include "governance/pii.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace kiln {

namespace {

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}
bool IsUpper(char c) {
  return c >= 'A' && c <= 'Z';
}
bool IsLower(char c) {
  return c >= 'a' && c <= 'z';
}
bool IsAlpha(char c) {
  return IsUpper(c) || IsLower(c);
}
bool IsAlnum(char c) {
  return IsDigit(c) || IsAlpha(c);
}
bool IsHex(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
char Lower(char c) {
  return IsUpper(c) ? static_cast<char>(c - 'A' + 'a') : c;
}

// A number may start at `i` unless it continues a word or a number ("x12", "3.12", "1,200").
bool NumberStartsAt(std::string_view t, size_t i) {
  if (i == 0) return true;
  char before = t[i - 1];
  if (IsAlnum(before)) return false;
  return !((before == '.' || before == ',') && i >= 2 && IsDigit(t[i - 2]));
}

// A number may end just before `end` unless a word or more digits follow ("12px", "12.5").
bool NumberEndsAt(std::string_view t, size_t end) {
  if (end == t.size()) return true;
  char after = t[end];
  if (IsAlnum(after)) return false;
  return !((after == '.' || after == ',') && end + 1 < t.size() && IsDigit(t[end + 1]));
}

// ---- payment cards ----

// 13-19 digits with an issuer prefix in use (2 Mastercard, 3 Amex/Diners/JCB, 4 Visa,
// 5 Mastercard, 6 Discover/UnionPay/Maestro) and a valid Luhn check digit.
bool IsCardDigits(std::string_view digits) {
  if (digits.size() < 13 || digits.size() > 19) return false;
  if (digits.front() < '2' || digits.front() > '6') return false;
  return PassesLuhn(digits);
}

std::optional<std::string_view> FindCard(std::string_view t) {
  for (size_t i = 0; i < t.size(); ++i) {
    if (!IsDigit(t[i]) || !NumberStartsAt(t, i)) continue;
    std::string digits;
    size_t end = i;
    for (size_t j = i; j < t.size();) {
      if (IsDigit(t[j])) {
        digits += t[j];
        end = ++j;
      } else if ((t[j] == ' ' || t[j] == '-') && j + 1 < t.size() && IsDigit(t[j + 1])) {
        ++j;
      } else {
        break;
      }
    }
    if (NumberEndsAt(t, end) && IsCardDigits(digits)) return t.substr(i, end - i);
    i = end;
  }
  return std::nullopt;
}

// ---- national identity numbers ----

int DigitsValue(std::string_view t, size_t pos, size_t count) {
  int value = 0;
  for (size_t k = 0; k < count; ++k) {
    if (pos + k >= t.size() || !IsDigit(t[pos + k])) return -1;
    value = value * 10 + (t[pos + k] - '0');
  }
  return value;
}

// US Social Security number ddd-dd-dddd; areas 000, 666 and 900-999 are never issued.
size_t SsnLength(std::string_view t, size_t i) {
  if (i + 11 > t.size() || t[i + 3] != '-' || t[i + 6] != '-') return 0;
  int area = DigitsValue(t, i, 3), group = DigitsValue(t, i + 4, 2),
      serial = DigitsValue(t, i + 7, 4);
  if (area <= 0 || area == 666 || area >= 900 || group <= 0 || serial <= 0) return 0;
  return 11;
}

// UK National Insurance number: two prefix letters, six digits (optionally in spaced pairs) and
// a suffix A-D. Some letters and prefixes are never allocated, which keeps codes like "AB" apart.
size_t NinoLength(std::string_view t, size_t i) {
  auto allowed = [](char c, std::string_view banned) {
    return IsUpper(c) && banned.find(c) == std::string_view::npos;
  };
  if (i + 9 > t.size() || !allowed(t[i], "DFIQUV") || !allowed(t[i + 1], "DFIOQUV")) return 0;
  static constexpr std::array<std::string_view, 7> kUnused = {"BG", "GB", "NK", "KN",
                                                              "TN", "NT", "ZZ"};
  if (std::find(kUnused.begin(), kUnused.end(), t.substr(i, 2)) != kUnused.end()) return 0;
  size_t pos = i + 2;
  bool spaced = t[pos] == ' ';
  for (int pair = 0; pair < 3; ++pair) {
    if (spaced && (pos >= t.size() || t[pos++] != ' ')) return 0;
    if (DigitsValue(t, pos, 2) < 0) return 0;
    pos += 2;
  }
  if (spaced && pos < t.size() && t[pos] == ' ') ++pos;
  if (pos >= t.size() || t[pos] < 'A' || t[pos] > 'D') return 0;
  return pos + 1 - i;
}

// Spanish DNI (8 digits and a check letter) and NIE (X, Y or Z, 7 digits, check letter).
size_t DniLength(std::string_view t, size_t i) {
  static constexpr std::string_view kLetters = "TRWAGMYFPDXBNJZSQVHLCKE";
  int64_t number = 0;
  size_t pos = i;
  if (t[i] == 'X' || t[i] == 'Y' || t[i] == 'Z') {
    number = t[i] - 'X';
    ++pos;
  }
  size_t digits = pos == i ? 8 : 7;
  for (size_t k = 0; k < digits; ++k, ++pos) {
    if (pos >= t.size() || !IsDigit(t[pos])) return 0;
    number = number * 10 + (t[pos] - '0');
  }
  if (pos < t.size() && t[pos] == '-') ++pos;
  if (pos >= t.size() || t[pos] != kLetters[static_cast<size_t>(number % 23)]) return 0;
  return pos + 1 - i;
}

std::optional<std::string_view> FindNationalId(std::string_view t) {
  for (size_t i = 0; i < t.size(); ++i) {
    if (!IsAlnum(t[i]) || !NumberStartsAt(t, i)) continue;
    for (size_t length : {SsnLength(t, i), NinoLength(t, i), DniLength(t, i)}) {
      if (length > 0 && NumberEndsAt(t, i + length)) return t.substr(i, length);
    }
  }
  return std::nullopt;
}

// ---- e-mail ----

bool IsLocalChar(char c) {
  return IsAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}
bool IsDomainChar(char c) {
  return IsAlnum(c) || c == '.' || c == '-';
}

bool ValidDomain(std::string_view domain) {
  if (domain.size() > 253) return false;
  size_t labels = 0;
  std::string_view last;
  while (!domain.empty()) {
    size_t dot = domain.find('.');
    std::string_view label = domain.substr(0, dot);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    ++labels;
    last = label;
    if (dot == std::string_view::npos) break;
    domain.remove_prefix(dot + 1);
    if (domain.empty()) return false;
  }
  return labels >= 2 && last.size() >= 2 && std::all_of(last.begin(), last.end(), IsAlpha);
}

std::optional<std::string_view> FindEmail(std::string_view t) {
  for (size_t at = t.find('@'); at != std::string_view::npos; at = t.find('@', at + 1)) {
    size_t begin = at;
    while (begin > 0 && IsLocalChar(t[begin - 1])) --begin;
    while (begin < at && t[begin] == '.') ++begin;
    size_t end = at + 1;
    while (end < t.size() && IsDomainChar(t[end])) ++end;
    // A sentence may end right after the address: "write to ann@example.com."
    while (end > at + 1 && (t[end - 1] == '.' || t[end - 1] == '-')) --end;

    std::string_view local = t.substr(begin, at - begin);
    if (local.empty() || local.size() > 64 || local.back() == '.' ||
        local.find("..") != std::string_view::npos) {
      continue;
    }
    if (ValidDomain(t.substr(at + 1, end - at - 1))) return t.substr(begin, end - begin);
  }
  return std::nullopt;
}

// ---- IP addresses ----

// Dotted quad at `i`, octets 0-255 without leading zeros; returns the length or 0.
size_t Ipv4Length(std::string_view t, size_t i) {
  size_t pos = i;
  for (int octet = 0; octet < 4; ++octet) {
    if (octet > 0 && (pos >= t.size() || t[pos++] != '.')) return 0;
    size_t start = pos;
    int value = 0;
    while (pos < t.size() && IsDigit(t[pos]) && pos - start < 3)
      value = value * 10 + (t[pos++] - '0');
    size_t width = pos - start;
    if (width == 0 || value > 255 || (width > 1 && t[start] == '0')) return 0;
  }
  return pos - i;
}

std::optional<std::string_view> FindIpv4(std::string_view t) {
  for (size_t i = 0; i < t.size(); ++i) {
    if (!IsDigit(t[i]) || (i > 0 && (IsAlnum(t[i - 1]) || t[i - 1] == '.'))) continue;
    size_t length = Ipv4Length(t, i);
    if (length > 0 && NumberEndsAt(t, i + length)) return t.substr(i, length);
  }
  return std::nullopt;
}

// Counts the colon-separated groups of one side of "::"; an embedded IPv4 tail counts as two.
bool Ipv6Groups(std::string_view part, bool allow_ipv4_tail, size_t* groups) {
  *groups = 0;
  if (part.empty()) return true;
  while (true) {
    size_t colon = part.find(':');
    std::string_view group = part.substr(0, colon);
    bool last = colon == std::string_view::npos;
    if (last && allow_ipv4_tail && group.find('.') != std::string_view::npos) {
      if (Ipv4Length(group, 0) != group.size()) return false;
      *groups += 2;
      return true;
    }
    if (group.empty() || group.size() > 4 || !std::all_of(group.begin(), group.end(), IsHex)) {
      return false;
    }
    ++*groups;
    if (last) return true;
    part.remove_prefix(colon + 1);
  }
}

bool ValidIpv6(std::string_view s) {
  if (std::count(s.begin(), s.end(), ':') < 2 || std::none_of(s.begin(), s.end(), IsHex)) {
    return false;
  }
  size_t gap = s.find("::");
  size_t head = 0, tail = 0;
  if (gap == std::string_view::npos) return Ipv6Groups(s, true, &head) && head == 8;
  if (s.find("::", gap + 1) != std::string_view::npos) return false;
  return Ipv6Groups(s.substr(0, gap), false, &head) && Ipv6Groups(s.substr(gap + 2), true, &tail) &&
         head + tail <= 7;
}

std::optional<std::string_view> FindIpv6(std::string_view t) {
  auto in_run = [](char c) { return IsHex(c) || c == ':' || c == '.'; };
  for (size_t i = 0; i < t.size();) {
    if (!in_run(t[i]) || (i > 0 && IsAlnum(t[i - 1]))) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < t.size() && in_run(t[end])) ++end;
    size_t next = end;
    while (end > i && t[end - 1] == '.') --end;
    if ((next == t.size() || !IsAlnum(t[next])) && ValidIpv6(t.substr(i, end - i))) {
      return t.substr(i, end - i);
    }
    i = next;
  }
  return std::nullopt;
}

// IPv6 first: an IPv6 address may end in a dotted quad, which alone would pass for IPv4.
std::optional<std::string_view> FindIp(std::string_view t) {
  if (auto v6 = FindIpv6(t)) return v6;
  return FindIpv4(t);
}

// ---- phone numbers ----

bool IsPhoneSeparator(char c) {
  return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')';
}

// The longest run from `i` of digits joined by at most two separator characters; ends after a
// digit.
size_t PhoneRunEnd(std::string_view t, size_t i) {
  size_t pos = t[i] == '+' ? i + 1 : i;
  size_t end = i;
  while (pos < t.size()) {
    if (IsDigit(t[pos])) {
      end = ++pos;
      continue;
    }
    size_t k = pos;
    while (k < t.size() && k - pos < 2 && IsPhoneSeparator(t[k])) ++k;
    if (k == pos || k >= t.size() || !IsDigit(t[k])) break;
    pos = k;
  }
  return end;
}

struct DigitGroups {
  std::vector<size_t> lengths;
  std::string separators;  // one character per gap: the first separator of the gap
  std::string digits;
};

DigitGroups SplitGroups(std::string_view span) {
  DigitGroups g;
  bool in_digits = false;
  for (char c : span) {
    if (IsDigit(c)) {
      if (!in_digits) g.lengths.push_back(0);
      ++g.lengths.back();
      g.digits += c;
      in_digits = true;
    } else {
      if (in_digits && !g.lengths.empty()) g.separators += c;
      in_digits = false;
    }
  }
  return g;
}

bool Uniform(const std::string& separators, std::string_view allowed) {
  if (separators.empty()) return false;
  return allowed.find(separators.front()) != std::string_view::npos &&
         std::all_of(separators.begin(), separators.end(),
                     [&](char c) { return c == separators.front(); });
}

// Shapes that a digit run with separators often has without being a phone number.
bool LooksLikeOtherNumber(const DigitGroups& g) {
  const std::vector<size_t>& n = g.lengths;
  std::string first_two_gaps = g.separators.substr(0, 2);
  bool date_like = n.size() >= 3 && Uniform(first_two_gaps, "-/.") &&
                   ((n[0] == 4 && n[1] <= 2 && n[2] <= 2) || (n[0] <= 2 && n[1] <= 2 && n[2] == 4));
  bool ssn_like = n.size() == 3 && g.separators == "--" && n[0] == 3 && n[1] == 2 && n[2] == 4;
  bool ipv4_like = n.size() == 4 && g.separators == "..." &&
                   std::all_of(n.begin(), n.end(), [](size_t k) { return k <= 3; });
  bool decimal = n.size() == 2 && g.separators == ".";
  bool zip4 = n.size() == 2 && g.separators == "-" && n[0] == 5 && n[1] == 4;
  bool thousands = Uniform(g.separators, ". ") && n[0] <= 3 && g.digits.front() != '0' &&
                   std::all_of(n.begin() + 1, n.end(), [](size_t k) { return k == 3; });
  return date_like || ssn_like || ipv4_like || decimal || zip4 || thousands;
}

bool IsPhoneShaped(std::string_view span) {
  DigitGroups g = SplitGroups(span);
  if (g.digits.size() < 7 || g.digits.size() > 15) return false;

  size_t opens = static_cast<size_t>(std::count(span.begin(), span.end(), '('));
  size_t closes = static_cast<size_t>(std::count(span.begin(), span.end(), ')'));
  if (opens != closes || opens > 1 || (opens == 1 && span.find('(') > span.find(')'))) {
    return false;
  }
  bool international = span.front() == '+';
  if (!international && g.lengths.size() < 2) return false;  // bare digits: ids and amounts
  if (!international && opens == 0 && LooksLikeOtherNumber(g)) return false;
  return !IsCardDigits(g.digits);
}

std::optional<std::string_view> FindPhone(std::string_view t) {
  for (size_t i = 0; i < t.size(); ++i) {
    bool opener = (t[i] == '+' || t[i] == '(') && i + 1 < t.size() && IsDigit(t[i + 1]);
    if (!(IsDigit(t[i]) || opener) || !NumberStartsAt(t, i)) continue;
    size_t end = PhoneRunEnd(t, i);
    if (end <= i) continue;
    // The run ends at its last digit, so "(call 555-1234)." leaves out the ")." after it.
    if (NumberEndsAt(t, end) && IsPhoneShaped(t.substr(i, end - i))) return t.substr(i, end - i);
    i = end - 1;
  }
  return std::nullopt;
}

// ---- masking ----

std::string MaskWords(std::string_view text) {
  constexpr size_t kMaxWords = 4;
  std::string out;
  size_t words = 0;
  for (size_t i = 0; i < text.size();) {
    if (text[i] == ' ') {
      ++i;
      continue;
    }
    if (words == kMaxWords) {
      out += " ...";
      break;
    }
    size_t first = 1;  // keep one whole UTF-8 character
    while (i + first < text.size() &&
           (static_cast<unsigned char>(text[i + first]) & 0xC0) == 0x80) {
      ++first;
    }
    if (!out.empty()) out += ' ';
    out.append(text.substr(i, first));
    out += "***";
    ++words;
    while (i < text.size() && text[i] != ' ') ++i;
  }
  return out;
}

std::string KeepLast(std::string_view text, size_t keep, bool (*secret)(char)) {
  std::string out(text);
  size_t total = static_cast<size_t>(std::count_if(text.begin(), text.end(), secret));
  size_t seen = 0;
  for (char& c : out) {
    if (secret(c) && ++seen + keep <= total) c = '*';
  }
  return out;
}

// ---- column names ----

std::vector<std::string> NameWords(std::string_view name) {
  std::vector<std::string> words;
  std::string current;
  auto flush = [&] {
    if (!current.empty()) words.push_back(std::move(current));
    current.clear();
  };
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (!IsAlnum(c)) {
      flush();
      continue;
    }
    if (!current.empty()) {
      char p = name[i - 1];
      bool acronym_end = IsUpper(p) && IsUpper(c) && i + 1 < name.size() && IsLower(name[i + 1]);
      if (IsDigit(p) != IsDigit(c) || (IsLower(p) && IsUpper(c)) || acronym_end) flush();
    }
    current += Lower(c);
  }
  flush();
  return words;
}

using Phrase = std::vector<std::string_view>;

struct NameRule {
  PiiKind kind;
  std::vector<Phrase> phrases;
};

// Checked in order, so that "ip_address" and "email_address" are not taken for street addresses
// and "id_card" is not taken for a payment card.
const std::vector<NameRule>& NameRules() {
  static const std::vector<NameRule> rules = {
      {PiiKind::kIpAddress, {{"ip"}, {"ipaddress"}, {"ipaddr"}, {"ipv", "4"}, {"ipv", "6"}}},
      {PiiKind::kEmail, {{"email"}, {"e", "mail"}, {"mail"}, {"emailaddress"}, {"emails"}}},
      {PiiKind::kNationalId,
       {{"ssn"},
        {"social", "security"},
        {"socialsecurity"},
        {"national", "id"},
        {"nationalid"},
        {"national", "identity"},
        {"national", "insurance"},
        {"nino"},
        {"passport"},
        {"tax", "id"},
        {"taxid"},
        {"id", "card"},
        {"idcard"},
        {"identity", "card"},
        {"driver", "license"},
        {"drivers", "license"},
        {"driving", "licence"}}},
      {PiiKind::kBankAccount,
       {{"iban"},
        {"account", "number"},
        {"accountnumber"},
        {"account", "no"},
        {"bank", "account"},
        {"acct", "number"}}},
      {PiiKind::kCardNumber,
       {{"card"}, {"creditcard"}, {"cardnumber"}, {"ccnumber"}, {"cc", "number"}, {"cc", "num"}}},
      {PiiKind::kBirthDate, {{"dob"}, {"birth"}, {"birthdate"}, {"birthday"}, {"dateofbirth"}}},
      {PiiKind::kPostalCode,
       {{"zip"}, {"zipcode"}, {"postcode"}, {"postalcode"}, {"postal", "code"}, {"post", "code"}}},
      {PiiKind::kAddress, {{"address"}, {"addr"}, {"street"}, {"streetaddress"}}},
      {PiiKind::kPhone,
       {{"phone"},
        {"telephone"},
        {"tel"},
        {"mobile"},
        {"cellphone"},
        {"fax"},
        {"msisdn"},
        {"phonenumber"}}},
      {PiiKind::kPersonName,
       {{"name"},
        {"names"},
        {"firstname"},
        {"lastname"},
        {"fullname"},
        {"surname"},
        {"forename"},
        {"givenname"},
        {"familyname"},
        {"middlename"},
        {"maidenname"},
        {"username"}}},
  };
  return rules;
}

// Words that, right before "name", make it the name of a thing rather than of a person.
bool NamesAThing(std::string_view word) {
  static const std::unordered_set<std::string_view> kThings = {
      "file",     "path",       "dir",          "directory",    "folder",    "host",
      "server",   "domain",     "product",      "item",         "brand",     "company",
      "business", "org",        "organisation", "organization", "vendor",    "supplier",
      "merchant", "store",      "shop",         "column",       "field",     "feature",
      "table",    "dataset",    "database",     "db",           "schema",    "model",
      "class",    "category",   "type",         "event",        "job",       "project",
      "team",     "app",        "application",  "service",      "key",       "variable",
      "var",      "metric",     "city",         "country",      "state",     "region",
      "county",   "district",   "place",        "location",     "site",      "page",
      "bank",     "branch",     "device",       "browser",      "os",        "package",
      "tag",      "label",      "tool",         "task",         "step",      "stage",
      "course",   "game",       "song",         "track",        "album",     "sheet",
      "tab",      "group",      "role",         "plan",         "campaign",  "channel",
      "source",   "sensor",     "station",      "stop",         "route",     "venue",
      "hotel",    "restaurant", "attribute",    "param",        "parameter", "option",
      "index"};
  return kThings.count(word) > 0;
}

// Words around "card" or "address" that make it something other than personal data.
bool QualifiesAway(PiiKind kind, const std::vector<std::string>& words, size_t at) {
  static const std::unordered_set<std::string_view> kCardAfter = {
      "type", "brand",  "network", "issuer", "count", "category",
      "kind", "status", "level",   "tier",   "color", "colour"};
  static const std::unordered_set<std::string_view> kCardBefore = {"score", "report", "sim", "gift",
                                                                   "wild"};
  static const std::unordered_set<std::string_view> kAddressBefore = {
      "mac", "web", "url", "wallet", "contract", "memory", "return", "bitcoin"};
  std::string_view before = at > 0 ? std::string_view(words[at - 1]) : "";
  std::string_view after = at + 1 < words.size() ? std::string_view(words[at + 1]) : "";
  switch (kind) {
    case PiiKind::kPersonName:
      return words[at] == "name" || words[at] == "names" ? NamesAThing(before) : false;
    case PiiKind::kCardNumber:
      return words[at] == "card" && (kCardAfter.count(after) > 0 || kCardBefore.count(before) > 0);
    case PiiKind::kAddress:
      return kAddressBefore.count(before) > 0;
    default:
      return false;
  }
}

bool MatchesRule(const NameRule& rule, const std::vector<std::string>& words) {
  for (const Phrase& phrase : rule.phrases) {
    for (size_t at = 0; at + phrase.size() <= words.size(); ++at) {
      bool equal =
          std::equal(phrase.begin(), phrase.end(), words.begin() + static_cast<std::ptrdiff_t>(at));
      if (equal && !QualifiesAway(rule.kind, words, at)) return true;
    }
  }
  return false;
}

// ---- sampling ----

std::vector<std::string> SampleValues(const Column& column, size_t max_values) {
  std::vector<size_t> present;
  present.reserve(column.size());
  for (size_t row = 0; row < column.size(); ++row) {
    if (!column.is_missing(row)) present.push_back(row);
  }
  size_t n = std::min(present.size(), max_values);
  std::vector<std::string> values;
  values.reserve(n);
  for (size_t k = 0; k < n; ++k) {
    // Evenly spaced, so a long column sorted by date or region is sampled across its whole span.
    values.push_back(column.Render(present[k * present.size() / n]));
  }
  return values;
}

std::string Trimmed(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  std::string out(s);
  for (char& c : out) c = Lower(c);
  return out;
}

// A column of yes/no style flags says whether something exists, not what it is.
bool HoldsOnlyFlags(const Column& column, const std::vector<std::string>& values) {
  static const std::unordered_set<std::string> kFlags = {
      "yes", "no", "y", "n",    "true",    "false",  "t",
      "f",   "0",  "1", "none", "present", "absent", "unknown"};
  if (column.type == ColumnType::kBoolean) return true;
  if (values.empty()) return false;
  return std::all_of(values.begin(), values.end(),
                     [](const std::string& v) { return kFlags.count(Trimmed(v)) > 0; });
}

constexpr std::array<PiiKind, 5> kValueKinds = {PiiKind::kEmail, PiiKind::kCardNumber,
                                                PiiKind::kNationalId, PiiKind::kIpAddress,
                                                PiiKind::kPhone};

size_t KindIndex(PiiKind kind) {
  for (size_t i = 0; i < kValueKinds.size(); ++i) {
    if (kValueKinds[i] == kind) return i;
  }
  return kValueKinds.size();
}

struct ValueScan {
  std::array<size_t, kValueKinds.size()> counts{};
  std::array<std::vector<std::string>, kValueKinds.size()> examples;
};

void AddExample(std::vector<std::string>* examples, std::string masked, size_t max_examples) {
  if (examples->size() >= max_examples) return;
  if (std::find(examples->begin(), examples->end(), masked) != examples->end()) return;
  examples->push_back(std::move(masked));
}

ValueScan ScanValues(const Column& column, const std::vector<std::string>& values,
                     size_t max_examples) {
  ValueScan scan;
  using Matches = std::array<std::optional<std::string>, kValueKinds.size()>;  // masked, by kind
  constexpr size_t kMaxRemembered = 4096;
  std::unordered_map<std::string_view, Matches> seen;  // keys point into `values`
  const auto Count = [&](const Matches& matches) {
    for (size_t k = 0; k < kValueKinds.size(); ++k) {
      if (!matches[k]) continue;
      ++scan.counts[k];
      AddExample(&scan.examples[k], *matches[k], max_examples);
    }
  };
  bool text = column.type == ColumnType::kText || column.type == ColumnType::kCategorical;
  size_t card = KindIndex(PiiKind::kCardNumber);
  for (const std::string& value : values) {
    if (column.type == ColumnType::kInteger) {
      if (IsCardDigits(value)) {
        ++scan.counts[card];
        AddExample(&scan.examples[card], MaskPii(value, PiiKind::kCardNumber), max_examples);
      }
      continue;
    }
    if (!text) continue;
    // A value seen before in the sample (every value of a categorical column, mostly) is not
    // scanned again: its masked matches are remembered, up to a bound for free text.
    auto known = seen.find(value);
    if (known == seen.end()) {
      Matches matches;
      for (size_t k = 0; k < kValueKinds.size(); ++k) {
        std::optional<std::string_view> match = FindPii(value, kValueKinds[k]);
        if (match) matches[k] = MaskPii(*match, kValueKinds[k]);
      }
      if (seen.size() >= kMaxRemembered) {
        Count(matches);
        continue;
      }
      known = seen.emplace(value, std::move(matches)).first;
    }
    Count(known->second);
  }
  return scan;
}

PiiFinding MakeFinding(const Column& column, PiiKind kind, PiiEvidence evidence,
                       const std::vector<std::string>& values, const ValueScan& scan,
                       size_t max_examples) {
  PiiFinding f;
  f.column = column.name;
  f.kind = kind;
  f.evidence = evidence;
  f.sampled = values.size();
  size_t k = KindIndex(kind);
  if (k < kValueKinds.size()) {
    f.count = scan.counts[k];
    f.examples = scan.examples[k];
  }
  f.match_rate = f.sampled ? static_cast<double>(f.count) / static_cast<double>(f.sampled) : 0.0;
  if (evidence == PiiEvidence::kValues || f.count > 0) return f;
  // Without a value pattern to show, the column's own values are shown, masked word by word.
  for (size_t i = 0; i < values.size() && f.examples.size() < max_examples; ++i) {
    AddExample(&f.examples, MaskPii(values[i], PiiKind::kDeclared), max_examples);
  }
  return f;
}

}  // namespace

const char* PiiKindName(PiiKind kind) {
  switch (kind) {
    case PiiKind::kEmail:
      return "email";
    case PiiKind::kPhone:
      return "phone";
    case PiiKind::kCardNumber:
      return "card_number";
    case PiiKind::kNationalId:
      return "national_id";
    case PiiKind::kIpAddress:
      return "ip_address";
    case PiiKind::kPersonName:
      return "name_like";
    case PiiKind::kAddress:
      return "address";
    case PiiKind::kPostalCode:
      return "postal_code";
    case PiiKind::kBirthDate:
      return "birth_date";
    case PiiKind::kBankAccount:
      return "bank_account";
    case PiiKind::kDeclared:
      return "declared";
  }
  return "declared";
}

const char* PiiEvidenceName(PiiEvidence evidence) {
  switch (evidence) {
    case PiiEvidence::kName:
      return "name";
    case PiiEvidence::kValues:
      return "values";
    case PiiEvidence::kDeclared:
      return "declared";
  }
  return "declared";
}

bool PassesLuhn(std::string_view digits) {
  if (digits.empty()) return false;
  int sum = 0;
  bool twice = false;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    if (!IsDigit(*it)) return false;
    int d = *it - '0';
    if (twice) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
    twice = !twice;
  }
  return sum % 10 == 0;
}

std::optional<std::string_view> FindPii(std::string_view text, PiiKind kind) {
  switch (kind) {
    case PiiKind::kEmail:
      return FindEmail(text);
    case PiiKind::kPhone:
      return FindPhone(text);
    case PiiKind::kCardNumber:
      return FindCard(text);
    case PiiKind::kNationalId:
      return FindNationalId(text);
    case PiiKind::kIpAddress:
      return FindIp(text);
    default:
      return std::nullopt;
  }
}

std::string MaskPii(std::string_view match, PiiKind kind) {
  switch (kind) {
    case PiiKind::kEmail: {
      size_t at = match.rfind('@');
      if (at == std::string_view::npos || at == 0) break;
      return std::string(match.substr(0, 1)) + "***" + std::string(match.substr(at));
    }
    case PiiKind::kCardNumber: {
      std::string digits;
      for (char c : match) {
        if (IsDigit(c)) digits += c;
      }
      if (digits.size() < 4) break;
      return "**** **** **** " + digits.substr(digits.size() - 4);
    }
    case PiiKind::kPhone:
      return KeepLast(match, 2, IsDigit);
    case PiiKind::kNationalId:
      return KeepLast(match, 4, IsAlnum);
    case PiiKind::kIpAddress: {
      if (match.find(':') != std::string_view::npos) {
        size_t colon = match.find(':');
        return colon == 0 ? "::*" : std::string(match.substr(0, colon)) + ":*";
      }
      size_t dot = match.find('.');
      return std::string(match.substr(0, dot)) + ".*.*.*";
    }
    default:
      break;
  }
  return MaskWords(match);
}

std::optional<PiiKind> PiiKindForColumnName(std::string_view column_name) {
  std::vector<std::string> words = NameWords(column_name);
  for (const NameRule& rule : NameRules()) {
    if (MatchesRule(rule, words)) return rule.kind;
  }
  return std::nullopt;
}

std::vector<PiiFinding> DetectPii(const Frame& frame,
                                  const std::vector<std::string>& declared_pii_columns,
                                  const PiiOptions& options) {
  std::set<std::string_view> declared(declared_pii_columns.begin(), declared_pii_columns.end());
  std::vector<PiiFinding> findings;
  for (const Column& column : frame.columns()) {
    // Only text and integers are scanned for value patterns; other columns are sampled only
    // when declared or named like PII, to show their values.
    const bool scanned = column.type == ColumnType::kText ||
                         column.type == ColumnType::kCategorical ||
                         column.type == ColumnType::kInteger;
    if (!scanned && declared.count(column.name) == 0 && !PiiKindForColumnName(column.name)) {
      continue;
    }
    std::vector<std::string> values = SampleValues(column, options.max_sampled_values);
    ValueScan scan = ScanValues(column, values, options.max_examples);

    if (declared.count(column.name) > 0) {
      findings.push_back(MakeFinding(column, PiiKind::kDeclared, PiiEvidence::kDeclared, values,
                                     scan, options.max_examples));
    }
    std::optional<PiiKind> named = PiiKindForColumnName(column.name);
    if (named && !HoldsOnlyFlags(column, values)) {
      findings.push_back(
          MakeFinding(column, *named, PiiEvidence::kName, values, scan, options.max_examples));
    }
    for (size_t k = 0; k < kValueKinds.size(); ++k) {
      double rate = values.empty()
                        ? 0.0
                        : static_cast<double>(scan.counts[k]) / static_cast<double>(values.size());
      if (scan.counts[k] == 0 || rate < options.min_match_rate) continue;
      findings.push_back(MakeFinding(column, kValueKinds[k], PiiEvidence::kValues, values, scan,
                                     options.max_examples));
    }
  }
  return findings;
}

}  // namespace kiln
