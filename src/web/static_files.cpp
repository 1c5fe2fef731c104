#include "web/static_files.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "crypto/crypto.h"

namespace parley::web {

// Generated at build time from webclient/ (cmake/embed_web.cmake).
extern const EmbeddedFile kEmbeddedFiles[];
extern const std::size_t kEmbeddedFileCount;

namespace {

std::string etag_of(std::string_view bytes) {
  return "\"" + crypto::to_hex(crypto::as_view(crypto::sha256(bytes))).substr(0, 20) + "\"";
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool unreserved(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

}  // namespace

std::optional<std::string> file_path_of(std::string_view url_path) {
  if (url_path.empty() || url_path.front() != '/') return std::nullopt;
  std::string path;
  for (std::size_t i = 1; i < url_path.size(); ++i) {
    char c = url_path[i];
    if (c == '%') {
      if (i + 2 >= url_path.size()) return std::nullopt;
      const int hi = hex_value(url_path[i + 1]), lo = hex_value(url_path[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      c = static_cast<char>(hi * 16 + lo);
      if (!unreserved(c)) return std::nullopt;  // no encoded '/', '\0' or '..' tricks
      i += 2;
    } else if (c == '\\' || c == '\0' || static_cast<unsigned char>(c) < 0x20) {
      return std::nullopt;
    }
    path.push_back(c);
  }
  if (path.empty() || path.back() == '/') path += "index.html";
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = path.find('/', start);
    const std::string_view segment = std::string_view(path).substr(start, end - start);
    if (segment.empty() || segment == "." || segment == "..") return std::nullopt;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return path;
}

std::string_view content_type_of(std::string_view name) {
  const auto dot = name.rfind('.');
  const std::string_view ext = dot == std::string_view::npos ? std::string_view{} : name.substr(dot + 1);
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "png") return "image/png";
  if (ext == "ico") return "image/x-icon";
  if (ext == "json") return "application/json";
  if (ext == "webmanifest") return "application/manifest+json";
  if (ext == "txt") return "text/plain; charset=utf-8";
  if (ext == "woff2") return "font/woff2";
  return "application/octet-stream";
}

StaticFiles StaticFiles::embedded() {
  StaticFiles files;
  for (std::size_t i = 0; i < kEmbeddedFileCount; ++i) {
    const EmbeddedFile& e = kEmbeddedFiles[i];
    std::string bytes(reinterpret_cast<const char*>(e.data), e.size);
    StaticFile f;
    f.content_type = content_type_of(e.path);
    f.etag = etag_of(bytes);
    f.body = proto::make_line(std::move(bytes));
    // Small files gain nothing from compression; serve them as they are.
    if (e.gzip_size < e.size)
      f.gzip = proto::make_line(std::string(reinterpret_cast<const char*>(e.gzip), e.gzip_size));
    files.files_.emplace(e.path, std::move(f));
  }
  return files;
}

StaticFiles StaticFiles::from_directory(const std::string& root) {
  std::error_code ec;
  const auto canonical = std::filesystem::canonical(root, ec);
  if (ec || !std::filesystem::is_directory(canonical, ec))
    throw std::runtime_error("web.root " + root + " is not a readable directory");
  StaticFiles files;
  files.root_ = canonical.string();
  return files;
}

std::optional<StaticFile> StaticFiles::find(std::string_view url_path) const {
  const auto relative = file_path_of(url_path);
  if (!relative) return std::nullopt;
  if (root_.empty()) {
    auto it = files_.find(*relative);
    if (it == files_.end()) return std::nullopt;
    return it->second;
  }
  std::error_code ec;
  const auto path = std::filesystem::canonical(std::filesystem::path(root_) / *relative, ec);
  if (ec || !std::filesystem::is_regular_file(path, ec)) return std::nullopt;
  const std::string full = path.string();
  if (full.compare(0, root_.size(), root_) != 0 || full.size() <= root_.size() || full[root_.size()] != '/')
    return std::nullopt;  // a symbolic link out of the root
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  StaticFile f;
  f.content_type = content_type_of(*relative);
  f.etag = etag_of(bytes.view());
  f.body = proto::make_line(std::move(bytes).str());
  return f;
}

std::size_t StaticFiles::total_bytes() const {
  std::size_t n = 0;
  for (const auto& [path, f] : files_) n += f.body->size();
  return n;
}

std::size_t StaticFiles::total_gzip_bytes() const {
  std::size_t n = 0;
  for (const auto& [path, f] : files_) n += f.gzip ? f.gzip->size() : f.body->size();
  return n;
}

}  // namespace parley::web
