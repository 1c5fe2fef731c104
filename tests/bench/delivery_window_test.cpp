#include "metrics/delivery_window.h"

#include <gtest/gtest.h>

namespace parley::bench {
namespace {

TEST(DeliveryWindow, BlocksWhenWindowIsFull) {
  DeliveryWindow w(3, 2);
  EXPECT_EQ(w.sendable(), 3u);
  for (std::uint32_t i = 0; i < 3; ++i) EXPECT_EQ(w.take_seq(), i);
  EXPECT_EQ(w.sendable(), 0u);
  EXPECT_EQ(w.in_flight(), 3u);
}

TEST(DeliveryWindow, OpensOnlyWhenEveryReceiverHasTheOldest) {
  DeliveryWindow w(2, 3);
  w.take_seq();
  w.take_seq();
  EXPECT_FALSE(w.on_delivered(0));
  EXPECT_FALSE(w.on_delivered(0));
  EXPECT_TRUE(w.on_delivered(0));
  EXPECT_EQ(w.completed(), 1u);
  EXPECT_EQ(w.sendable(), 1u);
}

TEST(DeliveryWindow, LaterMessagesCompletingFirstAreCollectedTogether) {
  DeliveryWindow w(4, 2);
  for (int i = 0; i < 3; ++i) w.take_seq();
  // Receiver A has all three; receiver B only has 1 and 2 so far.
  for (std::uint32_t s : {0u, 1u, 2u, 1u, 2u}) w.on_delivered(s);
  EXPECT_EQ(w.completed(), 0u);
  EXPECT_TRUE(w.on_delivered(0));
  EXPECT_EQ(w.completed(), 3u);
  EXPECT_EQ(w.in_flight(), 0u);
}

TEST(DeliveryWindow, IgnoresCopiesOutsideTheWindow) {
  DeliveryWindow w(2, 1);
  w.take_seq();
  EXPECT_TRUE(w.on_delivered(0));
  EXPECT_FALSE(w.on_delivered(0));  // duplicate of a completed message
  EXPECT_FALSE(w.on_delivered(5));  // never sent
  EXPECT_EQ(w.completed(), 1u);
}

TEST(DeliveryWindow, RingReusesSlotsOverManyMessages) {
  DeliveryWindow w(5, 2);  // ring of 8
  for (std::uint32_t round = 0; round < 1000; ++round) {
    while (w.sendable()) w.take_seq();
    const std::uint32_t oldest = w.completed();
    w.on_delivered(oldest);
    w.on_delivered(oldest);
    EXPECT_EQ(w.completed(), oldest + 1);
  }
  EXPECT_EQ(w.sent(), 1004u);
}

TEST(DeliveryWindow, NoReceiversMeansDeliveredOnSend) {
  DeliveryWindow w(1, 0);
  w.take_seq();
  EXPECT_EQ(w.sendable(), 1u);
  EXPECT_EQ(w.completed(), 1u);
}

TEST(MessagesDue, FixedRateSchedule) {
  EXPECT_EQ(messages_due(0, 10), 1u);  // first message at t = 0
  EXPECT_EQ(messages_due(99'999'999, 10), 1u);
  EXPECT_EQ(messages_due(100'000'000, 10), 2u);
  EXPECT_EQ(messages_due(1'000'000'000, 10), 11u);
  EXPECT_EQ(messages_due(5'000'000'000, 0), 0u);
}

TEST(SenderPhase, SpreadOverOnePeriod) {
  // 20 senders at 10 msg/s: one every 5 ms, in turn.
  EXPECT_EQ(sender_phase_ns(0, 20, 10), 0u);
  EXPECT_EQ(sender_phase_ns(1, 20, 10), 5'000'000u);
  EXPECT_EQ(sender_phase_ns(19, 20, 10), 95'000'000u);
  EXPECT_EQ(sender_phase_ns(3, 0, 10), 0u);
  EXPECT_EQ(sender_phase_ns(3, 20, 0), 0u);
}

}  // namespace
}  // namespace parley::bench
