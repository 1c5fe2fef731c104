// Account requests relayed to the network's account authority (docs/linking.md "Accounts"):
// their wire form, inside ENCAP, Parley's own extension of the 1205 protocol (InspIRCd relays
// ENCAP it does not know, so the requests cross InspIRCd servers too).
//
//   :<origin SID> ENCAP <authority SID> PARLEYACCT <id> :<kind> <field>...
//   :<authority SID> ENCAP <origin SID> PARLEYACCTA <id> :<outcome> <field>...
//
// The fields are one trailing parameter, separated by spaces; every string field is base64
// (standard alphabet) of its bytes, or "*" when empty, so any byte survives. A request whose line
// would pass 510 bytes (a 300-byte password with a long e-mail address) is not sent: it fails as
// "unavailable". Pure functions; fuzzed by link_fuzz.cpp through the Network.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/accounts.h"

namespace parley::link {

// The fields, space-separated; decode takes them split into words.
std::string encode_account_request(const core::AccountRequest& r);
std::optional<core::AccountRequest> decode_account_request(std::span<const std::string_view> fields);
std::string encode_account_answer(const core::AccountAnswer& a);
std::optional<core::AccountAnswer> decode_account_answer(std::span<const std::string_view> fields);

}  // namespace parley::link
