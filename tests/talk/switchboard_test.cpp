// The talk server's sessions without sockets: bytes in, frames/console/log out through a
// recording sink. Interactive and echo modes, turn-taking, the operator's queue, bad input.
#include "talk/switchboard.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "proto/talk_frame.h"

namespace parley::talk {
namespace {

using namespace std::string_literals;
using proto::talk::encode_frame;
using ::testing::HasSubstr;

struct Frame {
  Tag tag;
  std::string payload;
  bool operator==(const Frame&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Frame& f) {
  return os << proto::talk::tag_name(f.tag) << "(" << f.payload << ")";
}

class RecordingSink : public SwitchboardSink {
 public:
  void send(SessionId to, proto::SharedLine frame) override {
    EXPECT_FALSE(closed.contains(to)) << "frame to session " << to << " after close";
    proto::talk::FrameDecoder decoder;
    auto status = decoder.feed(*frame, [&](Tag tag, std::string_view payload) {
      frames[to].push_back({tag, std::string(payload)});
      return true;
    });
    EXPECT_EQ(status, proto::talk::FrameDecoder::Status::kOk);
    EXPECT_EQ(decoder.buffered(), 0u) << "a partial frame was sent";
  }
  void close(SessionId who) override {
    EXPECT_FALSE(closed.contains(who)) << "closed twice";
    closed.insert(who);
  }
  void console(std::string_view text) override { out += text; }
  void log(LogLevel level, std::string_view text) override {
    logs.push_back(std::string(level == LogLevel::kWarn ? "warn: " : "") + std::string(text));
  }

  // Frames sent to `id` since the last call.
  std::vector<Frame> take(SessionId id) {
    auto taken = std::move(frames[id]);
    frames[id].clear();
    return taken;
  }
  std::string take_console() { return std::exchange(out, {}); }
  bool logged(std::string_view needle) const {
    for (const auto& l : logs) {
      if (l.find(needle) != std::string::npos) return true;
    }
    return false;
  }

  std::map<SessionId, std::vector<Frame>> frames;
  std::set<SessionId> closed;
  std::string out;
  std::vector<std::string> logs;
};

std::string message(std::string_view text) { return encode_frame(Tag::kMessage, text); }
std::string hangup() { return encode_frame(Tag::kHangup, ""); }

class SwitchboardTest : public ::testing::Test {
 protected:
  void start(TalkMode mode, std::size_t max_sessions = 10) {
    SwitchboardOptions options;
    options.mode = mode;
    options.max_sessions = max_sessions;
    board_ = std::make_unique<Switchboard>(options, sink_);
  }
  RecordingSink sink_;
  std::unique_ptr<Switchboard> board_;
};

// ---- echo mode ----------------------------------------------------------------------------

TEST_F(SwitchboardTest, EchoAnswersEveryMessageWithItsText) {
  start(TalkMode::kEcho);
  board_->connect(1, "127.0.0.1", 35804);
  board_->receive(1, message("hello") + message("what is happening?"));
  EXPECT_EQ(sink_.take(1),
            (std::vector<Frame>{{Tag::kResponse, "hello"}, {Tag::kResponse, "what is happening?"}}));
  EXPECT_THAT(sink_.out, HasSubstr("client (127.0.0.1,35804) sent message: hello\n"));
  EXPECT_THAT(sink_.out, HasSubstr("client (127.0.0.1,35804) sent message: what is happening?\n"));
  EXPECT_THAT(sink_.out, ::testing::Not(HasSubstr("enter next message")));
}

TEST_F(SwitchboardTest, HangupEndsTheSessionAndClosesItsConnection) {
  start(TalkMode::kEcho);
  board_->connect(1, "127.0.0.1", 1000);
  board_->receive(1, message("bye") + hangup() + message("ignored"));
  EXPECT_EQ(sink_.take(1), (std::vector<Frame>{{Tag::kResponse, "bye"}}));
  EXPECT_TRUE(sink_.closed.contains(1));
  EXPECT_EQ(board_->session_count(), 0u);
  EXPECT_THAT(sink_.out, HasSubstr("client (127.0.0.1,1000) hung up\n"));
  board_->disconnect(1, "Connection closed");  // the transport's report afterwards is ignored
  EXPECT_EQ(sink_.out.find("disconnected"), std::string::npos);
}

TEST_F(SwitchboardTest, FramesSplitAcrossReadsAreReassembled) {
  start(TalkMode::kEcho);
  board_->connect(1, "::1", 5);
  const std::string bytes = message("split me");
  for (char c : bytes) board_->receive(1, std::string(1, c));
  EXPECT_EQ(sink_.take(1), (std::vector<Frame>{{Tag::kResponse, "split me"}}));
  EXPECT_THAT(sink_.out, HasSubstr("client (::1,5) sent message: split me\n"));
}

TEST_F(SwitchboardTest, ConsoleShowsControlCharactersEscaped) {
  start(TalkMode::kEcho);
  board_->connect(1, "127.0.0.1", 1);
  board_->receive(1, message("evil\r\nclient (1.2.3.4,5) sent message: \x1b[2J"));
  EXPECT_THAT(sink_.out,
              HasSubstr("sent message: evil\\x0D\\x0Aclient (1.2.3.4,5) sent message: \\x1B[2J\n"));
  // The echo itself is byte for byte.
  EXPECT_EQ(sink_.take(1)[0].payload, "evil\r\nclient (1.2.3.4,5) sent message: \x1b[2J");
}

// ---- bad input ----------------------------------------------------------------------------

struct BadInput {
  const char* name;
  std::string bytes;
  std::string code;
};

class SwitchboardBadInput : public SwitchboardTest, public ::testing::WithParamInterface<BadInput> {};

TEST_P(SwitchboardBadInput, EndsOnlyThatSessionWithAnErrorFrameAndALogLine) {
  start(TalkMode::kEcho);
  board_->connect(1, "127.0.0.1", 1111);
  board_->connect(2, "127.0.0.1", 2222);
  board_->receive(1, message("before"));
  board_->receive(1, GetParam().bytes);
  auto frames = sink_.take(1);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0], (Frame{Tag::kResponse, "before"}));
  EXPECT_EQ(frames[1].tag, Tag::kError);
  EXPECT_EQ(frames[1].payload.substr(0, frames[1].payload.find(' ')), GetParam().code) << frames[1].payload;
  EXPECT_TRUE(sink_.closed.contains(1));
  EXPECT_TRUE(sink_.logged("warn: client (127.0.0.1,1111)")) << ::testing::PrintToString(sink_.logs);
  EXPECT_EQ(board_->session_count(), 1u);
  // The other session notices nothing.
  board_->receive(2, message("still here"));
  EXPECT_EQ(sink_.take(2), (std::vector<Frame>{{Tag::kResponse, "still here"}}));
  EXPECT_FALSE(sink_.closed.contains(2));
  // More bytes from the failed session are ignored.
  board_->receive(1, message("late"));
  EXPECT_TRUE(sink_.take(1).empty());
}

INSTANTIATE_TEST_SUITE_P(
    Kinds, SwitchboardBadInput,
    ::testing::Values(BadInput{"UnknownTag", "Zzzz"s, "unknown-tag"},
                      BadInput{"HttpGarbage", "GET / HTTP/1.1\r\n\r\n"s, "unknown-tag"},
                      BadInput{"NulBytes", std::string(16, '\0'), "unknown-tag"},
                      BadInput{"OversizeLength", "M\x00\x01\x00\x01"s, "too-long"},
                      BadInput{"HugeLength", "M\xff\xff\xff\xff"s + std::string(100, 'x'), "too-long"},
                      BadInput{"HangupWithPayload", "H\x00\x00\x00\x01x"s, "bad-length"},
                      BadInput{"ServerOnlyTag", encode_frame(Tag::kResponse, "hi"), "unexpected-tag"},
                      BadInput{"ErrorFromClient", encode_frame(Tag::kError, "x"), "unexpected-tag"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST_F(SwitchboardTest, TruncatedFrameThenCloseIsLogged) {
  start(TalkMode::kEcho);
  board_->connect(1, "127.0.0.1", 4242);
  board_->receive(1, message("0123456789").substr(0, 8));
  board_->disconnect(1, "Connection closed");
  EXPECT_TRUE(sink_.logged(
      "warn: client (127.0.0.1,4242): truncated frame: the connection ended after 8 of 15 bytes"))
      << ::testing::PrintToString(sink_.logs);
  EXPECT_EQ(board_->session_count(), 0u);
  EXPECT_FALSE(sink_.closed.contains(1));  // the transport closed it already
}

TEST_F(SwitchboardTest, TruncatedHeaderThenCloseIsLogged) {
  start(TalkMode::kEcho);
  board_->connect(1, "127.0.0.1", 4242);
  board_->receive(1, "M\x00"s);
  board_->disconnect(1, "Connection closed");
  EXPECT_TRUE(sink_.logged("after 2 of the 5 header bytes")) << ::testing::PrintToString(sink_.logs);
}

TEST_F(SwitchboardTest, SessionsBeyondTheLimitAreRefused) {
  start(TalkMode::kEcho, 2);
  board_->connect(1, "127.0.0.1", 1);
  board_->connect(2, "127.0.0.1", 2);
  board_->connect(3, "127.0.0.1", 3);
  auto frames = sink_.take(3);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_THAT(frames[0].payload, ::testing::StartsWith("server-full "));
  EXPECT_TRUE(sink_.closed.contains(3));
  EXPECT_EQ(board_->session_count(), 2u);
}

TEST_F(SwitchboardTest, ShutdownSendsErrorToEverySession) {
  start(TalkMode::kInteractive);
  board_->connect(1, "127.0.0.1", 1);
  board_->connect(2, "127.0.0.1", 2);
  board_->shutdown();
  for (SessionId id : {1, 2}) {
    auto frames = sink_.take(id);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0], (Frame{Tag::kError, "shutdown the talk server is shutting down"}));
    EXPECT_TRUE(sink_.closed.contains(id));
  }
  board_->connect(3, "127.0.0.1", 3);
  EXPECT_TRUE(sink_.closed.contains(3));
  EXPECT_EQ(board_->session_count(), 0u);
}

// ---- interactive mode ---------------------------------------------------------------------

TEST_F(SwitchboardTest, OperatorAnswersTheClientAsInTheSeed) {
  start(TalkMode::kInteractive);
  board_->connect(1, "10.0.0.1", 35804);
  sink_.take_console();
  EXPECT_FALSE(board_->wants_answer());
  board_->receive(1, message("hello"));
  EXPECT_EQ(sink_.take_console(), "client (10.0.0.1,35804) sent message: hello\nenter next message: ");
  EXPECT_TRUE(board_->wants_answer());
  EXPECT_TRUE(sink_.take(1).empty());
  board_->answer("hi there");
  EXPECT_EQ(sink_.take(1), (std::vector<Frame>{{Tag::kResponse, "hi there"}}));
  EXPECT_FALSE(board_->wants_answer());
  board_->receive(1, message("what is happening?"));
  EXPECT_EQ(sink_.take_console(),
            "client (10.0.0.1,35804) sent message: what is happening?\nenter next message: ");
  board_->answer("");  // an empty line is an answer too
  EXPECT_EQ(sink_.take(1), (std::vector<Frame>{{Tag::kResponse, ""}}));
}

TEST_F(SwitchboardTest, AMessageBeforeTheAnswerIsOutOfTurn) {
  start(TalkMode::kInteractive);
  board_->connect(1, "127.0.0.1", 1);
  board_->receive(1, message("one") + message("two"));
  auto frames = sink_.take(1);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_THAT(frames[0].payload, ::testing::StartsWith("out-of-turn "));
  EXPECT_TRUE(sink_.closed.contains(1));
  EXPECT_FALSE(board_->wants_answer());
}

TEST_F(SwitchboardTest, WaitingClientsAreQueuedInArrivalOrder) {
  start(TalkMode::kInteractive);
  board_->connect(1, "127.0.0.1", 1001);
  board_->connect(2, "127.0.0.1", 1002);
  board_->connect(3, "127.0.0.1", 1003);
  EXPECT_EQ(board_->waiting_count(), 2u);
  board_->receive(3, message("third"));
  board_->receive(2, message("second"));
  // Both are told they wait, with how many are ahead of them.
  auto q3 = sink_.take(3);
  ASSERT_EQ(q3.size(), 1u);
  EXPECT_EQ(q3[0].tag, Tag::kQueued);
  EXPECT_THAT(q3[0].payload, HasSubstr("2 client(s) ahead of you"));
  auto q2 = sink_.take(2);
  ASSERT_EQ(q2.size(), 1u);
  EXPECT_THAT(q2[0].payload, HasSubstr("1 client(s) ahead of you"));
  EXPECT_FALSE(board_->wants_answer());  // client 1 has said nothing yet
  EXPECT_EQ(sink_.out.find("sent message"), std::string::npos);

  board_->receive(1, message("first"));
  EXPECT_THAT(sink_.take_console(),
              HasSubstr("client (127.0.0.1,1001) sent message: first\nenter next message: "));
  board_->answer("to first");
  EXPECT_EQ(sink_.take(1), (std::vector<Frame>{{Tag::kResponse, "to first"}}));
  // Client 1 keeps the operator until it hangs up.
  board_->receive(1, message("first again"));
  board_->answer("to first again");
  EXPECT_EQ(sink_.take(1), (std::vector<Frame>{{Tag::kResponse, "to first again"}}));
  sink_.take_console();

  board_->receive(1, hangup());
  EXPECT_EQ(sink_.take_console(),
            "client (127.0.0.1,1001) hung up\n\nnow talking with client (127.0.0.1,1002) (1 waiting)\n"
            "client (127.0.0.1,1002) sent message: second\nenter next message: ");
  board_->answer("to second");
  EXPECT_EQ(sink_.take(2), (std::vector<Frame>{{Tag::kResponse, "to second"}}));
  board_->disconnect(2, "Connection closed");
  EXPECT_THAT(sink_.take_console(),
              HasSubstr("now talking with client (127.0.0.1,1003) (0 waiting)\n"
                        "client (127.0.0.1,1003) sent message: third\nenter next message: "));
  board_->answer("to third");
  EXPECT_EQ(sink_.take(3), (std::vector<Frame>{{Tag::kResponse, "to third"}}));
}

TEST_F(SwitchboardTest, NoticesDuringAPromptRepeatThePrompt) {
  start(TalkMode::kInteractive);
  board_->connect(1, "127.0.0.1", 1);
  board_->receive(1, message("hi"));
  sink_.take_console();
  board_->connect(2, "127.0.0.1", 2);
  EXPECT_EQ(sink_.take_console(),
            "\nclient (127.0.0.1,2) connected; it waits behind 1 client(s)\nenter next message: ");
}

TEST_F(SwitchboardTest, ALineWithNobodyWaitingIsIgnored) {
  start(TalkMode::kInteractive);
  board_->connect(1, "127.0.0.1", 1);
  board_->answer("hello?");
  EXPECT_TRUE(sink_.take(1).empty());
  EXPECT_THAT(sink_.out, HasSubstr("no client is waiting for an answer"));
}

TEST_F(SwitchboardTest, AnAnswerOverTheLimitIsNotSent) {
  start(TalkMode::kInteractive);
  board_->connect(1, "127.0.0.1", 1);
  board_->receive(1, message("hi"));
  sink_.take_console();
  board_->answer(std::string(proto::talk::kMaxPayloadBytes + 1, 'x'));
  EXPECT_TRUE(sink_.take(1).empty());
  EXPECT_THAT(sink_.take_console(), HasSubstr("not sent\nenter next message: "));
  EXPECT_TRUE(board_->wants_answer());
  board_->answer_too_long();
  EXPECT_TRUE(board_->wants_answer());
  board_->answer("short");
  EXPECT_EQ(sink_.take(1), (std::vector<Frame>{{Tag::kResponse, "short"}}));
}

TEST_F(SwitchboardTest, WhenTheOperatorLeavesWaitingClientsAreToldAndClosed) {
  start(TalkMode::kInteractive);
  board_->connect(1, "127.0.0.1", 1);
  board_->connect(2, "127.0.0.1", 2);
  board_->connect(3, "127.0.0.1", 3);
  board_->receive(1, message("hi"));
  board_->receive(2, message("me too"));
  sink_.take(2);
  board_->operator_left();
  for (SessionId id : {1, 2}) {
    auto frames = sink_.take(id);
    ASSERT_EQ(frames.size(), 1u) << id;
    EXPECT_THAT(frames[0].payload, ::testing::StartsWith("no-operator "));
    EXPECT_TRUE(sink_.closed.contains(id));
  }
  EXPECT_FALSE(sink_.closed.contains(3));
  board_->receive(3, message("anyone?"));
  EXPECT_THAT(sink_.take(3).at(0).payload, ::testing::StartsWith("no-operator "));
  EXPECT_EQ(board_->session_count(), 0u);
}

}  // namespace
}  // namespace parley::talk
