// Tests for src/proto/line_reader.h: splitting a TCP byte stream into IRC lines.
#include "proto/line_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace parley::proto {
namespace {

// What the sink saw: a line's text, or "<too long>" for a kTooLong event.
constexpr std::string_view kTooLongMark = "<too long>";

struct Collector {
  std::vector<std::string> events;
  // Stop (return false) after this many events; 0 = never stop.
  std::size_t stop_after = 0;

  bool operator()(LineReader::Event e, std::string_view line) {
    events.emplace_back(e == LineReader::Event::kTooLong ? std::string(kTooLongMark) : std::string(line));
    return stop_after == 0 || events.size() < stop_after;
  }
};

std::vector<std::string> feed_all(LineReader& reader, std::string_view data) {
  Collector c;
  EXPECT_TRUE(reader.feed(data, std::ref(c)));
  return c.events;
}

std::vector<std::string> feed_byte_by_byte(LineReader& reader, std::string_view data) {
  Collector c;
  for (char ch : data) EXPECT_TRUE(reader.feed(std::string_view(&ch, 1), std::ref(c)));
  return c.events;
}

using Lines = std::vector<std::string>;

TEST(LineReader, CarriageReturnLineFeedEndsALine) {
  LineReader r(512);
  EXPECT_EQ(feed_all(r, "NICK alice\r\n"), (Lines{"NICK alice"}));
  EXPECT_EQ(r.buffered(), 0u);
}

TEST(LineReader, BareLineFeedEndsALine) {
  LineReader r(512);
  EXPECT_EQ(feed_all(r, "NICK alice\nUSER a 0 * :A\n"), (Lines{"NICK alice", "USER a 0 * :A"}));
}

TEST(LineReader, LoneCarriageReturnEndsALine) {
  LineReader r(512);
  EXPECT_EQ(feed_all(r, "NICK alice\rUSER a 0 * :A\r"), (Lines{"NICK alice", "USER a 0 * :A"}));
}

TEST(LineReader, MixedTerminatorsInOneFeed) {
  LineReader r(512);
  EXPECT_EQ(feed_all(r, "a\r\nb\nc\rd\r\n"), (Lines{"a", "b", "c", "d"}));
}

TEST(LineReader, SeveralLinesPerFeed) {
  LineReader r(512);
  EXPECT_EQ(feed_all(r, "PING 1\r\nPING 2\r\nPING 3\r\n"), (Lines{"PING 1", "PING 2", "PING 3"}));
}

TEST(LineReader, IncompleteLineWaitsForItsTerminator) {
  LineReader r(512);
  EXPECT_EQ(feed_all(r, "PRIVMSG #a :hel"), Lines{});
  EXPECT_EQ(r.buffered(), 15u);
  EXPECT_EQ(feed_all(r, "lo\r\nPING"), (Lines{"PRIVMSG #a :hello"}));
  EXPECT_EQ(r.buffered(), 4u);
  EXPECT_EQ(feed_all(r, " x\r\n"), (Lines{"PING x"}));
  EXPECT_EQ(r.buffered(), 0u);
}

TEST(LineReader, LinesSplitByteByByte) {
  LineReader r(512);
  EXPECT_EQ(feed_byte_by_byte(r, "NICK alice\r\nUSER a 0 * :Alice A\r\nJOIN #x\n"),
            (Lines{"NICK alice", "USER a 0 * :Alice A", "JOIN #x"}));
  EXPECT_EQ(r.buffered(), 0u);
}

TEST(LineReader, CarriageReturnAndLineFeedInSeparateFeeds) {
  LineReader r(512);
  EXPECT_EQ(feed_all(r, "a\r"), (Lines{"a"}));
  EXPECT_EQ(feed_all(r, "\nb\r"), (Lines{"b"}));
  EXPECT_EQ(feed_all(r, "\n"), Lines{});
}

TEST(LineReader, EmptyLinesAreSkipped) {
  LineReader r(512);
  EXPECT_EQ(feed_all(r, "\r\n\r\n\n\n\r\rPING x\r\n\r\n"), (Lines{"PING x"}));
}

TEST(LineReader, EmptyFeedDoesNothing) {
  LineReader r(512);
  EXPECT_TRUE(r.feed("", [](LineReader::Event, std::string_view) {
    ADD_FAILURE() << "sink called for empty input";
    return true;
  }));
}

TEST(LineReader, LineOfExactlyMaxBytesIsDelivered) {
  LineReader r(10);
  EXPECT_EQ(feed_all(r, "0123456789\r\n"), (Lines{"0123456789"}));
}

TEST(LineReader, LineOfExactlyMaxBytesAcrossFeedsIsDelivered) {
  LineReader r(10);
  EXPECT_EQ(feed_all(r, "01234"), Lines{});
  EXPECT_EQ(feed_all(r, "56789"), Lines{});
  EXPECT_EQ(r.buffered(), 10u);
  EXPECT_EQ(feed_all(r, "\r\n"), (Lines{"0123456789"}));
}

TEST(LineReader, TooLongLineIsReportedOnceThenTheNextLineWorks) {
  LineReader r(10);
  EXPECT_EQ(feed_all(r, "0123456789A\r\nPING ok\r\n"), (Lines{std::string(kTooLongMark), "PING ok"}));
  EXPECT_EQ(r.buffered(), 0u);
}

TEST(LineReader, VeryLongLineIsReportedOnlyOnce) {
  LineReader r(10);
  std::string big(100000, 'x');
  EXPECT_EQ(feed_all(r, big + "\r\nPING ok\r\n"), (Lines{std::string(kTooLongMark), "PING ok"}));
}

TEST(LineReader, TooLongLineAcrossFeedsIsReportedOnceAndDiscardedToItsEnd) {
  LineReader r(10);
  Lines events;
  for (std::string_view chunk : {"01234567", "89AB", "CDEFGHIJ", "KLMNOP", "QR\r\nPING ok\r\n"}) {
    Lines got = feed_all(r, chunk);
    events.insert(events.end(), got.begin(), got.end());
    EXPECT_LE(r.buffered(), 10u) << "the reader must not buffer more than max_line";
  }
  EXPECT_EQ(events, (Lines{std::string(kTooLongMark), "PING ok"}));
}

TEST(LineReader, TooLongLineFedByteByByteIsReportedOnce) {
  LineReader r(10);
  std::string data = std::string(50, 'z') + "\r\nPING ok\r\n";
  EXPECT_EQ(feed_byte_by_byte(r, data), (Lines{std::string(kTooLongMark), "PING ok"}));
}

TEST(LineReader, TooLongLineEndedByLoneCarriageReturn) {
  LineReader r(10);
  EXPECT_EQ(feed_all(r, std::string(20, 'q') + "\rPING ok\r"), (Lines{std::string(kTooLongMark), "PING ok"}));
}

TEST(LineReader, TwoTooLongLinesAreReportedTwice) {
  LineReader r(10);
  std::string data = std::string(20, 'a') + "\r\n" + std::string(30, 'b') + "\r\nok\r\n";
  EXPECT_EQ(feed_all(r, data), (Lines{std::string(kTooLongMark), std::string(kTooLongMark), "ok"}));
}

TEST(LineReader, TooLongLineFollowedByValidLineInLaterFeed) {
  LineReader r(10);
  EXPECT_EQ(feed_all(r, std::string(11, 'x')), (Lines{std::string(kTooLongMark)}));
  EXPECT_EQ(feed_all(r, "yyy"), Lines{});  // still the same oversized line
  EXPECT_EQ(feed_all(r, "\n"), Lines{});
  EXPECT_EQ(feed_all(r, "NICK b\n"), (Lines{"NICK b"}));
}

TEST(LineReader, SinkReturningFalseStopsReading) {
  LineReader r(512);
  Collector c;
  c.stop_after = 2;
  EXPECT_FALSE(r.feed("a\r\nb\r\nc\r\nd\r\n", std::ref(c)));
  EXPECT_EQ(c.events, (Lines{"a", "b"}));
}

TEST(LineReader, SinkReturningFalseOnTooLongStopsReading) {
  LineReader r(10);
  Collector c;
  c.stop_after = 1;
  EXPECT_FALSE(r.feed(std::string(20, 'x') + "\r\nok\r\n", std::ref(c)));
  EXPECT_EQ(c.events, (Lines{std::string(kTooLongMark)}));
}

TEST(LineReader, SinkReturningFalseOnBufferedLineStopsReading) {
  LineReader r(512);
  Collector first;
  EXPECT_TRUE(r.feed("hel", std::ref(first)));
  Collector c;
  c.stop_after = 1;
  EXPECT_FALSE(r.feed("lo\r\nnext\r\n", std::ref(c)));
  EXPECT_EQ(c.events, (Lines{"hello"}));
}

TEST(LineReader, BinaryBytesOtherThanCrLfPassThrough) {
  LineReader r(512);
  std::string line("a\0b\x01\xff c", 7);
  EXPECT_EQ(feed_all(r, line + "\r\n"), (Lines{line}));
}

TEST(LineReader, ArbitraryChunkingGivesTheSameLines) {
  std::string data =
      "@time=x :a!b@c PRIVMSG #x :hello\r\n\r\nNICK bob\n" + std::string(40, 'L') + "\r\nPING :x y\rQUIT\r\n";
  LineReader whole(31);
  Lines expected = feed_all(whole, data);
  // The first line is 32 bytes, one over the limit.
  ASSERT_EQ(expected,
            (Lines{std::string(kTooLongMark), "NICK bob", std::string(kTooLongMark), "PING :x y", "QUIT"}));
  for (std::size_t chunk = 1; chunk <= data.size(); ++chunk) {
    LineReader r(31);
    Lines got;
    for (std::size_t i = 0; i < data.size(); i += chunk) {
      Lines part = feed_all(r, std::string_view(data).substr(i, chunk));
      got.insert(got.end(), part.begin(), part.end());
    }
    EXPECT_EQ(got, expected) << "chunk size " << chunk;
  }
}

}  // namespace
}  // namespace parley::proto
