#include "web/web_session.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "web/forwarded.h"

namespace parley::web {
namespace {

namespace ws = proto::ws;
using Clock = WebSession::Clock;

constexpr std::array<std::uint8_t, 4> kMask{1, 2, 3, 4};

struct RecordingHost : WebSessionHost {
  std::string sent;
  std::vector<std::string> lines;
  std::vector<Upgrade> upgrades;
  int too_long = 0;
  std::string closed;  // the reason, once closed
  void web_send(const proto::SharedLine& bytes) override {
    EXPECT_TRUE(closed.empty()) << "sent after close";
    sent += *bytes;
  }
  void web_upgraded(const Upgrade& u) override { upgrades.push_back(u); }
  void web_line(std::string_view line) override { lines.emplace_back(line); }
  void web_line_too_long() override { ++too_long; }
  void web_close(std::string_view reason) override { closed = std::string(reason); }
  std::string take() { return std::exchange(sent, {}); }
};

std::string frame(ws::Opcode op, std::string_view payload) {
  std::string out;
  ws::append_frame(out, op, payload, &kMask);
  return out;
}

// Server frames as (opcode, payload) pairs.
std::vector<std::pair<ws::Event::Kind, std::string>> server_frames(std::string_view bytes) {
  std::vector<std::pair<ws::Event::Kind, std::string>> out;
  ws::FrameDecoder d(ws::FrameDecoder::Role::kClient, 1 << 20);
  d.feed(bytes, [&](const ws::Event& e) {
    out.emplace_back(e.kind, std::string(e.payload) + (e.code ? "#" + std::to_string(e.code) : ""));
    return true;
  });
  return out;
}

class WebSessionTest : public ::testing::Test {
 protected:
  WebSessionTest() {
    dir_ = std::filesystem::temp_directory_path() / ("parley-web-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / "js");
    std::ofstream(dir_ / "index.html") << "<!doctype html><title>Parley</title>";
    std::ofstream(dir_ / "js" / "app.js") << "export const x = 1;\n";
    files_ = StaticFiles::from_directory(dir_.string());
  }
  ~WebSessionTest() override { std::filesystem::remove_all(dir_); }

  WebSession make(std::string peer = "192.0.2.7", bool tls = false) {
    return WebSession(policy_, files_, std::move(peer), tls);
  }
  static std::string upgrade_request(std::string extra = "Sec-WebSocket-Protocol: text.ircv3.net\r\n") {
    return "GET / HTTP/1.1\r\nHost: chat.example.org\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
           extra + "\r\n";
  }

  std::filesystem::path dir_;
  StaticFiles files_;
  WebPolicy policy_;
  RecordingHost host_;
  Clock::time_point now_{std::chrono::seconds(100)};
};

TEST(WebSocketAccept, MatchesRfc6455Example) {
  EXPECT_EQ(websocket_accept("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST_F(WebSessionTest, ServesTheClientPage) {
  auto s = make();
  s.receive("GET / HTTP/1.1\r\nHost: x\r\n\r\n", now_, host_);
  const std::string r = host_.take();
  EXPECT_TRUE(r.starts_with("HTTP/1.1 200 OK\r\n")) << r;
  EXPECT_NE(r.find("Content-Type: text/html; charset=utf-8\r\n"), std::string::npos);
  EXPECT_NE(r.find("Content-Security-Policy: default-src 'self'"), std::string::npos);
  EXPECT_TRUE(r.ends_with("<!doctype html><title>Parley</title>"));
  EXPECT_TRUE(host_.closed.empty());  // keep-alive
  EXPECT_FALSE(s.upgraded());
}

TEST_F(WebSessionTest, AnswersPipelinedRequestsInOrderAndHonoursConditionalGet) {
  auto s = make();
  s.receive("GET /js/app.js HTTP/1.1\r\nHost: x\r\n\r\nHEAD /js/app.js?v=2 HTTP/1.1\r\nHost: x\r\n\r\n", now_,
            host_);
  const std::string r = host_.take();
  const auto second = r.find("HTTP/1.1 200", 1);
  ASSERT_NE(second, std::string::npos) << r;
  EXPECT_NE(r.find("export const x = 1;\n"), std::string::npos);
  EXPECT_TRUE(r.ends_with("\r\n\r\n"));  // HEAD: no body
  const auto at = r.find("ETag: ") + 6;
  const std::string etag = r.substr(at, r.find("\r\n", at) - at);
  s.receive("GET /js/app.js HTTP/1.1\r\nHost: x\r\nIf-None-Match: " + etag + "\r\n\r\n", now_, host_);
  EXPECT_TRUE(host_.take().starts_with("HTTP/1.1 304 Not Modified\r\n"));
  EXPECT_EQ(s.requests(), 3u);
}

TEST_F(WebSessionTest, RequestSplitAcrossReadsIsAnsweredOnce) {
  auto s = make();
  const std::string request = "GET /js/app.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  for (char c : request) s.receive(std::string_view(&c, 1), now_, host_);
  EXPECT_TRUE(host_.take().starts_with("HTTP/1.1 200 OK"));
  EXPECT_EQ(host_.closed, "HTTP request answered");
}

TEST_F(WebSessionTest, RefusesWhatItDoesNotServe) {
  struct Case {
    std::string request;
    std::string status;
  };
  const std::vector<Case> cases = {
      {"GET /nope.js HTTP/1.1\r\nHost: x\r\n\r\n", "404"},
      {"GET /../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n", "404"},
      {"GET /js/%2e%2e/%2e%2e/x HTTP/1.1\r\nHost: x\r\n\r\n", "404"},
      {"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", "405"},
      {"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", "413"},
      {"GARBAGE\r\n\r\n", "400"},
      {"GET / HTTP/1.1\r\nX: " + std::string(9000, 'a') + "\r\n\r\n", "431"},
  };
  for (const auto& c : cases) {
    RecordingHost host;
    auto s = make();
    s.receive(c.request, now_, host);
    EXPECT_TRUE(host.sent.starts_with("HTTP/1.1 " + c.status))
        << c.request.substr(0, 40) << " -> " << host.sent;
  }
}

TEST_F(WebSessionTest, HeaderFloodWithoutEndIsRefusedAtTheLimit) {
  auto s = make();
  for (int i = 0; i < 100 && host_.closed.empty(); ++i) s.receive(std::string(100, 'a'), now_, host_);
  EXPECT_TRUE(host_.take().starts_with("HTTP/1.1 431"));
  EXPECT_FALSE(host_.closed.empty());
}

TEST_F(WebSessionTest, UpgradeNegotiatesTheClientsFirstKnownSubprotocol) {
  struct Case {
    std::string header;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"Sec-WebSocket-Protocol: binary.ircv3.net\r\n"
       "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n",
       "binary.ircv3.net"},
      {"Sec-WebSocket-Protocol: text.ircv3.net, binary.ircv3.net\r\n", "text.ircv3.net"},
      {"Sec-WebSocket-Protocol: foo, binary.ircv3.net, text.ircv3.net\r\n", "binary.ircv3.net"},
      {"Sec-WebSocket-Protocol: foo\r\nSec-WebSocket-Protocol: text.ircv3.net\r\n", "text.ircv3.net"},
      {"", ""},
  };
  for (const auto& c : cases) {
    RecordingHost host;
    auto s = make();
    s.receive(upgrade_request(c.header), now_, host);
    ASSERT_EQ(host.upgrades.size(), 1u) << host.sent;
    EXPECT_TRUE(host.sent.starts_with("HTTP/1.1 101 Switching Protocols\r\n"));
    EXPECT_NE(host.sent.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"), std::string::npos);
    EXPECT_EQ(host.upgrades[0].subprotocol, c.expected);
    EXPECT_EQ(host.sent.find("Sec-WebSocket-Protocol") != std::string::npos, !c.expected.empty());
    EXPECT_EQ(host.upgrades[0].binary, c.expected == "binary.ircv3.net");
    EXPECT_EQ(host.sent.find("Sec-WebSocket-Extensions"), std::string::npos);  // none negotiated
    EXPECT_EQ(host.upgrades[0].client_ip, "192.0.2.7");
  }
}

TEST_F(WebSessionTest, RefusedUpgrades) {
  struct Case {
    std::string request;
    std::string status;
  };
  const std::string good = upgrade_request();
  auto replace = [&](std::string from, std::string to) {
    std::string r = good;
    r.replace(r.find(from), from.size(), to);
    return r;
  };
  const std::vector<Case> cases = {
      {replace("Version: 13", "Version: 8"), "426"},
      {replace("dGhlIHNhbXBsZSBub25jZQ==", "c2hvcnQ="), "400"},
      {upgrade_request("Origin: https://evil.example\r\n"), "403"},
  };
  for (const auto& c : cases) {
    RecordingHost host;
    auto s = make();
    s.receive(c.request, now_, host);
    EXPECT_TRUE(host.sent.starts_with("HTTP/1.1 " + c.status)) << host.sent;
    EXPECT_TRUE(host.upgrades.empty());
    EXPECT_FALSE(host.closed.empty());
  }
}

TEST_F(WebSessionTest, OriginRules) {
  {
    RecordingHost host;  // same origin as Host
    auto s = make();
    s.receive(upgrade_request("Origin: https://Chat.Example.org\r\n"), now_, host);
    EXPECT_EQ(host.upgrades.size(), 1u);
  }
  policy_.origins = {"https://www.example.org"};
  for (auto [origin, allowed] : std::vector<std::pair<std::string, bool>>{
           {"https://www.example.org", true}, {"https://chat.example.org", false}, {"", true}}) {
    RecordingHost host;
    auto s = make();
    s.receive(upgrade_request(origin.empty() ? "" : "Origin: " + origin + "\r\n"), now_, host);
    EXPECT_EQ(host.upgrades.size(), allowed ? 1u : 0u) << origin;
  }
  policy_.origins = {"*"};
  RecordingHost host;
  auto s = make();
  s.receive(upgrade_request("Origin: https://anywhere.example\r\n"), now_, host);
  EXPECT_EQ(host.upgrades.size(), 1u);
}

TEST_F(WebSessionTest, ForwardedAddressIsBelievedOnlyFromTrustedProxies) {
  const std::string forwarded = "X-Forwarded-For: 203.0.113.9\r\nX-Forwarded-Proto: https\r\n";
  {
    auto s = make("127.0.0.1");
    s.receive(upgrade_request(forwarded), now_, host_);
    ASSERT_EQ(host_.upgrades.size(), 1u);
    EXPECT_EQ(host_.upgrades[0].client_ip, "127.0.0.1");
    EXPECT_FALSE(host_.upgrades[0].secure);
  }
  policy_.trusted_proxies = proto::CidrList({*proto::Cidr::parse("127.0.0.0/8")});
  RecordingHost host;
  auto s = make("127.0.0.1");
  s.receive(upgrade_request(forwarded), now_, host);
  ASSERT_EQ(host.upgrades.size(), 1u);
  EXPECT_EQ(host.upgrades[0].client_ip, "203.0.113.9");
  EXPECT_TRUE(host.upgrades[0].secure);
  EXPECT_TRUE(host.upgrades[0].forwarded);
}

TEST(ClientOrigin, WalksTheChainFromTheRight) {
  const proto::CidrList trusted({*proto::Cidr::parse("10.0.0.0/8")});
  // The client wrote a fake first entry; the trusted proxy 10.0.0.2 appended the real peer.
  auto o = client_origin("10.0.0.1", false, "", "6.6.6.6, 198.51.100.4, 10.0.0.2", "", trusted);
  EXPECT_EQ(o.ip, "198.51.100.4");
  o = client_origin("10.0.0.1", false, "for=192.0.2.60;proto=https, for=\"[2001:db8::1]:4711\"", "", "",
                    trusted);
  EXPECT_EQ(o.ip, "2001:db8::1");
  EXPECT_FALSE(o.secure);
  o = client_origin("10.0.0.1", false, "for=\"_hidden\"", "", "", trusted);
  EXPECT_EQ(o.ip, "10.0.0.1");
  EXPECT_FALSE(o.forwarded);
  o = client_origin("192.0.2.1", true, "", "203.0.113.1", "http", trusted);  // untrusted peer
  EXPECT_EQ(o.ip, "192.0.2.1");
  EXPECT_TRUE(o.secure);
  EXPECT_EQ(canonical_address("::ffff:192.0.2.1"), "192.0.2.1");
  EXPECT_EQ(canonical_address("192.0.2.1:8080"), "192.0.2.1");
  EXPECT_EQ(canonical_address("unknown"), "");
}

class UpgradedSession : public WebSessionTest {
 protected:
  void SetUp() override {
    session_.emplace(make());
    session_->receive(upgrade_request(), now_, host_);
    ASSERT_TRUE(session_->upgraded());
    host_.take();
  }
  std::optional<WebSession> session_;
};

TEST_F(UpgradedSession, MessagesBecomeLines) {
  session_->receive(frame(ws::Opcode::kText, "NICK web") + frame(ws::Opcode::kText, "USER a 0 * :b\r\n") +
                        frame(ws::Opcode::kBinary, "PING x\r\nPING y"),
                    now_, host_);
  EXPECT_EQ(host_.lines, (std::vector<std::string>{"NICK web", "USER a 0 * :b", "PING x", "PING y"}));
}

TEST_F(UpgradedSession, PingIsAnsweredAndCloseIsEchoed) {
  session_->receive(frame(ws::Opcode::kPing, "hi"), now_, host_);
  EXPECT_EQ(server_frames(host_.take()),
            (std::vector<std::pair<ws::Event::Kind, std::string>>{{ws::Event::Kind::kPong, "hi"}}));
  session_->receive(frame(ws::Opcode::kClose, ws::close_payload(ws::kCloseGoingAway, "tab closed")), now_,
                    host_);
  EXPECT_EQ(server_frames(host_.take()),
            (std::vector<std::pair<ws::Event::Kind, std::string>>{{ws::Event::Kind::kClose, "#1001"}}));
  EXPECT_EQ(host_.closed, "WebSocket closed by the client");
}

TEST_F(UpgradedSession, ProtocolErrorClosesWithItsCode) {
  session_->receive(frame(ws::Opcode::kText, "bad \xff utf-8"), now_, host_);
  auto frames = server_frames(host_.take());
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].first, ws::Event::Kind::kClose);
  EXPECT_TRUE(frames[0].second.ends_with("#1007"));
  EXPECT_TRUE(host_.closed.starts_with("WebSocket error: "));
  EXPECT_TRUE(host_.lines.empty());
}

TEST_F(UpgradedSession, OversizedMessageCostsAnErrorNotTheConnection) {
  session_->receive(frame(ws::Opcode::kText, std::string(20000, 'x')) + frame(ws::Opcode::kText, "PING ok"),
                    now_, host_);
  EXPECT_EQ(host_.too_long, 1);
  EXPECT_EQ(host_.lines, (std::vector<std::string>{"PING ok"}));
  EXPECT_TRUE(host_.closed.empty());
}

TEST_F(UpgradedSession, PingFloodIsClosedWithPolicyViolation) {
  std::string flood;
  for (int i = 0; i < 25; ++i) flood += frame(ws::Opcode::kPing, "");
  session_->receive(flood, now_, host_);
  EXPECT_TRUE(
      host_.take().ends_with(std::string("\x88\x25\x03\xf0", 4) + "Too many frames without an IRC line"));
  EXPECT_FALSE(host_.closed.empty());
  // The same number of pings spread over seconds is fine.
  RecordingHost host;
  WebSession s = make();
  s.receive(upgrade_request(), now_, host);
  for (int i = 0; i < 60; ++i)
    s.receive(frame(ws::Opcode::kPing, ""), now_ + std::chrono::milliseconds(100 * i), host);
  EXPECT_TRUE(host.closed.empty());
}

TEST_F(UpgradedSession, StopSendsACloseFrameOnceAndIgnoresInput) {
  const auto close = session_->stop(ws::kCloseNormal, "Quit: bye");
  ASSERT_TRUE(close);
  EXPECT_EQ(server_frames(*close)[0].second, "Quit: bye#1000");
  EXPECT_FALSE(session_->stop(ws::kCloseNormal, "again"));
  session_->receive(frame(ws::Opcode::kText, "PING late"), now_, host_);
  EXPECT_TRUE(host_.lines.empty());
}

TEST(FrameEncoder, FramesEachLineAndReusesTheLastResult) {
  FrameEncoder encoder;
  const auto lines = proto::make_line(":a PRIVMSG #c :caf\xe9\r\n:b PING x\r\n");
  const auto& text = encoder.frames(lines, false);
  EXPECT_EQ(server_frames(*text), (std::vector<std::pair<ws::Event::Kind, std::string>>{
                                      {ws::Event::Kind::kText, ":a PRIVMSG #c :caf\xef\xbf\xbd"},
                                      {ws::Event::Kind::kText, ":b PING x"}}));
  const auto* first = text.get();
  EXPECT_EQ(encoder.frames(lines, false).get(), first);  // framed once per fan-out
  const auto& binary = encoder.frames(lines, true);
  EXPECT_EQ(server_frames(*binary)[0],
            (std::pair<ws::Event::Kind, std::string>{ws::Event::Kind::kBinary, ":a PRIVMSG #c :caf\xe9"}));
  EXPECT_EQ(encoder.frames(lines, false).get(), first);
  EXPECT_NE(encoder.frames(proto::make_line(":c X\r\n"), false).get(), first);
}

TEST(StaticFilePaths, RefuseEscapes) {
  EXPECT_EQ(file_path_of("/"), "index.html");
  EXPECT_EQ(file_path_of("/js/app.js"), "js/app.js");
  EXPECT_EQ(file_path_of("/docs/"), "docs/index.html");
  EXPECT_EQ(file_path_of("/%61pp.js"), "app.js");
  for (const char* bad :
       {"", "x", "/..", "/a/../b", "/./a", "//a", "/a%2fb", "/a%00", "/a\\b", "/%2e%2e/x", "/%zz"})
    EXPECT_EQ(file_path_of(bad), std::nullopt) << bad;
}

}  // namespace
}  // namespace parley::web
