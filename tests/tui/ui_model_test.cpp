#include "tui/ui_model.h"

#include <gtest/gtest.h>

#include "tui/utf8.h"

namespace parley::tui {
namespace {

TEST(Scrollback, ShowsTheLastRowsAndPagesBack) {
  Scrollback s;
  for (int i = 0; i < 20; ++i) s.add("line " + std::to_string(i));
  auto rows = s.rows(40, 5);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows.back(), "line 19");
  s.page_up(40, 5);
  rows = s.rows(40, 5);
  EXPECT_EQ(rows.back(), "line 15");
  s.add("new");  // does not move the view while scrolled back
  EXPECT_EQ(s.rows(40, 5).back(), "line 15");
  EXPECT_EQ(s.unseen(), 1u);
  s.page_down(40, 5);
  s.page_down(40, 5);
  EXPECT_TRUE(s.at_bottom());
  EXPECT_EQ(s.rows(40, 5).back(), "new");
  for (int i = 0; i < 10; ++i) s.page_up(40, 5);
  EXPECT_EQ(s.rows(40, 5).front(), "line 0");
}

TEST(Scrollback, WrapsLongLinesToTheWidth) {
  Scrollback s;
  s.add("aaaa bbbb cccc");
  auto rows = s.rows(5, 10);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[2], "cccc");
}

TEST(UiModel, LaysOutPaneSeparatorStatusAndInput) {
  UiModel ui("peer");
  ui.add_line(0, "alice: hi");
  ui.set_status("alice | port 4000 | 2 peers");
  for (char32_t c : std::u32string(U"héllo")) ui.handle(Key::chr(c), 40, 10);
  const auto f = ui.frame(40, 10);
  ASSERT_EQ(f.pane.size(), 1u);
  EXPECT_EQ(f.pane[0], "alice: hi");
  EXPECT_EQ(text_width(f.separator), 40);
  EXPECT_NE(f.separator.find("[1:peer]"), std::string::npos);
  EXPECT_EQ(f.status, "alice | port 4000 | 2 peers");
  EXPECT_EQ(f.input.text, "héllo");
  EXPECT_EQ(f.cursor_row, 9);
  EXPECT_EQ(f.cursor_col, 2 + 5);
}

TEST(UiModel, EnterSubmitsAndNetworkLinesDoNotDisturbTheInput) {
  UiModel ui;
  for (char c : std::string("draft")) ui.handle(Key::chr(static_cast<char32_t>(c)), 80, 24);
  ui.add_line(0, "bob: interrupting");
  EXPECT_EQ(ui.input().text(), "draft");
  auto line = ui.handle(Key::of(Key::Code::kEnter), 80, 24);
  ASSERT_TRUE(line);
  EXPECT_EQ(*line, "draft");
  EXPECT_EQ(ui.input().text(), "");
}

TEST(UiModel, PageKeysScrollAndStatusSaysMore) {
  UiModel ui;
  for (int i = 0; i < 50; ++i) ui.add_line(0, "l" + std::to_string(i));
  ui.handle(Key::of(Key::Code::kPageUp), 80, 10);
  ui.add_line(0, "late");
  const auto f = ui.frame(80, 10);
  EXPECT_NE(f.status.find("-- more (1 new) --"), std::string::npos);
  EXPECT_NE(f.pane.back(), "late");
}

TEST(UiModel, WindowsSwitchAndMarkActivity) {
  UiModel ui("server");
  const auto chan = ui.add_window("#parley");
  ui.add_line(chan, "someone spoke");
  EXPECT_NE(ui.frame(80, 10).separator.find("2:#parley*"), std::string::npos);
  ui.handle(Key::ctrl('x'), 80, 10);
  EXPECT_EQ(ui.active(), chan);
  EXPECT_NE(ui.frame(80, 10).separator.find("[2:#parley]"), std::string::npos);
}

TEST(UiModel, TinyTerminalsDoNotBreakTheLayout) {
  UiModel ui;
  ui.add_line(0, "x");
  auto f = ui.frame(1, 1);
  EXPECT_TRUE(f.pane.empty());
  EXPECT_EQ(f.cursor_row, 0);
  f = ui.frame(0, 0);
  EXPECT_EQ(f.cursor_row, 0);
}

}  // namespace
}  // namespace parley::tui
