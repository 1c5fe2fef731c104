// Tests for the text helpers of src/core/text.cpp.
#include "core/text.h"

#include <gtest/gtest.h>

#include <string>

namespace parley::core {
namespace {

TEST(Utf8, AcceptsAsciiAndWellFormedSequences) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ascii \x01\x7f"));
  EXPECT_TRUE(is_valid_utf8("\xC3\xA9t\xC3\xA9"));  // été
  EXPECT_TRUE(is_valid_utf8("\xE2\x82\xAC"));       // €
  EXPECT_TRUE(is_valid_utf8("\xF0\x9F\x91\x8D"));   // 👍
  EXPECT_TRUE(is_valid_utf8("\xF4\x8F\xBF\xBF"));   // U+10FFFF
  EXPECT_TRUE(is_valid_utf8("\xED\x9F\xBF"));       // U+D7FF, just below the surrogates
}

TEST(Utf8, RefusesMalformedSequences) {
  EXPECT_FALSE(is_valid_utf8("hi\xaa"));                // lone continuation byte
  EXPECT_FALSE(is_valid_utf8("\xC3"));                  // truncated
  EXPECT_FALSE(is_valid_utf8("\xE2\x82"));              // truncated
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));              // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xE0\x80\xAF"));          // overlong
  EXPECT_FALSE(is_valid_utf8("\xF0\x80\x80\xAF"));      // overlong
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));          // surrogate U+D800
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));      // past U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xF8\x88\x80\x80\x80"));  // 5-byte form
  EXPECT_FALSE(is_valid_utf8("\xC3\x28"));              // bad continuation
  EXPECT_FALSE(is_valid_utf8("i\xe8rc\xe9"));           // Latin-1
}

TEST(AsciiUpper, UppercasesOnlyAsciiLetters) {
  EXPECT_EQ(ascii_upper("cap ls 302"), "CAP LS 302");
  EXPECT_EQ(ascii_upper("Help_Op-[x]"), "HELP_OP-[X]");
  EXPECT_EQ(ascii_upper("\xc3\xa9t\xc3\xa9"), "\xc3\xa9T\xc3\xa9");  // UTF-8 bytes untouched
}

}  // namespace
}  // namespace parley::core
