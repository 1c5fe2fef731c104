#include "store/store.h"

namespace parley::store {

std::string Status::to_string() const {
  std::string_view what;
  switch (code_) {
    case Code::kOk: return "ok";
    case Code::kNotFound: what = "not found"; break;
    case Code::kExists: what = "already exists"; break;
    case Code::kIoError: what = "I/O error"; break;
    case Code::kCorrupt: what = "corrupt data"; break;
    case Code::kInvalid: what = "invalid"; break;
  }
  std::string out(what);
  if (!message_.empty()) out += ": " + message_;
  return out;
}

}  // namespace parley::store
