// Test harness for the chat engine (src/core): in-memory sessions, a recording reply sink, a
// fake account backend and a fake clock, after h11's tests/helpers.py and quinn-proto's
// tests/util.rs. Tests drive Engine directly; nothing here opens a socket or reads the wall clock.
//
//   EngineHarness h;                       // h.config can be tweaked before first use
//   SessionId a = h.register_user("alice");  // NICK + USER, welcome burst cleared
//   SessionId b = h.register_user("bob");
//   h.send(a, "JOIN #c");
//   EXPECT_TRUE(h.has_line(b, "JOIN"));    // substring; or a std::regex
//
// The sink also checks the ReplySink contract on every call (nothing sent to or closed on a
// session after it was closed, every delivery CR LF terminated, no line over 512 bytes without
// its tags) and the harness reports any breach as a test failure when it is destroyed.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/config.h"
#include "core/engine.h"
#include "core/types.h"
#include "crypto/scram.h"
#include "proto/casemap.h"
#include "proto/irc_message.h"
#include "store/history_requests.h"
#include "store/memory_store.h"

namespace parley::core::test {

// "a\r\nb\r\n" -> {"a", "b"}. A trailing fragment without CR LF is kept (and flagged by the sink).
inline std::vector<std::string> split_crlf(std::string_view bytes) {
  std::vector<std::string> out;
  while (!bytes.empty()) {
    auto end = bytes.find("\r\n");
    out.emplace_back(bytes.substr(0, end));
    if (end == std::string_view::npos) break;
    bytes.remove_prefix(end + 2);
  }
  return out;
}

// `line` without the tag `key` (a tag section left empty goes too): for comparing lines that
// carry a value tests cannot know, such as a msgid.
inline std::string without_tag(std::string_view line, std::string_view key) {
  if (line.empty() || line.front() != '@') return std::string(line);
  auto space = line.find(' ');
  std::string_view section = line.substr(1, space - 1), rest = line.substr(space + 1);
  std::string kept;
  while (!section.empty()) {
    auto end = section.find(';');
    std::string_view tag = section.substr(0, end);
    section.remove_prefix(end == std::string_view::npos ? section.size() : end + 1);
    if (tag.substr(0, tag.find('=')) == key) continue;
    if (!kept.empty()) kept += ';';
    kept += tag;
  }
  return kept.empty() ? std::string(rest) : "@" + kept + " " + std::string(rest);
}
inline std::vector<std::string> without_tag(const std::vector<std::string>& lines, std::string_view key) {
  std::vector<std::string> out;
  for (const auto& l : lines) out.push_back(without_tag(l, key));
  return out;
}

// One received line, parsed into owned strings (proto::Message only holds views).
struct Line {
  std::string raw;
  std::string tags;  // without '@'
  std::string source;
  std::string command;
  std::vector<std::string> params;
};

inline Line parse_line(std::string_view raw) {
  Line out;
  out.raw = std::string(raw);
  auto parsed = proto::parse_message(raw);
  if (!parsed.message) {
    out.command = "<unparsable>";
    return out;
  }
  const proto::Message& m = *parsed.message;
  out.tags = std::string(m.tags_raw);
  out.source = std::string(m.source);
  out.command = std::string(m.command);
  for (std::size_t i = 0; i < m.size(); ++i) out.params.emplace_back(m.param(i));
  return out;
}

// Matches a received line against `expected` after parsing both, so that a final parameter
// written with or without ':' (both legal: "PART #a done" == "PART #a :done") compares equal,
// while tags, source, command and every parameter must match exactly.
MATCHER_P(IsLine, expected, "is the IRC line \"" + std::string(expected) + "\"") {
  Line a = parse_line(arg), e = parse_line(expected);
  return a.tags == e.tags && a.source == e.source && a.command == e.command && a.params == e.params;
}

// EXPECT_THAT(h.lines(id), AreLines("first", "second")): exactly these lines, in order.
template <class... S>
auto AreLines(const S&... expected) {
  return ::testing::ElementsAre(IsLine(std::string(expected))...);
}
// EXPECT_THAT(h.lines(id), HasLine("...")): at least one line equal to this one.
inline auto HasLine(const std::string& expected) { return ::testing::Contains(IsLine(expected)); }

// A ReplySink that keeps everything: per-session deliveries (the SharedLine pointers, for
// identity checks), the same split into lines, and closed sessions with their reasons.
class RecordingSink final : public ReplySink {
 public:
  void send(SessionId to, const SharedLine& line) override {
    if (!line) {
      violations_.push_back("null SharedLine sent to session " + std::to_string(to));
      return;
    }
    if (closed_.count(to)) {
      violations_.push_back("session " + std::to_string(to) + " was sent a line after close: " + *line);
    }
    if (line->size() < 2 || line->compare(line->size() - 2, 2, "\r\n") != 0) {
      violations_.push_back("delivery to session " + std::to_string(to) +
                            " is not CR LF terminated: " + *line);
    }
    for (std::string& l : split_crlf(*line)) {
      std::string_view body = l;
      if (!body.empty() && body.front() == '@') {
        auto space = body.find(' ');
        body.remove_prefix(space == std::string_view::npos ? body.size() : space + 1);
      }
      if (body.size() + 2 > proto::kMaxLineBytes) {
        violations_.push_back("line over 512 bytes (" + std::to_string(body.size() + 2) + ") to session " +
                              std::to_string(to) + ": " + l.substr(0, 80) + "...");
      }
      if (l.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
        violations_.push_back("line with a bare CR, LF or NUL to session " + std::to_string(to));
      }
      lines_[to].push_back(std::move(l));
    }
    deliveries_[to].push_back(line);
  }

  void close(SessionId who, std::string_view reason) override {
    if (closed_.count(who)) violations_.push_back("session " + std::to_string(who) + " closed twice");
    closed_[who] = std::string(reason);
  }

  void pause_input(SessionId who, bool paused) override {
    if (closed_.count(who)) violations_.push_back("session " + std::to_string(who) + " paused after close");
    if (paused_[who] == paused)
      violations_.push_back("session " + std::to_string(who) +
                            (paused ? " paused twice" : " resumed unpaused"));
    paused_[who] = paused;
  }
  // Whether the engine has asked the transport to stop reading `id` (and not resumed it since).
  bool input_paused(SessionId id) const {
    auto it = paused_.find(id);
    return it != paused_.end() && it->second;
  }

  std::vector<std::string>& lines(SessionId id) { return lines_[id]; }
  const std::vector<SharedLine>& deliveries(SessionId id) { return deliveries_[id]; }
  void clear(SessionId id) {
    lines_[id].clear();
    deliveries_[id].clear();
  }
  void clear_all() {
    lines_.clear();
    deliveries_.clear();
  }
  bool closed(SessionId id) const { return closed_.count(id) != 0; }
  std::optional<std::string> close_reason(SessionId id) const {
    auto it = closed_.find(id);
    return it == closed_.end() ? std::nullopt : std::optional<std::string>(it->second);
  }
  std::size_t closed_count() const { return closed_.size(); }
  const std::vector<std::string>& violations() const { return violations_; }

 private:
  std::map<SessionId, std::vector<std::string>> lines_;
  std::map<SessionId, std::vector<SharedLine>> deliveries_;
  std::map<SessionId, std::string> closed_;
  std::map<SessionId, bool> paused_;
  std::vector<std::string> violations_;
};

// The engine's slow-work backend (core/accounts.h), in memory. Requests queue up; the harness
// answers them after each engine call it makes (kAnswerAfterEachCall), or the test answers them
// itself, late, with an error, or never (kManual: answer_next(), queue).
// Password rule: the hash of password P is "plain:" + P (see hash()). Accounts live in `table`
// and every request kind follows server/account_service.cpp's execute() rule for rule (SCRAM
// credentials with kScramTestIterations, so tests stay fast).
class FakeAccountBackend final : public AccountBackend {
 public:
  enum class Mode { kAnswerAfterEachCall, kManual };
  static constexpr std::uint32_t kScramTestIterations = 64;
  static std::string hash(std::string_view password) { return "plain:" + std::string(password); }

  struct Record {
    AccountInfo info;  // info.scram filled
    std::string password;
  };

  void submit(RequestId id, AccountRequest request) override {
    ++submitted;
    queue.emplace_back(id, std::move(request));
  }
  // Adds an account directly (as `parley account create` would). `name` in display form;
  // the key is its rfc1459 fold, which is what the engine sends by default.
  void add_account(const std::string& name, const std::string& password, bool verified = true,
                   const std::string& email = {}) {
    Record r;
    r.info.name = name;
    r.info.email = email;
    r.info.verified = verified;
    r.info.registered_at = 1767323045;
    set_password(r, password);
    table[proto::fold(name, proto::Casemapping::kRfc1459)] = std::move(r);
  }
  const Record* find(const std::string& name) const {
    auto it = table.find(proto::fold(name, proto::Casemapping::kRfc1459));
    return it == table.end() ? nullptr : &it->second;
  }

  // The answer a correct backend would give (and its effect on `table`).
  AccountAnswer answer_for(const AccountRequest& r) {
    using Kind = AccountRequest::Kind;
    using Outcome = AccountAnswer::Outcome;
    auto out = [](Outcome o) {
      AccountAnswer a;
      a.outcome = o;
      return a;
    };
    auto ok_with = [&](const Record& rec, bool scram = false) {
      AccountAnswer a = out(Outcome::kOk);
      a.account = rec.info;
      if (!scram) a.account->scram = {};
      return a;
    };
    if (fail_all) return out(Outcome::kFailed);
    auto it = table.find(r.account_folded);
    switch (r.kind) {
      case Kind::kVerifyPassword: return out(r.hash == hash(r.password) ? Outcome::kOk : Outcome::kDenied);
      case Kind::kLoginPassword:
        if (it == table.end()) return out(Outcome::kNotFound);
        if (it->second.password != r.password) return out(Outcome::kDenied);
        if (!it->second.info.verified) return out(Outcome::kUnverified);
        return ok_with(it->second);
      case Kind::kLoginCertfp:
        for (auto& [key, rec] : table) {
          auto& fps = rec.info.certfps;
          if (std::find(fps.begin(), fps.end(), r.certfp) == fps.end()) continue;
          if (!rec.info.verified) return out(Outcome::kUnverified);
          return ok_with(rec);
        }
        return out(Outcome::kNotFound);
      case Kind::kScramLookup:
      case Kind::kFind:
        if (it == table.end()) return out(Outcome::kNotFound);
        return ok_with(it->second, r.kind == Kind::kScramLookup);
      case Kind::kRegister: {
        if (r.limit > 0 && !r.email.empty()) {
          std::size_t n = std::count_if(table.begin(), table.end(),
                                        [&](const auto& p) { return p.second.info.email == r.email; });
          if (n >= r.limit) return out(Outcome::kLimit);
        }
        if (it != table.end()) return out(Outcome::kExists);
        Record rec;
        rec.info.name = r.account;
        rec.info.email = r.email;
        rec.info.verified = r.flag;
        rec.info.registered_at = 1767323045;
        set_password(rec, r.password);
        auto& stored = table[r.account_folded] = std::move(rec);
        return ok_with(stored);
      }
      default: break;
    }
    if (it == table.end()) return out(Outcome::kNotFound);
    Record& rec = it->second;
    auto& fps = rec.info.certfps;
    switch (r.kind) {
      case Kind::kSetPassword: set_password(rec, r.password); return out(Outcome::kOk);
      case Kind::kDrop: table.erase(it); return out(Outcome::kOk);
      case Kind::kAddCert:
        for (auto& [key, other] : table) {
          if (&other != &rec && std::count(other.info.certfps.begin(), other.info.certfps.end(), r.certfp))
            return out(Outcome::kExists);
        }
        if (std::find(fps.begin(), fps.end(), r.certfp) == fps.end()) {
          fps.push_back(r.certfp);
          std::sort(fps.begin(), fps.end());
        }
        return ok_with(rec);
      case Kind::kDelCert: {
        auto f = std::find(fps.begin(), fps.end(), r.certfp);
        if (f == fps.end()) return out(Outcome::kNotFound);
        fps.erase(f);
        return ok_with(rec);
      }
      case Kind::kSetEnforce: rec.info.enforce = r.flag; return ok_with(rec);
      case Kind::kVerify: rec.info.verified = true; return ok_with(rec);
      default: break;
    }
    return out(Outcome::kFailed);
  }

  Mode mode = Mode::kAnswerAfterEachCall;
  std::deque<std::pair<RequestId, AccountRequest>> queue;
  std::map<std::string, Record> table;  // key: folded account name
  bool fail_all = false;                // every answer kFailed (the store is down)
  int submitted = 0;

 private:
  static void set_password(Record& r, const std::string& password) {
    r.password = password;
    r.info.scram = crypto::derive_scram_credentials(password, "salt-of-" + r.info.name, kScramTestIterations);
  }
};

// The engine's storage backend (core/history.h), in memory. Requests queue up; the harness
// answers them after each engine call it makes (kAnswerAfterEachCall), or the test answers them
// itself, late, with an error, or never (kManual: answer_history_next(), queue). answer_for() runs
// a request through store::execute_history, the production routing, over two MemoryStores: the
// durable one (`durable`: channels, markers, logged-in history) and the ephemeral one (`memory`).
class FakeHistoryBackend final : public HistoryBackend {
 public:
  enum class Mode { kAnswerAfterEachCall, kManual };
  void submit(RequestId id, HistoryRequest request) override {
    ++submitted;
    queue.emplace_back(id, std::move(request));
  }
  void append(RequestId id, const HistoryEntry& entry, bool durable, bool is_quiet) override {
    if (is_quiet) quiet.insert(id);
    HistoryBackend::append(id, entry, durable, is_quiet);  // answered like any request
  }
  HistoryAnswer answer_for(const HistoryRequest& request) {
    if (fail_all) {
      HistoryAnswer a;
      a.outcome = HistoryAnswer::Outcome::kFailed;
      a.detail = "injected: every history request fails";
      return a;
    }
    return store::execute_history(request, durable, memory);
  }
  HistoryStats stats() const override {
    HistoryStats now = reported;
    now.queue_depth = queue.size();
    return now;
  }
  Mode mode = Mode::kAnswerAfterEachCall;
  std::deque<std::pair<RequestId, HistoryRequest>> queue;
  HistoryStats reported;  // what stats() says, but for queue_depth (the queue's real size)
  bool fail_all = false;  // every answer kFailed (the disk is full); the stores are not touched
  int submitted = 0;
  std::set<RequestId> quiet;   // appends the engine made quiet (a backend may leave out their kOk)
  store::MemoryStore durable;  // what the database would hold; tests may seed or inspect it
  store::MemoryStore memory;   // private history of users who are not logged in
};

// Time only moves when a test says so. Starts at 2026-01-02T03:04:05.678Z.
class FakeClock {
 public:
  static constexpr std::int64_t kStartMillis = 1767323045678;
  static TimePoint start() { return TimePoint(std::chrono::milliseconds(kStartMillis)); }
  TimePoint now() const { return now_; }
  template <class Rep, class Period>
  void advance(std::chrono::duration<Rep, Period> d) {
    now_ += std::chrono::duration_cast<Clock::duration>(d);
  }

 private:
  TimePoint now_ = start();
};

class EngineHarness {
 public:
  EngineHarness() : config(default_config()) {}
  explicit EngineHarness(EngineConfig cfg) : config(std::move(cfg)) {}
  EngineHarness(const EngineHarness&) = delete;
  EngineHarness& operator=(const EngineHarness&) = delete;
  ~EngineHarness() {
    for (const std::string& v : sink.violations()) ADD_FAILURE() << "ReplySink contract: " << v;
  }

  static EngineConfig default_config() {
    EngineConfig c;
    c.created = "Thu Jan 1 2026 at 00:00:00 UTC";
    // Hosts are the IPs the tests connect from; cloak tests (cloak_test.cpp) turn cloaks on.
    c.cloaks.enabled = false;
    return c;
  }

  // Read by the Engine when it is constructed, i.e. on the first call below that needs it.
  EngineConfig config;
  RecordingSink sink;
  FakeAccountBackend accounts;
  FakeHistoryBackend history;
  FakeClock clock;

  Engine& engine() {
    if (!engine_) engine_ = std::make_unique<Engine>(config, sink, accounts, history);
    return *engine_;
  }
  // Answers the oldest queued request as a correct backend would (or with `answer`). Returns
  // false when nothing is queued.
  bool answer_next(std::optional<AccountAnswer> answer = std::nullopt) {
    if (accounts.queue.empty()) return false;
    auto [id, request] = std::move(accounts.queue.front());
    accounts.queue.pop_front();
    engine().account_answer(id, answer ? *answer : accounts.answer_for(request), clock.now());
    return true;
  }
  bool answer_history_next(std::optional<HistoryAnswer> answer = std::nullopt) {
    if (history.queue.empty()) return false;
    auto [id, request] = std::move(history.queue.front());
    history.queue.pop_front();
    engine().history_answer(id, answer ? *answer : history.answer_for(request), clock.now());
    return true;
  }
  // Answers every queued account request (whatever the mode), until none is left.
  void answer_all() {
    while (answer_next()) {
    }
  }
  // What send() does after each line: answers the queues whose mode is kAnswerAfterEachCall, in
  // turn, until both are empty (an answer may queue more work).
  void answer_automatic() {
    bool any = true;
    while (any) {
      any = false;
      if (accounts.mode == FakeAccountBackend::Mode::kAnswerAfterEachCall) {
        while (answer_next()) any = true;
      }
      if (history.mode == FakeHistoryBackend::Mode::kAnswerAfterEachCall) {
        while (answer_history_next()) any = true;
      }
    }
  }
  TimePoint now() const { return clock.now(); }

  // A new session; see accepted() for whether the engine took it.
  SessionId connect(std::string ip = "127.0.0.1", bool exempt = false) {
    ConnectionInfo info;
    info.ip = std::move(ip);
    info.exempt = exempt;
    return connect(std::move(info));
  }
  SessionId connect(ConnectionInfo info) {
    SessionId id = next_id_++;
    info.port = static_cast<std::uint16_t>(40000 + id);
    if (engine().connect(id, info, clock.now())) accepted_.insert(id);
    return id;
  }
  bool accepted(SessionId id) const { return accepted_.count(id) != 0; }

  void send(SessionId id, std::string_view line) {
    engine().receive(id, line, clock.now());
    answer_automatic();
  }

  // NICK + USER (username = nick, realname "Real <nick>"), optionally requesting `caps` first
  // (CAP REQ ... CAP END). Expects RPL_WELCOME, then clears everything the session received.
  // (`register` is a C++ keyword, hence the name.)
  SessionId register_user(const std::string& nick, const std::vector<std::string>& caps = {},
                          std::string ip = "127.0.0.1") {
    SessionId id = connect(std::move(ip));
    if (!caps.empty()) {
      std::string req = "CAP REQ :";
      for (std::size_t i = 0; i < caps.size(); ++i) req += (i ? " " : "") + caps[i];
      send(id, req);
      EXPECT_TRUE(has_line(id, " ACK ")) << "CAP REQ for " << nick << " not acknowledged:\n" << dump(id);
    }
    send(id, "NICK " + nick);
    send(id, "USER " + nick + " 0 * :Real " + nick);
    if (!caps.empty()) send(id, "CAP END");
    EXPECT_TRUE(has_line(id, " 001 " + nick + " ")) << nick << " did not get RPL_WELCOME:\n" << dump(id);
    sink.clear(id);
    return id;
  }

  // Registers each nick (as register_user does) and has it JOIN `channel`: the first one creates
  // the channel and is its operator. Clears all output. Per-IP limits apply (default 10).
  std::vector<SessionId> channel_with(const std::string& channel, const std::vector<std::string>& nicks) {
    std::vector<SessionId> ids;
    for (const auto& nick : nicks) {
      ids.push_back(register_user(nick));
      send(ids.back(), "JOIN " + channel);
    }
    clear_all();
    return ids;
  }
  // The same with capabilities per user: {{"alice", {}}, {"bob", {"server-time"}}}.
  std::vector<SessionId> channel_with_caps(
      const std::string& channel,
      const std::vector<std::pair<std::string, std::vector<std::string>>>& users) {
    std::vector<SessionId> ids;
    for (const auto& [nick, caps] : users) {
      ids.push_back(register_user(nick, caps));
      send(ids.back(), "JOIN " + channel);
    }
    clear_all();
    return ids;
  }

  std::vector<std::string>& lines(SessionId id) { return sink.lines(id); }
  // Returns what `id` received so far and forgets it.
  std::vector<std::string> take(SessionId id) {
    std::vector<std::string> out = std::move(sink.lines(id));
    sink.clear(id);
    return out;
  }
  void clear(SessionId id) { sink.clear(id); }
  void clear_all() { sink.clear_all(); }

  bool has_line(SessionId id, std::string_view substring) { return count(id, substring) != 0; }
  bool has_line(SessionId id, const std::regex& re) {
    const auto& ls = lines(id);
    return std::any_of(ls.begin(), ls.end(), [&](const std::string& l) { return std::regex_search(l, re); });
  }
  std::size_t count(SessionId id, std::string_view substring) {
    const auto& ls = lines(id);
    return std::count_if(ls.begin(), ls.end(),
                         [&](const std::string& l) { return l.find(substring) != std::string::npos; });
  }
  std::optional<std::string> find_line(SessionId id, std::string_view substring) {
    for (const auto& l : lines(id)) {
      if (l.find(substring) != std::string::npos) return l;
    }
    return std::nullopt;
  }
  std::vector<Line> parsed(SessionId id) {
    std::vector<Line> out;
    for (const auto& l : lines(id)) out.push_back(parse_line(l));
    return out;
  }
  // Received lines whose command (or numeric) is `command`.
  std::vector<Line> replies(SessionId id, std::string_view command) {
    std::vector<Line> out;
    for (const auto& l : lines(id)) {
      Line p = parse_line(l);
      if (p.command == command) out.push_back(std::move(p));
    }
    return out;
  }
  // The command word of every received line, in order: {"001", "002", ..., "JOIN"}.
  std::vector<std::string> commands(SessionId id) {
    std::vector<std::string> out;
    for (const auto& l : lines(id)) out.push_back(parse_line(l).command);
    return out;
  }
  std::string dump(SessionId id) {
    std::string out;
    for (const auto& l : lines(id)) out += "    " + l + "\n";
    return out.empty() ? "    (nothing)\n" : out;
  }

  // Moves the clock and runs the engine's periodic housekeeping once.
  void advance(std::chrono::milliseconds d) {
    clock.advance(d);
    engine().tick(clock.now());
  }
  void advance_seconds(double seconds) {
    advance(std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000)));
  }
  void tick() { engine().tick(clock.now()); }

  bool closed(SessionId id) const { return sink.closed(id); }
  std::string close_reason(SessionId id) const { return sink.close_reason(id).value_or("<not closed>"); }

  User* user(SessionId id) { return engine().find_user(id); }
  Channel* channel(std::string_view name) { return engine().find_channel(name); }

  // Every channel member is a live user that lists the channel, and every user's channel list
  // points at channels that list the user back.
  ::testing::AssertionResult memberships_consistent() {
    Engine& e = engine();
    std::set<const User*> live;
    for (const auto& [id, u] : e.users()) live.insert(u.get());
    for (const auto& [key, c] : e.channels()) {
      if (c->members.empty()) return ::testing::AssertionFailure() << "channel " << c->name << " is empty";
      for (const auto& [member, flags] : c->members) {
        if (!live.count(member)) {
          return ::testing::AssertionFailure() << "channel " << c->name << " has a dangling member";
        }
        if (std::find(member->channels.begin(), member->channels.end(), c.get()) == member->channels.end()) {
          return ::testing::AssertionFailure()
                 << member->nick << " is in " << c->name << " but does not list it";
        }
      }
    }
    for (const User* u : live) {
      for (const Channel* c : u->channels) {
        bool found = std::any_of(e.channels().begin(), e.channels().end(),
                                 [&](const auto& p) { return p.second.get() == c; });
        if (!found) return ::testing::AssertionFailure() << u->nick << " lists a channel the engine lost";
        if (!c->has(*u))
          return ::testing::AssertionFailure() << u->nick << " lists " << c->name << " but is no member";
      }
    }
    return ::testing::AssertionSuccess();
  }

 private:
  std::unique_ptr<Engine> engine_;
  std::set<SessionId> accepted_;
  SessionId next_id_ = 1;
};

}  // namespace parley::core::test
