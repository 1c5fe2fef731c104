// Account requests relayed to the network's account authority (link/account_relay.h).
#include "link/account_relay.h"

#include <gtest/gtest.h>

#include "core/text.h"
#include "link/mesh.h"

namespace parley::link::test {
namespace {

using core::AccountAnswer;
using core::AccountRequest;

TEST(AccountRelayWire, RequestsAndAnswersSurviveAnyBytes) {
  AccountRequest r;
  r.kind = AccountRequest::Kind::kRegister;
  r.account = "Zoë";
  r.account_folded = "zoë";
  r.password = "pass word :with; odd\tbytes";
  r.email = "zoe@example.org";
  r.flag = true;
  r.limit = 3;
  std::string wire = encode_account_request(r);
  EXPECT_EQ(wire.find_first_of(":\r\n"), std::string::npos);
  auto back = decode_account_request(core::split_words(wire));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->kind, r.kind);
  EXPECT_EQ(back->account, r.account);
  EXPECT_EQ(back->password, r.password);
  EXPECT_EQ(back->email, r.email);
  EXPECT_TRUE(back->flag);
  EXPECT_EQ(back->limit, 3u);

  AccountAnswer a;
  a.outcome = AccountAnswer::Outcome::kOk;
  a.account.emplace();
  a.account->name = "Zoë";
  a.account->certfps = {"aa", "bb"};
  a.account->registered_at = 1800000000;
  a.account->scram.salt = std::string("\0\1salt", 6);
  a.account->scram.iterations = 4096;
  a.account->scram.stored_key[0] = 7;
  auto answer = decode_account_answer(core::split_words(encode_account_answer(a)));
  ASSERT_TRUE(answer);
  ASSERT_TRUE(answer->account);
  EXPECT_EQ(answer->account->name, "Zoë");
  EXPECT_EQ(answer->account->certfps, (std::vector<std::string>{"aa", "bb"}));
  EXPECT_EQ(answer->account->scram.salt, a.account->scram.salt);
  EXPECT_EQ(answer->account->scram.iterations, 4096u);
  EXPECT_EQ(answer->account->scram.stored_key[0], 7);
  EXPECT_EQ(answer->account->registered_at, 1800000000);
}

TEST(AccountRelayWire, MalformedFieldsAndConfiguredHashChecksAreRefused) {
  EXPECT_FALSE(decode_account_request(core::split_words("")));
  EXPECT_FALSE(decode_account_request(core::split_words("99 * * * * * 0 0")));
  EXPECT_FALSE(decode_account_request(core::split_words("1 !!notbase64 * * * * 0 0")));
  EXPECT_FALSE(decode_account_request(core::split_words("1 * * * * * 0 0 extra")));
  // kVerifyPassword checks a hash from this server's configuration (PASS, OPER): never relayed.
  AccountRequest v;
  v.kind = AccountRequest::Kind::kVerifyPassword;
  EXPECT_FALSE(decode_account_request(core::split_words(encode_account_request(v))));
  EXPECT_FALSE(decode_account_answer(core::split_words("0 * 1 short")));
}

class Relay : public ::testing::Test {
 protected:
  Mesh m;
  Node& a = m.add("a.test", "1AA");
  Node& b = m.add("b.test", "2BB");
  Node& c = m.add("c.test", "3CC");
  std::vector<std::pair<core::RequestId, AccountAnswer>> answers;  // what c got back
  std::vector<AccountRequest> served;                              // what a was asked

  void SetUp() override {
    a.network().set_account_server([this](AccountRequest r, std::function<void(AccountAnswer)> answer) {
      served.push_back(r);
      AccountAnswer ok;
      ok.outcome = AccountAnswer::Outcome::kOk;
      ok.account.emplace();
      ok.account->name = r.account_folded;
      answer(ok);
    });
    c.network().set_account_answers(
        [this](core::RequestId id, AccountAnswer a) { answers.emplace_back(id, a); });
  }
};

TEST_F(Relay, ARequestCrossesAHubToTheAuthorityAndItsAnswerComesBack) {
  m.link(a, b);
  m.link(c, b);  // c reaches a through b
  AccountRequest r;
  r.kind = AccountRequest::Kind::kLoginPassword;
  r.account_folded = "alice";
  r.password = "secret";
  ASSERT_TRUE(c.network().relay_account_request("a.test", 42, r));
  m.pump();
  ASSERT_EQ(served.size(), 1u);
  EXPECT_EQ(served[0].password, "secret");
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].first, 42u);
  EXPECT_EQ(answers[0].second.outcome, AccountAnswer::Outcome::kOk);
  EXPECT_EQ(answers[0].second.account->name, "alice");
}

TEST_F(Relay, DuringASplitRequestsFailInsteadOfBeingAnsweredWrongly) {
  std::size_t ab = m.link(a, b);
  m.link(c, b);
  AccountRequest r;
  r.kind = AccountRequest::Kind::kFind;
  r.account_folded = "alice";
  // The authority stops answering (its server is slow), then the network splits.
  a.network().set_account_server([](AccountRequest, std::function<void(AccountAnswer)>) {});
  ASSERT_TRUE(c.network().relay_account_request("a.test", 7, r));
  m.pump();
  EXPECT_TRUE(answers.empty());
  m.cut(ab);
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].first, 7u);
  EXPECT_EQ(answers[0].second.outcome, AccountAnswer::Outcome::kFailed);
  // And with the authority gone, nothing is sent at all.
  EXPECT_FALSE(c.network().relay_account_request("a.test", 8, r));
}

TEST_F(Relay, AServerThatIsNotAnAuthoritySaysSo) {
  m.link(b, c);
  AccountRequest r;
  r.kind = AccountRequest::Kind::kFind;
  ASSERT_TRUE(c.network().relay_account_request("b.test", 9, r));
  m.pump();
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].second.outcome, AccountAnswer::Outcome::kFailed);
  EXPECT_EQ(answers[0].second.detail, "b.test is not an account server");
}

}  // namespace
}  // namespace parley::link::test
