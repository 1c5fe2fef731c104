#include "simple/line_client.h"

#include <gtest/gtest.h>

namespace parley::simple {
namespace {

namespace frame = proto::simple;

TEST(LineClient, ConnectingSendsTheNameFrameAndPrintsThePrompt) {
  LineClient c("Panda", "localhost", "55555");
  auto out = c.connected();
  EXPECT_EQ(out.wire, frame::encode("Panda"));
  EXPECT_EQ(out.screen, "[Me] ");
  EXPECT_FALSE(out.done);
}

TEST(LineClient, EachTypedLineIsSentAndPromptedEmptyLinesAreNotSent) {
  LineClient c("Panda", "localhost", "55555");
  c.connected();
  auto out = c.keyboard("/create x\n\nhel");
  EXPECT_EQ(out.wire, frame::encode("/create x"));
  EXPECT_EQ(out.screen, "[Me] [Me] ");
  out = c.keyboard("lo\r\n");
  EXPECT_EQ(out.wire, frame::encode("hello"));
  EXPECT_EQ(out.screen, "[Me] ");
}

TEST(LineClient, ALastLineWithoutNewlineIsSentAtEndOfInput) {
  LineClient c("Panda", "h", "1");
  c.keyboard("bye");
  auto out = c.keyboard_end();
  EXPECT_EQ(out.wire, frame::encode("bye"));
  EXPECT_FALSE(out.done);
}

TEST(LineClient, ALongLineGoesOutAsSeveralFrames) {
  LineClient c("Panda", "h", "1");
  auto out = c.keyboard(std::string(250, 'z') + "\n");
  EXPECT_EQ(out.wire.size(), 2 * frame::kFrameBytes);
}

TEST(LineClient, ServerMessagesWipeThePromptAndPromptAgain) {
  LineClient c("Panda", "h", "1");
  c.connected();
  const std::string wire = frame::encode("Alice has joined") + frame::encode("[Alice] Hi");
  auto out = c.server(wire.substr(0, 250));
  EXPECT_EQ(out.screen, "\r    \rAlice has joined\n[Me] ");
  out = c.server(wire.substr(250));
  EXPECT_EQ(out.screen, "\r    \r[Alice] Hi\n[Me] ");
}

TEST(LineClient, ControlCharactersFromTheServerAreNotPrinted) {
  EXPECT_EQ(printable("a\x1b[31mb\nc\td\r"), "a?[31mb\nc\td?");
}

TEST(LineClient, DisconnectAndUnreachableMessagesUseHostAndPortAsGiven) {
  LineClient c("Panda", "localhost", "055555");
  auto out = c.server_end();
  EXPECT_EQ(out.screen, "\r    \rServer at localhost:055555 has disconnected\n");
  EXPECT_TRUE(out.done);
  auto failed = c.connect_failed();
  EXPECT_EQ(failed.screen, "Unable to connect to localhost:055555\n");
  EXPECT_NE(failed.exit_code, 0);
}

}  // namespace
}  // namespace parley::simple
