#include "proto/cidr.h"

#include <gtest/gtest.h>

namespace parley::proto {
namespace {

TEST(Cidr, Ipv4BlockContainsItsAddressesOnly) {
  auto block = Cidr::parse("127.0.0.0/8");
  ASSERT_TRUE(block);
  EXPECT_TRUE(block->contains("127.0.0.1"));
  EXPECT_TRUE(block->contains("127.255.255.255"));
  EXPECT_FALSE(block->contains("128.0.0.1"));
  EXPECT_FALSE(block->contains("::1"));
}

TEST(Cidr, PrefixNeedNotBeAByteBoundary) {
  auto block = Cidr::parse("192.0.2.128/25");
  ASSERT_TRUE(block);
  EXPECT_TRUE(block->contains("192.0.2.200"));
  EXPECT_FALSE(block->contains("192.0.2.127"));
}

TEST(Cidr, PlainAddressMeansThatAddress) {
  auto v4 = Cidr::parse("192.0.2.7");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->prefix_length(), 32u);
  EXPECT_TRUE(v4->contains("192.0.2.7"));
  EXPECT_FALSE(v4->contains("192.0.2.8"));
  auto v6 = Cidr::parse("::1");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->prefix_length(), 128u);
  EXPECT_TRUE(v6->contains("::1"));
  EXPECT_TRUE(v6->contains("0:0:0:0:0:0:0:1"));
  EXPECT_FALSE(v6->contains("::2"));
}

TEST(Cidr, Ipv6Block) {
  auto block = Cidr::parse("2001:db8::/32");
  ASSERT_TRUE(block);
  EXPECT_TRUE(block->contains("2001:db8:ffff::1"));
  EXPECT_FALSE(block->contains("2001:db9::1"));
  EXPECT_FALSE(block->contains("192.0.2.1"));
}

TEST(Cidr, ZeroPrefixMatchesEveryAddressOfItsFamily) {
  auto all_v4 = Cidr::parse("0.0.0.0/0");
  ASSERT_TRUE(all_v4);
  EXPECT_TRUE(all_v4->contains("203.0.113.9"));
  EXPECT_FALSE(all_v4->contains("2001:db8::1"));
  auto all_v6 = Cidr::parse("::/0");
  ASSERT_TRUE(all_v6);
  EXPECT_TRUE(all_v6->contains("2001:db8::1"));
}

TEST(Cidr, MappedIpv4ClientMatchesIpv4Block) {
  auto block = Cidr::parse("10.0.0.0/8");
  ASSERT_TRUE(block);
  EXPECT_TRUE(block->contains("::ffff:10.1.2.3"));
}

TEST(Cidr, MappedIpv4BlockIsTreatedAsIpv4) {
  auto block = Cidr::parse("::ffff:192.0.2.0/120");
  ASSERT_TRUE(block);
  EXPECT_TRUE(block->is_v4());
  EXPECT_EQ(block->to_string(), "192.0.2.0/24");
  EXPECT_TRUE(block->contains("192.0.2.9"));
}

TEST(Cidr, RejectsMalformedBlocks) {
  for (const char* bad :
       {"", "/8", "127.0.0.0/", "127.0.0.0/33", "::/129", "127.0.0.0/-1", "127.0.0.0/8x", "127.0.0.0 /8",
        "localhost", "1.2.3", "1.2.3.4.5", "10.0.0.1/8", "2001:db8::1/32", "127.0.0.0/0008"}) {
    EXPECT_FALSE(Cidr::parse(bad)) << bad;
  }
}

TEST(Cidr, GarbageClientAddressMatchesNothing) {
  auto block = Cidr::parse("0.0.0.0/0");
  ASSERT_TRUE(block);
  EXPECT_FALSE(block->contains("not-an-address"));
  EXPECT_FALSE(block->contains(""));
}

TEST(Cidr, FormatsCanonically) {
  EXPECT_EQ(Cidr::parse("2001:0db8:0000::/32")->to_string(), "2001:db8::/32");
  EXPECT_EQ(Cidr::parse("127.0.0.1")->to_string(), "127.0.0.1/32");
}

TEST(CidrList, MatchesAnyBlock) {
  CidrList list({*Cidr::parse("127.0.0.0/8"), *Cidr::parse("::1/128")});
  EXPECT_TRUE(list.contains("127.0.0.1"));
  EXPECT_TRUE(list.contains("::1"));
  EXPECT_FALSE(list.contains("192.0.2.1"));
  EXPECT_FALSE(CidrList().contains("127.0.0.1"));
}

}  // namespace
}  // namespace parley::proto
