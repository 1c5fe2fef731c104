#include "tui/utf8.h"

#include <gtest/gtest.h>

namespace parley::tui {
namespace {

TEST(Utf8, DecodesAndRejectsInvalidBytes) {
  EXPECT_EQ(decode("é", 0).cp, U'é');
  EXPECT_EQ(decode("é", 0).size, 2u);
  EXPECT_EQ(decode("\xff", 0).cp, 0xFFFDu);
  EXPECT_EQ(decode("\xC0\x80", 0).size, 1u);  // overlong
  EXPECT_EQ(decode("\xE2\x82", 0).size, 1u);  // truncated
}

TEST(Utf8, WidthsOfNarrowWideAndCombining) {
  EXPECT_EQ(text_width("abc"), 3);
  EXPECT_EQ(text_width("日本"), 4);
  EXPECT_EQ(text_width("e\u0301"), 1);
  EXPECT_EQ(text_width("🙂"), 2);
}

TEST(Utf8, BoundariesKeepCombiningMarksWithTheirBase) {
  const std::string s = "ae\u0301b";
  EXPECT_EQ(next_boundary(s, 0), 1u);
  EXPECT_EQ(next_boundary(s, 1), 4u);
  EXPECT_EQ(prev_boundary(s, 4), 1u);
  EXPECT_EQ(prev_boundary(s, 0), 0u);
}

TEST(Utf8, SanitizeReplacesControlsAndInvalidBytes) {
  EXPECT_EQ(sanitize("a\x1b[2Jb"), "a\uFFFD[2Jb");
  EXPECT_EQ(sanitize("tab\there"), "tab here");
  EXPECT_EQ(sanitize("\xff"), "\uFFFD");
  EXPECT_EQ(sanitize("ok é"), "ok é");
}

TEST(Utf8, FitAndWrapRespectColumns) {
  EXPECT_EQ(fit("日本語", 5), "日本");
  const auto rows = wrap("hello big world", 8);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], "hello ");
  EXPECT_EQ(rows[1], "big ");
  EXPECT_EQ(rows[2], "world");
  EXPECT_EQ(wrap("abcdefghij", 4).size(), 3u);
  EXPECT_EQ(wrap("", 4).size(), 1u);
}

}  // namespace
}  // namespace parley::tui
