// Tests for link::Network::reconfigure (src/link/network.cpp): a configuration reload replaces the
// [[link]] blocks; a link whose block is gone is split with a clear reason, the others stay.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "link/mesh.h"

namespace parley::link::test {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(Reconfigure, ALinkWhoseBlockIsRemovedIsSplitAndTheOthersStay) {
  Mesh m;
  Node& a = m.add("a.test", "1AA");
  Node& b = m.add("b.test", "2BB");
  Node& c = m.add("c.test", "3CC");
  SessionId alice = a.h.register_user("alice");
  b.h.register_user("bob");
  c.h.register_user("carol");
  m.link(a, b);
  m.link(a, c);
  ASSERT_TRUE(a.engine().find_nick("bob"));
  ASSERT_TRUE(a.engine().find_nick("carol"));
  a.h.clear_all();

  NetworkConfig next = a.network().config();
  std::erase_if(next.links, [](const LinkBlock& l) { return l.name == "b.test"; });
  std::vector<std::string> closed;
  a.engine().apply(a.h.now(), [&] { closed = a.network().reconfigure(next, "block removed by a reload"); });
  m.pump();
  EXPECT_THAT(closed, ElementsAre("b.test"));
  EXPECT_THAT(m.closed_reasons, Contains(HasSubstr("block removed by a reload")));
  EXPECT_FALSE(a.engine().find_nick("bob"));
  EXPECT_TRUE(a.engine().find_nick("carol"));
  EXPECT_FALSE(c.engine().find_nick("bob"));  // the SQUIT travelled on
  EXPECT_TRUE(c.engine().find_nick("alice"));
  EXPECT_TRUE(a.network().linked_to("c.test"));
  EXPECT_FALSE(a.network().configured("b.test"));
  EXPECT_FALSE(a.h.closed(alice));
}

TEST(Reconfigure, UnchangedBlocksCloseNothing) {
  Mesh m;
  Node& a = m.add("a.test", "1AA");
  Node& b = m.add("b.test", "2BB");
  m.link(a, b);
  std::vector<std::string> closed;
  NetworkConfig same = a.network().config();
  a.engine().apply(a.h.now(), [&] { closed = a.network().reconfigure(same, "unused"); });
  m.pump();
  EXPECT_THAT(closed, IsEmpty());
  EXPECT_THAT(m.closed_reasons, IsEmpty());
  EXPECT_TRUE(a.network().linked_to("b.test"));
}

}  // namespace
}  // namespace parley::link::test
