// TLS for `parley chat` (docs/chat.md "TLS"): a client session over an already connected socket,
// with OpenSSL. Verification is the system's CA store plus a host name check, or a pinned
// certificate fingerprint instead, or nothing (--insecure). Used by chat_command.cpp's poll() loop:
// the socket is non-blocking once the handshake is done, so read() never waits.
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace parley::app {

struct TlsSettings {
  bool enabled = false;
  bool insecure = false;    // no verification at all
  std::string fingerprint;  // SHA-256 of the server certificate (DER), lowercase hex; empty: CA check
};

// A --fingerprint value: 64 hex digits, optionally in colon-separated pairs, any case. Returns
// lowercase hex without colons, or nullopt.
std::optional<std::string> parse_fingerprint(std::string_view text);

class TlsStream {
 public:
  // Handshake with `host` (the name or address typed: SNI and the certificate check use it) on
  // `fd`, a connected socket that the caller keeps owning; waits at most `timeout_seconds`. On
  // failure returns null and sets `error` to a sentence; `verification_failed` tells a certificate
  // the user must decide about (no use retrying) from a failed connection.
  static std::unique_ptr<TlsStream> handshake(int fd, const std::string& host, const TlsSettings& settings,
                                              int timeout_seconds, std::string& error,
                                              bool& verification_failed);
  ~TlsStream();
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  static constexpr ssize_t kWouldBlock = -2;
  // Decrypted bytes into `buffer`: the count, 0 when the server closed the session, -1 on an
  // error (error() says which), kWouldBlock when nothing is ready yet.
  ssize_t read(char* buffer, std::size_t size);
  // Whether decrypted bytes are buffered (poll() cannot see them): call read() again.
  bool pending() const;
  // Sends all of `bytes`, waiting for the socket as needed; false on error.
  bool write_all(std::string_view bytes);
  const std::string& error() const { return error_; }
  const std::string& version() const { return version_; }  // e.g. "TLSv1.3"

 private:
  struct Impl;
  explicit TlsStream(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  std::string error_, version_;
};

}  // namespace parley::app
