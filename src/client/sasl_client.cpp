// ChatClient's SASL login during registration (IRCv3 sasl-3.1): CAP REQ sasl, AUTHENTICATE
// <mechanism>, the exchange in base64 chunks of at most 400 bytes, then 903 (CAP END) or a
// failure that stops the client. docs/chat.md "Logging in".
#include <random>

#include "client/chat_client.h"
#include "crypto/crypto.h"

namespace parley::client {

namespace {

constexpr std::size_t kChunk = 400;              // AUTHENTICATE payload bytes per line
constexpr std::size_t kMaxServerMessage = 4096;  // base64 bytes of one server message

std::string random_nonce() {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::random_device entropy;  // the kernel's getrandom()
  std::string out;
  for (int i = 0; i < 24; ++i) out += kAlphabet[entropy() % 64];
  return out;
}

}  // namespace

void ChatClient::sasl_start() {
  sasl_step_ = SaslStep::kStarted;
  sasl_received_.clear();
  info("Logging in as " + options_.sasl_user + " (SASL " + sasl_mechanism_ + ")");
  std::string out;
  proto::LineBuilder(out).command("AUTHENTICATE").param(sasl_mechanism_).finish();
  send(std::move(out));
}

void ChatClient::sasl_send(std::string_view payload) {
  const std::string encoded = crypto::base64_encode(payload);
  std::size_t at = 0;
  for (; at + kChunk <= encoded.size(); at += kChunk) {
    std::string out;
    proto::LineBuilder(out)
        .command("AUTHENTICATE")
        .param(std::string_view(encoded).substr(at, kChunk))
        .finish();
    send(std::move(out));
  }
  // The rest, or "+" when the message was empty or a multiple of 400 bytes.
  std::string out;
  proto::LineBuilder(out)
      .command("AUTHENTICATE")
      .param(at < encoded.size() ? std::string_view(encoded).substr(at) : std::string_view("+"))
      .finish();
  send(std::move(out));
}

void ChatClient::handle_authenticate(const proto::Message& m) {
  if (!sasl_busy() || m.size() < 1) return;
  auto malformed = [&] {
    std::string out;
    proto::LineBuilder(out).command("AUTHENTICATE").param("*").finish();
    send(std::move(out));
    stop("SASL login as " + options_.sasl_user +
         " failed: the server sent an overlong or malformed AUTHENTICATE message");
  };
  const std::string_view chunk = m.param(0);
  if (chunk != "+") {
    sasl_received_ += chunk;
    if (sasl_received_.size() > kMaxServerMessage) return malformed();
    if (chunk.size() == kChunk) return;  // more to come
  }
  std::optional<std::string> decoded = std::string();
  if (!sasl_received_.empty()) decoded = crypto::base64_decode(sasl_received_);
  sasl_received_.clear();
  if (!decoded) return malformed();
  sasl_payload(*decoded);
}

// One complete message from the server, decoded.
void ChatClient::sasl_payload(std::string_view decoded) {
  auto abort = [&](const std::string& why) {
    std::string out;
    proto::LineBuilder(out).command("AUTHENTICATE").param("*").finish();
    send(std::move(out));
    stop("SASL login as " + options_.sasl_user + " failed: " + why);
  };
  switch (sasl_step_) {
    case SaslStep::kStarted:  // "AUTHENTICATE +": send our first message
      if (sasl_mechanism_ == "PLAIN") {
        sasl_send(sasl_plain_message(options_.sasl_user, options_.sasl_password));
        sasl_step_ = SaslStep::kSentFinal;
      } else {
        scram_ = std::make_unique<ScramClient>(options_.sasl_user, options_.sasl_password,
                                               options_.sasl_nonce ? options_.sasl_nonce() : random_nonce());
        sasl_send(scram_->client_first());
        sasl_step_ = SaslStep::kSentFirst;
      }
      return;
    case SaslStep::kSentFirst: {
      auto final_message = scram_->client_final(decoded);
      if (!final_message) return abort(scram_->error());
      sasl_send(*final_message);
      sasl_step_ = SaslStep::kSentFinal;
      return;
    }
    case SaslStep::kSentFinal:
      if (!scram_) return abort("the server sent a challenge PLAIN does not have");
      if (!scram_->verify_server_final(decoded)) return abort(scram_->error());
      sasl_send({});
      sasl_step_ = SaslStep::kVerified;
      return;
    default: return abort("the server sent an AUTHENTICATE message out of turn");
  }
}

bool ChatClient::handle_sasl_numeric(int code, const proto::Message& m) {
  const std::string text(m.param(m.size() - 1));
  switch (code) {
    case 900:  // RPL_LOGGEDIN <nick> <nick!user@host> <account> :You are now logged in as <account>
      info(text);
      return true;
    case 901:  // RPL_LOGGEDOUT
      info(text);
      return true;
    case 903:  // RPL_SASLSUCCESS
      if (!sasl_busy()) return true;
      if (scram_ && sasl_step_ != SaslStep::kVerified) {
        stop("SASL login as " + options_.sasl_user +
             " failed: the server claimed success without proving it knows the password");
        return true;
      }
      sasl_step_ = SaslStep::kDone;
      info("SASL login succeeded");
      cap_end();
      return true;
    case 907:  // ERR_SASLALREADY
      sasl_step_ = SaslStep::kDone;
      cap_end();
      return true;
    case 902:                          // ERR_NICKLOCKED
    case 904:                          // ERR_SASLFAIL
    case 905:                          // ERR_SASLTOOLONG
    case 906:                          // ERR_SASLABORTED
      if (!sasl_busy()) return false;  // shown as any error
      if (failed_) return true;        // we aborted it and said why
      stop("SASL login as " + options_.sasl_user + " failed (" + std::to_string(code) + " " + text +
           "): check the account name and the password");
      return true;
    case 908:  // RPL_SASLMECHS <mechanisms> :are available SASL mechanisms
      info("The server's SASL mechanisms: " + std::string(m.param(1)));
      return true;
    default: return false;
  }
}

}  // namespace parley::client
