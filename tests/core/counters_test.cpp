// Tests for Engine::counters() (src/core/engine.cpp), what /metrics reports: traffic totals that
// keep departed users' counts, flood disconnects, and SASL outcomes.
#include <gtest/gtest.h>

#include <string>

#include "crypto/crypto.h"
#include "harness.h"

namespace parley::core::test {
namespace {

using namespace std::chrono_literals;
using namespace std::string_literals;

TEST(Counters, TrafficTotalsAddLiveUsersAndKeepThoseWhoLeft) {
  EngineHarness h;
  const SessionId a = h.register_user("alice");
  const SessionId b = h.register_user("bob");
  h.send(a, "JOIN #c");
  h.send(b, "JOIN #c");
  const Engine::Counters before = h.engine().counters();
  h.send(a, "PRIVMSG #c :hello");  // 17 bytes and CR LF in; one delivery to bob
  const Engine::Counters after = h.engine().counters();
  EXPECT_EQ(after.lines_in, before.lines_in + 1);
  EXPECT_EQ(after.bytes_in, before.bytes_in + 19);
  EXPECT_EQ(after.deliveries_out, before.deliveries_out + 1);
  EXPECT_EQ(after.bytes_out, before.bytes_out + h.sink.deliveries(b).back()->size());

  h.send(a, "QUIT :bye");  // alice's counts stay in the totals once she is gone
  const Engine::Counters gone = h.engine().counters();
  EXPECT_EQ(gone.lines_in, after.lines_in + 1);
  EXPECT_GE(gone.deliveries_out, after.deliveries_out + 1);  // bob's QUIT line, alice's ERROR
  h.engine().shutdown("down");                               // and so do everyone's when the server stops
  EXPECT_GE(h.engine().counters().deliveries_out, gone.deliveries_out + 1);
  EXPECT_EQ(h.engine().counters().lines_in, gone.lines_in);
}

TEST(Counters, FloodDisconnectsAreCounted) {
  EngineHarness h;  // burst 20, rate 2/s, max_debt 10
  const SessionId a = h.register_user("alice");
  h.clock.advance(30s);
  EXPECT_EQ(h.engine().counters().flood_disconnects, 0u);
  for (int i = 0; i < 40; ++i) h.send(a, "PING n" + std::to_string(i));
  ASSERT_EQ(h.close_reason(a), "Excess Flood");
  EXPECT_EQ(h.engine().counters().flood_disconnects, 1u);
}

TEST(Counters, SaslSuccessesAndFailuresAreCounted) {
  EngineHarness h;
  h.accounts.add_account("jilles", "sesame");
  auto login = [&](const std::string& password) {
    const SessionId id = h.connect();
    h.send(id, "CAP REQ sasl");
    h.send(id, "AUTHENTICATE PLAIN");
    h.send(id, "AUTHENTICATE " + crypto::base64_encode("\0jilles\0"s + password));
  };
  login("sesame");
  login("wrong");
  login("wrong again");
  const SessionId no_cap = h.connect();
  h.send(no_cap, "AUTHENTICATE PLAIN");  // 904 too: sasl was not requested
  EXPECT_EQ(h.engine().counters().sasl_successes, 1u);
  EXPECT_EQ(h.engine().counters().sasl_failures, 3u);
}

}  // namespace
}  // namespace parley::core::test
