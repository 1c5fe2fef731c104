#include "app/data_dir.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

#include "crypto/crypto.h"

namespace parley::app {

namespace fs = std::filesystem;

std::string prepare_data_dir(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    fs::create_directories(dir, ec);
    if (ec) return "cannot create data directory " + dir.string() + ": " + ec.message();
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  }
  if (!fs::is_directory(dir, ec)) return "data directory " + dir.string() + " is not a directory";
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    return "data directory " + dir.string() + " is not writable: " + std::strerror(errno);
  return {};
}

namespace {
std::optional<std::string> from_hex(std::string_view text) {
  if (text.size() % 2 != 0) return std::nullopt;
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  for (std::size_t i = 0; i < text.size(); i += 2) {
    const int hi = digit(text[i]), lo = digit(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}
}  // namespace

std::optional<std::string> load_or_create_secret(const fs::path& dir, const std::string& name, std::size_t bytes,
                                                 std::string& error) {
  const fs::path path = dir / name;
  if (std::ifstream in(path); in) {
    std::stringstream text;
    text << in.rdbuf();
    std::string hex = text.str();
    while (!hex.empty() && (hex.back() == '\n' || hex.back() == '\r')) hex.pop_back();
    auto secret = from_hex(hex);
    if (!secret || secret->size() < 16) {
      error = path.string() + " does not hold a hex-encoded key of at least 16 bytes";
      return std::nullopt;
    }
    return secret;
  }
  std::string secret(bytes, '\0');
  for (std::size_t got = 0; got < bytes;) {
    const ssize_t n = ::getrandom(secret.data() + got, bytes - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error = std::string("getrandom: ") + std::strerror(errno);
      return std::nullopt;
    }
    got += static_cast<std::size_t>(n);
  }
  const fs::path temporary = dir / (name + ".tmp");
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const std::string hex = crypto::to_hex(secret) + "\n";
  if (fd < 0 || ::write(fd, hex.data(), hex.size()) != static_cast<ssize_t>(hex.size()) || ::fsync(fd) != 0) {
    error = "cannot write " + temporary.string() + ": " + std::strerror(errno);
    if (fd >= 0) ::close(fd);
    return std::nullopt;
  }
  ::close(fd);
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    error = "cannot rename " + temporary.string() + " to " + path.string() + ": " + std::strerror(errno);
    return std::nullopt;
  }
  return secret;
}

}  // namespace parley::app
