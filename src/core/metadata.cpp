// IRCv3 metadata (draft/metadata-3): storage, validation, batches, notifications and syncs.
#include "core/metadata.h"

#include <algorithm>
#include <optional>
#include <unordered_set>

#include "core/engine.h"
#include "core/numerics.h"

namespace parley::core {

using namespace numeric;

// ---- storage ------------------------------------------------------------------------------------

namespace {

auto entry_less = [](const MetadataMap::Entry& entry, std::string_view key) { return entry.first < key; };

}  // namespace

const std::string* MetadataMap::find(std::string_view key) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), key, entry_less);
  return it != entries_.end() && it->first == key ? &it->second : nullptr;
}

bool MetadataMap::set(std::string_view key, std::string_view value, std::size_t max_keys) {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), key, entry_less);
  if (it != entries_.end() && it->first == key) {
    it->second = std::string(value);
    return true;
  }
  if (entries_.size() >= max_keys) return false;
  entries_.emplace(it, std::string(key), std::string(value));
  return true;
}

bool MetadataMap::erase(std::string_view key) {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), key, entry_less);
  if (it == entries_.end() || it->first != key) return false;
  entries_.erase(it);
  return true;
}

bool UserMetadata::subscribed(std::string_view key) const {
  return std::binary_search(subs.begin(), subs.end(), key);
}

// ---- validation ---------------------------------------------------------------------------------

bool is_valid_metadata_key(std::string_view key) {
  if (key.empty() || key.size() > kMaxMetadataKeyBytes) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '/' || c == '-';
  });
}

std::size_t metadata_max_value_bytes(const EngineConfig& config) {
  // ":server 761 <nick> <channel or nick> <key> * :<value>\r\n" must fit in 512 bytes.
  const Limits& l = config.limits;
  std::size_t fixed = 1 + config.server_name.size() + 5 + l.nick_length + 1 +
                      std::max(l.nick_length, l.channel_length) + 1 + kMaxMetadataKeyBytes + 4 + 2;
  std::size_t room = fixed < 512 ? 512 - fixed : 0;
  return std::min(l.metadata_max_value_bytes, room);
}

std::string metadata_cap_value(const EngineConfig& config) {
  const Limits& l = config.limits;
  return "before-connect,max-subs=" + std::to_string(l.metadata_max_subs) +
         ",max-keys=" + std::to_string(l.metadata_max_keys) +
         ",max-value-bytes=" + std::to_string(metadata_max_value_bytes(config));
}

// ---- replies ------------------------------------------------------------------------------------

ReplyBatch::ReplyBatch(Engine& e, User& to, std::string_view type, std::string_view param) : e_(e), to_(to) {
  if (type.empty() || !to.caps.has(Cap::kBatch)) return;
  ref_ = e.new_batch_ref();
  std::string line;
  proto::LineBuilder b(line);
  b.source(e.config().server_name).command("BATCH").param("+" + ref_);
  param.empty() ? b.last(type) : b.param(type).last(param);
  b.finish();
  e.send(to, std::move(line));
}

ReplyBatch::~ReplyBatch() {
  if (ref_.empty()) return;
  e_.send(to_, ":" + e_.config().server_name + " BATCH -" + ref_ + "\r\n");
}

void ReplyBatch::emit(std::string_view command, std::initializer_list<std::string_view> head,
                      std::span<const std::string_view> params, bool trailing) {
  std::string line;
  proto::LineBuilder b(line);
  if (!ref_.empty()) b.tags("batch=" + ref_);
  b.source(e_.config().server_name).command(command);
  for (auto p : head) b.param(p);
  std::size_t i = 0;
  for (auto p : params) {
    if (++i < params.size()) {
      b.param(p);
    } else {
      trailing ? b.trailing(p) : b.last(p);
    }
  }
  b.finish();
  e_.send(to_, std::move(line));
}

void ReplyBatch::numeric(std::string_view code, std::span<const std::string_view> params) {
  emit(code, {to_.target_name()}, params, false);
}

void ReplyBatch::fail(std::string_view code, std::initializer_list<std::string_view> params) {
  emit("FAIL", {"METADATA", code}, std::span<const std::string_view>(params.begin(), params.size()), true);
}

// ---- notifications and syncs --------------------------------------------------------------------

namespace {

bool wants(const User& u, std::string_view key) {
  const UserMetadata* md = u.metadata();
  return u.caps.has(Cap::kMetadata) && md && md->subscribed(key);
}

}  // namespace

void notify_metadata_change(Engine& e, const User& author, User* user_target, Channel* channel_target,
                            std::string_view key, const std::string* value) {
  std::string_view target = user_target ? std::string_view(user_target->nick) : channel_target->name;
  std::string_view server = e.config().server_name;
  std::optional<Engine::Broadcast> line;
  if (value) {
    line.emplace(e, server, RPL_KEYVALUE,
                 std::initializer_list<std::string_view>{"*", target, key, "*", *value});
  } else {
    line.emplace(e, server, RPL_KEYNOTSET,
                 std::initializer_list<std::string_view>{"*", target, key, "Key not set"});
  }
  auto tell = [&](User& u) {
    if (&u != &author && wants(u, key)) line->to(u);
  };
  if (channel_target) {
    for (auto& [member, flags] : channel_target->members) tell(*member);
    return;
  }
  if (!user_target->registered) return;  // before-connect: nobody can see this user yet
  // A change of user metadata is rare; a set of the users told is simpler than the engine's
  // visit marks and costs nothing on any other path.
  std::unordered_set<const User*> told{&author};
  if (told.insert(user_target).second) tell(*user_target);
  for (Channel* c : user_target->channels) {
    for (auto& [member, flags] : c->members) {
      if (told.insert(member).second) tell(*member);
    }
  }
}

void sync_channel_metadata(Engine& e, User& u, Channel& c, const std::vector<std::string>* only,
                           bool skip_empty) {
  const UserMetadata* md = u.metadata();
  if (!md && skip_empty) return;
  auto wanted = [&](const std::string& key) {
    return md && md->subscribed(key) && (!only || std::binary_search(only->begin(), only->end(), key));
  };
  auto any_wanted = [&](const MetadataMap& values) {
    return std::any_of(values.begin(), values.end(), [&](const auto& kv) { return wanted(kv.first); });
  };
  if (skip_empty) {
    bool any = any_wanted(c.metadata);
    for (auto it = c.members.begin(); !any && it != c.members.end(); ++it) {
      if (it->first != &u && it->first->metadata()) any = any_wanted(it->first->metadata()->values);
    }
    if (!any) return;
  }
  ReplyBatch batch(e, u, "metadata", c.name);
  for (const auto& [key, value] : c.metadata) {
    if (wanted(key)) batch.numeric(RPL_KEYVALUE, {c.name, key, "*", value});
  }
  for (auto& [member, flags] : c.members) {
    const UserMetadata* theirs = member->metadata();
    if (member == &u || !theirs) continue;
    for (const auto& [key, value] : theirs->values) {
      if (wanted(key)) batch.numeric(RPL_KEYVALUE, {member->nick, key, "*", value});
    }
  }
}

void sync_user_metadata(Engine& e, User& u, const User& target, std::string_view target_name) {
  ReplyBatch batch(e, u, "metadata", target_name);
  const UserMetadata* mine = u.metadata();
  const UserMetadata* theirs = target.metadata();
  if (!mine || !theirs) return;
  for (const auto& [key, value] : theirs->values) {
    if (mine->subscribed(key)) batch.numeric(RPL_KEYVALUE, {target_name, key, "*", value});
  }
}

void send_join_metadata(Engine& e, User& joiner, Channel& c) {
  const UserMetadata* md = joiner.metadata();
  if (!joiner.caps.has(Cap::kMetadata) || !md || md->subs.empty()) return;
  if (c.members.size() > e.limits().metadata_sync_members) {
    e.reply(joiner, RPL_METADATASYNCLATER, {c.name});  // no RetryAfter: SYNC may come at once
    return;
  }
  sync_channel_metadata(e, joiner, c, nullptr, false);
}

void send_registration_metadata(Engine& e, User& u) {
  ReplyBatch batch(e, u, "metadata", u.nick);
  if (const UserMetadata* md = u.metadata()) {
    for (const auto& [key, value] : md->values) batch.numeric(RPL_KEYVALUE, {u.nick, key, "*", value});
  }
}

void send_whois_metadata(Engine& e, User& asker, const User& target) {
  const UserMetadata* md = target.metadata();
  if (!asker.caps.has(Cap::kMetadata) || !md) return;
  for (const auto& [key, value] : md->values)
    e.reply(asker, RPL_WHOISKEYVALUE, {target.nick, key, "*", value});
}

}  // namespace parley::core
