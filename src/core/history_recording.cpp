#include "core/history_recording.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "core/channel.h"
#include "core/engine.h"
#include "core/user.h"

namespace parley::core {

// The echoes a command holds and the appends that failed, shared by the appends' continuations.
struct MessageLog::Held {
  std::string command;
  std::vector<SharedLine> echoes;
  // Targets whose durable append failed, in order, with why (failure_reason()).
  std::vector<std::pair<std::string, std::string_view>> failed;
};

namespace {

void say_not_stored(Engine& e, User& u, std::string_view command, std::string_view target,
                    std::string_view why) {
  e.fail(u, command, "MESSAGE_ERROR", {target, "Message not stored in history: " + std::string(why)});
}

// Why an append failed, for its sender.
std::string_view failure_reason(const HistoryAnswer& a) {
  return a.detail == kHistoryQueueFull ? "the history queue is full" : "the history store is unavailable";
}

void remember_ephemeral(User& u, const std::string& key) {
  auto& keys = u.ephemeral_history;
  if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
}

}  // namespace

MessageLog::MessageLog(Engine& e, User& sender)
    : e_(e),
      u_(sender),
      hold_(e.config().history.enabled && !sender.remote &&
            (sender.caps.has(Cap::kEchoMessage) || e.labeled_for(sender) || e.history_backlogged())),
      pipelined_(hold_ && !e.labeled_for(sender) && !e.history_backlogged()) {
  appends_.swap(spare_appends());  // (empty for a MessageLog made while another one lives)
}

MessageLog::~MessageLog() {
  finish();
  std::vector<Append>& spare = spare_appends();
  if (spare.size() < appends_.size()) spare.swap(appends_);
}

std::vector<MessageLog::Append>& MessageLog::spare_appends() {
  thread_local std::vector<Append> spare;
  return spare;
}

void MessageLog::channel(Channel& c, const RelayedMessage& m) { append(c.folded, true, m); }

void MessageLog::private_to(User& to, const RelayedMessage& m) {
  if (!e_.config().history.enabled) return;
  if (!u_.account().empty() && !to.account().empty()) {
    append(dm_key(e_.fold(u_.account()), e_.fold(to.account())), true, m);
  } else {
    std::string key = ephemeral_dm_key(u_.nick_folded, to.nick_folded);
    remember_ephemeral(u_, key);
    remember_ephemeral(to, key);
    append(std::move(key), false, m);
  }
}

void MessageLog::append(std::string key, bool durable, const RelayedMessage& m) {
  if (!e_.config().history.enabled) return;
  if (used_ == appends_.size()) appends_.emplace_back();
  // Every field is assigned, into the buffers the entry kept from an earlier command.
  Append& a = appends_[used_++];
  a.durable = durable;
  a.shown_target.assign(m.target);
  HistoryEntry& entry = a.entry;
  entry.target.assign(key);
  entry.msgid.assign(m.msgid);
  entry.time_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      (m.time == TimePoint{} ? e_.now() : m.time).time_since_epoch())
                      .count();
  entry.source.assign(u_.prefix());
  entry.sender_folded.assign(u_.nick_folded);
  entry.account.assign(u_.account());
  entry.command.assign(m.command);
  entry.tags.assign(m.client_tags);
  const bool has_text = m.command != "TAGMSG";
  entry.params.assign(m.target);
  entry.text.clear();
  if (has_text) {
    entry.params += " :";
    entry.params += m.text;
    entry.text.assign(m.text);
  }
  command_.assign(m.command);
  if (durable && hold_ && !held_) {
    held_ = std::make_shared<Held>();
    held_->command = command_;
  }
}

void MessageLog::echo(SharedLine line) {
  if (held_) {
    held_->echoes.push_back(std::move(line));
  } else {
    e_.send(u_, line);
  }
}

void MessageLog::finish() {
  if (finished_) return;
  finished_ = true;
  std::size_t last_durable = used_;
  for (std::size_t i = 0; i < used_; ++i) {
    if (appends_[i].durable) last_durable = i;
  }
  for (std::size_t i = 0; i < used_; ++i) {
    Append& r = appends_[i];
    if (!r.durable) {
      e_.history_append_quiet(r.entry, false, nullptr);
      continue;
    }
    if (!held_) {  // the sender does not wait; a failure is still reported
      e_.history_append_quiet(r.entry, true, &u_, command_, r.shown_target);
      continue;
    }
    const bool last = i == last_durable;
    const bool pipelined = pipelined_;
    if (last && pipelined) ++u_.echo_holds;
    e_.history_append(
        &u_, r.entry, true,
        [held = held_, target = std::move(r.shown_target), last, pipelined](Engine& e, User* u,
                                                                            const HistoryAnswer& a) {
          if (a.outcome == HistoryAnswer::Outcome::kFailed)
            held->failed.emplace_back(target, failure_reason(a));
          if (!last) return;
          if (pipelined) --u->echo_holds;
          for (const SharedLine& line : held->echoes) e.send(*u, line);
          for (const auto& [t, why] : held->failed) say_not_stored(e, *u, held->command, t, why);
        },
        /*is_reply=*/last && !pipelined);
  }
}

void note_not_stored(Engine& e, User& sender, std::string_view command, std::string_view target,
                     const HistoryAnswer& a) {
  say_not_stored(e, sender, command, target, failure_reason(a));
}

std::string record_event(Engine& e, const User& from, const Channel& c, std::string_view command,
                         std::span<const std::string_view> params, Engine::Broadcast* live) {
  if (!e.config().history.enabled) return {};
  HistoryEntry entry;
  entry.target = c.folded;
  entry.msgid = e.new_msgid();
  entry.time_ms = std::chrono::duration_cast<std::chrono::milliseconds>(e.now().time_since_epoch()).count();
  entry.source = from.prefix();
  entry.sender_folded = from.nick_folded;
  entry.account = from.account();
  entry.command = std::string(command);
  // The parameters as Engine::Broadcast writes them: free text (the last of two or more, but for
  // MODE) as a trailing parameter.
  std::string line;
  proto::LineBuilder b(line);
  bool text_last = params.size() >= 2 && command != "MODE";
  std::size_t i = 0;
  for (std::string_view p : params) {
    if (++i == params.size()) {
      text_last ? b.trailing(p) : b.last(p);
    } else {
      b.param(p);
    }
  }
  entry.params = line.substr(line.empty() ? 0 : 1);  // without the space LineBuilder starts with
  std::string msgid = entry.msgid;
  if (live) live->with_tag("msgid=" + msgid);
  e.history_append_quiet(entry, true, nullptr);
  return msgid;
}

void forget_redacted(Engine& e, const Channel* c, const User& author, const User* to,
                     std::string_view msgid) {
  if (!e.config().history.enabled || (!c && !to)) return;
  HistoryRequest r;
  r.kind = HistoryRequest::Kind::kRedact;
  r.msgid = std::string(msgid);
  if (c) {
    r.target = c->folded;
  } else if (!author.account().empty() && !to->account().empty()) {
    r.target = dm_key(e.fold(author.account()), e.fold(to->account()));
  } else {
    r.durable = false;
    r.target = ephemeral_dm_key(author.nick_folded, to->nick_folded);
  }
  e.history_request(nullptr, std::move(r), {}, false);
}

void forget_ephemeral_history(Engine& e, User& u) {
  if (!e.config().history.enabled) return;
  for (std::string& key : u.ephemeral_history) {
    HistoryRequest forget;
    forget.kind = HistoryRequest::Kind::kForget;
    forget.durable = false;
    forget.target = std::move(key);
    e.history_request(nullptr, std::move(forget), {}, false);
  }
  u.ephemeral_history.clear();
}

}  // namespace parley::core
