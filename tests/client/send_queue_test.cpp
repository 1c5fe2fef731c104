// SendQueue: the token bucket that keeps `parley chat` under the server's flood limit.
#include "client/send_queue.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace parley::client {
namespace {

using std::chrono::milliseconds;
using ::testing::ElementsAre;

const SendQueue::Clock::time_point kT0 = SendQueue::Clock::from_time_t(1'800'000'000);

std::vector<std::string> numbered(SendQueue& q, int n) {
  std::vector<std::string> pushed;
  for (int i = 1; i <= n; ++i) {
    pushed.push_back("PRIVMSG #paste :line " + std::to_string(i) + "\r\n");
    q.push(pushed.back());
  }
  return pushed;
}

TEST(SendQueue, SendsABurstAtOnceThenOneLinePerInterval) {
  SendQueue q(Pacing{3, milliseconds(500), 100, true});
  q.reset(kT0);
  numbered(q, 6);
  EXPECT_EQ(q.take(kT0).size(), 3u);
  EXPECT_EQ(q.next_at(), kT0 + milliseconds(500));
  EXPECT_TRUE(q.take(kT0 + milliseconds(499)).empty());
  EXPECT_EQ(q.take(kT0 + milliseconds(500)).size(), 1u);
  EXPECT_EQ(q.take(kT0 + milliseconds(1500)).size(), 2u);
  EXPECT_EQ(q.size(), 0u);
  EXPECT_FALSE(q.next_at().has_value());
}

TEST(SendQueue, KeepsOrderAndLosesNothingOverALongPaste) {
  SendQueue q;  // the defaults parley chat uses
  q.reset(kT0);
  const auto pushed = numbered(q, 40);
  std::vector<std::string> sent;
  auto now = kT0;
  for (int step = 0; step < 1000 && q.size() > 0; ++step) {
    for (auto& line : q.take(now)) sent.push_back(std::move(line));
    ASSERT_TRUE(q.size() == 0 || q.next_at().has_value());
    if (q.size() > 0) now = *q.next_at();
  }
  EXPECT_EQ(sent, pushed);
  // 8 at once, then 32 more at 600 ms each.
  EXPECT_EQ(now - kT0, milliseconds(32 * 600));
}

TEST(SendQueue, StaysUnderParleysDefaultFloodLimitWithMargin) {
  // The server's bucket (src/core/config.h FloodControl defaults: burst 20, 2 lines/s, debt 10)
  // replayed against what the queue lets out, sending each line at the earliest moment.
  SendQueue q;
  q.reset(kT0);
  numbered(q, 300);
  double server_tokens = 20;
  auto last = kT0;
  double lowest = server_tokens;
  auto now = kT0;
  while (q.size() > 0) {
    for (std::size_t i = 0, n = q.take(now).size(); i < n; ++i) {
      server_tokens =
          std::min(20.0, server_tokens + std::chrono::duration<double>(now - last).count() * 2) - 1;
      last = now;
      lowest = std::min(lowest, server_tokens);
    }
    if (q.size() > 0) now = *q.next_at();
  }
  EXPECT_GE(lowest, 10.0) << "the server's bucket must never come near empty";
}

TEST(SendQueue, UrgentLinesGoFirst) {
  SendQueue q(Pacing{1, milliseconds(1000), 100, true});
  q.reset(kT0);
  q.push("A\r\n");
  q.push("B\r\n");
  q.take(kT0);
  q.push_urgent("PONG x\r\n");
  EXPECT_THAT(q.take(kT0 + milliseconds(1000)), ElementsAre("PONG x\r\n"));
  EXPECT_THAT(q.take(kT0 + milliseconds(2000)), ElementsAre("B\r\n"));
}

TEST(SendQueue, IdleTimeRefillsOnlyUpToTheBurst) {
  SendQueue q(Pacing{2, milliseconds(100), 100, true});
  q.reset(kT0);
  numbered(q, 5);
  EXPECT_EQ(q.take(kT0 + std::chrono::hours(1)).size(), 2u);
}

TEST(SendQueue, IsFullAtItsBoundAndClearSaysHowManyWereWaiting) {
  SendQueue q(Pacing{1, milliseconds(100), 3, true});
  q.reset(kT0);
  numbered(q, 3);
  EXPECT_TRUE(q.full());
  EXPECT_EQ(q.clear(), 3u);
  EXPECT_FALSE(q.full());
}

TEST(SendQueue, UnpacedSendsEverythingAtOnce) {
  SendQueue q(Pacing::off());
  numbered(q, 50);
  EXPECT_EQ(q.take(kT0).size(), 50u);
}

}  // namespace
}  // namespace parley::client
