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
  EXPECT_EQ(events[0].code, "shutdown");
  EXPECT_EQ(events[0].text, "the talk server is shutting down");
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

TEST(ClientSession, ErrorFrameWithACodeAloneHasNoText) {
  ClientSession s;
  auto events = receive(s, encode_frame(Tag::kError, "server-full"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].code, "server-full");
  EXPECT_EQ(events[0].text, "");
}

TEST(ClientSession, MalformedOrClientOnlyFramesAfterAGoodOneAreProtocolErrors) {
  for (const std::string& bytes : {"Xyz"s, "R\xff\xff\xff\xff"s, encode_frame(Tag::kMessage, "me?")}) {
    ClientSession s;
    s.user_line("hi");
    ASSERT_EQ(receive(s, encode_frame(Tag::kQueued, "wait")).size(), 1u);
    auto events = receive(s, bytes);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].kind, Kind::kProtocolError) << events[0].text;
  }
}

TEST(ClientSession, AnIrcServerIsRecognisedAsNotSpeakingTalk) {
  // "ERROR :..." starts with a valid tag, E, and a length of 0x52524F52 ("RROR").
  for (const std::string& bytes : {"ERROR :Closing link: (registration timed out)\r\nmore"s,
                                   ":irc.example.net NOTICE * :*** Looking up your hostname\r\n"s}) {
    ClientSession s;
    s.user_line("hi");
    auto events = receive(s, bytes);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].kind, Kind::kNotTalk);
    EXPECT_EQ(events[0].text, bytes.substr(0, bytes.find('\r')));
    EXPECT_EQ(s.turn(), ClientSession::Turn::kOver);
  }
}

TEST(ClientSession, NotTalkIsDecidedOnFirstBytesThatArriveInPieces) {
  ClientSession s;
  s.user_line("hi");
  EXPECT_TRUE(receive(s, "ER").empty());
  auto events = receive(s, "ROR :bye\r\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::kNotTalk);
  EXPECT_EQ(events[0].text, "ERROR :bye");
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
