// Tests for the pure part of live reload (src/server/reload.cpp): which settings a reload may not
// change, when two listeners are the same one, and what a new configuration changed.
#include "server/reload.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace parley::server {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(FixedSettings, NoneChangedIsNoRefusal) {
  ServerOptions a, b;
  b.engine.motd = {"new"};
  b.engine.limits.nick_length = 9;
  b.sendq_bytes = 4096;
  EXPECT_THAT(fixed_setting_changes(a, b), IsEmpty());
}

TEST(FixedSettings, EachIdentitySettingIsNamed) {
  ServerOptions a, b;
  b.engine.server_name = "other.example";
  b.engine.casemapping = proto::Casemapping::kAscii;
  b.data_dir = "elsewhere";
  b.engine.history.enabled = false;
  EXPECT_THAT(fixed_setting_changes(a, b),
              ElementsAre("server.name cannot change on reload; restart the server to change it",
                          "server.casemapping cannot change on reload; restart the server to change it",
                          "server.data_dir cannot change on reload; restart the server to change it",
                          "history.enabled cannot change on reload; restart the server to change it"));
}

TEST(FixedSettings, TheStorageThreadsPaceIsNamed) {
  ServerOptions a, b;
  b.history.commit_interval = std::chrono::milliseconds(20);
  b.history.max_commit_interval = std::chrono::milliseconds(100);
  EXPECT_THAT(
      fixed_setting_changes(a, b),
      ElementsAre("history.commit_interval cannot change on reload; restart the server to change it",
                  "history.max_commit_interval cannot change on reload; restart the server to change it"));
}

TEST(SameListener, ComparesAddressesAsAddresses) {
  EXPECT_TRUE(same_listener({"::0", 6667, false, Protocol::kIrc}, {"::", 6667, false, Protocol::kIrc}));
  EXPECT_FALSE(same_listener({"::", 6667, false, Protocol::kIrc}, {"::", 6667, true, Protocol::kIrc}));
  EXPECT_FALSE(same_listener({"::", 6667, false, Protocol::kIrc}, {"::", 6667, false, Protocol::kSimple}));
  EXPECT_FALSE(same_listener({"::", 6667, false, Protocol::kIrc}, {"::", 6668, false, Protocol::kIrc}));
  EXPECT_FALSE(
      same_listener({"127.0.0.1", 6667, false, Protocol::kIrc}, {"::", 6667, false, Protocol::kIrc}));
}

TEST(TransportChanges, ListenersLinksAndLimitsAreNamed) {
  ServerOptions a, b;
  EXPECT_THAT(transport_setting_changes(a, b), IsEmpty());
  b.listeners.pop_back();
  b.sendq_bytes = 4096;
  b.network.links.push_back(link::LinkBlock{"hub.example", "s", "r", "", false, false, ""});
  b.exempt = proto::CidrList({*proto::Cidr::parse("10.0.0.0/8")});
  EXPECT_THAT(transport_setting_changes(a, b),
              ElementsAre("listener", "limits.sendq_bytes", "flood.exempt", "link"));
}

}  // namespace
}  // namespace parley::server
