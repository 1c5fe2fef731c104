#include "peer/history.h"

#include <gtest/gtest.h>

namespace parley::peer {
namespace {

using namespace std::chrono_literals;
namespace mesh = proto::mesh;

Msg msg(std::uint64_t origin, std::uint64_t seq, std::uint8_t flags = 0) {
  Msg m;
  m.origin = origin;
  m.seq = seq;
  m.hops_left = 8;
  m.flags = flags;
  m.name = "o" + std::to_string(origin);
  m.text = "m" + std::to_string(seq);
  return m;
}

std::vector<std::uint64_t> seqs(const std::vector<Msg>& v) {
  std::vector<std::uint64_t> out;
  for (const auto& m : v) out.push_back(m.seq);
  return out;
}

TEST(History, InOrderMessagesAreShownAtOnceAndDuplicatesDropped) {
  History h;
  std::vector<Msg> ready;
  const TimePoint t{};
  EXPECT_EQ(h.accept(msg(1, 1), t, ready), History::Verdict::kNew);
  EXPECT_EQ(h.accept(msg(1, 2), t, ready), History::Verdict::kNew);
  EXPECT_EQ(h.accept(msg(1, 1), t, ready), History::Verdict::kDuplicate);
  EXPECT_EQ(seqs(ready), (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(h.high(1), 2u);
}

TEST(History, EarlyMessageWaitsForTheGap) {
  History h;
  std::vector<Msg> ready;
  const TimePoint t{};
  h.accept(msg(1, 1), t, ready);
  EXPECT_EQ(h.accept(msg(1, 3), t, ready), History::Verdict::kNewEarly);
  EXPECT_EQ(h.accept(msg(1, 3), t, ready), History::Verdict::kDuplicate);
  EXPECT_EQ(seqs(ready), (std::vector<std::uint64_t>{1}));
  h.accept(msg(1, 2), t, ready);
  EXPECT_EQ(seqs(ready), (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(h.held_count(), 0u);
}

TEST(History, GapIsGivenUpAfterTheHoldTime) {
  HistoryOptions o;
  o.hold_for = 2s;
  History h(o);
  std::vector<Msg> ready;
  const TimePoint t{};
  h.accept(msg(1, 1), t, ready);
  h.accept(msg(1, 4), t, ready);
  h.expire(t + 1s, ready);
  EXPECT_EQ(ready.size(), 1u);
  h.expire(t + 2s, ready);
  EXPECT_EQ(seqs(ready), (std::vector<std::uint64_t>{1, 4}));
  EXPECT_EQ(h.accept(msg(1, 2), t + 3s, ready), History::Verdict::kDuplicate);
}

TEST(History, UnknownOriginStartingLateIsHeldUntilFilled) {
  History h;
  std::vector<Msg> ready;
  const TimePoint t{};
  EXPECT_EQ(h.accept(msg(5, 3), t, ready), History::Verdict::kNewEarly);
  h.accept(msg(5, 1), t, ready);
  h.accept(msg(5, 2), t, ready);
  EXPECT_EQ(seqs(ready), (std::vector<std::uint64_t>{1, 2, 3}));
}

TEST(History, OldestHeldFlagGivesUpTheGapBelow) {
  History h;
  std::vector<Msg> ready;
  const TimePoint t{};
  h.accept(msg(5, 10, mesh::kFlagOldestHeld), t, ready);
  h.accept(msg(5, 11), t, ready);
  EXPECT_EQ(seqs(ready), (std::vector<std::uint64_t>{10, 11}));
  EXPECT_EQ(ready[0].flags, 0);
}

TEST(History, MissingListsWhatThePeerLacksInOrder) {
  History h;
  std::vector<Msg> ready;
  const TimePoint t{};
  for (std::uint64_t s = 1; s <= 5; ++s) h.accept(msg(1, s), t, ready);
  h.accept(msg(2, 1), t, ready);
  std::vector<std::pair<std::uint64_t, std::uint64_t>> sent;
  h.missing({{1, 3}}, [&](const Msg& m) { sent.push_back({m.origin, m.seq}); });
  EXPECT_EQ(sent.size(), 3u);
  EXPECT_NE(std::find(sent.begin(), sent.end(), std::pair<std::uint64_t, std::uint64_t>{1, 4}), sent.end());
  EXPECT_NE(std::find(sent.begin(), sent.end(), std::pair<std::uint64_t, std::uint64_t>{2, 1}), sent.end());
  const auto summary = h.summary();
  ASSERT_EQ(summary.size(), 2u);
  EXPECT_EQ(summary[0], (HaveEntry{1, 5}));
}

TEST(History, StoreIsBoundedAndFlagsTheOldestKept) {
  HistoryOptions o;
  o.keep_per_origin = 3;
  History h(o);
  std::vector<Msg> ready;
  const TimePoint t{};
  for (std::uint64_t s = 1; s <= 10; ++s) h.accept(msg(1, s), t, ready);
  EXPECT_EQ(h.stored_count() <= 10, true);
  std::vector<Msg> sent;
  h.missing({}, [&](const Msg& m) { sent.push_back(m); });
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(sent[0].seq, 8u);
  EXPECT_EQ(sent[0].flags, mesh::kFlagOldestHeld);
  EXPECT_EQ(sent[1].flags, 0);
}

TEST(History, StoredMessagesExpire) {
  HistoryOptions o;
  o.keep_for = 10s;
  History h(o);
  std::vector<Msg> ready;
  h.accept(msg(1, 1), TimePoint{}, ready);
  h.expire(TimePoint{} + 11s, ready);
  EXPECT_EQ(h.stored_count(), 0u);
  EXPECT_EQ(h.accept(msg(1, 1), TimePoint{} + 12s, ready), History::Verdict::kDuplicate);
}

}  // namespace
}  // namespace parley::peer
