// SimpleGateway over a real Engine, without sockets: simple sessions' engine output goes through
// the gateway, IRC sessions' output is recorded as lines, frames are decoded back to texts.
#include "server/simple_gateway.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "proto/irc_message.h"
#include "proto/simple_frame.h"

namespace parley::server {
namespace {

using core::SessionId;
using Texts = std::vector<std::string>;

// Nobody here sets a password or logs in; the only slow work is nick protection's lookup of each
// new nick (kFind), which is left unanswered: no nick is registered, so nothing would follow.
class NoAccounts : public core::AccountBackend {
 public:
  void submit(core::RequestId, core::AccountRequest r) override {
    EXPECT_EQ(r.kind, core::AccountRequest::Kind::kFind) << "unexpected account request";
  }
};

// History requests (appends of channel messages) are never answered: the gateway's tests are
// about what reaches the simple clients, which does not wait for storage.
class UnansweredHistory : public core::HistoryBackend {
 public:
  void submit(core::RequestId, core::HistoryRequest) override {}
  core::HistoryStats stats() const override { return {}; }
};

class Harness : public core::ReplySink, public SimpleFrameSink {
 public:
  Harness() = default;

  SessionId simple(std::string_view name) {
    const SessionId id = next_++;
    simple_.insert(id);
    gateway.open(id);
    engine.connect(id, core::ConnectionInfo{"127.0.0.1", 1000, true, false}, now);
    gateway.receive(id, name, now);
    return id;
  }
  SessionId irc(std::string_view nick) {
    const SessionId id = next_++;
    engine.connect(id, core::ConnectionInfo{"127.0.0.1", 1000, true, false}, now);
    engine.receive(id, "NICK " + std::string(nick), now);
    engine.receive(id, "USER u 0 * :real", now);
    lines_[id].clear();
    return id;
  }
  void say(SessionId id, std::string_view text) { gateway.receive(id, text, now); }
  void irc_says(SessionId id, std::string_view line) { engine.receive(id, line, now); }
  void drop(SessionId id) {
    engine.disconnect(id, "Connection closed", now);
    gateway.close(id);
  }
  Texts texts(SessionId id) { return std::exchange(texts_[id], {}); }
  std::vector<std::string> lines(SessionId id) { return std::exchange(lines_[id], {}); }
  bool closed(SessionId id) const { return closed_.contains(id); }
  std::size_t raw_bytes(SessionId id) { return std::exchange(raw_bytes_[id], 0); }

  // core::ReplySink
  void send(SessionId to, const core::SharedLine& line) override {
    EXPECT_FALSE(closed_.contains(to));
    if (simple_.contains(to)) {
      gateway.deliver(to, *line);
      return;
    }
    std::string_view rest = *line;
    while (!rest.empty()) {
      auto end = rest.find("\r\n");
      lines_[to].emplace_back(rest.substr(0, end));
      rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 2);
    }
  }
  void close(SessionId who, std::string_view) override {
    closed_.insert(who);
    gateway.close(who);
  }
  // SimpleFrameSink
  void send_frames(SessionId to, const core::SharedLine& frames) override {
    EXPECT_TRUE(simple_.contains(to));
    EXPECT_EQ(frames->size() % proto::simple::kFrameBytes, 0u);
    raw_bytes_[to] += frames->size();
    proto::simple::FrameDecoder d;
    d.feed(*frames, [&](std::string_view t) {
      texts_[to].emplace_back(t);
      return true;
    });
  }

  core::TimePoint now = core::TimePoint{} + std::chrono::hours(24 * 365 * 50);
  NoAccounts accounts;
  UnansweredHistory history;
  static core::EngineConfig config() {
    core::EngineConfig c;
    c.cloaks.enabled = false;  // hosts are the address, as the expectations below spell them
    return c;
  }
  core::Engine engine{config(), *this, accounts, history};
  SimpleGateway gateway{engine, *this};

 private:
  SessionId next_ = 1;
  std::set<SessionId> simple_, closed_;
  std::map<SessionId, Texts> texts_;
  std::map<SessionId, std::vector<std::string>> lines_;
  std::map<SessionId, std::size_t> raw_bytes_;
};

TEST(SimpleGateway, TheSeedsTwoClientScenario) {
  Harness h;
  SessionId panda = h.simple("Panda");
  EXPECT_EQ(h.texts(panda), Texts{}) << "registration is silent";
  h.say(panda, "Hello world!");
  EXPECT_EQ(h.texts(panda),
            Texts{"Not currently in any channel. Must join a channel before sending messages."});
  h.raw_bytes(panda);
  h.say(panda, "/list");
  EXPECT_EQ(h.texts(panda), Texts{});
  EXPECT_EQ(h.raw_bytes(panda), 0u) << "/list with no channels sends nothing at all";
  h.say(panda, "/create 168_tas");
  h.say(panda, "/list");
  EXPECT_EQ(h.texts(panda), Texts{"168_tas"});
  h.say(panda, "Hello world!");
  EXPECT_EQ(h.texts(panda), Texts{});

  SessionId alice = h.simple("Alice");
  h.say(alice, "/list");
  EXPECT_EQ(h.texts(alice), Texts{"168_tas"});
  h.say(alice, "/join 168_tas");
  EXPECT_EQ(h.texts(alice), Texts{}) << "the joiner is not told";
  EXPECT_EQ(h.texts(panda), Texts{"Alice has joined"});
  h.say(alice, "Hi everyone! Does anyone know what we're doing on the first day of lecture?");
  EXPECT_EQ(h.texts(panda),
            Texts{"[Alice] Hi everyone! Does anyone know what we're doing on the first day of lecture?"});
  EXPECT_EQ(h.texts(alice), Texts{}) << "never back to the sender";
  h.drop(panda);
  EXPECT_EQ(h.texts(alice), Texts{"Panda has left"});
}

TEST(SimpleGateway, EveryErrorStringIsTheSeeds) {
  Harness h;
  SessionId a = h.simple("A");
  h.say(a, "/joir x");
  h.say(a, "/join");
  h.say(a, "/join   ");
  h.say(a, "/create");
  h.say(a, "/join nowhere");
  h.say(a, "/create room");
  h.say(a, "/create room");
  EXPECT_EQ(h.texts(a),
            (Texts{
                "/joir is not a valid control message. Valid messages are /create, /list, and /join.",
                "/join command must be followed by the name of a channel to join.",
                "/join command must be followed by the name of a channel to join.",
                "/create command must be followed by the name of a channel to create",
                "No channel named nowhere exists. Try '/create nowhere'?",
                "Room room already exists, so cannot be created.",
            }));
}

TEST(SimpleGateway, AFailedCommandChangesNothing) {
  Harness h;
  SessionId a = h.simple("A");
  SessionId b = h.simple("B");
  h.say(a, "/create aa");
  h.say(b, "/join aa");
  h.texts(a);
  h.say(a, "/join missing");
  h.say(a, "/create aa");
  h.texts(a);
  h.say(a, "still here");
  EXPECT_EQ(h.texts(b), Texts{"[A] still here"});
}

TEST(SimpleGateway, JoiningLeavesTheCurrentChannelFirst) {
  Harness h;
  SessionId a = h.simple("A"), b = h.simple("B"), c = h.simple("C");
  h.say(a, "/create one");
  h.say(b, "/join one");
  h.say(c, "/create two");
  h.texts(a);
  h.say(a, "/join two");
  EXPECT_EQ(h.texts(b), Texts{"A has left"});
  EXPECT_EQ(h.texts(c), Texts{"A has joined"});
  h.say(a, "hi");
  EXPECT_EQ(h.texts(b), Texts{}) << "never to other channels";
  EXPECT_EQ(h.texts(c), Texts{"[A] hi"});
  h.say(a, "/join two");  // already there: nothing happens
  EXPECT_EQ(h.texts(c), Texts{});
  h.say(a, "/create three");
  EXPECT_EQ(h.texts(c), Texts{"A has left"});
}

TEST(SimpleGateway, ListIsSortedOneNamePerLine) {
  Harness h;
  SessionId a = h.simple("A"), b = h.simple("B"), c = h.simple("C");
  h.say(a, "/create beta");
  h.say(b, "/create alpha");
  h.say(c, "/create Gamma");
  h.say(a, "/list");
  EXPECT_EQ(h.texts(a), Texts{"Gamma\nalpha\nbeta"});
  h.drop(b);
  h.say(a, "/list");
  EXPECT_EQ(h.texts(a), Texts{"Gamma\nbeta"}) << "an empty channel disappears";
}

TEST(SimpleGateway, TheChannelNameIsTheFirstWord) {
  Harness h;
  SessionId a = h.simple("A");
  h.say(a, "/create 168 tas");
  h.say(a, "/list");
  EXPECT_EQ(h.texts(a), Texts{"168"});
}

TEST(SimpleGateway, BridgesBothWaysWithIrcUsers) {
  Harness h;
  SessionId s = h.simple("Alice");
  h.say(s, "/create x");
  SessionId bob = h.irc("bob");
  h.irc_says(bob, "JOIN #x");
  EXPECT_EQ(h.texts(s), Texts{"bob has joined"});
  auto names = h.lines(bob);
  EXPECT_TRUE(std::any_of(names.begin(), names.end(), [](const std::string& l) {
    return l.find(" 353 ") != std::string::npos && l.find("@Alice") != std::string::npos;
  }));
  h.irc_says(bob, "PRIVMSG #x :hello simple world");
  EXPECT_EQ(h.texts(s), Texts{"[bob] hello simple world"});
  h.say(s, "hello irc");
  EXPECT_EQ(h.lines(bob), std::vector<std::string>{":Alice!~simple@127.0.0.1 PRIVMSG #x :hello irc"});
  h.irc_says(bob,
             "PRIVMSG #x :\x01"
             "ACTION waves\x01");
  EXPECT_EQ(h.texts(s), Texts{"* bob waves"});
  h.irc_says(bob, "PART #x :bye");
  EXPECT_EQ(h.texts(s), Texts{"bob has left"});
  h.irc_says(bob, "JOIN #x");
  h.texts(s);
  h.irc_says(bob, "QUIT :gone");
  EXPECT_EQ(h.texts(s), Texts{"bob has left"});

  SessionId carol = h.irc("carol");
  h.irc_says(carol, "JOIN #x");
  h.lines(carol);
  SessionId s2 = h.simple("Dave");
  h.say(s2, "/join x");
  EXPECT_EQ(h.lines(carol), std::vector<std::string>{":Dave!~simple@127.0.0.1 JOIN #x"});
  h.drop(s2);
  EXPECT_EQ(h.lines(carol), std::vector<std::string>{":Dave!~simple@127.0.0.1 QUIT :Connection closed"});
}

TEST(SimpleGateway, AnIrcChannelIsVisibleAndJoinable) {
  Harness h;
  SessionId bob = h.irc("bob");
  h.irc_says(bob, "JOIN #irc-side");
  h.irc_says(bob, "JOIN &local");
  SessionId s = h.simple("S");
  h.say(s, "/list");
  EXPECT_EQ(h.texts(s), Texts{"irc-side"});
  h.say(s, "/join irc-side");
  h.irc_says(bob, "PRIVMSG #irc-side :yo");
  EXPECT_EQ(h.texts(s), Texts{"[bob] yo"});
}

TEST(SimpleGateway, NamesThatAreNotValidOrFreeNicksStillWork) {
  Harness h;
  SessionId bob = h.irc("Alice");
  EXPECT_EQ(h.gateway.derive_nick("Alice"), "Alice1");
  EXPECT_EQ(h.gateway.derive_nick("Panda Bear"), "Panda_Bear");
  EXPECT_EQ(h.gateway.derive_nick("168"), "_168");
  EXPECT_EQ(h.gateway.derive_nick(""), "simple");
  EXPECT_EQ(h.gateway.derive_nick("Zoë"), "Zo__");
  EXPECT_EQ(h.gateway.derive_nick(std::string(40, 'n')), std::string(30, 'n'));

  SessionId a = h.simple("Alice");
  SessionId b = h.simple("Panda Bear");
  EXPECT_EQ(h.gateway.nick_of(a), "Alice1");
  h.say(a, "/create room");
  h.say(b, "/join room");
  EXPECT_EQ(h.texts(a), Texts{"Panda Bear has joined"}) << "simple users see simple names";
  h.irc_says(bob, "JOIN #room");
  h.lines(bob);
  EXPECT_EQ(h.texts(a), Texts{"Alice has joined"}) << "the IRC Alice, by her nick";
  h.say(b, "hi");
  EXPECT_EQ(h.texts(a), Texts{"[Panda Bear] hi"});
  EXPECT_EQ(h.lines(bob), std::vector<std::string>{":Panda_Bear!~simple@127.0.0.1 PRIVMSG #room :hi"});
  h.irc_says(bob, "PRIVMSG #room :I am the IRC Alice");
  EXPECT_EQ(h.texts(a), Texts{"[Alice] I am the IRC Alice"});
  h.irc_says(bob, "WHOIS Panda_Bear");
  auto whois = h.lines(bob);
  EXPECT_TRUE(std::any_of(whois.begin(), whois.end(), [](const std::string& l) {
    return l.find(" 311 ") != std::string::npos && l.ends_with(":Panda Bear");
  })) << "the realname carries the simple name";
}

TEST(SimpleGateway, LongIrcMessagesAreSplitPerFrameWithThePrefix) {
  Harness h;
  SessionId s = h.simple("S");
  h.say(s, "/create x");
  SessionId bob = h.irc("bob");
  h.irc_says(bob, "JOIN #x");
  h.texts(s);
  std::string text;
  for (int i = 0; i < 100; ++i) text += "\xC3\xA9";  // 200 bytes of two-byte characters
  text += std::string(150, 'q');
  h.irc_says(bob, "PRIVMSG #x :" + text);
  auto got = h.texts(s);
  ASSERT_EQ(got.size(), 2u);
  std::string joined;
  for (const auto& t : got) {
    ASSERT_TRUE(t.starts_with("[bob] "));
    joined += t.substr(6);
  }
  EXPECT_EQ(joined, text);
}

TEST(SimpleGateway, ARefusedJoinLeavesTheUserWhereItWas) {
  Harness h;
  SessionId op = h.irc("op");
  h.irc_says(op, "JOIN #locked");
  h.irc_says(op, "MODE #locked +k secret");
  SessionId s = h.simple("S"), t = h.simple("T");
  h.say(s, "/create home");
  h.say(t, "/join home");
  h.texts(s);
  h.say(s, "/join locked");
  EXPECT_EQ(h.texts(s), Texts{"Cannot join locked (+k)"});
  EXPECT_EQ(h.texts(t), Texts{});
  h.say(s, "still home");
  EXPECT_EQ(h.texts(t), Texts{"[S] still home"});
}

TEST(SimpleGateway, BeingKickedIsShown) {
  Harness h;
  SessionId op = h.irc("op");
  h.irc_says(op, "JOIN #x");
  SessionId s = h.simple("S"), t = h.simple("T");
  h.say(s, "/join x");
  h.say(t, "/join x");
  h.texts(s);
  h.irc_says(op, "KICK #x T_ :out");
  h.irc_says(op, "KICK #x " + h.gateway.nick_of(t) + " :out");
  EXPECT_EQ(h.texts(s), Texts{"T has left"});
  EXPECT_EQ(h.texts(t), Texts{"You were removed from x by op"});
  h.say(t, "hello?");
  EXPECT_EQ(h.texts(t), Texts{"Not currently in any channel. Must join a channel before sending messages."});
}

TEST(SimpleGateway, TheGatewayAnswersPingsForSimpleUsers) {
  Harness h;
  SessionId s = h.simple("S");
  SessionId i = h.irc("quiet");
  const auto& t = h.engine.config().timeouts;
  h.now += t.ping_interval;
  h.engine.tick(h.now);
  h.gateway.answer_pings(h.now);
  h.now += t.ping_timeout;
  h.engine.tick(h.now);
  h.gateway.answer_pings(h.now);
  EXPECT_FALSE(h.closed(s));
  EXPECT_TRUE(h.closed(i)) << "an IRC user that does not answer is dropped";
  EXPECT_EQ(h.texts(s), Texts{});
}

TEST(SimpleGateway, MultiLineTextBecomesOneMessagePerLine) {
  Harness h;
  SessionId a = h.simple("A"), b = h.simple("B");
  h.say(a, "/create x");
  h.say(b, "/join x");
  h.texts(a);
  h.say(a, "one\r\ntwo\n\nthree");
  EXPECT_EQ(h.texts(b), (Texts{"[A] one", "[A] two", "[A] three"}));
}

TEST(SimpleGateway, ChannelNamesIrcCannotCarryAreRefusedClearly) {
  Harness h;
  SessionId a = h.simple("A");
  h.say(a, "/create a,b");
  auto got = h.texts(a);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0].starts_with("Cannot create a,b: "));
  h.say(a, "/join a,b");
  EXPECT_EQ(h.texts(a), Texts{"No channel named a,b exists. Try '/create a,b'?"});
}

TEST(SimpleGateway, TextThatIsNotUtf8IsRefusedWithTheReason) {
  Harness h;
  SessionId a = h.simple("A"), b = h.simple("B");
  h.say(a, "/create x");
  h.say(b, "/join x");
  h.texts(a);
  h.say(a, "caf\xe9");
  EXPECT_EQ(h.texts(a), Texts{"Message rejected, your IRC software MUST use UTF-8 encoding on this network"});
  EXPECT_EQ(h.texts(b), Texts{});
}

}  // namespace
}  // namespace parley::server
