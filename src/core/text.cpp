#include "core/text.h"

#include "proto/irc_message.h"
#include "proto/utf8.h"

namespace parley::core {

std::vector<std::string_view> split_list(std::string_view list, char sep) {
  std::vector<std::string_view> out;
  while (!list.empty()) {
    auto end = list.find(sep);
    if (end != 0) out.push_back(list.substr(0, end));
    if (end == std::string_view::npos) break;
    list.remove_prefix(end + 1);
  }
  return out;
}

bool is_valid_utf8(std::string_view text) { return proto::is_valid_utf8(text); }

std::size_t utf8_prefix_length(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text.size();
  std::size_t cut = max_bytes;
  // Back up over continuation bytes (10xxxxxx) so the cut lands on a character boundary.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return cut;
}

std::string limit_utf8(std::string_view text, std::size_t max_bytes) {
  return std::string(text.substr(0, utf8_prefix_length(text, max_bytes)));
}

std::size_t relay_text_room(std::string_view source, std::string_view command, std::string_view target) {
  const std::size_t overhead = source.size() + command.size() + target.size() + 7;  // ": <sp> <sp> :" CR LF
  return proto::kMaxLineBytes > overhead ? proto::kMaxLineBytes - overhead : 0;
}

std::string ascii_upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

}  // namespace parley::core
