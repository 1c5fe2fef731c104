#include "app/tls_certificate.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "app/data_dir.h"

namespace parley::app {

namespace fs = std::filesystem;

namespace {

constexpr int kValidityDays = 365;

// Writes `text` to `path` with `mode` through a temporary file and a rename, so a crash never
// leaves half a key.
std::string write_file(const fs::path& path, const std::string& text, mode_t mode) {
  const fs::path temporary = path.string() + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0 || ::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()) ||
      ::fsync(fd) != 0) {
    const std::string why = std::strerror(errno);
    if (fd >= 0) ::close(fd);
    return "cannot write " + temporary.string() + ": " + why;
  }
  ::close(fd);
  if (::rename(temporary.c_str(), path.c_str()) != 0)
    return "cannot rename " + temporary.string() + " to " + path.string() + ": " + std::strerror(errno);
  return {};
}

}  // namespace

ServerCertificate load_server_certificate(server::ServerOptions& options) {
  ServerCertificate out;
  auto& tls = options.tls;
  if (!tls.cert_file.empty()) {
    out.context = net::TlsContext::from_files(tls.cert_file, tls.key_file, out.error);
    return out;
  }
  const std::string& name = options.engine.server_name;
  if (options.data_dir.empty()) {
    auto made = net::make_self_signed_certificate(name, kValidityDays, out.error);
    if (!made.cert_pem.empty())
      out.context = net::TlsContext::from_pem(made.cert_pem, made.key_pem, out.error);
    out.generated = out.context != nullptr;
    return out;
  }
  const fs::path dir = fs::path(options.data_dir) / "tls";
  if (auto why = prepare_data_dir(options.data_dir); !why.empty()) {
    out.error = why;
    return out;
  }
  if (auto why = prepare_data_dir(dir); !why.empty()) {
    out.error = why;
    return out;
  }
  const fs::path cert_file = dir / "cert.pem";
  const fs::path key_file = dir / "key.pem";
  std::error_code ec;
  const bool have_cert = fs::exists(cert_file, ec);
  const bool have_key = fs::exists(key_file, ec);
  if (!have_cert || !have_key) {
    if (have_cert != have_key) {
      out.error = "the data directory has only one of " + cert_file.string() + " and " + key_file.string() +
                  "; remove it to have a new certificate generated";
      return out;
    }
    auto made = net::make_self_signed_certificate(name, kValidityDays, out.error);
    if (made.cert_pem.empty()) return out;
    if (auto why = write_file(key_file, made.key_pem, 0600); !why.empty()) {
      out.error = why;
      return out;
    }
    if (auto why = write_file(cert_file, made.cert_pem, 0644); !why.empty()) {
      out.error = why;
      return out;
    }
    out.generated = true;
  }
  out.context = net::TlsContext::from_files(cert_file.string(), key_file.string(), out.error);
  if (!out.context) {
    out.error += " (remove both files to have a new certificate generated)";
    return out;
  }
  tls.cert_file = cert_file.string();
  tls.key_file = key_file.string();
  return out;
}

}  // namespace parley::app
