#include "proto/sasl.h"

#include <charconv>

namespace parley::proto::sasl {

ChunkBuffer::Status ChunkBuffer::add(std::string_view chunk) {
  if (chunk.size() > kChunkBytes) {
    data_.clear();
    return Status::kChunkTooLong;
  }
  if (chunk == "+") chunk = {};
  if (data_.size() + chunk.size() > kMaxMessageBytes) {
    data_.clear();
    return Status::kMessageTooLong;
  }
  data_.append(chunk);
  return chunk.size() == kChunkBytes ? Status::kNeedMore : Status::kComplete;
}

std::string ChunkBuffer::take() {
  std::string out = std::move(data_);
  data_ = std::string{};
  return out;
}

std::optional<PlainMessage> parse_plain(std::string_view decoded) {
  auto first = decoded.find('\0');
  if (first == std::string_view::npos) return std::nullopt;
  auto second = decoded.find('\0', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  PlainMessage m;
  m.authzid = decoded.substr(0, first);
  m.authcid = decoded.substr(first + 1, second - first - 1);
  m.password = decoded.substr(second + 1);
  if (m.authcid.empty() || m.password.empty() || m.password.find('\0') != std::string_view::npos)
    return std::nullopt;
  return m;
}

namespace {

// One "x=value" attribute at the start of `s`, up to the next ',' (consumed). nullopt if `s` does
// not start with "<key>=".
std::optional<std::string_view> take_attribute(std::string_view& s, char key) {
  if (s.size() < 2 || s[0] != key || s[1] != '=') return std::nullopt;
  auto comma = s.find(',');
  std::string_view value = s.substr(2, comma == std::string_view::npos ? std::string_view::npos : comma - 2);
  s.remove_prefix(comma == std::string_view::npos ? s.size() : comma + 1);
  return value;
}

// RFC 5802 saslname: "=2C" for ',' and "=3D" for '='; any other '=' is an error.
std::optional<std::string> unescape_saslname(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == ',') return std::nullopt;
    if (s[i] != '=') {
      out += s[i];
    } else if (s.substr(i + 1, 2) == "2C") {
      out += ',';
      i += 2;
    } else if (s.substr(i + 1, 2) == "3D") {
      out += '=';
      i += 2;
    } else {
      return std::nullopt;
    }
  }
  return out;
}

// printable = %x21-2B / %x2D-7E (no ',')
bool is_nonce(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < 0x21 || c > 0x7e || c == ',') return false;
  }
  return true;
}

bool is_base64_text(std::string_view s) {
  for (char c : s) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
              c == '/' || c == '=';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

ScramFirstResult parse_scram_client_first(std::string_view decoded) {
  ScramFirstResult result;
  auto fail = [&](ScramError e) {
    result.error = e;
    return result;
  };
  std::string_view s = decoded;
  if (s.empty()) return fail(ScramError::kMalformed);
  if (s[0] == 'p') return fail(ScramError::kChannelBinding);
  if ((s[0] != 'n' && s[0] != 'y') || s.size() < 2 || s[1] != ',') return fail(ScramError::kMalformed);
  s.remove_prefix(2);
  ScramClientFirst m;
  if (s.starts_with("a=")) {
    auto comma = s.find(',');
    if (comma == std::string_view::npos) return fail(ScramError::kMalformed);
    auto authzid = unescape_saslname(s.substr(2, comma - 2));
    if (!authzid || authzid->empty()) return fail(ScramError::kBadUsername);
    m.authzid = std::move(*authzid);
    s.remove_prefix(comma);
  }
  if (s.empty() || s[0] != ',') return fail(ScramError::kMalformed);
  s.remove_prefix(1);
  m.gs2_header = std::string(decoded.substr(0, decoded.size() - s.size()));
  m.bare = std::string(s);
  if (s.starts_with("m=")) return fail(ScramError::kExtensionRequired);
  auto user = take_attribute(s, 'n');
  if (!user) return fail(ScramError::kMalformed);
  auto name = unescape_saslname(*user);
  if (!name || name->empty()) return fail(ScramError::kBadUsername);
  m.username = std::move(*name);
  auto nonce = take_attribute(s, 'r');
  if (!nonce || !is_nonce(*nonce)) return fail(ScramError::kMalformed);
  m.nonce = std::string(*nonce);
  // Anything after is an optional extension ("x=..."), which we ignore as RFC 5802 allows.
  result.message = std::move(m);
  return result;
}

std::optional<ScramClientFinal> parse_scram_client_final(std::string_view decoded) {
  std::string_view s = decoded;
  ScramClientFinal m;
  auto cb = take_attribute(s, 'c');
  if (!cb || cb->empty() || !is_base64_text(*cb)) return std::nullopt;
  m.channel_binding = std::string(*cb);
  auto nonce = take_attribute(s, 'r');
  if (!nonce || !is_nonce(*nonce)) return std::nullopt;
  m.nonce = std::string(*nonce);
  auto p = decoded.rfind(",p=");
  if (p == std::string_view::npos || p + 3 > decoded.size() || decoded.size() - p > 3 + 200)
    return std::nullopt;
  if (decoded.size() - s.size() > p + 1) return std::nullopt;  // p= came before r= ended
  std::string_view proof = decoded.substr(p + 3);
  if (proof.empty() || !is_base64_text(proof)) return std::nullopt;
  m.proof_base64 = std::string(proof);
  m.without_proof = std::string(decoded.substr(0, p));
  return m;
}

std::string scram_server_first(std::string_view nonce, std::string_view salt_base64,
                               std::uint32_t iterations) {
  std::string out = "r=";
  out += nonce;
  out += ",s=";
  out += salt_base64;
  out += ",i=";
  out += std::to_string(iterations);
  return out;
}

std::string scram_server_final(std::string_view signature_base64) {
  return "v=" + std::string(signature_base64);
}

std::string scram_auth_message(std::string_view client_first_bare, std::string_view server_first,
                               std::string_view client_final_without_proof) {
  std::string out;
  out.reserve(client_first_bare.size() + server_first.size() + client_final_without_proof.size() + 2);
  out += client_first_bare;
  out += ',';
  out += server_first;
  out += ',';
  out += client_final_without_proof;
  return out;
}

}  // namespace parley::proto::sasl
