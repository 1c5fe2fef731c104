// ChatClient's /search (src/client/search.cpp): the SEARCH line it sends and how the answer's
// soju.im/search batch is shown. The test plays the server.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "client/chat_client.h"
#include "client/unpaced.h"

namespace parley::client {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

const Clock::time_point kT0 = Clock::from_time_t(1'800'000'000);

class SearchTest : public ::testing::Test {
 protected:
  SearchTest() : client(unpaced(ClientOptions{"irc.test", "alice", "al", "Alice A", "", {}})) {}

  void register_with(std::string_view caps) {
    client.connecting(kT0);
    client.connected(kT0);
    client.receive(":srv CAP * LS :" + std::string(caps), kT0);
    wire = client.take_wire();
    client.receive(":srv CAP alice ACK :" + std::string(caps), kT0);
    client.receive(":srv 001 alice :Welcome alice", kT0);
    client.receive(":srv 005 alice CHANTYPES=# CASEMAPPING=ascii :are supported", kT0);
    client.receive(":alice!al@host JOIN #parley", kT0);
    client.select(client.find("#parley")->id);
    client.take_wire();
    client.take_events();
  }
  std::vector<std::string> lines() {
    std::vector<std::string> out;
    for (const Event& e : client.take_events())
      if (e.kind == Event::Kind::kLine)
        out.push_back(client.find(e.buffer) ? client.find(e.buffer)->name + ": " + format_line(e)
                                            : format_line(e));
    return out;
  }

  ChatClient client;
  std::vector<std::string> wire;
};

TEST_F(SearchTest, BatchAndSearchCapsAreRequestedTogether) {
  register_with("server-time batch soju.im/search");
  EXPECT_THAT(wire, ElementsAre("CAP LS 302\r\n", "NICK alice\r\n", "USER al 0 * :Alice A\r\n",
                                "CAP REQ :server-time batch soju.im/search\r\n"));
}

TEST_F(SearchTest, SearchSendsEscapedAttributesAndShowsTheBatchInTheCurrentWindow) {
  register_with("batch soju.im/search");
  client.input("/search hello there in:#other from:bob", kT0);
  EXPECT_THAT(client.take_wire(), ElementsAre("SEARCH :in=#other;from=bob;text=hello\\sthere\r\n"));
  EXPECT_THAT(lines(), ElementsAre("#parley: -- Searching: hello there in:#other from:bob"));
  client.receive(":srv BATCH +s1 soju.im/search", kT0);
  client.receive("@batch=s1;time=2026-01-04T14:33:26.123Z;msgid=a :bob!b@h PRIVMSG #other :hello there", kT0);
  client.receive(
      "@batch=s1;msgid=b :bob!b@h PRIVMSG #other :\x01"
      "ACTION says hello there\x01",
      kT0);
  client.receive(":srv BATCH -s1", kT0);
  EXPECT_THAT(lines(), ElementsAre("#parley: -- [#other] <bob> hello there",
                                   "#parley: -- [#other] <bob> * bob says hello there",
                                   "#parley: -- Search: 2 messages found"));
  EXPECT_EQ(client.find("#other"), nullptr);  // results are not new messages: no window opened
  client.receive(":bob!b@h PRIVMSG #parley :live again", kT0);  // after the batch: a live message
  EXPECT_THAT(lines(), ElementsAre("#parley: <bob> live again"));
}

TEST_F(SearchTest, NothingFoundAndFailuresAreShown) {
  register_with("batch soju.im/search");
  client.input("/search nothing", kT0);
  EXPECT_THAT(client.take_wire(), ElementsAre("SEARCH :text=nothing\r\n"));
  client.receive(":srv BATCH +7 soju.im/search", kT0);
  client.receive(":srv BATCH -7", kT0);
  client.input("/search x in:#secret", kT0);
  client.receive(":srv FAIL SEARCH INVALID_PARAMS in :Messages could not be retrieved", kT0);
  EXPECT_THAT(lines(), ElementsAre("#parley: -- Searching: nothing", "#parley: -- Search: nothing found",
                                   "#parley: -- Searching: x in:#secret",
                                   "#parley: !! Search failed: Messages could not be retrieved"));
}

TEST_F(SearchTest, WithoutTheCapabilityNothingIsSent) {
  register_with("server-time");
  client.input("/search hello", kT0);
  EXPECT_THAT(client.take_wire(), IsEmpty());
  EXPECT_THAT(lines(), ElementsAre("#parley: !! This server does not offer message search (soju.im/search)"));
  client.input("/search", kT0);
  EXPECT_THAT(lines(), ElementsAre("#parley: !! Usage: /search words [in:#channel|nick] [from:nick]"));
}

}  // namespace
}  // namespace parley::client
