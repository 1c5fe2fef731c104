// METADATA (IRCv3 draft/metadata-3): user and channel key/value metadata and subscriptions.
// Storage, batches and notifications are core/metadata.cpp.
#include "core/metadata.h"

#include <algorithm>
#include <optional>

#include "core/command_table.h"
#include "core/engine.h"
#include "core/numerics.h"
#include "core/text.h"

namespace parley::core::commands {

using namespace numeric;

namespace {

constexpr std::size_t kMaxKeysPerLine = 13;  // 15 parameters, less the client and the numeric

// What a METADATA command is about: one user or one channel, and its name as replies show it.
struct Target {
  User* user = nullptr;
  Channel* channel = nullptr;
  std::string name;
};

// Client-supplied text echoed in an error, cut so the reply stays a line.
std::string clip(std::string_view text) { return limit_utf8(text, 64); }

// Resolves `name` ("*" is the sender) or answers FAIL and returns nothing. A secret channel is
// unknown to non-members, as in NAMES and LIST.
std::optional<Target> resolve(Engine& e, User& u, std::string_view name) {
  if (name == "*") return Target{&u, nullptr, u.registered ? u.nick : "*"};
  if (!u.registered) {
    e.fail(u, "METADATA", "KEY_NO_PERMISSION",
           {clip(name), "*", "Before registration only * (yourself) is a target"});
    return std::nullopt;
  }
  if (proto::is_channel_name(name)) {
    Channel* c = e.find_channel(name);
    if (c && (!c->secret || c->has(u) || u.is_oper())) return Target{nullptr, c, c->name};
  } else if (User* t = e.find_nick(name); t && t->registered) {
    return Target{t, nullptr, t->nick};
  }
  e.fail(u, "METADATA", "INVALID_TARGET", {clip(name), "Invalid metadata target"});
  return std::nullopt;
}

// Anyone may read a user's metadata; an invite-only channel's only its members (and operators).
bool can_read(const User& u, const Target& t) {
  return t.user || !t.channel->invite_only || t.channel->has(u) || u.is_oper();
}
// A user changes their own metadata, a channel operator the channel's; IRC operators anyone's.
bool can_edit(const User& u, const Target& t) {
  return u.is_oper() || (t.user ? t.user == &u : t.channel->is_op(u));
}

const MetadataMap* values_of(const Target& t) {
  if (t.channel) return &t.channel->metadata;
  const UserMetadata* md = t.user->metadata();
  return md ? &md->values : nullptr;
}

MetadataMap& values_for_update(const Target& t) {
  return t.channel ? t.channel->metadata : t.user->metadata_for_update().values;
}

void release(const Target& t) {
  if (t.user) t.user->release_unused_metadata();
}

// `keys` as `code` numerics, at most kMaxKeysPerLine a line; inside `batch` when given.
void send_keys(Engine& e, User& u, std::string_view code, const std::vector<std::string_view>& keys,
               std::string_view batch_type = {}) {
  ReplyBatch out(e, u, batch_type, {});
  for (std::size_t i = 0; i < keys.size(); i += kMaxKeysPerLine) {
    std::size_t n = std::min(kMaxKeysPerLine, keys.size() - i);
    out.numeric(code, std::span<const std::string_view>(keys.data() + i, n));
  }
}

void fail_invalid_key(Engine& e, User& u, std::string_view key) {
  e.fail(u, "METADATA", "INVALID_KEY",
         {clip(key),
          "Invalid key: use a-z 0-9 _ . / - (at most " + std::to_string(kMaxMetadataKeyBytes) + " bytes)"});
}

void fail_not_readable(Engine& e, User& u, const Target& t) {
  e.fail(u, "METADATA", "KEY_NO_PERMISSION", {t.name, "*", "You may not see this channel's metadata"});
}

// METADATA <target> GET <key>...
void get(Engine& e, User& u, const Target& t, const proto::Message& m) {
  if (!can_read(u, t)) return fail_not_readable(e, u, t);
  const MetadataMap* values = values_of(t);
  ReplyBatch batch(e, u, "metadata", t.name);
  for (std::size_t i = 2; i < m.size(); ++i) {
    std::string_view key = m.param(i);
    const std::string* value = values ? values->find(key) : nullptr;
    if (!is_valid_metadata_key(key)) {
      batch.fail("INVALID_KEY", {clip(key), "Invalid key"});
    } else if (value) {
      batch.numeric(RPL_KEYVALUE, {t.name, key, "*", *value});
    } else {
      batch.numeric(RPL_KEYNOTSET, {t.name, key, "Key not set"});
    }
  }
}

// METADATA <target> LIST
void list(Engine& e, User& u, const Target& t) {
  if (!can_read(u, t)) return fail_not_readable(e, u, t);
  ReplyBatch batch(e, u, "metadata", t.name);
  if (const MetadataMap* values = values_of(t)) {
    for (const auto& [key, value] : *values) batch.numeric(RPL_KEYVALUE, {t.name, key, "*", value});
  }
}

// METADATA <target> SET <key> [<value>]: an absent or empty value removes the key.
void set(Engine& e, User& u, const Target& t, const proto::Message& m) {
  std::string_view key = m.param(2);
  if (!is_valid_metadata_key(key)) return fail_invalid_key(e, u, key);
  if (!can_edit(u, t)) {
    return e.fail(u, "METADATA", "KEY_NO_PERMISSION",
                  {t.name, key, "You may not change this target's metadata"});
  }
  std::string_view value = m.size() > 3 ? m.param(3) : std::string_view{};
  if (value.empty()) {
    bool was_set = values_for_update(t).erase(key);
    release(t);
    e.reply(u, RPL_KEYNOTSET, {t.name, key, "Key not set"});
    if (was_set) notify_metadata_change(e, u, t.user, t.channel, key, nullptr);
    return;
  }
  std::size_t max_bytes = metadata_max_value_bytes(e.config());
  if (!is_valid_utf8(value) || value.size() > max_bytes) {
    return e.fail(u, "METADATA", "INVALID_VALUE",
                  {key, "Values must be UTF-8 of at most " + std::to_string(max_bytes) + " bytes"});
  }
  MetadataMap& values = values_for_update(t);
  const std::string* old = values.find(key);
  bool changed = !old || *old != value;
  if (!values.set(key, value, e.limits().metadata_max_keys)) {
    release(t);
    std::string max = std::to_string(e.limits().metadata_max_keys);
    return e.fail(u, "METADATA", "LIMIT_REACHED", {t.name, max, "At most " + max + " metadata keys"});
  }
  e.reply(u, RPL_KEYVALUE, {t.name, key, "*", value});
  if (changed) notify_metadata_change(e, u, t.user, t.channel, key, values.find(key));
}

// METADATA <target> CLEAR
void clear(Engine& e, User& u, const Target& t) {
  if (!can_edit(u, t)) {
    return e.fail(u, "METADATA", "KEY_NO_PERMISSION",
                  {t.name, "*", "You may not change this target's metadata"});
  }
  std::vector<MetadataMap::Entry> cleared = values_for_update(t).take_all();
  release(t);
  {
    ReplyBatch batch(e, u, "metadata", t.name);
    for (const auto& [key, value] : cleared) batch.numeric(RPL_KEYNOTSET, {t.name, key, "Key not set"});
  }
  for (const auto& [key, value] : cleared) notify_metadata_change(e, u, t.user, t.channel, key, nullptr);
}

// Sends the values of newly subscribed `added` keys (sorted) for the sender's channels and their
// members; channels too large for that get RPL_METADATASYNCLATER.
void sync_after_sub(Engine& e, User& u, const std::vector<std::string>& added) {
  for (Channel* c : u.channels) {
    if (c->members.size() > e.limits().metadata_sync_members) {
      e.reply(u, RPL_METADATASYNCLATER, {c->name});
    } else {
      sync_channel_metadata(e, u, *c, &added, true);
    }
  }
}

// METADATA * SUB <key>...: keys in order; the first one past the limit stops the rest.
void sub(Engine& e, User& u, const proto::Message& m) {
  UserMetadata& md = u.metadata_for_update();
  std::vector<std::string_view> ok, invalid;
  std::vector<std::string> added;
  std::string_view over;
  for (std::size_t i = 2; i < m.size(); ++i) {
    std::string_view key = m.param(i);
    if (!is_valid_metadata_key(key)) {
      invalid.push_back(key);
    } else if (md.subscribed(key)) {
      ok.push_back(key);
    } else if (md.subs.size() >= e.limits().metadata_max_subs) {
      over = key;
      break;
    } else {
      md.subs.insert(std::lower_bound(md.subs.begin(), md.subs.end(), key), std::string(key));
      ok.push_back(key);
      added.emplace_back(key);
    }
  }
  u.release_unused_metadata();
  send_keys(e, u, RPL_METADATASUBOK, ok);
  for (std::string_view key : invalid) fail_invalid_key(e, u, key);
  if (!over.empty()) {
    std::string max = std::to_string(e.limits().metadata_max_subs);
    e.fail(u, "METADATA", "LIMIT_REACHED", {over, max, "At most " + max + " subscriptions"});
  }
  std::sort(added.begin(), added.end());
  if (u.registered && u.caps.has(Cap::kMetadata) && !added.empty()) sync_after_sub(e, u, added);
}

// METADATA * UNSUB <key>...
void unsub(Engine& e, User& u, const proto::Message& m) {
  std::vector<std::string_view> ok;
  for (std::size_t i = 2; i < m.size(); ++i) {
    std::string_view key = m.param(i);
    if (!is_valid_metadata_key(key)) {
      fail_invalid_key(e, u, key);
      continue;
    }
    ok.push_back(key);
    if (const UserMetadata* md = u.metadata(); md && md->subscribed(key)) {
      auto& subs = u.metadata_for_update().subs;
      subs.erase(std::lower_bound(subs.begin(), subs.end(), key));
    }
  }
  u.release_unused_metadata();
  send_keys(e, u, RPL_METADATAUNSUBOK, ok);
}

// METADATA * SUBS
void subs(Engine& e, User& u) {
  std::vector<std::string_view> keys;
  if (const UserMetadata* md = u.metadata()) keys.assign(md->subs.begin(), md->subs.end());
  send_keys(e, u, RPL_METADATASUBS, keys, "metadata-subs");
}

// METADATA <target> SYNC
void sync(Engine& e, User& u, const Target& t) {
  if (!can_read(u, t)) return fail_not_readable(e, u, t);
  if (t.channel) {
    sync_channel_metadata(e, u, *t.channel, nullptr, false);
  } else {
    sync_user_metadata(e, u, *t.user, t.name);
  }
}

}  // namespace

// METADATA <target> GET <key>... | LIST | SET <key> [:<value>] | CLEAR | SYNC
// METADATA * SUB <key>... | UNSUB <key>... | SUBS
void metadata(Engine& e, User& u, const proto::Message& m) {
  if (!u.registered && !u.caps.has(Cap::kMetadata)) {
    return e.reply(u, ERR_NOTREGISTERED, {"You have not registered"});
  }
  std::string_view target = m.param(0);
  std::string verb = ascii_upper(m.param(1));
  bool needs_key = verb == "GET" || verb == "SET" || verb == "SUB" || verb == "UNSUB";
  if (needs_key && m.size() < 3) return e.reply(u, ERR_NEEDMOREPARAMS, {"METADATA", "Not enough parameters"});
  if (verb == "SUB" || verb == "UNSUB" || verb == "SUBS") {
    if (target != "*" && (u.nick.empty() || e.fold(target) != u.nick_folded)) {
      return e.fail(u, "METADATA", "INVALID_TARGET", {clip(target), "Subscriptions are your own: use *"});
    }
    return verb == "SUB" ? sub(e, u, m) : verb == "UNSUB" ? unsub(e, u, m) : subs(e, u);
  }
  if (verb != "GET" && verb != "LIST" && verb != "SET" && verb != "CLEAR" && verb != "SYNC") {
    return e.fail(u, "METADATA", "INVALID_PARAMS", {clip(m.param(1)), "Unknown METADATA subcommand"});
  }
  std::optional<Target> t = resolve(e, u, target);
  if (!t) return;
  if (verb == "GET") return get(e, u, *t, m);
  if (verb == "LIST") return list(e, u, *t);
  if (verb == "SET") return set(e, u, *t, m);
  if (verb == "CLEAR") return clear(e, u, *t);
  sync(e, u, *t);
}

}  // namespace parley::core::commands
