// IRCv3 capabilities the server offers. Only capabilities the engine really implements appear
// here: CAP LS advertises exactly this list.
#pragma once

#include <bitset>
#include <cstdint>
#include <optional>
#include <string_view>

namespace parley::core {

enum class Cap : std::uint8_t {
  kCapNotify,
  kMultiPrefix,
  kServerTime,
  kMessageTags,
  kEchoMessage,
  kAwayNotify,
  kExtendedJoin,
  kUserhostInNames,
  kBatch,
  kLabeledResponse,
  kSetname,
  kChghost,
  kExtendedMonitor,
  kInviteNotify,
  kNoImplicitNames,
  kChannelRename,
  kMetadata,
  kMultiline,
  kMessageRedaction,
  kSts,
  kSasl,
  kAccountNotify,
  kAccountTag,
  kAccountRegistration,
  kChathistory,
  kEventPlayback,
  kReadMarker,
  kZncPlayback,
  kSearch,
  kCount,
};

struct CapInfo {
  Cap cap;
  std::string_view name;
  std::string_view value = {};  // shown as name=value to CAP LS 302 clients
};

// In the order CAP LS lists them (alphabetical). One per line, so that adding one is a one-line
// change.
// clang-format off
inline constexpr CapInfo kCaps[] = {
    {Cap::kAccountNotify, "account-notify"},
    {Cap::kAccountTag, "account-tag"},
    {Cap::kAwayNotify, "away-notify"},
    {Cap::kBatch, "batch"},
    {Cap::kCapNotify, "cap-notify"},
    {Cap::kChghost, "chghost"},
    {Cap::kAccountRegistration, "draft/account-registration"},  // value: the policy (Engine::cap_value)
    {Cap::kChannelRename, "draft/channel-rename"},
    {Cap::kChathistory, "draft/chathistory"},     // only when history is enabled
    {Cap::kEventPlayback, "draft/event-playback"},  // only when history is enabled
    {Cap::kMessageRedaction, "draft/message-redaction"},
    {Cap::kMetadata, "draft/metadata-3"},  // value from the config: Engine::cap_value
    {Cap::kMultiline, "draft/multiline"},  // value: the configured limits (Engine::cap_value)
    {Cap::kReadMarker, "draft/read-marker"},  // only when history is enabled
    {Cap::kEchoMessage, "echo-message"},
    {Cap::kExtendedJoin, "extended-join"},
    {Cap::kExtendedMonitor, "extended-monitor"},
    {Cap::kInviteNotify, "invite-notify"},
    {Cap::kLabeledResponse, "labeled-response"},
    {Cap::kMessageTags, "message-tags"},
    {Cap::kMultiPrefix, "multi-prefix"},
    {Cap::kNoImplicitNames, "no-implicit-names"},
    {Cap::kSasl, "sasl", "PLAIN,EXTERNAL,SCRAM-SHA-256"},
    {Cap::kServerTime, "server-time"},
    {Cap::kSetname, "setname"},
    {Cap::kSearch, "soju.im/search"},  // only when history is enabled
    {Cap::kSts, "sts"},  // only when configured; value per connection (send_cap_list)
    {Cap::kUserhostInNames, "userhost-in-names"},
    {Cap::kZncPlayback, "znc.in/playback"},  // only when history is enabled
};
// clang-format on

inline std::optional<Cap> cap_from_name(std::string_view name) {
  for (const auto& info : kCaps) {
    if (info.name == name) return info.cap;
  }
  return std::nullopt;
}

class CapSet {
 public:
  bool has(Cap c) const { return bits_.test(static_cast<std::size_t>(c)); }
  void set(Cap c, bool on = true) { bits_.set(static_cast<std::size_t>(c), on); }

 private:
  std::bitset<static_cast<std::size_t>(Cap::kCount)> bits_;
};

}  // namespace parley::core
