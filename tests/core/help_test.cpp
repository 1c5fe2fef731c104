// Tests for HELP/HELPOP (src/core/help.cpp, src/core/commands/help.cpp), after
// modern.ircdocs.horse "HELP message": 704 RPL_HELPSTART, 705 RPL_HELPTXT, 706 RPL_ENDOFHELP,
// 524 ERR_HELPNOTFOUND.
#include "core/help.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "core/command_table.h"
#include "core/harness.h"

namespace parley::core::test {
namespace {

using ::testing::ElementsAre;

TEST(Help, EveryCommandInTheTableHasAHelpText) {
  for (const CommandSpec& spec : all_commands()) {
    std::string_view text = help_text(spec.name);
    EXPECT_FALSE(text.empty()) << spec.name << " has no help text: add one to kTopics in src/core/help.cpp";
    EXPECT_EQ(text.substr(0, spec.name.size()), spec.name) << "the first line is the usage line";
  }
}

TEST(Help, SubjectIsCaseInsensitiveAndAnsweredWithStartTextEnd) {
  EngineHarness h;
  SessionId a = h.register_user("nick");
  h.send(a, "HELP privmsg");
  auto lines = h.parsed(a);
  ASSERT_GE(lines.size(), 3u) << h.dump(a);
  EXPECT_EQ(lines.front().command, "704");
  EXPECT_EQ(lines.back().command, "706");
  for (std::size_t i = 1; i + 1 < lines.size(); ++i) EXPECT_EQ(lines[i].command, "705");
  for (const Line& l : lines) EXPECT_EQ(l.params.at(1), "PRIVMSG");
  EXPECT_EQ(lines.front().params.at(2).rfind("PRIVMSG <target>", 0), 0u);
}

TEST(Help, WithoutSubjectListsTheCommands) {
  EngineHarness h;
  SessionId a = h.register_user("nick");
  h.send(a, "HELPOP");
  auto lines = h.parsed(a);
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(lines.front().command, "704");
  EXPECT_EQ(lines.back().command, "706");
  std::string all;
  for (const Line& l : lines) all += l.params.back() + " ";
  EXPECT_NE(all.find("MONITOR"), std::string::npos);
  EXPECT_NE(all.find("WHOWAS"), std::string::npos);
}

TEST(Help, UnknownSubjectIs524Alone) {
  EngineHarness h;
  SessionId a = h.register_user("nick");
  h.send(a, "HELP THISISNOTACOMMAND");
  EXPECT_THAT(h.lines(a),
              AreLines(":parley.local 524 nick THISISNOTACOMMAND :No help available on this topic"));
}

}  // namespace
}  // namespace parley::core::test
