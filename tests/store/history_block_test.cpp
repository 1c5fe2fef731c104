// The history block codec (store/history_block.h): what goes in comes out, in order and exactly;
// a damaged blob is kCorrupt, never a read outside it; the search text names senders and target.
#include "store/history_block.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "store/history_rules.h"

namespace parley::store::history {
namespace {

core::HistoryEntry make(std::string msgid, std::int64_t time_ms, std::string sender, std::string command,
                        std::string params, std::string text) {
  core::HistoryEntry e;
  e.target = "#c";
  e.msgid = std::move(msgid);
  e.time_ms = time_ms;
  e.source = sender + "!" + sender + "@host.example";
  e.sender_folded = sender;
  e.account = sender == "anon" ? "" : sender;
  e.command = std::move(command);
  e.tags = sender == "bob" ? "+draft/reply=x1" : "";
  e.params = std::move(params);
  e.text = std::move(text);
  return e;
}

std::vector<core::HistoryEntry> sample() {
  return {
      make("m1", 1'000, "alice", "PRIVMSG", "#c :hello there", "hello there"),
      make("m2", 1'002, "bob", "NOTICE", "#c :a notice", "a notice"),
      make("m3", 999, "alice", "JOIN", "#c", ""),                        // time steps back
      make("m4", 1'003, "anon", "TAGMSG", "#c", ""),                     // no text
      make("m5", 1'004, "alice", "PRIVMSG", "#c :ünïcode ✓", "ünïcode ✓"),  // non-ASCII
      make("m6", 1'005, "bob", "PRIVMSG", "#c :text", "not the params' end"),
      make("m7", 1'006, "alice", "PRIVMSG", "#c :", ""),
  };
}

std::vector<const core::HistoryEntry*> pointers(const std::vector<core::HistoryEntry>& entries) {
  std::vector<const core::HistoryEntry*> out;
  for (const auto& e : entries) out.push_back(&e);
  return out;
}

TEST(HistoryBlock, EntriesComeBackExactlyInAppendOrderWithTheirTimeRange) {
  const auto entries = sample();
  const EncodedBlock block = encode_block(pointers(entries));
  EXPECT_EQ(block.min_ms, 999);
  EXPECT_EQ(block.max_ms, 1'006);
  auto decoded = decode_block(block.blob, block.min_ms, "test");
  ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
  ASSERT_EQ(decoded.value().size(), entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i)
    EXPECT_EQ(decoded.value()[i].to_entry("#c"), entries[i]) << "entry " << i;
}

TEST(HistoryBlock, ARepeatedSenderIsWrittenOnce) {
  std::vector<core::HistoryEntry> many;
  for (int i = 0; i < 100; ++i)
    many.push_back(make("m" + std::to_string(i), 5'000, "alice", "PRIVMSG", "#c :x", "x"));
  const EncodedBlock block = encode_block(pointers(many));
  EXPECT_LT(block.blob.size(), 100u * 20) << "the 25-byte source repeated 100 times would not fit";
  auto decoded = decode_block(block.blob, block.min_ms, "test");
  ASSERT_TRUE(decoded.is_ok());
  EXPECT_EQ(decoded.value().back().source, "alice!alice@host.example");
}

TEST(HistoryBlock, MoreDistinctValuesThanCanBeNamedStillRoundTrip) {
  std::vector<core::HistoryEntry> many;
  for (std::size_t i = 0; i < kMaxRepeated * 3; ++i) {
    const std::string who = "u" + std::to_string(i % (kMaxRepeated + 7));
    many.push_back(make("m" + std::to_string(i), 7, who, "PRIVMSG", "#c :hi", "hi"));
  }
  const EncodedBlock block = encode_block(pointers(many));
  auto decoded = decode_block(block.blob, block.min_ms, "test");
  ASSERT_TRUE(decoded.is_ok());
  for (std::size_t i = 0; i < many.size(); ++i) EXPECT_EQ(decoded.value()[i].to_entry("#c"), many[i]);
}

TEST(HistoryBlock, ReencodingDecodedEntriesGivesTheSameBytes) {
  const auto entries = sample();
  const EncodedBlock block = encode_block(pointers(entries));
  auto decoded = decode_block(block.blob, block.min_ms, "test");
  ASSERT_TRUE(decoded.is_ok());
  EXPECT_EQ(encode_block(decoded.value()).blob, block.blob);
}

TEST(HistoryBlock, ExtremeTimesRoundTrip) {
  const std::int64_t low = std::numeric_limits<std::int64_t>::min(), high = std::numeric_limits<std::int64_t>::max();
  std::vector<core::HistoryEntry> entries = {make("a", high, "x", "PRIVMSG", "#c :1", "1"),
                                             make("b", low, "x", "PRIVMSG", "#c :2", "2")};
  const EncodedBlock block = encode_block(pointers(entries));
  auto decoded = decode_block(block.blob, block.min_ms, "test");
  ASSERT_TRUE(decoded.is_ok());
  EXPECT_EQ(decoded.value()[0].time_ms, high);
  EXPECT_EQ(decoded.value()[1].time_ms, low);
}

TEST(HistoryBlock, EveryTruncationAndAnExtraByteAreCorrupt) {
  const auto entries = sample();
  const EncodedBlock block = encode_block(pointers(entries));
  for (std::size_t n = 0; n < block.blob.size(); ++n) {
    auto got = decode_block(std::string_view(block.blob).substr(0, n), block.min_ms, "parley.db");
    ASSERT_FALSE(got.is_ok()) << "prefix of " << n << " bytes";
    EXPECT_EQ(got.status().code(), Status::Code::kCorrupt);
    EXPECT_NE(got.status().message().find("parley.db"), std::string::npos);
  }
  EXPECT_FALSE(decode_block(block.blob + "x", block.min_ms, "test").is_ok());
}

TEST(HistoryBlock, AnUnknownFormatOrAnImpossibleReferenceIsCorrupt) {
  EXPECT_FALSE(decode_block(std::string("\x02\x00", 2), 0, "test").is_ok());
  // One entry whose source names the 3rd earlier value of a block that has none.
  const std::string blob = std::string("\x01\x01\x00\x01m\x03", 6) + std::string(10, '\0');
  auto got = decode_block(blob, 0, "test");
  ASSERT_FALSE(got.is_ok());
  EXPECT_NE(got.status().message().find("does not hold"), std::string::npos) << got.status().to_string();
}

TEST(HistoryWords, HasAllWordsAgreesWithWords) {
  const std::vector<std::string> texts = {"Hello, World!", "straße Straße", "a-b_c d.e", "", "  x  ", "ÉMILE émile",
                                          "x1 X1 y2", "end"};
  const std::vector<std::vector<std::string>> asks = {{}, {"hello"}, {"world", "hello"}, {"straße"}, {"a", "c", "e"},
                                                      {"émile"}, {"x1", "y2"}, {"x1", "z"}, {"en"}, {"end"}};
  for (const auto& text : texts) {
    const auto have = words(text);
    for (const auto& ask : asks) {
      const bool all = std::all_of(ask.begin(), ask.end(), [&](const std::string& w) {
        return std::find(have.begin(), have.end(), w) != have.end();
      });
      EXPECT_EQ(has_all_words(text, ask), all) << "\"" << text << "\" asked for " << ask.size() << " words";
    }
  }
  std::vector<std::string> many;
  std::string text;
  for (int i = 0; i < 70; ++i) {
    many.push_back("w" + std::to_string(i));
    text += "W" + std::to_string(i) + " ";
  }
  EXPECT_TRUE(has_all_words(text, many));
  many.push_back("absent");
  EXPECT_FALSE(has_all_words(text, many));
}

}  // namespace
}  // namespace parley::store::history
