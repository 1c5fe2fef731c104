#include "client/sasl.h"

#include <charconv>

#include "crypto/crypto.h"

namespace parley::client {

namespace {

bool has_item(std::string_view list, std::string_view want) {
  while (!list.empty()) {
    const auto comma = list.find(',');
    if (list.substr(0, comma) == want) return true;
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
  }
  return false;
}

// RFC 5802 saslname: '=' and ',' escaped as =3D and =2C.
std::string saslname(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c == '=')
      out += "=3D";
    else if (c == ',')
      out += "=2C";
    else
      out += c;
  }
  return out;
}

// The value of attribute `key` ("r", "s", "i", "v", "e") in a comma-separated SCRAM message.
std::optional<std::string_view> attribute(std::string_view message, char key) {
  while (!message.empty()) {
    const auto comma = message.find(',');
    std::string_view item = message.substr(0, comma);
    if (item.size() >= 2 && item[0] == key && item[1] == '=') return item.substr(2);
    message = comma == std::string_view::npos ? std::string_view{} : message.substr(comma + 1);
  }
  return std::nullopt;
}

}  // namespace

std::string choose_sasl_mechanism(std::string_view offered, bool plain_allowed) {
  if (offered.empty() || has_item(offered, "SCRAM-SHA-256")) return "SCRAM-SHA-256";
  if (plain_allowed && has_item(offered, "PLAIN")) return "PLAIN";
  return {};
}

std::string sasl_plain_message(std::string_view user, std::string_view password) {
  std::string out;
  out += '\0';
  out += user;
  out += '\0';
  out += password;
  return out;
}

ScramClient::ScramClient(std::string user, std::string password, std::string nonce)
    : user_(std::move(user)), password_(std::move(password)), nonce_(std::move(nonce)) {}

std::string ScramClient::client_first() const { return "n,,n=" + saslname(user_) + ",r=" + nonce_; }

std::optional<std::string> ScramClient::client_final(std::string_view server_first) {
  if (auto e = attribute(server_first, 'e')) {
    error_ = "the server refused: " + std::string(*e);
    return std::nullopt;
  }
  const auto r = attribute(server_first, 'r');
  const auto s = attribute(server_first, 's');
  const auto i = attribute(server_first, 'i');
  if (!r || !s || !i || server_first.substr(0, 2) != "r=") {
    error_ = "malformed SCRAM server-first message";
    return std::nullopt;
  }
  if (r->size() <= nonce_.size() || r->substr(0, nonce_.size()) != nonce_) {
    error_ = "the server's nonce does not extend ours";
    return std::nullopt;
  }
  std::uint32_t iterations = 0;
  const auto [end, ec] = std::from_chars(i->data(), i->data() + i->size(), iterations);
  if (ec != std::errc{} || end != i->data() + i->size() || iterations < crypto::kScramIterations ||
      iterations > kMaxIterations) {
    error_ = "unacceptable SCRAM iteration count " + std::string(*i) + " (4096 to 1000000 accepted)";
    return std::nullopt;
  }
  const auto salt = crypto::base64_decode(*s);
  if (!salt || salt->empty()) {
    error_ = "malformed SCRAM salt";
    return std::nullopt;
  }
  keys_ = crypto::derive_scram_client_keys(password_, *salt, iterations);
  const std::string without_proof = "c=biws,r=" + std::string(*r);
  auth_message_ = client_first().substr(3) + "," + std::string(server_first) + "," + without_proof;
  return without_proof + ",p=" + crypto::base64_encode(crypto::scram_client_proof(keys_, auth_message_));
}

bool ScramClient::verify_server_final(std::string_view server_final) {
  if (auth_message_.empty()) {
    error_ = "the server skipped a step of SCRAM";
    return false;
  }
  if (auto e = attribute(server_final, 'e')) {
    error_ = "the server refused: " + std::string(*e);
    return false;
  }
  const auto v = attribute(server_final, 'v');
  const auto signature = v ? crypto::base64_decode(*v) : std::nullopt;
  if (!signature || !crypto::equal_constant_time(
                        *signature, crypto::scram_server_signature(keys_.server_key, auth_message_))) {
    error_ = "the server could not prove it knows the password (bad SCRAM server signature)";
    return false;
  }
  return true;
}

}  // namespace parley::client
