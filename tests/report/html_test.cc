// Tests for the report's HTML building blocks (report/html.h): document text cannot become
// markup, JSON and library code cannot close their <script> element, figures read well.
#include "report/html.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace kiln {
namespace {

TEST(ReportHtml, EscapesTheFiveMarkupCharacters) {
  EXPECT_EQ(EscapeHtml("<script>alert(\"x\" & 'y')</script>"),
            "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;");
}

TEST(ReportHtml, LeavesPlainAndUtf8TextAlone) {
  EXPECT_EQ(EscapeHtml("income >50K"), "income &gt;50K");
  EXPECT_EQ(EscapeHtml("Zürich — churn"), "Zürich — churn");
}

TEST(ReportHtml, JsonForScriptCannotCloseTheScriptElement) {
  const nlohmann::json value = {{"name", "</script><script>alert(1)</script><!--"}};
  const std::string json = JsonForScript(value);

  EXPECT_EQ(json.find('<'), std::string::npos);
  EXPECT_EQ(json.find('>'), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(json), value);
}

TEST(ReportHtml, JsonForScriptReplacesInvalidUtf8InsteadOfThrowing) {
  const nlohmann::json value = {{"name", std::string("bad \xff byte")}};
  EXPECT_NO_THROW(nlohmann::json::parse(JsonForScript(value)));
}

TEST(ReportHtml, InlineScriptDropsTheTrailingSourceMapComment) {
  EXPECT_EQ(InlineScriptSource("var a = 1;\n//# sourceMappingURL=lib.min.js.map\n"),
            "var a = 1;\n");
}

TEST(ReportHtml, InlineScriptKeepsASourceMapMentionThatIsNotTheLastLine) {
  const std::string source = "var a = 1;\n//# sourceMappingURL=x.map\nvar b = 2;\n";
  EXPECT_EQ(InlineScriptSource(source), source);
}

TEST(ReportHtml, InlineScriptEscapesClosingScriptTagsInAnyCase) {
  EXPECT_EQ(InlineScriptSource("s = '</script>' + '</SCRIPT>';"),
            "s = '<\\/script>' + '<\\/SCRIPT>';");
}

TEST(ReportHtml, FormatNumberPicksAReadableForm) {
  EXPECT_EQ(FormatNumber(0.912345), "0.9123");
  EXPECT_EQ(FormatNumber(1234.5678), "1234.57");
  EXPECT_EQ(FormatNumber(3), "3.0000");
  EXPECT_EQ(FormatNumber(0), "0.0000");
  EXPECT_EQ(FormatNumber(0.00001234), "1.234e-05");
  EXPECT_EQ(FormatNumber(std::numeric_limits<double>::quiet_NaN()), "—");
  EXPECT_EQ(FormatNumber(std::numeric_limits<double>::infinity()), "—");
}

}  // namespace
}  // namespace kiln
