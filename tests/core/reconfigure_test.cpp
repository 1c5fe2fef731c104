// Tests for Engine::reconfigure (src/core/reconfigure.cpp) and the REHASH command
// (src/core/commands/server_admin.cpp): a configuration re-read while users are connected takes
// effect for what comes next, disconnects nobody, and tells users what they can see change.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/harness.h"
#include "core/server_control.h"

namespace parley::core::test {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

EngineConfig with_root() {
  EngineConfig c = EngineHarness::default_config();
  c.operators.push_back(OperatorBlock{"root", FakeAccountBackend::hash("hunter2"), "*@*"});
  return c;
}

SessionId oper_up(EngineHarness& h, const std::string& nick) {
  SessionId id = h.register_user(nick);
  h.send(id, "OPER root hunter2");
  EXPECT_TRUE(h.user(id)->is_oper()) << h.dump(id);
  h.clear(id);
  return id;
}

// ---- Engine::reconfigure -------------------------------------------------------------------------

TEST(Reconfigure, NextMotdIsTheNewOneAndNobodyIsDisconnected) {
  EngineHarness h;
  h.config.motd = {"old news"};
  SessionId a = h.register_user("alice");
  SessionId b = h.register_user("bob");
  h.send(a, "JOIN #c");
  h.send(b, "JOIN #c");
  h.clear_all();
  EngineConfig next = h.engine().config();
  next.motd = {"fresh news"};
  EXPECT_THAT(h.engine().reconfigure(next), ElementsAre("server.motd"));
  h.send(a, "MOTD");
  EXPECT_TRUE(h.has_line(a, ":- fresh news"));
  EXPECT_FALSE(h.has_line(a, "old news"));
  EXPECT_FALSE(h.closed(a));
  EXPECT_FALSE(h.closed(b));
  EXPECT_EQ(h.engine().find_channel("#c")->members.size(), 2u);
}

TEST(Reconfigure, ANewOperatorCanOper) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "OPER root hunter2");
  EXPECT_FALSE(h.user(a)->is_oper());
  EngineConfig next = h.engine().config();
  next.operators.push_back(OperatorBlock{"root", FakeAccountBackend::hash("hunter2"), "*@*"});
  EXPECT_THAT(h.engine().reconfigure(next), ElementsAre("operator"));
  h.clear(a);
  h.send(a, "OPER root hunter2");
  EXPECT_TRUE(h.user(a)->is_oper());
  EXPECT_TRUE(h.has_line(a, " 381 alice "));
}

TEST(Reconfigure, ARemovedOperatorCannotOperButWhoIsOperStays) {
  EngineHarness h(with_root());
  SessionId a = oper_up(h, "alice");
  SessionId b = h.register_user("bob");
  EngineConfig next = h.engine().config();
  next.operators.clear();
  h.engine().reconfigure(next);
  h.send(b, "OPER root hunter2");
  EXPECT_FALSE(h.user(b)->is_oper());
  EXPECT_TRUE(h.user(a)->is_oper());
}

TEST(Reconfigure, ChangedLimitsAreSentAsIsupportAndEnforced) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  EngineConfig next = h.engine().config();
  next.limits.nick_length = 9;
  next.limits.topic_length = 100;
  EXPECT_THAT(h.engine().reconfigure(next), ElementsAre("limits"));
  // Only the tokens that changed, to users already registered.
  EXPECT_THAT(h.lines(a),
              ElementsAre(":parley.local 005 alice NICKLEN=9 TOPICLEN=100 :are supported by this server"));
  h.clear(a);
  h.send(a, "NICK abcdefghij");
  EXPECT_TRUE(h.has_line(a, " 432 alice abcdefghij ")) << h.dump(a);
  h.clear(a);
  h.send(a, "NICK abcdefghi");
  EXPECT_EQ(h.user(a)->nick, "abcdefghi");
  SessionId b = h.connect();
  h.send(b, "NICK bob");
  h.send(b, "USER bob 0 * :Bob");
  EXPECT_TRUE(h.has_line(b, " NICKLEN=9 "));
}

TEST(Reconfigure, NothingChangedTellsNobodyAnything) {
  EngineHarness h;
  SessionId a = h.register_user("alice", {"cap-notify"});
  EXPECT_THAT(h.engine().reconfigure(h.engine().config()), IsEmpty());
  EXPECT_THAT(h.lines(a), IsEmpty());
}

TEST(Reconfigure, IdentityOfTheServerKeepsItsRunningValue) {
  EngineHarness h;
  h.register_user("alice");
  EngineConfig next = h.engine().config();
  next.server_name = "other.example";
  next.casemapping = proto::Casemapping::kAscii;
  h.engine().reconfigure(next);
  EXPECT_EQ(h.engine().config().server_name, "parley.local");
  EXPECT_EQ(h.engine().casemapping(), proto::Casemapping::kRfc1459);
}

TEST(Reconfigure, FloodSettingsApplyToUsersAlreadyConnected) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  EngineConfig next = h.engine().config();
  next.flood = FloodControl{2, 0.001, 1};
  EXPECT_THAT(h.engine().reconfigure(next), ElementsAre("flood"));
  for (int i = 0; i < 10 && !h.closed(a); ++i) h.send(a, "PING x");
  EXPECT_TRUE(h.closed(a));  // under the old settings (burst 20) ten lines were nothing
}

TEST(Reconfigure, NewCloakSuffixForNewConnectionsOnly) {
  EngineConfig c = EngineHarness::default_config();
  c.cloaks.enabled = true;
  c.cloaks.secret = std::string(32, 'k');
  EngineHarness h(c);
  SessionId a = h.register_user("alice");
  const std::string before = h.user(a)->host;
  ASSERT_TRUE(before.ends_with(".ip"));
  EngineConfig next = h.engine().config();
  next.cloaks.suffix = "users.example";
  next.cloaks.secret.clear();  // what a reload reads: the key is the running one
  EXPECT_THAT(h.engine().reconfigure(next), ElementsAre("cloaks"));
  EXPECT_EQ(h.user(a)->host, before);
  SessionId b = h.register_user("bob");
  // The same address and key: the same hashes, with the new suffix.
  EXPECT_EQ(h.user(b)->host, before.substr(0, before.size() - 2) + "users.example");
}

// ---- cap-notify ---------------------------------------------------------------------------------

TEST(ReconfigureCaps, StsTurnedOnIsCapNewForCapNotifyUsersOnly) {
  EngineHarness h;
  SessionId a = h.register_user("alice", {"cap-notify"});
  SessionId b = h.register_user("bob");
  EngineConfig next = h.engine().config();
  next.sts.enabled = true;
  next.sts.port = 6697;
  EXPECT_THAT(h.engine().reconfigure(next), ElementsAre("sts"));
  EXPECT_THAT(h.lines(a), AreLines(":parley.local CAP alice NEW sts"));
  EXPECT_THAT(h.lines(b), IsEmpty());
}

TEST(ReconfigureCaps, StsTurnedOffIsCapDel) {
  EngineConfig c = EngineHarness::default_config();
  c.sts.enabled = true;
  EngineHarness h(c);
  SessionId a = h.register_user("alice", {"cap-notify"});
  EngineConfig next = h.engine().config();
  next.sts.enabled = false;
  h.engine().reconfigure(next);
  EXPECT_THAT(h.lines(a), AreLines(":parley.local CAP alice DEL sts"));
}

TEST(ReconfigureCaps, Cap302ClientsLearnTheNewValue) {
  EngineHarness h;
  SessionId a = h.connect();
  h.send(a, "CAP LS 302");
  h.send(a, "NICK alice");
  h.send(a, "USER alice 0 * :Alice");
  h.send(a, "CAP END");
  h.clear(a);
  EngineConfig next = h.engine().config();
  next.limits.multiline_max_lines = 10;
  h.engine().reconfigure(next);
  EXPECT_THAT(h.lines(a),
              AreLines(":parley.local CAP alice NEW draft/multiline=max-bytes=4096,max-lines=10"));
}

TEST(ReconfigureCaps, ADeletedCapabilityIsNoLongerEnabled) {
  EngineConfig c = EngineHarness::default_config();
  c.sts.enabled = true;
  EngineHarness h(c);
  SessionId a = h.register_user("alice", {"cap-notify", "multi-prefix"});
  EngineConfig next = h.engine().config();
  next.sts.enabled = false;
  h.engine().reconfigure(next);
  h.clear(a);
  h.send(a, "CAP LIST");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local CAP alice LIST :cap-notify multi-prefix"));
}

TEST(ReconfigureCaps, ChangesThatOfferNothingNewSendNoCap) {
  EngineHarness h;
  SessionId a = h.register_user("alice", {"cap-notify"});
  EngineConfig next = h.engine().config();
  next.motd = {"hello"};
  next.operators.push_back(OperatorBlock{"x", "plain:y", "*@*"});
  h.engine().reconfigure(next);
  EXPECT_THAT(h.lines(a), IsEmpty());
}

// ---- REHASH -------------------------------------------------------------------------------------

// A ServerControl that answers as a test says, counting the calls.
class FakeControl final : public ServerControl {
 public:
  RehashResult answer{true, {"Configuration reloaded: 1 change: server.motd"}};
  int calls = 0;
  RehashResult rehash() override {
    ++calls;
    return answer;
  }
};

TEST(Rehash, NonOperatorGets481AndNothingIsReloaded) {
  EngineHarness h(with_root());
  FakeControl control;
  h.engine().set_control(&control);
  SessionId a = h.register_user("alice");
  h.send(a, "REHASH");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 481 alice :Permission Denied- You're not an IRC operator"));
  EXPECT_EQ(control.calls, 0);
}

TEST(Rehash, OperatorGets382ThenTheResultAndOtherOperatorsAreTold) {
  EngineConfig c = with_root();
  c.config_file = "/etc/parley/parley.toml";
  EngineHarness h(c);
  FakeControl control;
  h.engine().set_control(&control);
  SessionId a = oper_up(h, "alice");
  SessionId b = oper_up(h, "bob");
  SessionId u = h.register_user("carol");
  h.clear_all();
  h.send(a, "REHASH");
  EXPECT_EQ(control.calls, 1);
  EXPECT_THAT(h.lines(a),
              AreLines(":parley.local NOTICE alice :*** alice is rehashing the server configuration",
                       ":parley.local 382 alice /etc/parley/parley.toml :Rehashing",
                       ":parley.local NOTICE alice :*** Configuration reloaded: 1 change: server.motd"));
  EXPECT_THAT(h.lines(b),
              AreLines(":parley.local NOTICE bob :*** alice is rehashing the server configuration"));
  EXPECT_THAT(h.lines(u), IsEmpty());
}

TEST(Rehash, FailureSendsEveryErrorAndKeepsTheConfiguration) {
  EngineConfig c = with_root();
  c.config_file = "p.toml";
  c.motd = {"kept"};
  EngineHarness h(c);
  FakeControl control;
  control.answer = {false,
                    {"p.toml:3: limits.nick_length must be between 1 and 64", "p.toml:7: unknown key x"}};
  h.engine().set_control(&control);
  SessionId a = oper_up(h, "alice");
  h.send(a, "REHASH");
  EXPECT_TRUE(h.has_line(a, " 382 alice p.toml "));
  EXPECT_TRUE(h.has_line(a, "NOTICE alice :*** REHASH failed: p.toml:3: limits.nick_length must be between"));
  EXPECT_TRUE(h.has_line(a, "NOTICE alice :*** REHASH failed: p.toml:7: unknown key x"));
  EXPECT_EQ(h.engine().config().motd, std::vector<std::string>{"kept"});
  EXPECT_FALSE(h.closed(a));
}

TEST(Rehash, WithoutAControlTheEngineSaysItCannot) {
  EngineHarness h(with_root());
  SessionId a = oper_up(h, "alice");
  h.send(a, "REHASH");
  EXPECT_TRUE(h.has_line(a, " 382 alice "));
  EXPECT_TRUE(h.has_line(a, "*** REHASH failed: this server cannot reload its configuration"));
  h.engine().set_control(nullptr);  // back to the default
  h.clear(a);
  h.send(a, "REHASH");
  EXPECT_TRUE(h.has_line(a, "this server cannot reload its configuration"));
}

// A control that reconfigures the engine from inside REHASH, as the server does.
class ReconfiguringControl final : public ServerControl {
 public:
  explicit ReconfiguringControl(Engine& e) : engine_(e) {}
  RehashResult rehash() override {
    EngineConfig next = engine_.config();
    next.motd = {"reloaded"};
    auto changed = engine_.reconfigure(next);
    return {true, {"changed: " + changed.at(0)}};
  }

 private:
  Engine& engine_;
};

TEST(Rehash, ReconfiguringFromInsideTheCommandTakesEffect) {
  EngineHarness h(with_root());
  ReconfiguringControl control(h.engine());
  h.engine().set_control(&control);
  SessionId a = oper_up(h, "alice");
  h.send(a, "REHASH");
  EXPECT_TRUE(h.has_line(a, "*** changed: server.motd"));
  h.clear(a);
  h.send(a, "MOTD");
  EXPECT_TRUE(h.has_line(a, ":- reloaded"));
}

}  // namespace
}  // namespace parley::core::test
