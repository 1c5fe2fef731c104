// IRCv3 metadata (draft/metadata-3): the key/value store users and channels carry, key and value
// validation, and the hooks the shared engine paths (JOIN, the welcome burst, WHOIS) call.
// The METADATA command itself is core/commands/metadata.cpp.
//
// Thread and lifetime: as the Engine (one owner thread); stores live inside their User or Channel.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace parley::core {

class Engine;
class Channel;
struct User;
struct Limits;
struct EngineConfig;

// Longest key name accepted. Keys are protocol identifiers ("display-name", "avatar",
// "example.org/key"), so this is a fixed bound rather than a setting; it keeps every 761 line
// under 512 bytes together with Limits::metadata_max_value_bytes.
inline constexpr std::size_t kMaxMetadataKeyBytes = 50;

// A small key -> value map kept sorted by key. A user or channel holds at most
// Limits::metadata_max_keys entries, so a sorted vector is smaller and faster than a hash map,
// and an empty one allocates nothing.
class MetadataMap {
 public:
  using Entry = std::pair<std::string, std::string>;

  const std::string* find(std::string_view key) const;
  // Sets `key`. Returns false, changing nothing, when `key` is new and the map already holds
  // `max_keys` entries.
  bool set(std::string_view key, std::string_view value, std::size_t max_keys);
  // Returns whether `key` was set.
  bool erase(std::string_view key);
  // Empties the map and returns what it held, in key order.
  std::vector<Entry> take_all() { return std::exchange(entries_, {}); }

  bool empty() const { return entries_.empty(); }
  std::size_t size() const { return entries_.size(); }
  auto begin() const { return entries_.begin(); }
  auto end() const { return entries_.end(); }

 private:
  std::vector<Entry> entries_;
};

// What a user who uses metadata carries: their keys and their subscriptions. It lives in User's
// rarely-used extension, so a user who never sends METADATA pays nothing for it.
struct UserMetadata {
  MetadataMap values;
  std::vector<std::string> subs;  // sorted, unique

  bool subscribed(std::string_view key) const;
  bool empty() const { return values.empty() && subs.empty(); }
};

// Key names: one or more of a-z 0-9 _ . / - (draft/metadata-3), at most kMaxMetadataKeyBytes.
bool is_valid_metadata_key(std::string_view key);

// The largest value accepted: the configured Limits::metadata_max_value_bytes, lowered when the
// configured server name, nick and channel lengths would otherwise push a 761 line past 512 bytes.
std::size_t metadata_max_value_bytes(const EngineConfig& config);
// The draft/metadata-3 capability value: "before-connect,max-subs=N,max-keys=N,max-value-bytes=N".
std::string metadata_cap_value(const EngineConfig& config);

// ---- helpers for the METADATA command (core/commands/metadata.cpp) -----------------------------

// Replies to one user wrapped in a batch of `type` (with one parameter when `param` is not empty),
// or bare when the user lacks the batch capability or `type` is empty. Each line goes out as it is
// added; the batch closes in the destructor, so an empty batch is "BATCH +ref" and "BATCH -ref".
class ReplyBatch {
 public:
  ReplyBatch(Engine& e, User& to, std::string_view type, std::string_view param);
  ~ReplyBatch();
  ReplyBatch(const ReplyBatch&) = delete;
  ReplyBatch& operator=(const ReplyBatch&) = delete;

  // ":server <code> <to> params..." (the last parameter trailing when it must be).
  void numeric(std::string_view code, std::span<const std::string_view> params);
  void numeric(std::string_view code, std::initializer_list<std::string_view> params) {
    numeric(code, std::span<const std::string_view>(params.begin(), params.size()));
  }
  // ":server FAIL METADATA <code> params... :<description>" (the last element is the description).
  void fail(std::string_view code, std::initializer_list<std::string_view> params);

 private:
  void emit(std::string_view command, std::initializer_list<std::string_view> head,
            std::span<const std::string_view> params, bool trailing);
  Engine& e_;
  User& to_;
  std::string ref_;  // empty: no batch
};

// Tells everyone who receives updates about the target (its channel's members, or the users who
// share a channel with it, and the user itself) and subscribed to `key` that it changed: 761
// with the new value, or 766 when `value` is null. The author of the change is told by its reply.
void notify_metadata_change(Engine& e, const User& author, User* user_target, Channel* channel_target,
                            std::string_view key, const std::string* value);
// `u`'s subscribed values on `c` and on c's other members (only the keys in `only`, when given),
// in a `metadata` batch named after `c`. With `skip_empty`, nothing at all when none match.
void sync_channel_metadata(Engine& e, User& u, Channel& c, const std::vector<std::string>* only,
                           bool skip_empty);
// `target`'s values of the keys `u` subscribed to, in a `metadata` batch named after `target_name`.
void sync_user_metadata(Engine& e, User& u, const User& target, std::string_view target_name);

// ---- hooks for the shared engine paths ---------------------------------------------------------

// After `joiner`'s NAMES for `c`: the channel's and the other members' values of the keys
// `joiner` subscribed to, in a `metadata` batch; for a channel larger than
// Limits::metadata_sync_members, RPL_METADATASYNCLATER instead. Nothing without subscriptions.
void send_join_metadata(Engine& e, User& joiner, Channel& c);
// In the welcome burst of a draft/metadata-3 client (before the end of the MOTD): its own values
// in a `metadata` batch, empty when it has none.
void send_registration_metadata(Engine& e, User& u);
// In WHOIS, to a draft/metadata-3 client: RPL_WHOISKEYVALUE for each of `target`'s keys.
void send_whois_metadata(Engine& e, User& asker, const User& target);

}  // namespace parley::core
