#include "core/history_access.h"

#include <algorithm>
#include <chrono>

#include "core/engine.h"
#include "core/text.h"
#include "proto/irc_message.h"

namespace parley::core {

namespace {

// The tags of one replayed line for `viewer`, without '@'.
std::string replay_tags(const User& viewer, const HistoryEntry& entry, std::string_view batch,
                        bool with_msgid) {
  std::string t;
  auto add = [&t](std::string_view key, std::string_view value) {
    if (!t.empty()) t += ';';
    t += key;
    if (!value.empty()) {
      t += '=';
      t += value;
    }
  };
  if (!batch.empty()) add("batch", batch);
  if (viewer.caps.has(Cap::kServerTime)) add("time", history_time(entry.time_ms));
  bool tags = viewer.caps.has(Cap::kMessageTags);
  if (tags && with_msgid) add("msgid", entry.msgid);
  if (!entry.account.empty() && viewer.caps.has(Cap::kAccountTag)) {
    std::string escaped;  // of account (nick) characters only '\' needs escaping
    for (char c : entry.account) escaped += c == '\\' ? std::string("\\\\") : std::string(1, c);
    add("account", escaped);
  }
  if (tags && !entry.tags.empty()) add(entry.tags, {});
  return t;
}

void add_line(std::string& out, std::string_view tags, std::string_view source, std::string_view command,
              std::string_view params) {
  if (!tags.empty()) {
    out += '@';
    out += tags;
    out += ' ';
  }
  out += ':';
  out += source;
  out += ' ';
  out += command;
  out += ' ';
  out += params;
  out += "\r\n";
}

}  // namespace

std::optional<ReadableTarget> readable_channel(Engine& e, const User& u, std::string_view target) {
  Channel* c = e.find_channel(target);
  bool is_public = e.config().history.public_channels;
  if (c ? !(c->has(u) || (!c->secret && is_public)) : !is_public) return std::nullopt;
  return ReadableTarget{e.fold(target), c ? c->name : std::string(target)};
}

std::optional<ReadableTarget> readable_nick(Engine& e, const User& u, std::string_view nick) {
  if (!proto::is_valid_nick(nick, 64)) return std::nullopt;
  std::string folded = e.fold(nick);
  User* other = e.find_nick(nick);
  // The batch names the conversation as the asker did (a nick may change case or owner; the
  // client matches the answer to its request).
  std::string shown(nick);
  if (u.account().empty() || (other && other->account().empty())) {
    return ReadableTarget{ephemeral_dm_key(u.nick_folded, folded), std::move(shown), false};
  }
  std::string peer = other ? e.fold(other->account()) : folded;
  return ReadableTarget{dm_key(e.fold(u.account()), peer), std::move(shown)};
}

std::optional<ReadableTarget> readable_target(Engine& e, const User& u, std::string_view target) {
  return proto::is_channel_name(target) ? readable_channel(e, u, target) : readable_nick(e, u, target);
}

std::string shown_key(Engine& e, const User& u, const std::string& key) {
  const bool account_pair = !key.empty() && key.front() == '@', nick_pair = !key.empty() && key.front() == '~';
  if (!account_pair && !nick_pair) {
    Channel* c = e.find_channel(key);
    return c ? c->name : key;
  }
  std::string_view pair = std::string_view(key).substr(1);
  auto space = pair.find(' ');
  std::string_view a = pair.substr(0, space),
                   b = space == std::string_view::npos ? a : pair.substr(space + 1);
  if (account_pair) return std::string(a == e.fold(u.account()) ? b : a);
  // An in-memory conversation is forgotten when either side changes nick or leaves, so the
  // other side is online under that nick: shown as it writes it.
  std::string_view other = a == u.nick_folded ? b : a;
  User* peer = e.find_nick(other);
  return peer ? peer->nick : std::string(other);
}

bool replay_shown_to(const User& viewer, const HistoryEntry& entry) {
  if (entry.command == "PRIVMSG" || entry.command == "NOTICE") return true;
  if (!viewer.caps.has(Cap::kEventPlayback)) return false;
  return entry.command != "TAGMSG" || viewer.caps.has(Cap::kMessageTags);
}

std::string history_time(std::int64_t ms) {
  return format_server_time(TimePoint(std::chrono::milliseconds(ms)));
}

std::vector<ReplayPiece> replay_pieces(std::string_view text, std::size_t max_bytes) {
  std::vector<ReplayPiece> out;
  max_bytes = std::max<std::size_t>(max_bytes, 4);  // room for any one UTF-8 character
  for (;;) {
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    bool concat = false;
    do {
      std::size_t cut = utf8_prefix_length(line, max_bytes);
      if (cut == 0) cut = std::min(line.size(), max_bytes);  // not UTF-8: cut anywhere
      out.push_back({line.substr(0, cut), concat});
      line.remove_prefix(cut);
      concat = true;
    } while (!line.empty());
    if (nl == std::string_view::npos) return out;
    text.remove_prefix(nl + 1);
  }
}

void replay_entry(Engine& e, std::string& out, const User& viewer, const HistoryEntry& entry,
                  std::string_view batch) {
  if (entry.command != "PRIVMSG" && entry.command != "NOTICE") {
    add_line(out, replay_tags(viewer, entry, batch, true), entry.source, entry.command, entry.params);
    return;
  }
  const std::string target = entry.params.substr(0, entry.params.find(' '));
  // Each line fits proto::kMaxLineBytes, as relayed.
  const std::vector<ReplayPiece> pieces =
      replay_pieces(entry.text, relay_text_room(entry.source, entry.command, target));
  if (pieces.size() > 1 && viewer.caps.has(Cap::kMultiline) && viewer.caps.has(Cap::kBatch)) {
    // Nested in `batch`, as it was relayed: the message's tags on the BATCH line, the lines bare.
    const std::string inner = e.new_batch_ref();
    add_line(out, replay_tags(viewer, entry, batch, true), entry.source, "BATCH",
             "+" + inner + " draft/multiline " + target);
    for (const ReplayPiece& piece : pieces) {
      add_line(out, piece.concat ? "batch=" + inner + ";draft/multiline-concat" : "batch=" + inner,
               entry.source, entry.command, target + " :" + std::string(piece.text));
    }
    add_line(out, batch.empty() ? std::string() : "batch=" + std::string(batch), entry.source, "BATCH",
             "-" + inner);
    return;
  }
  // Multiline's fallback: a line each (no blank ones), the msgid on the first.
  bool first = true;
  for (const ReplayPiece& piece : pieces) {
    if (piece.text.empty() && pieces.size() > 1) continue;
    add_line(out, replay_tags(viewer, entry, batch, first), entry.source, entry.command,
             target + " :" + std::string(piece.text));
    first = false;
  }
}

void send_history_batch(Engine& e, User& u, const std::string& ref, std::string_view type,
                        std::string_view arg, std::string body) {
  if (ref.empty()) {
    if (!body.empty()) e.send(u, std::move(body));
    return;
  }
  std::string out;
  proto::LineBuilder open(out);
  open.source(e.config().server_name).command("BATCH").param("+" + ref).param(type);
  if (!arg.empty()) open.param(arg);
  open.finish();
  out += body;
  proto::LineBuilder(out).source(e.config().server_name).command("BATCH").param("-" + ref).finish();
  e.send(u, std::move(out));
}

}  // namespace parley::core
