// TLS for the server's listeners (OpenSSL 3): the shared server context, certificate loading and
// self-signed certificate generation, and fingerprints.
//
// Why TLS lives inside net::Connection rather than in a sibling class: a TLS connection is the
// same object with an SSL* bound to its non-blocking descriptor (SSL_set_fd), driven by the same
// Loop readiness, reading into the same shared buffer and flushing the same queue of shared
// lines. The plaintext path pays one well-predicted `if (ssl_)` per read and per flush and eight
// bytes per connection; a sibling class would duplicate the queue, the closing states and the
// Loop's bookkeeping. See connection.h for how the TLS session is driven.
//
// A TlsContext is one SSL_CTX configured for Parley's policy:
//  - TLS 1.2 and later only; no renegotiation (SSL_OP_NO_RENEGOTIATION); no session tickets or
//    session cache (nothing to resume: IRC sessions are long);
//  - SSL_MODE_RELEASE_BUFFERS, so an idle connection holds no record buffers;
//  - a client certificate is requested but not verified (any certificate, or none, is accepted),
//    so that SASL EXTERNAL can use its fingerprint.
// SSL_CTX is reference counted: an SSL made from a context keeps it alive, so replacing the
// context a listener uses (SIGHUP) leaves existing connections untouched.
//
// Thread: a context is immutable once made and may be shared; the free functions are pure.
#pragma once

#include <openssl/types.h>

#include <memory>
#include <string>
#include <string_view>

namespace parley::net {

class TlsContext {
 public:
  // Loads a PEM certificate (the leaf first, then any intermediates: a chain) and its PEM private
  // key. Returns nullptr and sets `error` to a sentence when a file cannot be read or parsed or
  // the key does not match the certificate.
  static std::shared_ptr<TlsContext> from_files(const std::string& cert_file, const std::string& key_file,
                                                std::string& error);
  // The same from PEM text in memory.
  static std::shared_ptr<TlsContext> from_pem(std::string_view cert_pem, std::string_view key_pem,
                                              std::string& error);
  // A client context presenting `identity`'s certificate and key, for the connections a server
  // dials to other servers (link TLS). The peer's certificate is accepted whatever it is: the
  // caller pins it by fingerprint (on_secured reports it). nullptr and `error` on failure.
  static std::shared_ptr<TlsContext> client_for(const TlsContext& identity, std::string& error);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  SSL_CTX* native() const { return ctx_; }
  // Whether connections made from this context are the client side of the handshake.
  bool is_client() const;
  // SHA-256 of the leaf certificate's DER encoding, lowercase hex pairs joined by ':'.
  const std::string& fingerprint() const { return fingerprint_; }

 private:
  explicit TlsContext(SSL_CTX* ctx);
  SSL_CTX* ctx_;
  std::string fingerprint_;
};

struct SelfSignedCertificate {
  std::string cert_pem;
  std::string key_pem;
};

// A new EC P-256 key and a self-signed X.509 v3 certificate for `common_name` (also its DNS
// subjectAltName), valid from an hour ago for `days` days. Returns nullopt-like empty PEMs and
// sets `error` on failure (which only a broken OpenSSL produces).
SelfSignedCertificate make_self_signed_certificate(const std::string& common_name, int days,
                                                   std::string& error);

// SHA-256 of a certificate's DER encoding in lowercase hex: without separators (`colons` false,
// the form SASL EXTERNAL and CERTFP use) or as colon-separated pairs.
std::string certificate_fingerprint(X509* cert, bool colons);

// The most recent OpenSSL error as text (and the error queue cleared), for log lines.
std::string last_tls_error();

}  // namespace parley::net
