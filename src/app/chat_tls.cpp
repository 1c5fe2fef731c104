#include "app/chat_tls.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>

#include <cctype>
#include <chrono>
#include <cstring>
#include <vector>

#include "crypto/crypto.h"

namespace parley::app {

namespace {

std::string openssl_error(int ssl_error) {
  if (unsigned long e = ::ERR_get_error(); e != 0) {
    char text[256];
    ::ERR_error_string_n(e, text, sizeof text);
    ::ERR_clear_error();
    return text;
  }
  if (ssl_error == SSL_ERROR_SYSCALL) return errno != 0 ? std::strerror(errno) : "connection closed";
  if (ssl_error == SSL_ERROR_ZERO_RETURN) return "connection closed";
  return "TLS error " + std::to_string(ssl_error);
}

// Waits until `fd` is ready for what `ssl_error` asks; false on timeout or a poll() error.
bool wait_for(int fd, int ssl_error, std::chrono::steady_clock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return false;
  pollfd p{fd, static_cast<short>(ssl_error == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN), 0};
  int n;
  do {
    n = ::poll(&p, 1, static_cast<int>(left.count()));
  } while (n < 0 && errno == EINTR);
  return n == 1;
}

bool is_ip_literal(const std::string& host) {
  unsigned char buffer[16];
  return ::inet_pton(AF_INET, host.c_str(), buffer) == 1 || ::inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

}  // namespace

struct TlsStream::Impl {
  SSL_CTX* ctx = nullptr;
  SSL* ssl = nullptr;
  int fd = -1;
  ~Impl() {
    if (ssl) ::SSL_free(ssl);
    if (ctx) ::SSL_CTX_free(ctx);
  }
};

std::optional<std::string> parse_fingerprint(std::string_view text) {
  std::string hex;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == ':' && i % 3 == 2) continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
    hex += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (hex.size() != 64) return std::nullopt;
  return hex;
}

TlsStream::TlsStream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TlsStream::~TlsStream() = default;

std::unique_ptr<TlsStream> TlsStream::handshake(int fd, const std::string& host, const TlsSettings& settings,
                                                int timeout_seconds, std::string& error,
                                                bool& verification_failed) {
  verification_failed = false;
  auto impl = std::make_unique<Impl>();
  impl->fd = fd;
  impl->ctx = ::SSL_CTX_new(::TLS_client_method());
  if (!impl->ctx) {
    error = "cannot set up TLS: " + openssl_error(0);
    return nullptr;
  }
  ::SSL_CTX_set_min_proto_version(impl->ctx, TLS1_2_VERSION);
  // Verified after the handshake (below), so that a failure can name the certificate's
  // fingerprint; OpenSSL still checks the chain and the name and records the result.
  ::SSL_CTX_set_verify(impl->ctx, SSL_VERIFY_NONE, nullptr);
  const bool check_ca = !settings.insecure && settings.fingerprint.empty();
  if (check_ca && ::SSL_CTX_set_default_verify_paths(impl->ctx) != 1) {
    error = "cannot load the system's CA certificates: " + openssl_error(0);
    return nullptr;
  }
  impl->ssl = ::SSL_new(impl->ctx);
  if (!impl->ssl || ::SSL_set_fd(impl->ssl, fd) != 1) {
    error = "cannot set up TLS: " + openssl_error(0);
    return nullptr;
  }
  if (is_ip_literal(host)) {
    ::X509_VERIFY_PARAM_set1_ip_asc(::SSL_get0_param(impl->ssl), host.c_str());
  } else {
    ::SSL_set_tlsext_host_name(impl->ssl, host.c_str());
    ::SSL_set1_host(impl->ssl, host.c_str());
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  for (;;) {
    ::ERR_clear_error();
    errno = 0;
    const int rc = ::SSL_connect(impl->ssl);
    if (rc == 1) break;
    const int e = ::SSL_get_error(impl->ssl, rc);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
      if (wait_for(fd, e, deadline)) continue;
      error = "TLS handshake with " + host + " timed out (is this a TLS port?)";
      return nullptr;
    }
    error = "TLS handshake with " + host + " failed: " + openssl_error(e) + " (is this a TLS port?)";
    return nullptr;
  }
  X509* cert = ::SSL_get1_peer_certificate(impl->ssl);
  if (!cert) {
    error = "the server at " + host + " sent no TLS certificate";
    verification_failed = true;
    return nullptr;
  }
  unsigned char* der = nullptr;
  const int der_size = ::i2d_X509(cert, &der);
  ::X509_free(cert);
  std::string fingerprint;
  if (der_size > 0) {
    fingerprint = crypto::to_hex(
        crypto::as_view(crypto::sha256(std::string_view(reinterpret_cast<const char*>(der), der_size))));
    ::OPENSSL_free(der);
  }
  if (!settings.fingerprint.empty()) {
    if (fingerprint != settings.fingerprint) {
      error = "the TLS certificate of " + host + " has the SHA-256 fingerprint " + fingerprint +
              ", not the pinned " + settings.fingerprint + "; refusing to connect";
      verification_failed = true;
      return nullptr;
    }
  } else if (check_ca) {
    if (const long result = ::SSL_get_verify_result(impl->ssl); result != X509_V_OK) {
      error = "cannot verify the TLS certificate of " + host + ": " +
              ::X509_verify_cert_error_string(result) +
              ". If you trust this server, pin its certificate with --fingerprint " + fingerprint +
              " (or skip verification with --insecure)";
      verification_failed = true;
      return nullptr;
    }
  }
  auto stream = std::unique_ptr<TlsStream>(new TlsStream(std::move(impl)));
  stream->version_ = ::SSL_get_version(stream->impl_->ssl);
  return stream;
}

ssize_t TlsStream::read(char* buffer, std::size_t size) {
  ::ERR_clear_error();
  errno = 0;
  const int n = ::SSL_read(impl_->ssl, buffer, static_cast<int>(size));
  if (n > 0) return n;
  const int e = ::SSL_get_error(impl_->ssl, n);
  if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return kWouldBlock;
  if (e == SSL_ERROR_ZERO_RETURN) return 0;
  error_ = openssl_error(e);
  return -1;
}

bool TlsStream::pending() const { return ::SSL_pending(impl_->ssl) > 0; }

bool TlsStream::write_all(std::string_view bytes) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!bytes.empty()) {
    ::ERR_clear_error();
    errno = 0;
    const int n = ::SSL_write(impl_->ssl, bytes.data(), static_cast<int>(bytes.size()));
    if (n > 0) {
      bytes.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    const int e = ::SSL_get_error(impl_->ssl, n);
    if ((e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) && wait_for(impl_->fd, e, deadline)) continue;
    error_ = e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE ? "sending timed out" : openssl_error(e);
    return false;
  }
  return true;
}

}  // namespace parley::app
