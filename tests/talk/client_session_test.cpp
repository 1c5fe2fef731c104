// The talk client's protocol side, without sockets.
#include "talk/client_session.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace parley::talk {
namespace {

using namespace std::string_literals;
using Kind = ClientSession::Event::Kind;
using proto::talk::encode_frame;
using proto::talk::Tag;

std::vector<ClientSession::Event> receive(ClientSession& s, const std::string& bytes) {
  std::vector<ClientSession::Event> events;
  s.receive(bytes, [&](const ClientSession::Event& e) { events.push_back(e); });
  return events;
}

TEST(ClientSession, ALineBecomesAMessageAndTheServerHasTheTurn) {
  ClientSession s;
  auto out = s.user_line("hello there");
  EXPECT_EQ(out.frame, encode_frame(Tag::kMessage, "hello there"));
  EXPECT_FALSE(out.hangup);
  EXPECT_EQ(s.turn(), ClientSession::Turn::kServer);
  auto events = receive(s, encode_frame(Tag::kResponse, "hi, what's up?"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::kResponse);
  EXPECT_EQ(events[0].text, "hi, what's up?");
  EXPECT_EQ(s.turn(), ClientSession::Turn::kUser);
}

TEST(ClientSession, HangupWordSendsTheHangupFrame) {
  ClientSession s;
  auto out = s.user_line("hangup");
  EXPECT_TRUE(out.hangup);
  EXPECT_EQ(out.frame, "H\0\0\0\0"s);
  EXPECT_EQ(s.turn(), ClientSession::Turn::kOver);
  // Only the exact word hangs up.
  ClientSession t;
  EXPECT_FALSE(t.user_line("hangup now").hangup);
}

TEST(ClientSession, QueuedNoticesAreShownWhileWaiting) {
  ClientSession s;
  s.user_line("hello?");
  auto events = receive(s, encode_frame(Tag::kQueued, "you are queued") + encode_frame(Tag::kResponse, "hi"));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, Kind::kQueued);
  EXPECT_EQ(events[1].kind, Kind::kResponse);
}

TEST(ClientSession, ErrorFrameEndsTheSession) {
  ClientSession s;
  s.user_line("x");
  auto events = receive(s, encode_frame(Tag::kError, "shutdown the talk server is shutting down"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::kServerError);
  EXPECT_EQ(events[0].text, "shutdown the talk server is shutting down");
  EXPECT_EQ(s.turn(), ClientSession::Turn::kOver);
  EXPECT_TRUE(receive(s, encode_frame(Tag::kResponse, "late")).empty());
}

TEST(ClientSession, ResponseOutOfTurnIsAProtocolError) {
  ClientSession s;
  auto events = receive(s, encode_frame(Tag::kResponse, "unasked"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::kProtocolError);
  EXPECT_EQ(s.turn(), ClientSession::Turn::kOver);
}

TEST(ClientSession, MalformedOrClientOnlyFramesAreProtocolErrors) {
  for (const std::string& bytes : {"Xyz"s, "R\xff\xff\xff\xff"s, encode_frame(Tag::kMessage, "me?")}) {
    ClientSession s;
    s.user_line("hi");
    auto events = receive(s, bytes);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].kind, Kind::kProtocolError) << events[0].text;
  }
}

TEST(ClientSession, TooLongLineIsNotSent) {
  ClientSession s;
  auto out = s.user_line(std::string(proto::talk::kMaxPayloadBytes + 1, 'x'));
  EXPECT_TRUE(out.frame.empty());
  EXPECT_FALSE(out.problem.empty());
  EXPECT_EQ(s.turn(), ClientSession::Turn::kUser);
}

}  // namespace
}  // namespace parley::talk
