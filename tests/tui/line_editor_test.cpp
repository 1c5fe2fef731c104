#include "tui/line_editor.h"

#include <gtest/gtest.h>

namespace parley::tui {
namespace {

using Code = Key::Code;

void type(LineEditor& e, std::u32string_view text) {
  for (char32_t c : text) e.handle(Key::chr(c));
}

TEST(LineEditor, TypesUtf8AndMovesByCharacters) {
  LineEditor e;
  type(e, U"héllo");
  EXPECT_EQ(e.text(), "héllo");
  e.handle(Key::of(Code::kLeft));
  e.handle(Key::of(Code::kLeft));
  e.handle(Key::of(Code::kLeft));
  e.handle(Key::of(Code::kLeft));
  EXPECT_EQ(e.cursor(), 1u);
  e.handle(Key::of(Code::kDelete));
  EXPECT_EQ(e.text(), "hllo");
  e.handle(Key::of(Code::kEnd));
  e.handle(Key::of(Code::kBackspace));
  EXPECT_EQ(e.text(), "hll");
  e.handle(Key::ctrl('a'));
  type(e, U"日");
  EXPECT_EQ(e.text(), "日hll");
  EXPECT_EQ(e.cursor(), 3u);
}

TEST(LineEditor, KillKeys) {
  LineEditor e;
  type(e, U"one two three");
  e.handle(Key::ctrl('w'));
  EXPECT_EQ(e.text(), "one two ");
  e.handle(Key::ctrl('a'));
  e.handle(Key::of(Code::kRight));
  e.handle(Key::ctrl('k'));
  EXPECT_EQ(e.text(), "o");
  e.handle(Key::ctrl('u'));
  EXPECT_EQ(e.text(), "");
}

TEST(LineEditor, EnterSubmitsAndHistoryRecalls) {
  LineEditor e;
  type(e, U"first");
  EXPECT_EQ(e.handle(Key::of(Code::kEnter)), LineEditor::Result::kSubmit);
  EXPECT_EQ(e.take_line(), "first");
  type(e, U"second");
  e.take_line();
  type(e, U"draft");
  e.handle(Key::of(Code::kUp));
  EXPECT_EQ(e.text(), "second");
  e.handle(Key::of(Code::kUp));
  EXPECT_EQ(e.text(), "first");
  e.handle(Key::of(Code::kUp));
  EXPECT_EQ(e.text(), "first");
  e.handle(Key::of(Code::kDown));
  e.handle(Key::of(Code::kDown));
  EXPECT_EQ(e.text(), "draft");
  EXPECT_EQ(e.history().size(), 2u);
}

TEST(LineEditor, TabCompletesAndCycles) {
  LineEditor e;
  e.set_completer([](std::string_view word, bool at_start) {
    std::vector<std::string> out;
    for (std::string nick : {"alice", "albert"}) {
      if (nick.starts_with(word)) out.push_back(at_start ? nick + ": " : nick);
    }
    return out;
  });
  type(e, U"al");
  e.handle(Key::of(Code::kTab));
  EXPECT_EQ(e.text(), "alice: ");
  e.handle(Key::of(Code::kTab));
  EXPECT_EQ(e.text(), "albert: ");
  type(e, U"hi al");
  e.handle(Key::of(Code::kTab));
  EXPECT_EQ(e.text(), "albert: hi alice");
}

TEST(LineEditor, ViewScrollsToKeepTheCursorVisible) {
  LineEditor e;
  type(e, U"abcdefghij");
  auto v = e.view(5);
  EXPECT_EQ(v.text, "ghij");
  EXPECT_EQ(v.cursor_column, 4);
  e.handle(Key::of(Code::kHome));
  v = e.view(5);
  EXPECT_EQ(v.text, "abcde");
  EXPECT_EQ(v.cursor_column, 0);
  LineEditor wide;
  type(wide, U"日本語");
  EXPECT_EQ(wide.view(10).cursor_column, 6);
}

TEST(LineEditor, InputIsBoundedAndSanitised) {
  LineEditor e(4);
  e.insert("abcdef");
  EXPECT_EQ(e.text(), "abcd");
  LineEditor f;
  f.insert(
      "a\x1b"
      "b");
  EXPECT_EQ(f.text(), "a\uFFFDb");
}

}  // namespace
}  // namespace parley::tui
