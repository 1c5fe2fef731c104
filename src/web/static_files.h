// The files the web listener serves: the web client built into the binary (every file under the
// repository's webclient/ directory, embedded at build time with a gzip copy of each, by
// cmake/embed_web.cmake), or the files of a directory the operator names ([web] root), read from
// disk on each request so that an edited client shows on the next reload of the page.
//
// Paths are URL paths ("/", "/js/app.js"); "/" and any path ending in "/" mean its index.html.
// A path is found only if it names a file inside the set: "..", "." and empty segments, a NUL,
// a backslash or a percent-encoded byte outside the unreserved set are refused (nothing is ever
// resolved outside the root, and a symbolic link that leads out of it is refused too).
//
// Thread: a StaticFiles and the SharedLines it returns belong to the thread that made it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "proto/shared_line.h"

namespace parley::web {

// One file of the embedded client (the table is generated at build time).
struct EmbeddedFile {
  const char* path;  // relative to webclient/, e.g. "js/app.js"
  const unsigned char* data;
  std::size_t size;
  const unsigned char* gzip;  // the same bytes gzip-compressed (-9 -n)
  std::size_t gzip_size;
};

struct StaticFile {
  std::string content_type;
  std::string etag;        // a strong validator: a hash of the content, quoted
  proto::SharedLine body;  // the bytes as they are
  proto::SharedLine gzip;  // gzip-compressed; empty when not kept (files read from a root)
};

class StaticFiles {
 public:
  // The client embedded in the binary.
  static StaticFiles embedded();
  // The files under `root` (a directory), read on each request. Throws std::runtime_error when
  // `root` is not a readable directory.
  static StaticFiles from_directory(const std::string& root);

  // The file a request path names, or nullopt (also for a path refused as above).
  std::optional<StaticFile> find(std::string_view url_path) const;
  // Files in the embedded set (0 for a directory root), their bytes and gzip bytes: for the
  // start-up line and the docs' page weight.
  std::size_t file_count() const { return files_.size(); }
  std::size_t total_bytes() const;
  std::size_t total_gzip_bytes() const;
  const std::string& root() const { return root_; }

 private:
  std::map<std::string, StaticFile, std::less<>> files_;  // embedded: by relative path
  std::string root_;                                      // a directory: its canonical path
};

// The relative file path a URL path names ("/" -> "index.html", "/a/b.js" -> "a/b.js"), with
// percent-escapes of unreserved characters decoded; nullopt when it is refused (see above).
std::optional<std::string> file_path_of(std::string_view url_path);
// The Content-Type for a file name, by its extension (application/octet-stream when unknown).
std::string_view content_type_of(std::string_view file_name);

}  // namespace parley::web
