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

TEST(Scrollback, PrependedLinesGoOnTopWithoutMovingTheView) {
  Scrollback s;
  for (int i = 10; i < 20; ++i) s.add("line " + std::to_string(i));
  for (int i = 0; i < 5; ++i) s.page_up(40, 4);
  EXPECT_TRUE(s.at_top(40, 4));
  const auto shown = s.rows(40, 4);
  EXPECT_EQ(shown.front(), "line 10");
  for (int i = 9; i >= 5; --i) s.prepend("line " + std::to_string(i), {0, 4, 2});
  EXPECT_EQ(s.rows(40, 4), shown);
  EXPECT_FALSE(s.at_top(40, 4));
  s.page_up(40, 4);
  s.page_up(40, 4);
  EXPECT_EQ(s.rows(40, 4).front(), "line 5");
  EXPECT_EQ(s.styled_rows(40, 4).front().span.colour, 2);
}

TEST(Scrollback, PrependIsRefusedWhenFull) {
  Scrollback s(3);
  for (int i = 0; i < 3; ++i) s.add("line " + std::to_string(i));
  EXPECT_FALSE(s.prepend("older"));
  EXPECT_EQ(s.size(), 3u);
  EXPECT_EQ(s.lines().front(), "line 0");
}

TEST(Scrollback, AShortWindowIsAtItsTop) {
  Scrollback s;
  s.add("only");
  EXPECT_TRUE(s.at_top(40, 4));
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

TEST(UiModel, WindowKeysSwitchOnlyWhenEnabled) {
  UiModel ui("server");
  ui.add_window("#a");
  ui.add_window("#b");
  ui.handle(Key::alt('3'), 80, 10);
  EXPECT_EQ(ui.active(), 0u);  // off: peer keeps Alt/Ctrl-P for itself
  ui.set_window_keys(true);
  ui.handle(Key::alt('3'), 80, 10);
  EXPECT_EQ(ui.active(), 2u);
  ui.handle(Key::alt('9'), 80, 10);  // no such window: stays
  EXPECT_EQ(ui.active(), 2u);
  ui.handle(Key::of(Key::Code::kAltRight), 80, 10);
  EXPECT_EQ(ui.active(), 0u);
  ui.handle(Key::of(Key::Code::kAltLeft), 80, 10);
  EXPECT_EQ(ui.active(), 2u);
  ui.handle(Key::ctrl('p'), 80, 10);
  EXPECT_EQ(ui.active(), 1u);
  ui.handle(Key::ctrl('n'), 80, 10);
  EXPECT_EQ(ui.active(), 2u);
}

TEST(UiModel, RemovingAWindowKeepsTheActiveOne) {
  UiModel ui("server");
  ui.add_window("#a");
  const auto b = ui.add_window("#b");
  ui.select(b);
  ui.remove_window(1);
  EXPECT_EQ(ui.active(), 1u);
  EXPECT_NE(ui.frame(80, 10).separator.find("[2:#b]"), std::string::npos);
  ui.remove_window(1);
  EXPECT_EQ(ui.active(), 0u);
  ui.remove_window(0);  // the last window stays
  EXPECT_EQ(ui.window_count(), 1u);
}

TEST(UiModel, TopicLineAndNickListShareTheScreen) {
  UiModel ui("#parley");
  for (int i = 0; i < 30; ++i) ui.add_line(0, "line " + std::to_string(i));
  ui.set_topic("#parley: all about parley");
  ui.set_nicklist({"@alice", "bob"});
  auto f = ui.frame(120, 10);
  EXPECT_EQ(f.topic, "#parley: all about parley");
  EXPECT_EQ(f.pane.size(), 6u);  // 10 rows - topic - separator - status - input
  EXPECT_EQ(f.nicklist_col, 120 - UiModel::kNickListWidth);
  EXPECT_EQ(f.nicklist, (std::vector<std::string>{"@alice", "bob"}));
  f = ui.frame(80, 10);  // too narrow for the nick list
  EXPECT_EQ(f.nicklist_col, 0);
  EXPECT_TRUE(f.nicklist.empty());
}

TEST(UiModel, ColouredSpansFollowWrappedRows) {
  UiModel ui("#parley");
  ui.add_line(0, "12:00 <bob> hello there", Span{7, 10, 3});
  auto f = ui.frame(80, 10);
  ASSERT_EQ(f.pane_spans.size(), 1u);
  EXPECT_EQ(f.pane_spans[0].begin, 7u);
  EXPECT_EQ(f.pane_spans[0].end, 10u);
  EXPECT_EQ(f.pane_spans[0].colour, 3);
  f = ui.frame(12, 10);  // "12:00 <bob> " then "hello there"
  ASSERT_EQ(f.pane_spans.size(), 2u);
  EXPECT_EQ(f.pane_spans[0].colour, 3);
  EXPECT_EQ(f.pane_spans[1].colour, -1);
}

TEST(UiModel, ClearEmptiesOneWindow) {
  UiModel ui("a");
  ui.add_line(0, "x");
  ui.clear_window(0);
  EXPECT_TRUE(ui.frame(80, 10).pane.empty());
}

}  // namespace
}  // namespace parley::tui
