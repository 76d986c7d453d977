#include "governance/pii.h"

#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>
#include <unordered_map>

#include <gtest/gtest.h>

#include "test_util.h"

namespace kiln {
namespace {

using Texts = std::vector<std::optional<std::string>>;

Column TextColumn(const std::string& name, const Texts& values,
                  ColumnType type = ColumnType::kText) {
  Column c;
  c.name = name;
  c.type = type;
  std::unordered_map<std::string, int32_t> codes;
  for (const auto& v : values) {
    c.missing.push_back(v ? 0 : 1);
    if (type == ColumnType::kText) {
      c.texts.push_back(v.value_or(""));
    } else if (!v) {
      c.codes.push_back(-1);
    } else {
      auto [it, added] = codes.emplace(*v, static_cast<int32_t>(c.dictionary.size()));
      if (added) c.dictionary.push_back(*v);
      c.codes.push_back(it->second);
    }
  }
  return c;
}

Column IntColumn(const std::string& name, const std::vector<int64_t>& values,
                 ColumnType type = ColumnType::kInteger) {
  Column c;
  c.name = name;
  c.type = type;
  c.ints = values;
  c.missing.assign(values.size(), 0);
  return c;
}

Frame FrameOf(std::vector<Column> columns) {
  Frame f;
  for (Column& c : columns) f.Add(std::move(c));
  return f;
}

std::string Found(std::string_view text, PiiKind kind) {
  std::optional<std::string_view> match = FindPii(text, kind);
  return match ? std::string(*match) : "<none>";
}

std::string NameKind(std::string_view column) {
  std::optional<PiiKind> kind = PiiKindForColumnName(column);
  return kind ? PiiKindName(*kind) : "<none>";
}

// ---- Luhn ----

TEST(Pii, LuhnAcceptsKnownValidNumbers) {
  for (std::string_view n : {"4111111111111111", "5555555555554444", "378282246310005",
                             "6011111111111117", "79927398713", "0"}) {
    EXPECT_TRUE(PassesLuhn(n)) << n;
  }
}

TEST(Pii, LuhnRejectsAlteredAndMalformedNumbers) {
  for (std::string_view n :
       {"4111111111111112", "1234567812345678", "79927398710", "", "4111 1111 1111 1111", "12a4"}) {
    EXPECT_FALSE(PassesLuhn(n)) << n;
  }
}

// ---- column names ----

TEST(Pii, ColumnNamesAreMatchedByWholeWords) {
  EXPECT_EQ(NameKind("email"), "email");
  EXPECT_EQ(NameKind("E-mail"), "email");
  EXPECT_EQ(NameKind("contactEmail"), "email");
  EXPECT_EQ(NameKind("customer_name"), "name_like");
  EXPECT_EQ(NameKind("FirstName"), "name_like");
  EXPECT_EQ(NameKind("last_name"), "name_like");
  EXPECT_EQ(NameKind("surname"), "name_like");
  EXPECT_EQ(NameKind("mobile"), "phone");
  EXPECT_EQ(NameKind("tel_no"), "phone");
  EXPECT_EQ(NameKind("SSN"), "national_id");
  EXPECT_EQ(NameKind("social_security_number"), "national_id");
  EXPECT_EQ(NameKind("passport_no"), "national_id");
  EXPECT_EQ(NameKind("home_address"), "address");
  EXPECT_EQ(NameKind("street"), "address");
  EXPECT_EQ(NameKind("zip"), "postal_code");
  EXPECT_EQ(NameKind("PostCode"), "postal_code");
  EXPECT_EQ(NameKind("dob"), "birth_date");
  EXPECT_EQ(NameKind("date_of_birth"), "birth_date");
  EXPECT_EQ(NameKind("credit_card"), "card_number");
  EXPECT_EQ(NameKind("IBAN"), "bank_account");
}

TEST(Pii, QualifiedAddressesAndCardsGetTheirOwnKind) {
  EXPECT_EQ(NameKind("ip_address"), "ip_address");
  EXPECT_EQ(NameKind("IPAddress"), "ip_address");
  EXPECT_EQ(NameKind("client_ipv4"), "ip_address");
  EXPECT_EQ(NameKind("email_address"), "email");
  EXPECT_EQ(NameKind("id_card"), "national_id");
  EXPECT_EQ(NameKind("mac_address"), "<none>");
  EXPECT_EQ(NameKind("card_type"), "<none>");
}

TEST(Pii, WordsInsideOtherWordsDoNotMatch) {
  for (std::string_view name : {"filename", "sex9", "Purpose4", "Credithistory3", "StatusAcount1",
                                "ID", "hotel", "zipper", "dateday", "residence11", "ship_date"}) {
    EXPECT_EQ(NameKind(name), "<none>") << name;
  }
}

TEST(Pii, NamesOfThingsAreNotPersonNames) {
  for (std::string_view name :
       {"file_name", "product_name", "company_name", "column_name", "station_name", "hostName"}) {
    EXPECT_EQ(NameKind(name), "<none>") << name;
  }
  EXPECT_EQ(NameKind("display_name"), "name_like");
}

// ---- value patterns ----

TEST(Pii, FindsEmailAddresses) {
  EXPECT_EQ(Found("john.smith@example.com", PiiKind::kEmail), "john.smith@example.com");
  EXPECT_EQ(Found("write to ann+news@mail.example.org.", PiiKind::kEmail),
            "ann+news@mail.example.org");
  EXPECT_EQ(Found("mailto:x_y@ex-ample.co.uk", PiiKind::kEmail), "x_y@ex-ample.co.uk");
}

TEST(Pii, RejectsThingsThatAreNotEmailAddresses) {
  for (std::string_view text :
       {"a@b", "@example.com", "a@@example.com", "a..b@example.com", "user@-example.com",
        "user@example.c0m", "user@example.c", "price @ 5.00", "twitter @handle"}) {
    EXPECT_EQ(Found(text, PiiKind::kEmail), "<none>") << text;
  }
}

TEST(Pii, FindsPhoneNumbersInInternationalAndNationalFormats) {
  for (std::string_view text :
       {"+44 20 7946 0958", "(555) 123-4567", "555-123-4567", "555.123.4567", "030 1234567",
        "+14155552671", "555-1234", "+1 (555) 123-4567", "01 23 45 67 89"}) {
    EXPECT_EQ(Found(text, PiiKind::kPhone), text);
  }
  EXPECT_EQ(Found("call 555-123-4567 today", PiiKind::kPhone), "555-123-4567");
}

TEST(Pii, DatesAmountsAndIdentifiersAreNotPhoneNumbers) {
  for (std::string_view text :
       {"5551234567", "2011-01-01", "01-01-2011", "31/12/2012", "2011-01-01 00:00:00",
        "123-45-6789", "192.168.1.1", "1 234 567", "1.234.567", "3.14159265", "12345-6789", "12 34",
        "+123456", "4111 1111 1111 1111", "378282246310005", "(555 123-4567"}) {
    EXPECT_EQ(Found(text, PiiKind::kPhone), "<none>") << text;
  }
}

TEST(Pii, FindsLuhnValidCardNumbersWithSeparators) {
  EXPECT_EQ(Found("4111 1111 1111 1111", PiiKind::kCardNumber), "4111 1111 1111 1111");
  EXPECT_EQ(Found("4111-1111-1111-1111", PiiKind::kCardNumber), "4111-1111-1111-1111");
  EXPECT_EQ(Found("amex 378282246310005 exp 12/27", PiiKind::kCardNumber), "378282246310005");
  EXPECT_EQ(Found("5555555555554444", PiiKind::kCardNumber), "5555555555554444");
}

TEST(Pii, RejectsCardNumbersFailingLuhnPrefixOrBoundaries) {
  for (std::string_view text :
       {"4111 1111 1111 1112", "0000000000000000", "1111111111111117", "x4111111111111111",
        "4111111111111111x", "411111111111", "4111111111111111.5", "4111  1111 1111 1111"}) {
    EXPECT_EQ(Found(text, PiiKind::kCardNumber), "<none>") << text;
  }
}

TEST(Pii, FindsNationalIdentityNumbers) {
  EXPECT_EQ(Found("ssn 123-45-6789", PiiKind::kNationalId), "123-45-6789");
  EXPECT_EQ(Found("AB123456C", PiiKind::kNationalId), "AB123456C");
  EXPECT_EQ(Found("AB 12 34 56 C", PiiKind::kNationalId), "AB 12 34 56 C");
  EXPECT_EQ(Found("12345678Z", PiiKind::kNationalId), "12345678Z");
  EXPECT_EQ(Found("X1234567L", PiiKind::kNationalId), "X1234567L");
}

TEST(Pii, RejectsNeverIssuedOrMalformedNationalIds) {
  for (std::string_view text :
       {"000-12-3456", "666-12-3456", "912-34-5678", "123-00-4567", "123-45-0000", "1234-56-7890",
        "BG123456A", "DA123456A", "AB123456E", "12345678A", "A11", "A34"}) {
    EXPECT_EQ(Found(text, PiiKind::kNationalId), "<none>") << text;
  }
}

TEST(Pii, FindsIpAddresses) {
  for (std::string_view text :
       {"192.168.1.20", "10.0.0.1", "2001:db8::1", "::1", "fe80::1ff:fe23:4567:890a",
        "::ffff:192.0.2.128", "2001:0db8:85a3:0000:0000:8a2e:0370:7334"}) {
    EXPECT_EQ(Found(text, PiiKind::kIpAddress), text);
  }
  EXPECT_EQ(Found("from 10.1.2.3, retried", PiiKind::kIpAddress), "10.1.2.3");
}

TEST(Pii, RejectsInvalidIpAddresses) {
  for (std::string_view text :
       {"256.1.1.1", "1.2.3", "01.2.3.4", "1.2.3.4.5", "12:30:45", "00:1A:2B:3C:4D:5E", "1::2::3",
        "2001:db8:::1", "::", "a::b::c", "std::vector"}) {
    EXPECT_EQ(Found(text, PiiKind::kIpAddress), "<none>") << text;
  }
}

// ---- masking ----

TEST(Pii, MasksEachKindKeepingOnlyAHint) {
  EXPECT_EQ(MaskPii("john.smith@example.com", PiiKind::kEmail), "j***@example.com");
  EXPECT_EQ(MaskPii("4111-1111-1111-1111", PiiKind::kCardNumber), "**** **** **** 1111");
  EXPECT_EQ(MaskPii("+44 20 7946 0958", PiiKind::kPhone), "+** ** **** **58");
  EXPECT_EQ(MaskPii("123-45-6789", PiiKind::kNationalId), "***-**-6789");
  EXPECT_EQ(MaskPii("192.168.1.20", PiiKind::kIpAddress), "192.*.*.*");
  EXPECT_EQ(MaskPii("2001:db8::1", PiiKind::kIpAddress), "2001:*");
  EXPECT_EQ(MaskPii("John Smith", PiiKind::kPersonName), "J*** S***");
  EXPECT_EQ(MaskPii("Ève", PiiKind::kDeclared), "È***");
}

// ---- whole frames ----

TEST(Pii, FlagsAColumnByItsValues) {
  Frame f = FrameOf({TextColumn("contact", {"ann@example.com", "bob@example.org", std::nullopt,
                                            "carl@example.net", "dee@example.com"})});
  std::vector<PiiFinding> findings = DetectPii(f, {});
  ASSERT_EQ(findings.size(), 1u);
  const PiiFinding& e = findings[0];
  EXPECT_EQ(e.column, "contact");
  EXPECT_EQ(e.kind, PiiKind::kEmail);
  EXPECT_EQ(e.evidence, PiiEvidence::kValues);
  EXPECT_EQ(e.sampled, 4u);
  EXPECT_EQ(e.count, 4u);
  EXPECT_DOUBLE_EQ(e.match_rate, 1.0);
  EXPECT_EQ(e.examples,
            (std::vector<std::string>{"a***@example.com", "b***@example.org", "c***@example.net"}));
}

TEST(Pii, IncidentalMentionsInFreeTextStayBelowTheThreshold) {
  Texts notes(10, std::string("customer happy with delivery"));
  notes[3] = "asked to be mailed at ann@example.com";
  Frame f = FrameOf({TextColumn("notes", notes)});
  EXPECT_TRUE(DetectPii(f, {}).empty());

  PiiOptions strict;
  strict.min_match_rate = 0.05;
  std::vector<PiiFinding> findings = DetectPii(f, {}, strict);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_DOUBLE_EQ(findings[0].match_rate, 0.1);
  EXPECT_EQ(findings[0].examples, std::vector<std::string>{"a***@example.com"});
}

TEST(Pii, FlagsAColumnByItsName) {
  Frame f = FrameOf({TextColumn("customer_name", {"John Smith", "Ann Lee"})});
  std::vector<PiiFinding> findings = DetectPii(f, {});
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].kind, PiiKind::kPersonName);
  EXPECT_EQ(findings[0].evidence, PiiEvidence::kName);
  EXPECT_EQ(findings[0].count, 0u);
  EXPECT_EQ(findings[0].examples, (std::vector<std::string>{"J*** S***", "A*** L***"}));
}

TEST(Pii, NameAndValuesBothReported) {
  Frame f = FrameOf({TextColumn("phone", {"+44 20 7946 0958", "555-123-4567"})});
  std::vector<PiiFinding> findings = DetectPii(f, {});
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].evidence, PiiEvidence::kName);
  EXPECT_EQ(findings[0].count, 2u);
  EXPECT_EQ(findings[0].examples, (std::vector<std::string>{"+** ** **** **58", "***-***-**67"}));
  EXPECT_EQ(findings[1].evidence, PiiEvidence::kValues);
  EXPECT_EQ(findings[1].kind, PiiKind::kPhone);
}

TEST(Pii, YesNoFlagColumnsAreNotFlaggedByName) {
  Frame f = FrameOf({TextColumn("Telephone19", {"yes", "none", "yes"}, ColumnType::kCategorical),
                     IntColumn("has_phone", {0, 1, 1}, ColumnType::kBoolean),
                     IntColumn("email_opt_in", {0, 1, 1})});
  EXPECT_TRUE(DetectPii(f, {}).empty());
}

TEST(Pii, EmptyColumnWithAPersonalNameIsStillReported) {
  Frame f = FrameOf({TextColumn("email", {std::nullopt, std::nullopt})});
  std::vector<PiiFinding> findings = DetectPii(f, {});
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].sampled, 0u);
  EXPECT_DOUBLE_EQ(findings[0].match_rate, 0.0);
}

TEST(Pii, DeclaredColumnsAreReportedAndUnknownOnesIgnored) {
  Frame f = FrameOf({TextColumn("notes", {"likes cats"}), TextColumn("city", {"Leeds"})});
  std::vector<PiiFinding> findings = DetectPii(f, {"city", "no_such_column"});
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].column, "city");
  EXPECT_EQ(findings[0].kind, PiiKind::kDeclared);
  EXPECT_EQ(findings[0].evidence, PiiEvidence::kDeclared);
  EXPECT_EQ(findings[0].examples, std::vector<std::string>{"L***"});
}

TEST(Pii, CategoricalColumnsAreScannedLikeText) {
  Frame f = FrameOf(
      {TextColumn("origin", {"10.0.0.1", "10.0.0.2", "10.0.0.1"}, ColumnType::kCategorical)});
  std::vector<PiiFinding> findings = DetectPii(f, {});
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].kind, PiiKind::kIpAddress);
  EXPECT_EQ(findings[0].count, 3u);
  EXPECT_EQ(findings[0].examples, std::vector<std::string>{"10.*.*.*"});
}

TEST(Pii, IntegerColumnsOfCardNumbersAreFlagged) {
  Frame f = FrameOf({IntColumn("payment_ref", {4111111111111111, 5555555555554444, 42})});
  std::vector<PiiFinding> findings = DetectPii(f, {});
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].kind, PiiKind::kCardNumber);
  EXPECT_EQ(findings[0].count, 2u);
  EXPECT_EQ(findings[0].examples,
            (std::vector<std::string>{"**** **** **** 1111", "**** **** **** 4444"}));
}

TEST(Pii, RandomSixteenDigitIdentifiersAreNotCardNumbers) {
  // Consecutive identifiers pass Luhn one time in ten, below the 0.3 threshold.
  std::vector<int64_t> ids;
  for (int64_t i = 0; i < 1000; ++i) ids.push_back(4000000000000000 + i * 7);
  Frame f = FrameOf({IntColumn("order_id", ids)});
  EXPECT_TRUE(DetectPii(f, {}).empty());
}

TEST(Pii, SampleSpansTheWholeColumn) {
  Texts values(20000, std::string("n/a"));
  for (size_t i = 10000; i < values.size(); ++i) values[i] = "user" + std::to_string(i) + "@x.org";
  Frame f = FrameOf({TextColumn("contact", values)});
  std::vector<PiiFinding> findings = DetectPii(f, {});
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].sampled, 10000u);
  EXPECT_DOUBLE_EQ(findings[0].match_rate, 0.5);
}

TEST(Pii, TypicalTabularValuesProduceNoFindings) {
  Frame f = FrameOf({
      TextColumn("dateday", {"01-01-2011", "02-01-2011", "31-12-2012"}),
      TextColumn("work_class", {" State-gov", " Self-emp-not-inc", " Private"},
                 ColumnType::kCategorical),
      TextColumn("StatusAcount1", {"A11", "A12", "A14"}, ColumnType::kCategorical),
      TextColumn("target", {"<=50K", ">50K.", "<=50K"}),
      TextColumn("temp", {"0.24", "0.2879", "-1"}),
      TextColumn("stamp", {"2011-01-01 00:00:00", "2011-01-01 01:00:00", "2012-12-31 23:00:00"}),
      IntColumn("ID", {1, 2, 3}),
      IntColumn("LIMIT_BAL", {20000, 120000, 90000}),
  });
  EXPECT_TRUE(DetectPii(f, {}).empty());
}

// Reads a CSV naively (no quoted delimiters in these files) into text columns: the most
// suspicious view of the data, since every value is scanned.
std::optional<Frame> ReadAsText(const std::filesystem::path& path, char delimiter) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  auto split = [&](const std::string& line) {
    std::vector<std::string> fields;
    std::stringstream ss(line);
    std::string field;
    while (std::getline(ss, field, delimiter)) {
      while (!field.empty() && (field.back() == '\r' || field.back() == ' ')) field.pop_back();
      while (!field.empty() && field.front() == ' ') field.erase(0, 1);
      if (field.size() >= 2 && field.front() == '"') field = field.substr(1, field.size() - 2);
      fields.push_back(field);
    }
    return fields;
  };
  std::string line;
  std::getline(in, line);
  std::vector<std::string> names = split(line);
  std::vector<Texts> columns(names.size());
  while (std::getline(in, line)) {
    std::vector<std::string> fields = split(line);
    if (fields.size() != names.size()) continue;
    for (size_t i = 0; i < fields.size(); ++i) {
      bool missing = fields[i].empty() || fields[i] == "?";
      columns[i].push_back(missing ? std::nullopt : std::optional<std::string>(fields[i]));
    }
  }
  Frame f;
  for (size_t i = 0; i < names.size(); ++i) {
    f.Add(TextColumn(names[i], columns[i], ColumnType::kCategorical));
  }
  return f;
}

TEST(Pii, SharedDatasetsHoldNoPersonalData) {
  std::optional<std::filesystem::path> root = testing::SharedDatasets();
  if (!root) GTEST_SKIP() << "shared data sets not found";
  const std::vector<std::pair<std::string, char>> files = {
      {"adult/adult-train.csv", ','},
      {"adult/adult-test.csv", ','},
      {"german-credit/german-credit.csv", ','},
      {"credit-default/credit-default.csv", ';'},
      {"bike-sharing/bike-hourly.csv", ','}};
  for (const auto& [file, delimiter] : files) {
    std::optional<Frame> frame = ReadAsText(*root / file, delimiter);
    ASSERT_TRUE(frame) << file;
    std::vector<PiiFinding> findings = DetectPii(*frame, {});
    for (const PiiFinding& f : findings) {
      ADD_FAILURE() << file << ": " << f.column << " " << PiiKindName(f.kind) << " by "
                    << PiiEvidenceName(f.evidence) << " rate " << f.match_rate;
    }
  }
}

}  // namespace
}  // namespace kiln
