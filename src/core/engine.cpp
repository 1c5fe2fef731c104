#include "core/engine.h"

#include <algorithm>
#include <ctime>

#include "core/cloak.h"
#include "core/command_table.h"
#include "core/history_recording.h"
#include "core/metadata.h"
#include "core/multiline.h"
#include "core/numerics.h"
#include "core/text.h"
#include "crypto/crypto.h"

namespace parley::core {

using namespace numeric;

std::string format_server_time(TimePoint t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];  // room for any int the compiler can imagine in tm fields
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

std::string unix_seconds(TimePoint t) {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
}

Engine::Engine(EngineConfig config, ReplySink& sink, AccountBackend& accounts, HistoryBackend& history)
    : config_(std::move(config)),
      sink_(sink),
      accounts_(accounts),
      history_(history),
      msgids_(config_.msgid_seed) {
  command_uses_.resize(all_commands().size());
  local_server_.sid = config_.server_id.empty() ? sid_from_name(config_.server_name) : config_.server_id;
  local_server_.name = config_.server_name;
  local_server_.description = config_.server_description;
  build_isupport();
  build_cap_values();
}

Engine::~Engine() = default;

void Engine::build_cap_values() {
  for (const auto& info : kCaps) cap_values_[static_cast<std::size_t>(info.cap)] = info.value;
  cap_values_[static_cast<std::size_t>(Cap::kMetadata)] = metadata_cap_value(config_);
  cap_values_[static_cast<std::size_t>(Cap::kMultiline)] =
      "max-bytes=" + std::to_string(config_.limits.multiline_max_bytes) +
      ",max-lines=" + std::to_string(config_.limits.multiline_max_lines);
  // draft/account-registration: REGISTER works before connection completes, takes any valid
  // account name, never needs an e-mail (Parley sends none); closed registration offers no cap
  // value and REGISTER then fails.
  cap_values_[static_cast<std::size_t>(Cap::kAccountRegistration)] =
      config_.accounts.registration == AccountPolicy::Registration::kClosed ? ""
      : config_.accounts.register_before_connect ? "before-connect,custom-account-name"
                                                 : "custom-account-name";
}

void Engine::build_isupport() {
  isupport_lines_.clear();
  const Limits& l = config_.limits;
  std::vector<std::string> tokens = {
      "ACCOUNTEXTBAN=a",
      "AWAYLEN=" + std::to_string(l.away_length),
      "BOT=B",
      "CASEMAPPING=" + std::string(proto::to_string(config_.casemapping)),
      "CHANLIMIT=#&:" + std::to_string(l.max_channels_per_user),
      "CHANMODES=beI,k,Hl,Cimnpst",
      "CHANNELLEN=" + std::to_string(l.channel_length),
      "CHANTYPES=#&",
      "ELIST=CMNTU",
      "EXCEPTS=e",
      "EXTBAN=,am",
      "HOSTLEN=64",
      "INVEX=I",
      "KICKLEN=" + std::to_string(l.kick_length),
      "KNOCK",
      "MAXLIST=beI:" + std::to_string(l.max_bans),
      "MAXTARGETS=" + std::to_string(l.max_targets),
      "MODES=" + std::to_string(l.max_modes),
      "MONITOR=" + std::to_string(l.monitor_entries),
      "NAMELEN=" + std::to_string(l.realname_length),
      "NETWORK=" + config_.network_name,
      "NICKLEN=" + std::to_string(l.nick_length),
      "PREFIX=(ov)@+",
      "SILENCE=" + std::to_string(l.max_silence),
      "STATUSMSG=@+",
      "TARGMAX=JOIN:,KICK:" + std::to_string(l.max_targets) + ",NAMES:" + std::to_string(l.max_targets) +
          ",NOTICE:" + std::to_string(l.max_targets) + ",PART:,PRIVMSG:" + std::to_string(l.max_targets) +
          ",TAGMSG:" + std::to_string(l.max_targets) + ",WHOIS:1",
      "TOPICLEN=" + std::to_string(l.topic_length),
      "USERLEN=" + std::to_string(l.user_length),
      "WHOX",
  };
  if (config_.history.enabled) {  // draft/chathistory, each in its alphabetical place
    tokens.insert(std::find(tokens.begin(), tokens.end(), "ELIST=CMNTU"),
                  "CHATHISTORY=" + std::to_string(config_.history.max_query));
    tokens.insert(std::find(tokens.begin(), tokens.end(), "NAMELEN=" + std::to_string(l.realname_length)),
                  "MSGREFTYPES=timestamp,msgid");
  }
  if (config_.utf8_only) tokens.push_back("UTF8ONLY");
  constexpr std::size_t kPerLine = 13;  // ISUPPORT allows at most 13 tokens per line
  for (std::size_t i = 0; i < tokens.size(); i += kPerLine) {
    auto end = tokens.begin() + static_cast<std::ptrdiff_t>(std::min(tokens.size(), i + kPerLine));
    isupport_lines_.emplace_back(tokens.begin() + static_cast<std::ptrdiff_t>(i), end);
  }
}

// ---- entry points -------------------------------------------------------------------------------

bool Engine::connect(SessionId id, const ConnectionInfo& info, TimePoint now) {
  now_ = now;
  if (started_ == TimePoint{}) started_ = now;
  auto refuse = [&](std::string_view why) {
    sink_.send(id, proto::make_line("ERROR :Closing Link: " + info.ip + " (" + std::string(why) + ")\r\n"));
    sink_.close(id, why);
    return false;
  };
  if (users_.size() >= config_.limits.max_clients) return refuse("Server is full");
  if (const ServerBan* ban = server_bans_.match_address(info.ip, unix_now())) return refuse("D-lined: " + ban->reason);
  std::size_t& from_ip = clients_per_ip_[info.ip];
  if (!info.exempt && !info.per_ip_exempt && from_ip >= config_.limits.max_clients_per_ip) {
    if (from_ip == 0) clients_per_ip_.erase(info.ip);
    return refuse("Too many connections from your IP address");
  }
  ++from_ip;
  auto user = std::make_unique<User>();
  user->id = id;
  user->address = !info.ip.empty() && info.ip.front() == ':' ? "0" + info.ip : info.ip;
  if (config_.cloaks.enabled) {
    user->cloak = cloak_host(config_.cloaks.secret, info.ip, config_.cloaks.suffix);
    user->host = user->cloak;
  } else {
    user->host = user->address;
  }
  user->exempt = info.exempt;
  user->secure = info.secure;
  user->connected_at = user->last_activity = user->last_message = now;
  user->flood_tokens = config_.flood.burst;
  user->flood_at = now;
  user->server = &local_server_;
  user->uid = local_server_.sid + uid_suffix(uids_issued_++);
  uids_.emplace(user->uid, user.get());
  users_.emplace(id, std::move(user));
  return true;
}

std::string Engine::new_nonce() { return crypto::base64_encode(crypto::random_bytes(24)); }

void Engine::tls_established(SessionId id, std::string certfp) {
  if (User* u = find_user(id)) {
    u->secure = true;
    u->set_certfp(std::move(certfp));
  }
}

namespace {

// Whether `line` may be handled while its sender's earlier messages wait for their stored echo
// (User::echo_holds): a PRIVMSG, NOTICE or TAGMSG to channels only, without a label or batch.
// Such a message is always recorded, so its echo queues behind theirs; anything else (a reply to
// another command, an error for a nick) would overtake them, so it waits.
bool pipelines(std::string_view line) {
  const proto::ParseResult parsed = proto::parse_message(line);
  if (!parsed.message) return false;
  const proto::Message& m = *parsed.message;
  const std::string command = ascii_upper(m.command);
  if (command != "PRIVMSG" && command != "NOTICE" && command != "TAGMSG") return false;
  if (m.size() == 0 || m.tag("label") || m.tag("batch")) return false;
  for (const std::string_view target : split_list(m.param(0))) {
    if (!proto::is_channel_name(target)) return false;
  }
  return true;
}

}  // namespace

void Engine::receive(SessionId id, std::string_view line, TimePoint now) {
  now_ = now;
  User* u = find_user(id);
  if (!u || u->quitting) return;
  u->last_activity = now;
  u->ping_sent = {};
  ++u->lines_in;
  u->bytes_in += line.size() + 2;
  if (!flood_ok(*u)) {
    ++counters_.flood_disconnects;
    quit(*u, "Excess Flood");
  } else if (u->awaiting_answer || (u->echo_holds > 0 && (u->deferred_count() > 0 || !pipelines(line)))) {
    if (u->deferred_bytes() + line.size() > kMaxDeferredBytes) {
      ++counters_.flood_disconnects;
      quit(*u, "Excess Flood", "Too many commands while waiting for an answer");
    } else {
      u->defer_line(line);
      if (!u->input_paused) {
        u->input_paused = true;
        sink_.pause_input(id, true);
      }
    }
  } else {
    handle_line(*u, line);
  }
  end_call();
}

void Engine::handle_line(User& u, std::string_view line) {
  if (line.find('\0') != std::string_view::npos) {
    reply(u, ERR_UNKNOWNERROR, {"*", "Input line contained a NUL byte and was discarded"});
    return;
  }
  auto parsed = proto::parse_message(line);
  if (parsed.message && parsed.message->tags_raw.size() > proto::kMaxClientTagBytes) {
    reply(u, ERR_INPUTTOOLONG, {"Input line was too long"});  // message-tags: client tag data limit
  } else if (parsed.message) {
    dispatch(u, *parsed.message);
  } else if (parsed.error == proto::ParseError::kLineTooLong ||
             parsed.error == proto::ParseError::kTagsTooLong) {
    reply(u, ERR_INPUTTOOLONG, {"Input line was too long"});
  } else if (parsed.error != proto::ParseError::kEmpty) {
    reply(u, ERR_UNKNOWNERROR, {"*", "Malformed message: " + std::string(proto::to_string(parsed.error))});
  }
}

void Engine::handle_deferred(User& u) {
  while (!u.quitting && !u.awaiting_answer && u.deferred_count() > 0) {
    if (u.echo_holds > 0 && !pipelines(u.next_deferred_line())) break;
    handle_line(u, u.take_deferred_line());
  }
  if (u.input_paused && !u.quitting && !u.awaiting_answer && u.deferred_count() == 0) {
    u.input_paused = false;
    sink_.pause_input(u.id, false);
  }
}

void Engine::line_too_long(SessionId id, TimePoint now) {
  now_ = now;
  User* u = find_user(id);
  if (!u || u->quitting) return;
  if (flood_ok(*u)) {
    reply(*u, ERR_INPUTTOOLONG, {"Input line was too long"});
  } else {
    ++counters_.flood_disconnects;
    quit(*u, "Excess Flood");
  }
  end_call();
}

void Engine::disconnect(SessionId id, std::string_view reason, TimePoint now) {
  now_ = now;
  if (User* u = find_user(id); u && !u->quitting) quit(*u, reason, {}, false);
  end_call();
}

void Engine::request(User& u, AccountRequest request, AccountContinuation then, bool is_reply) {
  const RequestId id = ++last_request_;
  pending_.emplace(id,
                   PendingRequest{u.id, is_reply ? take_label(u) : std::string{}, std::move(then), is_reply});
  if (is_reply) u.awaiting_answer = true;
  accounts_.submit(id, std::move(request));
}

void Engine::account_answer(RequestId id, AccountAnswer answer, TimePoint now) {
  now_ = now;
  auto it = pending_.find(id);
  if (it == pending_.end()) return;
  PendingRequest pending = std::move(it->second);
  pending_.erase(it);
  User* u = find_user(pending.session);
  if (u && !u->quitting) {
    if (pending.is_reply) u->awaiting_answer = false;
    reply_labeled(*u, std::move(pending.label), [&] { pending.then(*this, *u, answer); });
    handle_deferred(*u);
  }
  end_call();
}

void Engine::history_request(User* u, HistoryRequest request, HistoryContinuation then, bool is_reply) {
  history_.submit(await_history(u, std::move(then), is_reply), std::move(request));
}

void Engine::history_append(User* u, const HistoryEntry& entry, bool durable, HistoryContinuation then,
                            bool is_reply) {
  history_.append(await_history(u, std::move(then), is_reply), entry, durable, /*quiet=*/false);
}

void Engine::history_append_quiet(const HistoryEntry& entry, bool durable, const User* sender,
                                  std::string_view command, std::string_view shown_target) {
  const RequestId id = ++last_request_;
  quiet_appends_.push_back(
      QuietAppend{id, sender ? sender->id : 0, std::string(command), std::string(shown_target)});
  history_.append(id, entry, durable, /*quiet=*/true);
}

RequestId Engine::await_history(User* u, HistoryContinuation then, bool is_reply) {
  const RequestId id = ++last_request_;
  if (!u) is_reply = false;
  history_pending_.emplace(id, PendingHistory{u ? u->id : 0, is_reply ? take_label(*u) : std::string{},
                                              std::move(then), is_reply});
  if (is_reply) u->awaiting_answer = true;
  return id;
}

void Engine::history_answer(RequestId id, HistoryAnswer answer, TimePoint now) {
  now_ = now;
  // Answers come in submission order: the quiet appends before this answer that were not
  // answered are stored (HistoryBackend::append).
  while (!quiet_appends_.empty() && quiet_appends_.front().id < id) quiet_appends_.pop_front();
  if (!quiet_appends_.empty() && quiet_appends_.front().id == id) {
    const QuietAppend quiet = std::move(quiet_appends_.front());
    quiet_appends_.pop_front();
    User* u = quiet.sender != 0 ? find_user(quiet.sender) : nullptr;
    if (answer.outcome == HistoryAnswer::Outcome::kFailed && u && !u->quitting)
      note_not_stored(*this, *u, quiet.command, quiet.shown_target, answer);
    end_call();
    return;
  }
  auto it = history_pending_.find(id);
  if (it == history_pending_.end()) return;
  PendingHistory pending = std::move(it->second);
  history_pending_.erase(it);
  if (pending.session == 0) {
    if (pending.then) pending.then(*this, nullptr, answer);
    end_call();
    return;
  }
  User* u = find_user(pending.session);
  if (u && !u->quitting) {
    if (pending.is_reply) u->awaiting_answer = false;
    if (pending.then) reply_labeled(*u, std::move(pending.label), [&] { pending.then(*this, u, answer); });
    handle_deferred(*u);
  }
  end_call();
}

void Engine::tick(TimePoint now) {
  now_ = now;
  if (started_ == TimePoint{}) started_ = now;
  const Timeouts& t = config_.timeouts;
  std::vector<std::pair<User*, std::string>> expired;
  std::vector<User*> stale_batches;
  for (auto& [id, user] : users_) {
    User& u = *user;
    if (u.quitting) continue;
    if (u.multiline && now - u.multiline->opened >= t.multiline_batch) stale_batches.push_back(&u);
    if (!u.registered) {
      if (now - u.connected_at >= t.registration) expired.emplace_back(&u, "Registration timed out");
    } else if (u.ping_sent != TimePoint{}) {
      if (now - u.ping_sent >= t.ping_timeout) {
        auto secs = std::chrono::duration_cast<std::chrono::seconds>(now - u.last_activity).count();
        expired.emplace_back(&u, "Ping timeout: " + std::to_string(secs) + " seconds");
      }
    } else if (now - u.last_activity >= t.ping_interval) {
      server_message(u, "PING", {config_.server_name});
      u.ping_sent = now;
    }
  }
  for (User* u : stale_batches) discard_multiline(*this, *u, "Multiline batch timed out");
  std::vector<User*> enforce;
  for (auto& [id, user] : users_) {
    if (!user->quitting && user->enforce_at != TimePoint{} && now >= user->enforce_at)
      enforce.push_back(user.get());
  }
  for (User* u : enforce) enforce_nick_protection(*this, *u);
  for (auto& [u, reason] : expired) quit(*u, reason);
  expire_server_bans();
  end_call();
}

void Engine::shutdown(std::string_view reason) {
  for (auto& [id, user] : users_) {
    if (user->quitting) continue;
    send(*user, "ERROR :Closing Link: " + user->host + " (" + std::string(reason) + ")\r\n");
    sink_.close(id, reason);
  }
  monitors_ = MonitorRegistry{};  // holds pointers to the users about to go
  counters_ = counters();         // their traffic stays counted (the totals never go back)
  users_.clear();
  remote_users_.clear();
  uids_.clear();
  nicks_.clear();
  channels_.clear();
  clients_per_ip_.clear();
  registered_count_ = 0;
  retire_departed();
}

// ---- dispatch -----------------------------------------------------------------------------------

bool Engine::flood_ok(User& u) {
  if (u.exempt) return true;
  const FloodControl& f = config_.flood;
  double elapsed = std::chrono::duration<double>(now_ - u.flood_at).count();
  u.flood_at = now_;
  u.flood_tokens = std::min(f.burst, u.flood_tokens + std::max(0.0, elapsed) * f.rate) - 1;
  return u.flood_tokens >= -f.max_debt;
}

void Engine::dispatch(User& u, const proto::Message& msg) {
  // A label longer than 64 bytes is ignored (the spec lets servers bound it; Ergo does too).
  constexpr std::size_t kMaxLabel = 64;
  if (u.caps.has(Cap::kLabeledResponse)) {
    if (auto label = msg.tag("label"); label && !label->empty() && label->size() <= kMaxLabel) {
      labeled_ = LabeledReply{&u, std::string(*label), {}};
      dispatch_command(u, msg);
      release_labeled_reply();
      return;
    }
  }
  dispatch_command(u, msg);
}

namespace {

bool has_batch_tag(std::string_view line) {
  if (line.empty() || line.front() != '@') return false;
  std::string_view tags = line.substr(1, line.find(' ') - 1);
  return tags.starts_with("batch=") || tags.find(";batch=") != std::string_view::npos;
}

// True when `lines` are exactly one batch: "BATCH +ref type", lines tagged batch=ref, "BATCH -ref".
bool is_one_batch(const std::vector<std::string_view>& lines) {
  if (lines.size() < 2) return false;
  auto parse = [](std::string_view line) {
    return proto::parse_message(line.substr(0, line.size() - 2)).message;
  };
  auto first = parse(lines.front()), last = parse(lines.back());
  if (!first || !last || first->command != "BATCH" || last->command != "BATCH") return false;
  std::string_view open = first->param(0), close = last->param(0);
  if (open.size() < 2 || open[0] != '+' || close != "-" + std::string(open.substr(1))) return false;
  for (std::size_t i = 1; i + 1 < lines.size(); ++i) {
    auto m = parse(lines[i]);
    if (!m || m->tag("batch") != open.substr(1)) return false;
  }
  return true;
}

}  // namespace

std::string Engine::take_label(User& u) {
  if (labeled_.user != &u) return {};
  LabeledReply taken = std::move(labeled_);
  labeled_ = {};
  for (const SharedLine& line : taken.lines) send(u, line);  // nothing labeled was due yet
  return std::move(taken.label);
}

void Engine::reply_labeled(User& u, std::string label, const std::function<void()>& fn) {
  if (label.empty() || !u.caps.has(Cap::kLabeledResponse)) {
    fn();
    return;
  }
  LabeledReply outer = std::move(labeled_);
  labeled_ = LabeledReply{&u, std::move(label), {}};
  fn();
  release_labeled_reply();
  labeled_ = std::move(outer);
}

void Engine::release_labeled_reply() {
  if (!labeled_.user) return;
  LabeledReply reply = std::move(labeled_);
  labeled_ = {};
  User& u = *reply.user;
  std::vector<std::string_view> lines;
  for (const SharedLine& delivery : reply.lines) {
    std::string_view bytes = *delivery;
    while (!bytes.empty()) {
      auto end = bytes.find("\r\n");
      lines.push_back(bytes.substr(0, end + 2));
      bytes.remove_prefix(end + 2);
    }
  }
  std::string label = "label=" + reply.label;
  auto emit = [&](std::string line) {
    ++u.deliveries_out;
    u.bytes_out += line.size();
    sink_.send(u.id, proto::make_line(std::move(line)));
  };
  if (lines.empty()) {
    emit(proto::add_tag(":" + config_.server_name + " ACK\r\n", label));
  } else if (lines.size() == 1) {
    emit(proto::add_tag(lines.front(), label));
  } else if (!u.caps.has(Cap::kBatch) || is_one_batch(lines)) {
    // Without batch the spec lets the label go on one message only; the first one it is. A reply
    // that is one batch already (a multiline echo) is labeled on its opening BATCH line.
    emit(proto::add_tag(lines.front(), label));
    for (std::size_t i = 1; i < lines.size(); ++i) emit(std::string(lines[i]));
  } else {
    std::string ref = new_batch_ref();
    std::string out =
        proto::add_tag(":" + config_.server_name + " BATCH +" + ref + " labeled-response\r\n", label);
    std::string batch_tag = "batch=" + ref;
    for (std::string_view line : lines) {
      // A line of a batch nested in the reply keeps its own batch tag; its BATCH lines get ours.
      out += has_batch_tag(line) ? std::string(line) : proto::add_tag(line, batch_tag);
    }
    out += ":" + config_.server_name + " BATCH -" + ref + "\r\n";
    emit(std::move(out));
  }
}

void Engine::close_session(User& u, std::string_view reason) {
  if (labeled_.user == &u) release_labeled_reply();
  sink_.close(u.id, reason);
}

namespace {

bool message_is_utf8(const proto::Message& m) {
  if (!core::is_valid_utf8(m.tags_raw) || !core::is_valid_utf8(m.source)) return false;
  for (std::size_t i = 0; i < m.size(); ++i) {
    if (!core::is_valid_utf8(m.param(i))) return false;
  }
  return true;
}

}  // namespace

void Engine::dispatch_command(User& u, const proto::Message& msg) {
  if (config_.utf8_only && !message_is_utf8(msg)) {  // the command itself parsed, so it is ASCII
    fail(u, ascii_upper(msg.command), "INVALID_UTF8",
         {"Message rejected, your IRC software MUST use UTF-8 encoding on this network"});
    return;
  }
  const CommandSpec* spec = find_command(msg.command);
  if (!spec) {
    if (!u.registered) {
      reply(u, ERR_NOTREGISTERED, {"You have not registered"});
    } else {
      reply(u, ERR_UNKNOWNCOMMAND, {msg.command.substr(0, 32), "Unknown command"});
    }
    return;
  }
  if (!u.registered && !spec->before_registration) {
    reply(u, ERR_NOTREGISTERED, {"You have not registered"});
  } else if (msg.size() < spec->min_params) {
    reply(u, ERR_NEEDMOREPARAMS, {spec->name, "Not enough parameters"});
  } else if (spec->oper_only && !u.is_oper()) {
    reply(u, ERR_NOPRIVILEGES, {"Permission Denied- You're not an IRC operator"});
  } else if (spec->oper_only && !oper_may(u, spec->name)) {
    reply(u, ERR_NOPRIVILEGES,
          {"Permission Denied- Your operator class does not allow " + std::string(spec->name)});
  } else {
    ++command_uses_[static_cast<std::size_t>(spec - all_commands().data())];
    spec->handler(*this, u, msg);
  }
}

void Engine::end_call() {
  if (!departed_.empty()) retire_departed();
}

void Engine::retire_departed() {
  for (const auto& u : departed_) {
    counters_.lines_in += u->lines_in;
    counters_.bytes_in += u->bytes_in;
    counters_.deliveries_out += u->deliveries_out;
    counters_.bytes_out += u->bytes_out;
  }
  departed_.clear();
}

Engine::Counters Engine::counters() const {
  Counters c = counters_;
  for (const auto& [id, u] : users_) {
    c.lines_in += u->lines_in;
    c.bytes_in += u->bytes_in;
    c.deliveries_out += u->deliveries_out;
    c.bytes_out += u->bytes_out;
  }
  return c;
}

// ---- lookups ------------------------------------------------------------------------------------

User* Engine::find_user(SessionId id) {
  auto it = users_.find(id);
  return it == users_.end() ? nullptr : it->second.get();
}

User* Engine::find_nick(std::string_view nick) {
  auto it = nicks_.find(fold(nick));
  return it == nicks_.end() ? nullptr : it->second;
}

Channel* Engine::find_channel(std::string_view name) {
  auto it = channels_.find(fold(name));
  return it == channels_.end() ? nullptr : it->second.get();
}

std::uint64_t Engine::command_uses(const CommandSpec& spec) const {
  return command_uses_[static_cast<std::size_t>(&spec - all_commands().data())];
}

std::size_t Engine::oper_count() const {
  return std::count_if(users_.begin(), users_.end(), [](const auto& p) { return p.second->is_oper(); });
}

std::size_t Engine::invisible_count() const {
  return std::count_if(users_.begin(), users_.end(),
                       [](const auto& p) { return p.second->registered && p.second->invisible; });
}

bool Engine::sees_user(const User& viewer, const User& target) const {
  if (!target.invisible || &viewer == &target || viewer.is_oper()) return true;
  return std::any_of(target.channels.begin(), target.channels.end(),
                     [&](const Channel* c) { return c->has(viewer); });
}

// ---- output -------------------------------------------------------------------------------------

void Engine::send_side_effect(User& to, const SharedLine& line) { deliver_now(to, line); }

namespace {

// Every parameter, the last as trailing text (`text_last`) or with ':' only when it needs one.
void add_params(proto::LineBuilder& b, std::initializer_list<std::string_view> params, bool text_last) {
  std::size_t i = 0;
  for (auto p : params) {
    if (++i < params.size()) {
      b.param(p);
    } else if (text_last) {
      b.trailing(p);
    } else {
      b.last(p);
    }
  }
}

std::string standard_reply(std::string_view server, std::string_view kind, std::string_view command,
                           std::string_view code, std::initializer_list<std::string_view> params) {
  std::string line;
  proto::LineBuilder b(line);
  b.source(server).command(kind).param(command).param(code);
  add_params(b, params, /*text_last=*/true);
  b.finish();
  return line;
}

}  // namespace

void Engine::fail(User& to, std::string_view command, std::string_view code,
                  std::initializer_list<std::string_view> params) {
  send(to, standard_reply(config_.server_name, "FAIL", command, code, params));
}

void Engine::warn(User& to, std::string_view command, std::string_view code,
                  std::initializer_list<std::string_view> params) {
  send(to, standard_reply(config_.server_name, "WARN", command, code, params));
}

void Engine::note(User& to, std::string_view command, std::string_view code,
                  std::initializer_list<std::string_view> params) {
  send(to, standard_reply(config_.server_name, "NOTE", command, code, params));
}

void Engine::send(User& to, std::string line) { send(to, proto::make_line(std::move(line))); }

void Engine::reply(User& to, std::string_view code, std::initializer_list<std::string_view> params) {
  std::string line;
  line.reserve(128);
  proto::LineBuilder b(line);
  b.source(config_.server_name).command(code);
  std::size_t i = 0;
  for (auto p : params) {
    if (i++ == 0) b.param(to.target_name());
    if (i == params.size()) {
      b.last(p);
    } else {
      b.param(p);
    }
  }
  if (params.size() == 0) b.param(to.target_name());
  b.finish();
  send(to, std::move(line));
}

void Engine::server_message(User& to, std::string_view command,
                            std::initializer_list<std::string_view> params) {
  std::string line;
  proto::LineBuilder b(line);
  b.source(config_.server_name).command(command);
  add_params(b, params, /*text_last=*/false);
  b.finish();
  send(to, std::move(line));
}

std::string Engine::server_time_tag() const { return "time=" + format_server_time(now_); }

Engine::Broadcast::Broadcast(Engine& engine, std::string_view source, std::string_view command,
                             std::span<const std::string_view> params, std::string_view client_tags)
    : engine_(engine), tags_(client_tags) {
  proto::LineBuilder b(body_);
  b.source(source).command(command);
  // Free text (message bodies, reasons, topics) always goes out as a trailing parameter, as
  // every server does and some client scripts expect; data parameters only when they must.
  // (REDACT's optional reason is its third parameter.)
  bool text_last = params.size() >= (command == "REDACT" ? 3 : 2) && command != "MODE" && command != "INVITE";
  std::size_t i = 0;
  for (auto p : params) {
    if (++i == params.size()) {
      text_last ? b.trailing(p) : b.last(p);
    } else {
      b.param(p);
    }
  }
  b.finish();
}

const std::string& Engine::Broadcast::with_msgid() {
  msgid_ = engine_.new_msgid();  // the tag itself is written only into variants that carry tags
  return msgid_;
}

Engine::Broadcast& Engine::Broadcast::with_tag(std::string_view tag) {
  // Server tags go before the client's own, which are relayed last as received.
  tags_.insert(0, tags_.empty() ? std::string(tag) : std::string(tag) + ";");
  return *this;
}

Engine::Broadcast& Engine::Broadcast::with_account(const User& from) {
  account_.clear();
  for (char c : from.account()) {  // tag value escaping: of nick characters only '\' needs it
    if (c == '\\') account_ += '\\';
    account_ += c;
  }
  return *this;
}

const SharedLine& Engine::Broadcast::line_for(const User& u) {
  bool time = u.caps.has(Cap::kServerTime);
  bool tags = u.caps.has(Cap::kMessageTags) && !(tags_.empty() && msgid_.empty());
  bool account = !account_.empty() && u.caps.has(Cap::kAccountTag);
  SharedLine& slot = variants_[(time ? 1 : 0) | (tags ? 2 : 0) | (account ? 4 : 0)];
  if (!slot) {
    std::string t;
    if (time) t = time_ == TimePoint{} ? engine_.server_time_tag() : "time=" + format_server_time(time_);
    if (tags && !msgid_.empty()) {
      if (!t.empty()) t += ';';
      t += "msgid=";
      t += msgid_;
    }
    if (account) {
      if (!t.empty()) t += ';';
      t += "account=";
      t += account_;  // escaped once, in with_account()
    }
    if (tags && !tags_.empty()) {
      if (!t.empty()) t += ';';
      t += tags_;
    }
    std::string line;
    line.reserve(body_.size() + t.size() + 2);
    proto::LineBuilder(line).tags(t);
    line += body_;
    slot = proto::make_line(std::move(line));
  }
  return slot;
}

void Engine::Broadcast::to(User& u) { engine_.send(u, line_for(u)); }

void Engine::Broadcast::to_channel(Channel& c, const User* except) {
  c.for_each_local([&](User& member, std::uint8_t) {
    if (&member != except) to(member);
  });
}

Engine::Broadcast& Engine::Broadcast::to_common_channels(User& about, bool include_self, Cap required) {
  std::uint64_t epoch = engine_.next_visit_epoch();
  about.visit_mark = epoch;
  if (include_self) to(about);
  for (Channel* c : about.channels) {
    c->for_each_local([&](User& member, std::uint8_t) {
      if (member.visit_mark == epoch) return;
      member.visit_mark = epoch;
      if (required == Cap::kCount || member.caps.has(required)) to(member);
    });
  }
  return *this;
}

}  // namespace parley::core
