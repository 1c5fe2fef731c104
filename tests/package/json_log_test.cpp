// `--log-format json` (src/app/json_log.h): every line is one JSON object a log shipper can parse.
#include "app/json_log.h"

#include <gtest/gtest.h>
#include <spdlog/details/log_msg.h>

#include <regex>
#include <string>

namespace parley::app {
namespace {

std::string escaped(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

TEST(JsonString, PlainTextIsUnchanged) {
  EXPECT_EQ(escaped("accepted 127.0.0.1:5000"), "accepted 127.0.0.1:5000");
}

TEST(JsonString, QuoteAndBackslashAreEscaped) { EXPECT_EQ(escaped(R"(nick "a\b")"), R"(nick \"a\\b\")"); }

TEST(JsonString, ControlCharactersAreEscaped) {
  EXPECT_EQ(escaped("a\nb\rc\td\be\ff"), R"(a\nb\rc\td\be\ff)");
  EXPECT_EQ(escaped(std::string_view("\x00\x01\x1f", 3)), R"(\u0000\u0001\u001f)");
  EXPECT_EQ(escaped("\x7f"), "\x7f");  // DEL needs no escape in JSON
}

TEST(JsonString, ValidUtf8IsKept) {
  EXPECT_EQ(escaped("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
            "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
}

TEST(JsonString, InvalidUtf8BecomesReplacementCharacters) {
  EXPECT_EQ(escaped("a\xff"
                    "b"),
            R"(a\ufffdb)");
  EXPECT_EQ(escaped("\xc3"), R"(\ufffd)");                                // truncated sequence
  EXPECT_EQ(escaped("\xc0\xaf"), R"(\ufffd\ufffd)");                      // overlong '/'
  EXPECT_EQ(escaped("\xed\xa0\x80"), R"(\ufffd\ufffd\ufffd)");            // a UTF-16 surrogate
  EXPECT_EQ(escaped("\xf4\x90\x80\x80"), R"(\ufffd\ufffd\ufffd\ufffd)");  // past U+10FFFF
  EXPECT_EQ(escaped("\xe2\x82"
                    "x"),
            R"(\ufffd\ufffdx)");
}

TEST(JsonLogFormatter, OneObjectPerLineWithTimeLevelAndMessage) {
  spdlog::details::log_msg msg("parley", spdlog::level::warn, "client \"x\"\nsaid \\ hi");
  msg.time = spdlog::log_clock::time_point(std::chrono::milliseconds(1'796'607'872'045));
  spdlog::memory_buf_t buffer;
  JsonLogFormatter().format(msg, buffer);
  EXPECT_EQ(std::string(buffer.data(), buffer.size()),
            "{\"time\":\"2026-12-07T01:44:32.045Z\",\"level\":\"warning\","
            "\"message\":\"client \\\"x\\\"\\nsaid \\\\ hi\"}\n");
}

TEST(JsonLogFormatter, CloneFormatsTheSame) {
  spdlog::details::log_msg msg("parley", spdlog::level::info, "ready");
  spdlog::memory_buf_t a, b;
  JsonLogFormatter formatter;
  formatter.format(msg, a);
  formatter.clone()->format(msg, b);
  EXPECT_EQ(std::string(a.data(), a.size()), std::string(b.data(), b.size()));
  EXPECT_TRUE(std::regex_match(
      std::string(a.data(), a.size()),
      std::regex(
          R"(\{"time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z","level":"info","message":"ready"\}\n)")));
}

}  // namespace
}  // namespace parley::app
