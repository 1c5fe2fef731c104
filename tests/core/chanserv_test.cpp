// ChanServ (src/core/commands/chanserv.cpp) and registered channels (src/core/registered_channels.cpp):
// every command, its permissions and bad input, saving on change, and restoring at start.
#include <gtest/gtest.h>

#include "core/registered_channels.h"
#include "history_test_support.h"

namespace parley::core::test {
namespace {

const std::string kFrom = ":ChanServ!ChanServ@services.parley.local NOTICE ";

class ChanServ : public ::testing::Test {
 protected:
  // `nick` logged in to the account of the same name, in `channel` (the first one is its op).
  SessionId member(const std::string& nick, const std::string& channel = "#c") {
    SessionId id = logged_in_user(h, nick);
    h.send(id, "JOIN " + channel);
    h.clear_all();
    return id;
  }
  // alice founds #c with a topic, key, limit and a ban, then registers it.
  SessionId founded() {
    SessionId alice = member("alice");
    h.send(alice, "TOPIC #c :Welcome here");
    h.send(alice, "MODE #c +klb sekrit 10 bad!*@*");
    h.send(alice, "CS REGISTER #c");
    EXPECT_TRUE(h.has_line(alice, kFrom + "alice :#c is registered to alice.")) << h.dump(alice);
    h.clear_all();
    return alice;
  }
  std::vector<RegisteredChannel> stored() { return h.history.durable.list_channels().value(); }
  std::uint8_t flags(SessionId id, const std::string& channel = "#c") {
    Channel* c = h.engine().find_channel(channel);
    return c ? c->flags(*h.user(id)) : 0;
  }
  // A registration as the store would hand it back at start.
  static RegisteredChannel record() {
    RegisteredChannel r;
    r.name = "#Keep";
    r.name_folded = "#keep";
    r.founder = "alice";
    r.registered_at = 1700000000;
    r.created_at = 1600000000;
    r.topic = "Kept topic";
    r.topic_setter = "alice!~alice@user/alice";
    r.topic_time = 1700000100;
    r.modes = "+klnt door 5";
    r.bans = {{'b', "bad!*@*", "alice", 1700000200}, {'e', "good!*@*", "alice", 1700000300}};
    r.access = {{"bob", 'v', "alice", 1700000400}, {"dave", 'o', "alice", 1700000500}};
    return r;
  }
  void restore() {
    ASSERT_TRUE(h.history.durable.save_channel(record()).is_ok());
    h.engine().restore_registered_channels(stored());
  }
  EngineHarness h;
};

TEST_F(ChanServ, RegisterStoresFounderTopicModesAndLists) {
  founded();
  auto channels = stored();
  ASSERT_EQ(channels.size(), 1u);
  const RegisteredChannel& r = channels[0];
  EXPECT_EQ(r.name, "#c");
  EXPECT_EQ(r.founder, "alice");
  EXPECT_EQ(r.registered_at, FakeClock::kStartMillis / 1000);
  EXPECT_EQ(r.created_at, FakeClock::kStartMillis / 1000);
  EXPECT_EQ(r.topic, "Welcome here");
  EXPECT_EQ(r.topic_setter, "alice!~alice@user/alice");
  EXPECT_EQ(r.modes, "+klnt sekrit 10");
  ASSERT_EQ(r.bans.size(), 1u);
  EXPECT_EQ(r.bans[0], (ChannelBan{'b', "bad!*@*", "alice", FakeClock::kStartMillis / 1000}));
  EXPECT_TRUE(r.access.empty());
}

TEST_F(ChanServ, RegisterRefusesWhoIsNotLoggedInNotOnTheChannelOrNotOp) {
  SessionId guest = h.register_user("guest");
  h.send(guest, "JOIN #g");
  h.send(guest, "CS REGISTER #g");
  EXPECT_TRUE(h.has_line(guest, kFrom + "guest :You must be logged in to register a channel"));
  SessionId alice = member("alice");
  SessionId bob = member("bob");
  h.send(bob, "CS REGISTER #c");
  EXPECT_TRUE(h.has_line(bob, kFrom + "bob :You must be a channel operator of #c to register it."));
  h.send(bob, "CS REGISTER #elsewhere");
  EXPECT_TRUE(h.has_line(bob, kFrom + "bob :You must be on #elsewhere to register it."));
  h.send(alice, "CS REGISTER");
  EXPECT_TRUE(h.has_line(alice, kFrom + "alice :Usage: REGISTER <#channel>"));
  EXPECT_TRUE(stored().empty());
  EXPECT_EQ(h.engine().registered_channels().size(), 0u);
}

TEST_F(ChanServ, RegisterTwiceIsRefused) {
  SessionId alice = founded();
  h.send(alice, "CS REGISTER #C");
  EXPECT_TRUE(h.has_line(alice, kFrom + "alice :#c is already registered."));
}

TEST_F(ChanServ, RegisterWhenTheStoreFailsLeavesTheChannelUnregistered) {
  SessionId alice = member("alice");
  h.history.fail_all = true;
  h.send(alice, "CS REGISTER #c");
  EXPECT_TRUE(h.has_line(alice, kFrom + "alice :Channel registration is unavailable; try again later."));
  EXPECT_EQ(h.engine().registered_channels().find("#c"), nullptr);
  h.send(alice, "PART #c");
  EXPECT_EQ(h.engine().find_channel("#c"), nullptr);  // an unregistered channel goes when empty
}

TEST_F(ChanServ, AnsweredThroughPrivmsgChanservAndCs) {
  SessionId a = h.register_user("a");
  h.send(a, "PRIVMSG ChanServ :HELP");
  EXPECT_TRUE(h.has_line(a, kFrom + "a :ChanServ commands (/msg ChanServ <command>, /CS <command>):"))
      << h.dump(a);
  h.clear(a);
  h.send(a, "CHANSERV help");
  EXPECT_TRUE(h.has_line(a, "REGISTER <#channel>"));
  h.clear(a);
  h.send(a, "CS");
  EXPECT_TRUE(h.has_line(a, "AMODE <#channel>"));
  h.send(a, "CS FROB #c");
  EXPECT_TRUE(h.has_line(a, kFrom + "a :Unknown command FROB. Try HELP."));
  h.send(a, "NOTICE ChanServ :HELP");  // notices are never answered
  h.clear(a);
  h.send(a, "NICK chanserv");
  EXPECT_TRUE(h.has_line(a, " 432 a chanserv :Nickname is reserved by a service"));
  h.send(a, "WHOIS ChanServ");
  EXPECT_TRUE(h.has_line(a, " 311 a ChanServ ChanServ services.parley.local * :Channel service"));
}

TEST_F(ChanServ, BadChannelArgumentsGetClearNotices) {
  SessionId a = logged_in_user(h, "alice");
  for (std::string cmd : {"INFO", "OP", "DEOP", "VOICE", "AMODE", "TRANSFER", "DROP"}) {
    h.send(a, "CS " + cmd + " #nowhere x");
    EXPECT_TRUE(h.has_line(a, kFrom + "alice :#nowhere is not registered.")) << cmd;
    h.clear(a);
    h.send(a, "CS " + cmd + " nowhere x");
    EXPECT_TRUE(h.has_line(a, kFrom + "alice :nowhere is not a channel name.")) << cmd;
    h.clear(a);
    h.send(a, "CS " + cmd);
    EXPECT_TRUE(h.has_line(a, kFrom + "alice :Usage: ")) << cmd;
    h.clear(a);
  }
}

TEST_F(ChanServ, InfoShowsFounderTopicAndModes) {
  founded();
  SessionId other = h.register_user("other");
  h.send(other, "CS INFO #C");
  EXPECT_TRUE(h.has_line(other, kFrom + "other :#c: founder alice, registered 2026-01-02T03:04:05.000Z."));
  EXPECT_TRUE(
      h.has_line(other, "Topic: Welcome here (set by alice!~alice@user/alice, 2026-01-02T03:04:05.678Z)"));
  EXPECT_TRUE(h.has_line(other, "Modes: +klnt * 10; bans 1, exceptions 0, invite exceptions 0; 1 users."));
  EXPECT_TRUE(h.has_line(other, "Access list: 0 entries."));
}

TEST_F(ChanServ, TopicAndModeChangesAreSavedAgainStatusChangesAreNot) {
  SessionId alice = founded();
  SessionId bob = member("bob");
  h.clock.advance(std::chrono::seconds(60));
  h.send(alice, "TOPIC #c :Second topic");
  EXPECT_EQ(stored()[0].topic, "Second topic");
  EXPECT_EQ(stored()[0].topic_time, FakeClock::kStartMillis / 1000 + 60);
  h.send(alice, "MODE #c -k+mI x good!*@*");
  EXPECT_EQ(stored()[0].modes, "+lmnt 10");
  EXPECT_EQ(stored()[0].bans.size(), 2u);
  h.history.mode = FakeHistoryBackend::Mode::kManual;
  h.send(alice, "MODE #c +o bob");
  EXPECT_TRUE(queued(h, HistoryRequest::Kind::kSaveChannel).empty());
  h.send(alice, "MODE #c -b bad!*@*");
  EXPECT_EQ(queued(h, HistoryRequest::Kind::kSaveChannel).size(), 1u);
  (void)bob;
}

TEST_F(ChanServ, RegisteredChannelOutlivesItsMembersAndGivesNobodyFreeOps) {
  SessionId alice = founded();
  h.send(alice, "PART #c");
  Channel* c = h.engine().find_channel("#c");
  ASSERT_NE(c, nullptr);
  EXPECT_TRUE(c->members.empty());
  SessionId carol = h.register_user("carol");
  h.send(carol, "JOIN #c");
  EXPECT_TRUE(h.has_line(carol, " 475 carol #c :Cannot join channel (+k)"));
  h.send(carol, "JOIN #c sekrit");
  EXPECT_TRUE(h.has_line(carol, " 332 carol #c :Welcome here"));
  EXPECT_TRUE(h.has_line(carol, " 353 carol = #c :carol"));  // no @: being first gives nothing
  EXPECT_EQ(flags(carol), 0);
  SessionId bad = h.register_user("bad");
  h.send(bad, "JOIN #c sekrit");
  EXPECT_TRUE(h.has_line(bad, " 474 bad #c :Cannot join channel (+b)"));
}

TEST_F(ChanServ, RestoredChannelHasItsStateAndAccessGetsStatusOnJoin) {
  restore();
  SessionId carol = h.register_user("carol");
  h.send(carol, "MODE #keep");
  EXPECT_TRUE(h.has_line(carol, " 324 carol #Keep +klnt * 5"));
  EXPECT_TRUE(h.has_line(carol, " 329 carol #Keep 1600000000"));
  h.send(carol, "TOPIC #keep");
  EXPECT_TRUE(h.has_line(carol, " 333 carol #Keep alice!~alice@user/alice 1700000100"));
  h.send(carol, "JOIN #keep door");
  EXPECT_EQ(flags(carol, "#keep"), 0);
  SessionId alice = logged_in_user(h, "alice");
  h.send(alice, "JOIN #keep door");
  EXPECT_TRUE(h.has_line(alice, ":ChanServ!ChanServ@services.parley.local MODE #Keep +o alice"));
  EXPECT_TRUE(h.has_line(alice, " 353 alice = #Keep :"));
  EXPECT_TRUE(h.has_line(alice, "@alice"));
  EXPECT_TRUE(h.has_line(carol, ":ChanServ!ChanServ@services.parley.local MODE #Keep +o alice"));
  SessionId bob = logged_in_user(h, "bob");
  h.send(bob, "JOIN #keep door");
  EXPECT_EQ(flags(bob, "#keep"), kVoice);
  EXPECT_EQ(flags(alice, "#keep"), kOp);
  h.send(bob, "MODE #keep b");
  EXPECT_TRUE(h.has_line(bob, " 367 bob #Keep bad!*@* alice 1700000200"));
}

TEST_F(ChanServ, AccessIsGivenOnJoinOnlyToLoggedInAccounts) {
  restore();
  SessionId fake = h.register_user("alice2");
  h.send(fake, "NICK alice");  // the nick alone is nobody's account
  h.send(fake, "JOIN #keep door");
  EXPECT_EQ(flags(fake, "#keep"), 0);
}

TEST_F(ChanServ, LoggingInAfterJoiningGivesTheAccountsStatus) {
  restore();
  h.accounts.add_account("dave", "sesame123");
  SessionId dave = h.register_user("dave");
  SessionId carol = h.register_user("carol");
  for (SessionId id : {dave, carol}) h.send(id, "JOIN #keep door");
  EXPECT_EQ(flags(dave, "#keep"), 0);
  h.clear_all();
  h.send(dave, "NS IDENTIFY sesame123");
  EXPECT_EQ(flags(dave, "#keep"), kOp);
  EXPECT_TRUE(h.has_line(carol, ":ChanServ!ChanServ@services.parley.local MODE #Keep +o dave"));
}

TEST_F(ChanServ, OpDeopVoiceDevoiceFollowTheAccessList) {
  restore();
  SessionId alice = logged_in_user(h, "alice");
  SessionId bob = logged_in_user(h, "bob");
  SessionId guest = h.register_user("guest");
  for (SessionId id : {alice, bob, guest}) h.send(id, "JOIN #keep door");
  h.clear_all();
  h.send(guest, "CS OP #keep");
  EXPECT_TRUE(h.has_line(guest, kFrom + "guest :You are not logged in (/msg NickServ IDENTIFY)."));
  h.send(bob, "CS OP #keep");
  EXPECT_TRUE(h.has_line(bob, kFrom + "bob :You need +o access in #Keep for that."));
  h.send(bob, "CS DEOP #keep alice");
  EXPECT_TRUE(h.has_line(bob, kFrom + "bob :You need +o access in #Keep for that."));
  h.send(bob, "CS DEVOICE #keep");  // dropping one's own status is always allowed
  EXPECT_EQ(flags(bob, "#keep"), 0);
  h.send(bob, "CS VOICE #keep");  // +v access: may voice itself
  EXPECT_EQ(flags(bob, "#keep"), kVoice);
  h.send(alice, "CS OP #keep bob");
  EXPECT_TRUE(h.has_line(guest, ":ChanServ!ChanServ@services.parley.local MODE #Keep +o bob"));
  h.send(alice, "CS DEOP #keep bob");
  EXPECT_EQ(flags(bob, "#keep"), kVoice);
  h.send(alice, "CS VOICE #keep guest");
  EXPECT_EQ(flags(guest, "#keep"), kVoice);
  h.send(alice, "CS VOICE #keep guest");
  EXPECT_TRUE(h.has_line(alice, kFrom + "alice :guest already has +v in #Keep."));
  h.send(alice, "CS OP #keep nobody");
  EXPECT_TRUE(h.has_line(alice, kFrom + "alice :No such nick nobody."));
  SessionId outside = h.register_user("outside");
  h.send(alice, "CS OP #keep outside");
  EXPECT_TRUE(h.has_line(alice, kFrom + "alice :outside is not on #Keep."));
  (void)outside;
}

TEST_F(ChanServ, AmodeListsAndChangesTheAccessList) {
  restore();
  SessionId alice = logged_in_user(h, "alice");
  h.send(alice, "CS AMODE #keep");
  EXPECT_THAT(h.take(alice),
              ::testing::ElementsAre(kFrom + "alice :Access list of #Keep: founder alice (+o)",
                                     kFrom + "alice :bob +v, set by alice on 2023-11-14T22:20:00.000Z",
                                     kFrom + "alice :dave +o, set by alice on 2023-11-14T22:21:40.000Z",
                                     kFrom + "alice :End of the access list of #Keep (2 entries)."));
  h.accounts.add_account("Carol", "sesame123");
  SessionId carol = logged_in_user(h, "carol");
  h.send(carol, "JOIN #keep door");
  h.send(alice, "CS AMODE #keep +v CAROL");
  EXPECT_TRUE(h.has_line(alice, kFrom + "alice :Carol now gets +v in #Keep."));
  EXPECT_EQ(flags(carol, "#keep"), kVoice);  // a member logged in to it gets it at once
  auto access = stored()[0].access;
  ASSERT_EQ(access.size(), 3u);
  EXPECT_EQ(access[1].account_folded, "carol");
  EXPECT_EQ(access[1].setter, "alice");
  h.send(alice, "CS AMODE #keep +o nobody");
  EXPECT_TRUE(h.has_line(alice, kFrom + "alice :No such account nobody."));
  h.send(alice, "CS AMODE #keep +o alice");
  EXPECT_TRUE(h.has_line(alice, kFrom + "alice :alice is the founder of #Keep, who always has +o."));
  h.send(alice, "CS AMODE #keep -o bob");
  EXPECT_TRUE(h.has_line(alice, kFrom + "alice :bob does not have +o access."));
  h.send(alice, "CS AMODE #keep -v bob");
  EXPECT_TRUE(h.has_line(alice, kFrom + "alice :bob no longer gets +v in #Keep."));
  EXPECT_EQ(stored()[0].access.size(), 2u);
  h.send(alice, "CS AMODE #keep *v bob");
  EXPECT_TRUE(h.has_line(alice, kFrom + "alice :Usage: AMODE <#channel> [+o|+v|-o|-v <account>]"));
}

TEST_F(ChanServ, AmodeRightsFounderAllOpsVoiceOnlyOthersNothing) {
  restore();
  h.accounts.add_account("erin", "sesame123");
  SessionId dave = logged_in_user(h, "dave");  // +o access
  SessionId bob = logged_in_user(h, "bob");    // +v access
  SessionId guest = h.register_user("guest");
  h.send(guest, "CS AMODE #keep");
  EXPECT_TRUE(h.has_line(guest, kFrom + "guest :You are not logged in (/msg NickServ IDENTIFY)."));
  h.send(bob, "CS AMODE #keep +v erin");
  EXPECT_TRUE(h.has_line(bob, kFrom + "bob :You need +o access in #Keep for that."));
  h.send(dave, "CS AMODE #keep +o erin");
  EXPECT_TRUE(h.has_line(dave, kFrom + "dave :You need to be founder in #Keep for that."));
  h.send(dave, "CS AMODE #keep +v erin");
  EXPECT_TRUE(h.has_line(dave, kFrom + "dave :erin now gets +v in #Keep."));
  h.send(dave, "CS AMODE #keep -v bob");
  EXPECT_TRUE(h.has_line(dave, kFrom + "dave :bob no longer gets +v in #Keep."));
  h.send(dave, "CS AMODE #keep -o dave");
  EXPECT_TRUE(h.has_line(dave, kFrom + "dave :You need to be founder in #Keep for that."));
}

TEST_F(ChanServ, TransferIsForTheFounderAndMovesTheChannel) {
  restore();
  SessionId alice = logged_in_user(h, "alice");
  SessionId dave = logged_in_user(h, "dave");
  h.send(dave, "CS TRANSFER #keep dave");
  EXPECT_TRUE(h.has_line(dave, kFrom + "dave :You need to be founder in #Keep for that."));
  h.send(alice, "CS TRANSFER #keep nobody");
  EXPECT_TRUE(h.has_line(alice, kFrom + "alice :No such account nobody."));
  h.send(alice, "CS TRANSFER #keep DAVE");
  EXPECT_TRUE(h.has_line(alice, kFrom + "alice :#Keep now belongs to dave."));
  EXPECT_EQ(stored()[0].founder, "dave");
  ASSERT_EQ(stored()[0].access.size(), 1u);  // the new founder's own entry is gone
  EXPECT_EQ(stored()[0].access[0].account_folded, "bob");
  h.send(alice, "CS DROP #keep");
  EXPECT_TRUE(h.has_line(alice, kFrom + "alice :You need to be founder in #Keep for that."));
}

TEST_F(ChanServ, DropUnregistersAndAnEmptyChannelGoes) {
  restore();
  SessionId alice = logged_in_user(h, "alice");
  h.send(alice, "CS DROP #keep");
  EXPECT_TRUE(h.has_line(alice, kFrom + "alice :#Keep is no longer registered."));
  EXPECT_TRUE(stored().empty());
  EXPECT_EQ(h.engine().find_channel("#keep"), nullptr);
  h.send(alice, "CS INFO #keep");
  EXPECT_TRUE(h.has_line(alice, kFrom + "alice :#keep is not registered."));
}

TEST_F(ChanServ, DropByAnOperatorAndAFailedDropKeepsTheRegistration) {
  h.config.operators.push_back(OperatorBlock{"root", FakeAccountBackend::hash("hunter2"), "*@*"});
  restore();
  SessionId oper = logged_in_user(h, "zed");
  h.send(oper, "CS DROP #keep");
  EXPECT_TRUE(h.has_line(oper, kFrom + "zed :You need to be founder in #Keep for that."));
  h.send(oper, "OPER root hunter2");
  h.history.fail_all = true;
  h.send(oper, "CS DROP #keep");
  EXPECT_TRUE(h.has_line(oper, kFrom + "zed :Channel registration is unavailable; try again later."));
  ASSERT_NE(h.engine().find_channel("#keep"), nullptr);
  EXPECT_EQ(h.engine().find_channel("#keep")->topic, "Kept topic");
  h.history.fail_all = false;
  h.send(oper, "CS DROP #keep");
  EXPECT_TRUE(h.has_line(oper, kFrom + "zed :#Keep is no longer registered."));
  EXPECT_TRUE(stored().empty());
}

TEST_F(ChanServ, RegisteredChannelCannotBeRenamed) {
  SessionId alice = founded();
  h.send(alice, "RENAME #c #d");
  EXPECT_TRUE(h.has_line(alice, "FAIL RENAME CANNOT_RENAME #c #d :A registered channel keeps its name"));
}

TEST_F(ChanServ, CaptureAndRestoreRoundTrip) {
  Channel c("#r", "#r", TimePoint(std::chrono::seconds(1600000000)));
  RegisteredChannel r = record();
  r.name = "#r";
  r.name_folded = "#r";
  restore_channel_state(c, r);
  EXPECT_EQ(c.mode_string(true), "+klnt door 5");
  EXPECT_EQ(c.excepts.size(), 1u);
  EXPECT_EQ(capture_channel(c, r), r);
  r.modes = "+Hklnt 10:1d door 5";  // +H's value comes first, as mode_string writes it
  restore_channel_state(c, r);
  EXPECT_EQ(c.mode_string(true), "+Hklnt 10:1d door 5");
  EXPECT_EQ(c.history_lines, 10u);
  EXPECT_EQ(capture_channel(c, r), r);
  r.modes = "+Zzl x";  // unknown letters and a bad limit are skipped
  restore_channel_state(c, r);
  EXPECT_EQ(c.mode_string(true), "+");
}

}  // namespace
}  // namespace parley::core::test
