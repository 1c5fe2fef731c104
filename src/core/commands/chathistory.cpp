// CHATHISTORY (ircv3.net draft/chathistory, draft/event-playback): reading stored history.
// Parameters are parsed by core/history_params.h; what is stored by core/history_recording.h.
//
// Who may read what, and how entries are rebuilt: core/history_access.h (shared with SEARCH).
// Each entry is rebuilt for the asker: tags as its caps allow, in a chathistory batch when it has
// batch. Without draft/event-playback only PRIVMSG and NOTICE come back (draft/chathistory).
#include <algorithm>
#include <chrono>
#include <limits>
#include <vector>

#include "core/command_table.h"
#include "core/engine.h"
#include "core/history_access.h"
#include "core/history_params.h"
#include "core/numerics.h"
#include "core/text.h"

namespace parley::core::commands {

namespace {

constexpr std::string_view kCommand = "CHATHISTORY";

HistoryQuery::Kind query_kind(ChathistoryCommand::Sub sub) {
  using Sub = ChathistoryCommand::Sub;
  switch (sub) {
    case Sub::kBefore: return HistoryQuery::Kind::kBefore;
    case Sub::kAfter: return HistoryQuery::Kind::kAfter;
    case Sub::kAround: return HistoryQuery::Kind::kAround;
    case Sub::kBetween: return HistoryQuery::Kind::kBetween;
    default: return HistoryQuery::Kind::kLatest;
  }
}

void query(Engine& e, User& u, ChathistoryCommand& c) {
  std::string sub = ascii_upper(c.name);
  std::string given(proto::safe_middle_param(c.target));
  std::optional<ReadableTarget> readable = readable_target(e, u, c.target);
  if (!readable)
    return e.fail(u, kCommand, "INVALID_TARGET", {sub, given, "Messages could not be retrieved"});
  HistoryRequest r;
  r.kind = HistoryRequest::Kind::kQuery;
  r.durable = readable->durable;
  r.query.kind = query_kind(c.sub);
  r.query.target = readable->key;
  r.query.from = std::move(c.from);
  r.query.to = std::move(c.to);
  r.query.limit = c.limit;
  r.query.include_events = u.caps.has(Cap::kEventPlayback);
  std::string unknown = r.query.from.kind == HistoryRef::Kind::kMsgid ? "msgid=" + r.query.from.msgid : "";
  if (unknown.empty() && r.query.to.kind == HistoryRef::Kind::kMsgid) unknown = "msgid=" + r.query.to.msgid;
  e.history_request(
      &u, std::move(r),
      [sub, given, unknown, shown = readable->shown](Engine& e, User* u, const HistoryAnswer& a) {
        using Outcome = HistoryAnswer::Outcome;
        if (a.outcome == Outcome::kFailed) {
          return e.fail(*u, kCommand, "MESSAGE_ERROR", {sub, given, "Messages could not be retrieved"});
        }
        if (a.outcome == Outcome::kNotFound) {
          return e.fail(*u, kCommand, "INVALID_PARAMS",
                        {sub, proto::safe_middle_param(unknown), "Unknown msgid"});
        }
        std::string ref = u->caps.has(Cap::kBatch) ? e.new_batch_ref() : std::string();
        std::string body;
        for (const HistoryEntry& entry : a.entries) {
          if (replay_shown_to(*u, entry)) replay_entry(e, body, *u, entry, ref);
        }
        send_history_batch(e, *u, ref, "chathistory", shown, std::move(body));
      });
}

// TARGETS lists the targets whose latest message lies between the two times, oldest activity
// first, the first `limit` of them (as irctest's chathistory tests expect). The store gives each
// target's newest entry after the lower bound, so the upper bound is applied here: a target whose
// latest message is past it is left out, not shown with an older one.
void targets(Engine& e, User& u, ChathistoryCommand& c) {
  HistoryRequest r;
  r.kind = HistoryRequest::Kind::kTargets;
  r.targets.account_folded = e.fold(u.account());
  for (const Channel* ch : u.channels) r.targets.channels.push_back(ch->folded);
  r.targets.ephemeral = u.ephemeral_history;
  r.targets.from_ms = std::min(c.from.time_ms, c.to.time_ms);
  r.targets.to_ms = std::numeric_limits<std::int64_t>::max();
  r.targets.limit = std::max(c.limit, e.config().history.max_query);
  const std::int64_t before = std::max(c.from.time_ms, c.to.time_ms);
  const std::size_t limit = c.limit;
  e.history_request(&u, std::move(r), [before, limit](Engine& e, User* u, const HistoryAnswer& a) {
    if (a.outcome != HistoryAnswer::Outcome::kOk) {
      return e.fail(*u, kCommand, "MESSAGE_ERROR", {"TARGETS", "*", "Targets could not be retrieved"});
    }
    std::vector<TargetActivity> activity;
    for (const TargetActivity& t : a.activity) {
      if (t.latest_ms < before) activity.push_back(t);
    }
    std::stable_sort(activity.begin(), activity.end(),
                     [](const auto& x, const auto& y) { return x.latest_ms < y.latest_ms; });
    if (activity.size() > limit) activity.resize(limit);
    std::string ref = u->caps.has(Cap::kBatch) ? e.new_batch_ref() : std::string();
    std::string body;
    for (const TargetActivity& t : activity) {
      proto::LineBuilder b(body);
      if (!ref.empty()) b.tags("batch=" + ref);
      b.source(e.config().server_name).command(kCommand).param("TARGETS").param(shown_key(e, *u, t.target));
      b.last(history_time(t.latest_ms));
      b.finish();
    }
    send_history_batch(e, *u, ref, "draft/chathistory-targets", {}, std::move(body));
  });
}

}  // namespace

// CHATHISTORY <subcommand> <params...>: see core/history_params.h.
void chathistory(Engine& e, User& u, const proto::Message& m) {
  if (!e.config().history.enabled) {
    return e.reply(u, numeric::ERR_UNKNOWNCOMMAND, {m.command.substr(0, 32), "Unknown command"});
  }
  std::vector<std::string_view> params;
  for (std::size_t i = 0; i < m.size(); ++i) params.push_back(m.param(i));
  ChathistoryParse parsed = parse_chathistory(params, e.config().history.max_query);
  if (!parsed.command) {
    const ChathistoryError& err = parsed.error;
    std::string sub = ascii_upper(proto::safe_middle_param(params.empty() ? "*" : params[0]).substr(0, 32));
    if (err.code == "INVALID_PARAMS") {
      return e.fail(u, kCommand, err.code, {sub, proto::safe_middle_param(err.param), err.description});
    }
    return e.fail(u, kCommand, err.code, {sub, err.description});
  }
  if (parsed.command->sub == ChathistoryCommand::Sub::kTargets) return targets(e, u, *parsed.command);
  query(e, u, *parsed.command);
}

}  // namespace parley::core::commands
