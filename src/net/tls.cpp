#include "net/tls.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstring>

namespace parley::net {

namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using CtxPtr = std::unique_ptr<SSL_CTX, Deleter<SSL_CTX, SSL_CTX_free>>;

// Any client certificate is accepted: it is only an identity for SASL EXTERNAL, matched by
// fingerprint, never trusted through a CA.
int accept_any_certificate(int /*preverified*/, X509_STORE_CTX* /*store*/) { return 1; }

// A server context with Parley's policy and no certificate yet.
CtxPtr make_server_context(std::string& error) {
  CtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) {
    error = "cannot create a TLS context: " + last_tls_error();
    return nullptr;
  }
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_options(ctx.get(), SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET |
                                     SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION |
                                     SSL_OP_IGNORE_UNEXPECTED_EOF);
  SSL_CTX_set_num_tickets(ctx.get(), 0);
  SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
                                  SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE, accept_any_certificate);
  return ctx;
}

std::string hex_fingerprint(const unsigned char* md, unsigned int n, bool colons) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 3);
  for (unsigned int i = 0; i < n; ++i) {
    if (colons && i > 0) out.push_back(':');
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 0xf]);
  }
  return out;
}

std::string pem_of(int (*write)(BIO*, void*), void* object) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || write(bio.get(), object) != 1) return {};
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

}  // namespace

std::string last_tls_error() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown TLS error";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

TlsContext::TlsContext(SSL_CTX* ctx) : ctx_(ctx) {
  if (X509* leaf = SSL_CTX_get0_certificate(ctx_)) fingerprint_ = certificate_fingerprint(leaf, true);
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

std::shared_ptr<TlsContext> TlsContext::from_files(const std::string& cert_file, const std::string& key_file,
                                                   std::string& error) {
  ERR_clear_error();
  CtxPtr ctx = make_server_context(error);
  if (!ctx) return nullptr;
  if (SSL_CTX_use_certificate_chain_file(ctx.get(), cert_file.c_str()) != 1) {
    error = "cannot load the certificate (chain) from " + cert_file + ": " + last_tls_error();
    return nullptr;
  }
  if (SSL_CTX_use_PrivateKey_file(ctx.get(), key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    if (ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH) {
      ERR_clear_error();
      error = "the private key in " + key_file + " does not match the certificate in " + cert_file;
      return nullptr;
    }
    error = "cannot load the private key from " + key_file + ": " + last_tls_error();
    return nullptr;
  }
  if (SSL_CTX_check_private_key(ctx.get()) != 1) {
    error = "the private key in " + key_file + " does not match the certificate in " + cert_file;
    ERR_clear_error();
    return nullptr;
  }
  return std::shared_ptr<TlsContext>(new TlsContext(ctx.release()));
}

std::shared_ptr<TlsContext> TlsContext::client_for(const TlsContext& identity, std::string& error) {
  ERR_clear_error();
  CtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) {
    error = "cannot create a TLS context: " + last_tls_error();
    return nullptr;
  }
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_options(ctx.get(), SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET | SSL_OP_NO_COMPRESSION |
                                     SSL_OP_IGNORE_UNEXPECTED_EOF);
  SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
                                  SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  // Pinned by fingerprint, not through a CA (a server's certificate is often self-signed).
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, accept_any_certificate);
  X509* cert = SSL_CTX_get0_certificate(identity.native());
  EVP_PKEY* key = SSL_CTX_get0_privatekey(identity.native());
  if (!cert || !key || SSL_CTX_use_certificate(ctx.get(), cert) != 1 ||
      SSL_CTX_use_PrivateKey(ctx.get(), key) != 1) {
    error = "cannot use the server's certificate for outgoing links: " + last_tls_error();
    return nullptr;
  }
  return std::shared_ptr<TlsContext>(new TlsContext(ctx.release()));
}

bool TlsContext::is_client() const { return SSL_CTX_get_ssl_method(ctx_) == TLS_client_method(); }

std::shared_ptr<TlsContext> TlsContext::from_pem(std::string_view cert_pem, std::string_view key_pem,
                                                 std::string& error) {
  ERR_clear_error();
  CtxPtr ctx = make_server_context(error);
  if (!ctx) return nullptr;
  BioPtr cert_bio(BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size())));
  X509Ptr cert(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  BioPtr key_bio(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
  KeyPtr key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (!cert || !key || SSL_CTX_use_certificate(ctx.get(), cert.get()) != 1 ||
      SSL_CTX_use_PrivateKey(ctx.get(), key.get()) != 1 || SSL_CTX_check_private_key(ctx.get()) != 1) {
    error = "cannot use the certificate and key: " + last_tls_error();
    return nullptr;
  }
  return std::shared_ptr<TlsContext>(new TlsContext(ctx.release()));
}

SelfSignedCertificate make_self_signed_certificate(const std::string& common_name, int days,
                                                   std::string& error) {
  ERR_clear_error();
  KeyPtr key(EVP_EC_gen("P-256"));
  X509Ptr cert(X509_new());
  if (!key || !cert) {
    error = "cannot generate a key: " + last_tls_error();
    return {};
  }
  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;  // a positive serial number
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  const bool ok_serial = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_NAME* name = X509_get_subject_name(cert.get());
  const auto* cn = reinterpret_cast<const unsigned char*>(common_name.c_str());
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, cert.get(), cert.get(), nullptr, nullptr, 0);
  const std::string san = "DNS:" + common_name;
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, NID_subject_alt_name, san.c_str());
  bool ok = ok_serial && X509_set_version(cert.get(), X509_VERSION_3) == 1 &&
            X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) != nullptr &&
            X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400L * days) != nullptr &&
            X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, cn, -1, -1, 0) == 1 &&
            X509_set_issuer_name(cert.get(), name) == 1 && X509_set_pubkey(cert.get(), key.get()) == 1 &&
            ext != nullptr && X509_add_ext(cert.get(), ext, -1) == 1 &&
            X509_sign(cert.get(), key.get(), EVP_sha256()) > 0;
  X509_EXTENSION_free(ext);
  if (!ok) {
    error = "cannot make a self-signed certificate: " + last_tls_error();
    return {};
  }
  SelfSignedCertificate out;
  out.cert_pem =
      pem_of([](BIO* b, void* x) { return PEM_write_bio_X509(b, static_cast<X509*>(x)); }, cert.get());
  out.key_pem = pem_of(
      [](BIO* b, void* k) {
        return PEM_write_bio_PrivateKey(b, static_cast<EVP_PKEY*>(k), nullptr, nullptr, 0, nullptr, nullptr);
      },
      key.get());
  if (out.cert_pem.empty() || out.key_pem.empty()) {
    error = "cannot encode the certificate: " + last_tls_error();
    return {};
  }
  return out;
}

std::string certificate_fingerprint(X509* cert, bool colons) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (!cert || X509_digest(cert, EVP_sha256(), md, &n) != 1) return {};
  return hex_fingerprint(md, n, colons);
}

}  // namespace parley::net
