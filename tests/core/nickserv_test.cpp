// NickServ (src/core/commands/nickserv.cpp) and the account name in WHOIS, WHOX, extended-join
// and account-tag.
#include <gtest/gtest.h>

#include "harness.h"

namespace parley::core::test {
namespace {

const char* kFrom = ":NickServ!NickServ@services.parley.local NOTICE ";

class NickServ : public ::testing::Test {
 protected:
  NickServ() {
    h.config.cloaks.account_hosts = false;
    h.accounts.add_account("jilles", "sesame123");
  }
  // Registers `nick` and logs it in to `account` with IDENTIFY.
  SessionId logged_in(const std::string& nick, const std::string& account = "jilles",
                      const std::vector<std::string>& caps = {}) {
    SessionId id = h.register_user(nick, caps);
    h.send(id, "PRIVMSG NickServ :IDENTIFY " + account + " sesame123");
    EXPECT_EQ(h.user(id)->account(), account) << h.dump(id);
    h.clear_all();
    return id;
  }
  EngineHarness h;
};

TEST_F(NickServ, RegisterAndIdentifyThroughAllThreeDoors) {
  SessionId a = h.register_user("newbie");
  h.send(a, "PRIVMSG NickServ :REGISTER hunter2hunter2");
  EXPECT_TRUE(h.has_line(a, std::string(kFrom) + "newbie :Account newbie registered; you are logged in."));
  EXPECT_EQ(h.user(a)->account(), "newbie");

  SessionId b = h.register_user("other");
  h.send(b, "NICKSERV IDENTIFY newbie hunter2hunter2");
  EXPECT_EQ(h.user(b)->account(), "newbie");
  SessionId c = h.register_user("third");
  h.send(c, "NS identify jilles sesame123");
  EXPECT_EQ(h.user(c)->account(), "jilles");
  EXPECT_TRUE(h.has_line(c, " 900 third third!~third@127.0.0.1 jilles "));
}

TEST_F(NickServ, IdentifyWithNickAsAccount) {
  SessionId id = h.register_user("jilles");
  h.send(id, "NS IDENTIFY sesame123");
  EXPECT_EQ(h.user(id)->account(), "jilles");
}

TEST_F(NickServ, WrongPassword) {
  SessionId id = h.register_user("x");
  h.send(id, "NS IDENTIFY jilles nope");
  EXPECT_TRUE(h.has_line(id, std::string(kFrom) + "x :Invalid account or password."));
  EXPECT_EQ(h.user(id)->account(), "");
}

TEST_F(NickServ, NickIsReservedAndWhoisAnswers) {
  SessionId id = h.register_user("x");
  h.send(id, "NICK nickserv");
  EXPECT_TRUE(h.has_line(id, " 432 x nickserv :Nickname is reserved by a service"));
  h.clear(id);
  h.send(id, "WHOIS NickServ");
  EXPECT_TRUE(h.has_line(id, " 311 x NickServ NickServ services.parley.local * :Account service"));
  EXPECT_TRUE(h.has_line(id, " 318 x NickServ "));
}

TEST_F(NickServ, InfoShowsOwnDetailsOnlyToTheOwner) {
  SessionId owner = logged_in("jil");
  h.send(owner, "NS INFO");
  EXPECT_TRUE(h.has_line(owner, "Account jilles: registered"));
  EXPECT_TRUE(h.has_line(owner, "E-mail:"));
  EXPECT_TRUE(h.has_line(owner, "Logged in now as: jil"));
  SessionId other = h.register_user("other");
  h.send(other, "NS INFO jilles");
  EXPECT_TRUE(h.has_line(other, "Account jilles: registered"));
  EXPECT_FALSE(h.has_line(other, "E-mail:"));
  h.send(other, "NS INFO nobody");
  EXPECT_TRUE(h.has_line(other, "No such account."));
}

TEST_F(NickServ, PasswdChangesThePassword) {
  SessionId id = logged_in("jil");
  h.send(id, "NS PASSWD newpassword1");
  EXPECT_TRUE(h.has_line(id, "Password changed."));
  EXPECT_EQ(h.accounts.find("jilles")->password, "newpassword1");
  h.send(id, "NS SET PASSWORD short");
  EXPECT_TRUE(h.has_line(id, "Passwords are 8 to 300 bytes."));
}

TEST_F(NickServ, CommandsThatNeedALogin) {
  SessionId id = h.register_user("x");
  int before = h.accounts.submitted;
  for (std::string cmd : {"DROP", "PASSWD abcdefghij", "CERT LIST", "SET ENFORCE OFF", "GHOST y"}) {
    h.clear(id);
    h.send(id, "NS " + cmd);
    EXPECT_TRUE(h.has_line(id, "You are not logged in.")) << cmd;
  }
  EXPECT_EQ(h.accounts.submitted, before);
}

TEST_F(NickServ, CertAddListDel) {
  SessionId id = logged_in("jil");
  std::string fp(64, 'c');
  h.send(id, "NS CERT ADD " + fp);
  EXPECT_TRUE(h.has_line(id, "Certificate " + fp + " added."));
  h.send(id, "NS CERT LIST");
  EXPECT_TRUE(h.has_line(id, "Certificate: " + fp));
  h.send(id, "NS CERT DEL " + fp);
  EXPECT_TRUE(h.has_line(id, "Certificate " + fp + " removed."));
  EXPECT_TRUE(h.accounts.find("jilles")->info.certfps.empty());
  h.send(id, "NS CERT ADD nothex");
  EXPECT_TRUE(h.has_line(id, "64 hex digits"));
}

TEST_F(NickServ, CertAddWithoutArgumentTakesTheConnectionsCertificate) {
  SessionId id = h.connect();
  h.engine().tls_established(id, std::string(64, 'd'));
  h.send(id, "NICK jil");
  h.send(id, "USER jil 0 * :J");
  h.send(id, "NS IDENTIFY jilles sesame123");
  h.send(id, "NS CERT ADD");
  EXPECT_EQ(h.accounts.find("jilles")->info.certfps, std::vector<std::string>{std::string(64, 'd')});
}

TEST_F(NickServ, SetEnforce) {
  SessionId id = logged_in("jil");
  h.send(id, "NS SET ENFORCE off");
  EXPECT_TRUE(h.has_line(id, "Nick protection is now off."));
  EXPECT_FALSE(h.accounts.find("jilles")->info.enforce);
}

TEST_F(NickServ, DropLogsEveryoneOut) {
  auto a = logged_in("jil", "jilles", {"account-notify"});
  auto b = logged_in("jil2");
  h.send(a, "JOIN #c");
  h.send(b, "JOIN #c");
  h.clear_all();
  h.send(a, "NS DROP");
  EXPECT_TRUE(h.has_line(a, "Account jilles dropped."));
  EXPECT_TRUE(h.has_line(a, " 901 jil "));
  EXPECT_TRUE(h.has_line(a, ":jil2!~jil2@127.0.0.1 ACCOUNT *"));
  EXPECT_EQ(h.user(b)->account(), "");
  EXPECT_FALSE(h.accounts.find("jilles"));
}

TEST_F(NickServ, GhostDisconnectsASessionOnTheAccountsNick) {
  SessionId squatter = h.register_user("jilles");
  SessionId owner = logged_in("jil");
  h.send(owner, "NS GHOST jilles");
  EXPECT_TRUE(h.closed(squatter));
  SessionId stranger = h.register_user("stranger");
  h.send(owner, "NS GHOST stranger");
  EXPECT_FALSE(h.closed(stranger));
}

TEST_F(NickServ, SaverifyIsForOperators) {
  h.config.operators.push_back({"op", FakeAccountBackend::hash("oppass"), "*@*"});
  h.accounts.add_account("waiting", "password1", false);
  SessionId user = h.register_user("u");
  h.send(user, "NS SAVERIFY waiting");
  EXPECT_TRUE(h.has_line(user, "SAVERIFY is for operators."));
  SessionId op = h.register_user("op");
  h.send(op, "OPER op oppass");
  h.send(op, "NS SAVERIFY waiting");
  EXPECT_TRUE(h.has_line(op, "Account waiting verified."));
  EXPECT_TRUE(h.accounts.find("waiting")->info.verified);
}

TEST_F(NickServ, HelpAndUnknown) {
  SessionId id = h.register_user("x");
  h.send(id, "NS");
  EXPECT_TRUE(h.has_line(id, "NickServ commands"));
  h.send(id, "NS FROB");
  EXPECT_TRUE(h.has_line(id, "Unknown command FROB. Try HELP."));
}

TEST_F(NickServ, AccountInWhoisWhoxAndExtendedJoin) {
  SessionId viewer = h.register_user("viewer", {"extended-join", "account-tag"});
  SessionId jil = logged_in("jil");
  h.send(viewer, "JOIN #c");
  h.clear(viewer);
  h.send(jil, "JOIN #c");
  EXPECT_TRUE(h.has_line(viewer, "@account=jilles :jil!~jil@127.0.0.1 JOIN #c jilles :Real jil"));
  h.send(viewer, "WHOIS jil");
  EXPECT_TRUE(h.has_line(viewer, " 330 viewer jil jilles :is logged in as"));
  h.send(viewer, "WHO jil %na");
  EXPECT_TRUE(h.has_line(viewer, " 354 viewer jil jilles"));
  h.send(viewer, "WHO viewer %na");
  EXPECT_TRUE(h.has_line(viewer, " 354 viewer viewer 0"));
}

TEST_F(NickServ, AccountTagOnMessagesOnlyForThoseWhoAskedForIt) {
  SessionId tagged = h.register_user("tagged", {"account-tag"});
  SessionId plain = h.register_user("plain", {"message-tags"});
  SessionId jil = logged_in("jil");
  h.send(jil, "PRIVMSG tagged :hi");
  h.send(jil, "PRIVMSG plain :hi");
  EXPECT_THAT(h.lines(tagged), AreLines("@account=jilles :jil!~jil@127.0.0.1 PRIVMSG tagged :hi"));
  EXPECT_FALSE(h.has_line(plain, "account="));
}

}  // namespace
}  // namespace parley::core::test
