// SharedLine: the hand-written reference count must neither leak nor free early (ASan and LSan
// check the second half in the sanitizer build).
#include "proto/shared_line.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

// GCC 12 cannot see that a released reference was not the last one and warns that use_count()
// reads freed memory after reset() or assignment of a shared line (a false positive; the
// sanitizer build runs these tests under ASan).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuse-after-free"
#endif

namespace parley::proto {
namespace {

TEST(SharedLine, EmptyLineIsNull) {
  SharedLine none;
  EXPECT_FALSE(none);
  EXPECT_EQ(none.get(), nullptr);
  EXPECT_EQ(none.use_count(), 0u);
  EXPECT_TRUE(none == nullptr);
  SharedLine also_none = nullptr;
  EXPECT_TRUE(none == also_none);
}

TEST(SharedLine, CopiesShareOneBufferAndCountReferences) {
  SharedLine a = make_line("PRIVMSG #c :hi\r\n");
  EXPECT_EQ(a.use_count(), 1u);
  SharedLine b = a;
  EXPECT_EQ(a.use_count(), 2u);
  EXPECT_EQ(a.get(), b.get());
  EXPECT_TRUE(a == b);
  EXPECT_EQ(*b, "PRIVMSG #c :hi\r\n");
  EXPECT_EQ(b->size(), 16u);
  {
    std::vector<SharedLine> queue(100, a);
    EXPECT_EQ(a.use_count(), 102u);
  }
  EXPECT_EQ(a.use_count(), 2u);
  b.reset();
  EXPECT_FALSE(b);
  EXPECT_EQ(a.use_count(), 1u);
}

TEST(SharedLine, MovingTransfersTheReference) {
  SharedLine a = make_line("x");
  const std::string* bytes = a.get();
  SharedLine b = std::move(a);
  EXPECT_FALSE(a);  // NOLINT(bugprone-use-after-move): a moved-from line is empty
  EXPECT_EQ(b.get(), bytes);
  EXPECT_EQ(b.use_count(), 1u);
  SharedLine c = make_line("y");
  c = std::move(b);  // releases "y"
  EXPECT_EQ(*c, "x");
  EXPECT_EQ(c.use_count(), 1u);
}

TEST(SharedLine, AssignmentReleasesTheOldBufferAndSurvivesSelfAssignment) {
  SharedLine a = make_line("a");
  SharedLine b = make_line("b");
  SharedLine keep_b = b;
  b = a;
  EXPECT_EQ(*b, "a");
  EXPECT_EQ(a.use_count(), 2u);
  EXPECT_EQ(keep_b.use_count(), 1u);
  const SharedLine& same = b;
  b = same;
  EXPECT_EQ(*b, "a");
  EXPECT_EQ(a.use_count(), 2u);
  b = nullptr;
  EXPECT_EQ(a.use_count(), 1u);
}

TEST(SharedLine, DistinctBuffersWithEqualBytesAreDifferentLines) {
  SharedLine a = make_line("same");
  SharedLine b = make_line("same");
  EXPECT_FALSE(a == b);
  EXPECT_EQ(*a, *b);
}

}  // namespace
}  // namespace parley::proto
