// Tests for src/proto/casemap: case folding, folded comparison, glob masks.
#include "proto/casemap.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace parley::proto {
namespace {

constexpr auto kAscii = Casemapping::kAscii;
constexpr auto kRfc = Casemapping::kRfc1459;

TEST(Casemapping, NamesRoundTrip) {
  EXPECT_EQ(to_string(kAscii), "ascii");
  EXPECT_EQ(to_string(kRfc), "rfc1459");
  EXPECT_EQ(casemapping_from_string("ascii"), kAscii);
  EXPECT_EQ(casemapping_from_string("rfc1459"), kRfc);
  EXPECT_EQ(casemapping_from_string("RFC1459"), std::nullopt);
  EXPECT_EQ(casemapping_from_string("strict-rfc1459-unknown"), std::nullopt);
  EXPECT_EQ(casemapping_from_string(""), std::nullopt);
}

TEST(Fold, AsciiLowersOnlyLetters) {
  EXPECT_EQ(fold("HeLLo[]\\~", kAscii), "hello[]\\~");
  EXPECT_EQ(fold("ABCDEFGHIJKLMNOPQRSTUVWXYZ", kAscii), "abcdefghijklmnopqrstuvwxyz");
}

TEST(Fold, Rfc1459AlsoFoldsBracketsBackslashAndTilde) { EXPECT_EQ(fold("HeLLo[]\\~", kRfc), "hello{}|^"); }

TEST(Fold, Rfc1459LeavesLowerFormsAlone) { EXPECT_EQ(fold("{}|^", kRfc), "{}|^"); }

TEST(Fold, LeavesDigitsPunctuationAndHighBytesAlone) {
  EXPECT_EQ(fold("#chan-1_2.3@", kRfc), "#chan-1_2.3@");
  EXPECT_EQ(fold("\xc3\x89\xc3\xa9", kRfc), "\xc3\x89\xc3\xa9");  // no Unicode folding
  EXPECT_EQ(fold("@`", kAscii), "@`");                            // bytes next to A-Z and a-z
}

TEST(Fold, FoldCharBoundaries) {
  EXPECT_EQ(fold_char('A', kAscii), 'a');
  EXPECT_EQ(fold_char('Z', kAscii), 'z');
  EXPECT_EQ(fold_char('@', kAscii), '@');
  EXPECT_EQ(fold_char('[', kAscii), '[');
  EXPECT_EQ(fold_char('[', kRfc), '{');
  EXPECT_EQ(fold_char(']', kRfc), '}');
  EXPECT_EQ(fold_char('\\', kRfc), '|');
  EXPECT_EQ(fold_char('~', kRfc), '^');
}

TEST(EqualFolded, IgnoresLetterCase) {
  EXPECT_TRUE(equal_folded("Alice", "aLICE", kAscii));
  EXPECT_TRUE(equal_folded("#Chan", "#chan", kRfc));
}

TEST(EqualFolded, Rfc1459TreatsBracketsAsCaseVariants) {
  EXPECT_TRUE(equal_folded("nick[away]", "NICK{AWAY}", kRfc));
  EXPECT_TRUE(equal_folded("a\\b~", "A|B^", kRfc));
}

TEST(EqualFolded, AsciiKeepsBracketsDistinct) {
  EXPECT_FALSE(equal_folded("nick[away]", "nick{away}", kAscii));
  EXPECT_FALSE(equal_folded("a\\b~", "a|b^", kAscii));
}

TEST(EqualFolded, DifferentLengthsDiffer) {
  EXPECT_FALSE(equal_folded("abc", "abcd", kRfc));
  EXPECT_FALSE(equal_folded("", "a", kRfc));
  EXPECT_TRUE(equal_folded("", "", kRfc));
}

// ---- masks -----------------------------------------------------------------------------------

TEST(MatchMask, LiteralMaskMatchesFoldedText) {
  EXPECT_TRUE(match_mask("alice!a@host", "Alice!A@HOST", kRfc));
  EXPECT_FALSE(match_mask("alice!a@host", "alice!a@host2", kRfc));
  EXPECT_FALSE(match_mask("alice!a@host2", "alice!a@host", kRfc));
}

TEST(MatchMask, FoldingFollowsCasemapping) {
  EXPECT_TRUE(match_mask("[x]*", "{X}abc", kRfc));
  EXPECT_FALSE(match_mask("[x]*", "{X}abc", kAscii));
}

TEST(MatchMask, StarMatchesAnyRunIncludingEmpty) {
  EXPECT_TRUE(match_mask("*", "", kRfc));
  EXPECT_TRUE(match_mask("*", "anything at all", kRfc));
  EXPECT_TRUE(match_mask("a*", "a", kRfc));
  EXPECT_TRUE(match_mask("*!*@*", "nick!user@host", kRfc));
  EXPECT_TRUE(match_mask("nick!*@*", "NICK!u@h.example", kRfc));
  EXPECT_FALSE(match_mask("nick!*@*", "nick2!u@h", kRfc));
  EXPECT_TRUE(match_mask("*!*@*.example.com", "x!y@a.b.example.com", kRfc));
  EXPECT_FALSE(match_mask("*!*@*.example.com", "x!y@example.com", kRfc));
}

TEST(MatchMask, QuestionMarkMatchesExactlyOneByte) {
  EXPECT_TRUE(match_mask("a?c", "abc", kRfc));
  EXPECT_FALSE(match_mask("a?c", "ac", kRfc));
  EXPECT_FALSE(match_mask("a?c", "abbc", kRfc));
  EXPECT_TRUE(match_mask("???", "xyz", kRfc));
  EXPECT_FALSE(match_mask("???", "xy", kRfc));
}

TEST(MatchMask, StarAndQuestionMarkTogether) {
  EXPECT_TRUE(match_mask("*?", "a", kRfc));
  EXPECT_FALSE(match_mask("*?", "", kRfc));
  EXPECT_TRUE(match_mask("?*?", "ab", kRfc));
  EXPECT_TRUE(match_mask("n?ck*!*@h?st", "nick_away!u@host", kRfc));
}

TEST(MatchMask, NeedsBacktracking) {
  EXPECT_TRUE(match_mask("*ab", "aab", kRfc));
  EXPECT_TRUE(match_mask("*abc*abc", "abcabxabcabc", kRfc));
  EXPECT_TRUE(match_mask("a*b*c", "aXbXbXc", kRfc));
  EXPECT_FALSE(match_mask("a*b*c", "aXbXbX", kRfc));
}

TEST(MatchMask, EmptyMaskMatchesOnlyEmptyText) {
  EXPECT_TRUE(match_mask("", "", kRfc));
  EXPECT_FALSE(match_mask("", "a", kRfc));
}

TEST(MatchMask, ConsecutiveStarsActAsOne) {
  EXPECT_TRUE(match_mask("a***b", "ab", kRfc));
  EXPECT_TRUE(match_mask("***", "", kRfc));
  EXPECT_FALSE(match_mask("a***b", "ac", kRfc));
}

TEST(MatchMask, TextLongerThanMaskWithoutStarFails) {
  EXPECT_FALSE(match_mask("abc", "abcd", kRfc));
  EXPECT_FALSE(match_mask("abcd", "abc", kRfc));
}

TEST(MatchMask, PathologicalPatternIsFast) {
  // A naive recursive glob is exponential on these; the server matches ban masks against
  // every JOIN and message, so a user-supplied mask must not be able to stall it.
  std::string text(20000, 'a');
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(match_mask("*a*a*a*a*b", text, kRfc));
  EXPECT_FALSE(match_mask("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", text, kRfc));
  EXPECT_FALSE(match_mask("*?*?*?*?*?*?*?*?*?*?*b", text, kRfc));
  EXPECT_TRUE(match_mask("*a*a*a*a*a", text, kRfc));
  std::string many_stars;
  for (int i = 0; i < 200; ++i) many_stars += "*a";
  many_stars += "*b";
  EXPECT_FALSE(match_mask(many_stars, text, kRfc));
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::milliseconds(500));
}

// ---- normalize_mask --------------------------------------------------------------------------

TEST(NormalizeMask, NickOnlyGetsAnyUserAndHost) { EXPECT_EQ(normalize_mask("nick"), "nick!*@*"); }

TEST(NormalizeMask, UserAtHostGetsAnyNick) { EXPECT_EQ(normalize_mask("user@host"), "*!user@host"); }

TEST(NormalizeMask, NickBangUserGetsAnyHost) { EXPECT_EQ(normalize_mask("nick!user"), "nick!user@*"); }

TEST(NormalizeMask, FullMaskIsUnchanged) {
  EXPECT_EQ(normalize_mask("n!u@h"), "n!u@h");
  EXPECT_EQ(normalize_mask("*!*@*.example.com"), "*!*@*.example.com");
}

TEST(NormalizeMask, WildcardNickOnly) { EXPECT_EQ(normalize_mask("*"), "*!*@*"); }

TEST(NormalizeMask, EmptyNickPartBecomesStar) { EXPECT_EQ(normalize_mask("!u@h"), "*!u@h"); }

TEST(NormalizeMask, EmptyHostPartBecomesStar) { EXPECT_EQ(normalize_mask("u@"), "*!u@*"); }

TEST(NormalizeMask, NormalizedMaskMatchesTheUser) {
  EXPECT_TRUE(match_mask(normalize_mask("Alice"), "alice!al@10.0.0.1", kRfc));
  EXPECT_TRUE(match_mask(normalize_mask("al@10.0.0.*"), "alice!al@10.0.0.1", kRfc));
  EXPECT_FALSE(match_mask(normalize_mask("bob"), "alice!al@10.0.0.1", kRfc));
}

}  // namespace
}  // namespace parley::proto
