// Console helpers: client labels, escaping untrusted text, splitting console input into lines.
#include "talk/text.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace parley::talk {
namespace {

std::vector<std::string> drain(LineSplitter& s) {
  std::vector<std::string> lines;
  while (auto line = s.next()) lines.push_back(line->too_long ? "<too long>" : line->text);
  return lines;
}

TEST(ClientLabel, IsTheSeedsFormat) {
  EXPECT_EQ(client_label("127.0.0.1", 35804), "client (127.0.0.1,35804)");
}

TEST(Printable, EscapesControlCharactersAndBackslash) {
  EXPECT_EQ(printable("plain text, tab\there, caf\xc3\xa9"), "plain text, tab\there, caf\xc3\xa9");
  EXPECT_EQ(printable("a\nb\rc\x1b[0m\x7f\\"), "a\\x0Ab\\x0Dc\\x1B[0m\\x7F\\\\");
  EXPECT_EQ(printable(std::string_view("\0", 1)), "\\x00");
}

TEST(LineSplitter, SplitsAtLfAndDropsCr) {
  LineSplitter s(100);
  s.feed("one\r\ntwo\n\nthr");
  EXPECT_EQ(drain(s), (std::vector<std::string>{"one", "two", ""}));
  s.feed("ee\n");
  EXPECT_EQ(drain(s), (std::vector<std::string>{"three"}));
  EXPECT_FALSE(s.exhausted());
}

TEST(LineSplitter, LastLineWithoutLfCountsAtTheEnd) {
  LineSplitter s(100);
  s.feed("a\nlast");
  EXPECT_EQ(drain(s), (std::vector<std::string>{"a"}));
  s.finish();
  EXPECT_EQ(drain(s), (std::vector<std::string>{"last"}));
  EXPECT_TRUE(s.exhausted());
}

TEST(LineSplitter, TooLongLinesAreReportedOnceAndSkipped) {
  LineSplitter s(5);
  s.feed("12345\n123456\nok\n1234");
  EXPECT_EQ(drain(s), (std::vector<std::string>{"12345", "<too long>", "ok"}));
  s.feed("5678");  // a partial line past the limit is dropped as it comes
  EXPECT_EQ(drain(s), std::vector<std::string>{});
  s.feed("90\nafter\n");
  EXPECT_EQ(drain(s), (std::vector<std::string>{"<too long>", "after"}));
}

TEST(LineSplitter, LinesAreHandedOutOneAtATime) {
  LineSplitter s(10);
  s.feed("a\nb\n");
  EXPECT_EQ(s.next()->text, "a");
  s.feed("c\n");
  EXPECT_EQ(drain(s), (std::vector<std::string>{"b", "c"}));
}

}  // namespace
}  // namespace parley::talk
