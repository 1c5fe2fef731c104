#include "proto/irc_message.h"

#include <algorithm>

namespace parley::proto {

std::string_view to_string(ParseError error) {
  switch (error) {
    case ParseError::kEmpty: return "empty line";
    case ParseError::kNoCommand: return "no command";
    case ParseError::kBadCommand: return "malformed command";
    case ParseError::kTagsTooLong: return "tag section too long";
    case ParseError::kLineTooLong: return "line too long";
    case ParseError::kTooManyTags: return "too many tags";
    case ParseError::kBadTag: return "malformed tags";
  }
  return "unknown";
}

std::optional<std::string_view> Message::tag(std::string_view key) const {
  for (std::size_t i = 0; i < tag_count; ++i) {
    if (tags[i].key == key) return tags[i].value;
  }
  return std::nullopt;
}

namespace {

bool is_letter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string_view next_word(std::string_view& rest) {
  auto end = rest.find(' ');
  std::string_view word = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
  return word;
}

void skip_spaces(std::string_view& rest) {
  auto first = rest.find_first_not_of(' ');
  rest = first == std::string_view::npos ? std::string_view{} : rest.substr(first);
}

bool parse_tags(std::string_view raw, Message& msg) {
  msg.tags_raw = raw;
  while (!raw.empty()) {
    auto end = raw.find(';');
    std::string_view item = raw.substr(0, end);
    raw = end == std::string_view::npos ? std::string_view{} : raw.substr(end + 1);
    if (item.empty()) continue;  // tolerate "a;;b" and a trailing ';'
    auto eq = item.find('=');
    Tag tag{item.substr(0, eq), eq == std::string_view::npos ? std::string_view{} : item.substr(eq + 1)};
    if (tag.key.empty() || tag.key == "+") return false;
    // A repeated key: the last one wins (message-tags spec) and adds no tag.
    auto* found = std::find_if(msg.tags.begin(), msg.tags.begin() + msg.tag_count,
                               [&](const Tag& t) { return t.key == tag.key; });
    if (found != msg.tags.begin() + msg.tag_count) {
      *found = tag;
    } else if (msg.tag_count == Message::kMaxTags) {
      return false;
    } else {
      msg.tags[msg.tag_count++] = tag;
    }
  }
  return true;
}

}  // namespace

ParseResult parse_message(std::string_view line) {
  ParseResult result;
  Message msg;
  std::string_view rest = line;
  skip_spaces(rest);
  if (rest.empty()) return result;

  if (rest.front() == '@') {
    auto end = rest.find(' ');
    std::string_view raw = rest.substr(1, end == std::string_view::npos ? end : end - 1);
    if (raw.size() + 2 > kMaxTagBytes) {
      result.error = ParseError::kTagsTooLong;
      return result;
    }
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
    if (!parse_tags(raw, msg)) {
      result.error = msg.tag_count == Message::kMaxTags ? ParseError::kTooManyTags : ParseError::kBadTag;
      return result;
    }
    skip_spaces(rest);
  }
  if (rest.size() > kMaxLineBytes - 2) {
    result.error = ParseError::kLineTooLong;
    return result;
  }
  if (!rest.empty() && rest.front() == ':') {
    rest.remove_prefix(1);
    msg.source = next_word(rest);
    skip_spaces(rest);
  }
  if (rest.empty()) {
    result.error = ParseError::kNoCommand;
    return result;
  }
  msg.command = next_word(rest);
  // Commands are letters or three digits (modern.ircdocs), but any other printable ASCII word is
  // still a command, just not a known one: the server answers it with 421, as every server does
  // and labeled-response clients expect (the reply must carry their label). Only a word no
  // command could be (control bytes, non-ASCII, a leading ':' or '@', which a line would read as
  // a source or a tag section) is malformed.
  if (msg.command.front() == ':' || msg.command.front() == '@' ||
      !std::all_of(msg.command.begin(), msg.command.end(), [](char c) { return c > ' ' && c < 0x7f; })) {
    result.error = ParseError::kBadCommand;
    return result;
  }
  while (true) {
    skip_spaces(rest);
    if (rest.empty()) break;
    if (rest.front() == ':') {
      msg.params[msg.param_count++] = rest.substr(1);
      msg.has_trailing = true;
      break;
    }
    if (msg.param_count == kMaxParams - 1) {
      msg.params[msg.param_count++] = rest;  // RFC 2812: the rest is the last parameter
      break;
    }
    msg.params[msg.param_count++] = next_word(rest);
  }
  result.message = msg;
  return result;
}

std::string unescape_tag_value(std::string_view escaped) {
  std::string out;
  out.reserve(escaped.size());
  for (std::size_t i = 0; i < escaped.size(); ++i) {
    char c = escaped[i];
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (++i == escaped.size()) break;
    switch (escaped[i]) {
      case ':': out.push_back(';'); break;
      case 's': out.push_back(' '); break;
      case 'r': out.push_back('\r'); break;
      case 'n': out.push_back('\n'); break;
      default: out.push_back(escaped[i]); break;  // "\\" -> "\", "\b" -> "b"
    }
  }
  return out;
}

std::string escape_tag_value(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (char c : raw) {
    switch (c) {
      case ';': out += "\\:"; break;
      case ' ': out += "\\s"; break;
      case '\\': out += "\\\\"; break;
      case '\r': out += "\\r"; break;
      case '\n': out += "\\n"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

bool is_middle_param(std::string_view s) {
  return !s.empty() && s.front() != ':' && s.find(' ') == std::string_view::npos;
}

std::string add_tag(std::string_view line, std::string_view tag) {
  std::string out;
  out.reserve(line.size() + tag.size() + 2);
  out += '@';
  out += tag;
  if (!line.empty() && line.front() == '@') {
    out += ';';
    out += line.substr(1);
  } else {
    out += ' ';
    out += line;
  }
  return out;
}

LineBuilder& LineBuilder::tags(std::string_view raw_tags) {
  if (!raw_tags.empty()) {
    out_ += '@';
    out_ += raw_tags;
    out_ += ' ';
  }
  return *this;
}

LineBuilder& LineBuilder::source(std::string_view source) {
  if (!source.empty()) {
    out_ += ':';
    out_ += source;
    out_ += ' ';
  }
  return *this;
}

LineBuilder& LineBuilder::command(std::string_view command) {
  out_ += command;
  return *this;
}

std::string_view safe_middle_param(std::string_view p) {
  p = p.substr(0, p.find(' '));
  while (!p.empty() && p.front() == ':') p.remove_prefix(1);
  return p.empty() ? std::string_view{"*"} : p;
}

LineBuilder& LineBuilder::param(std::string_view p) {
  out_ += ' ';
  out_ += is_middle_param(p) ? p : safe_middle_param(p);
  return *this;
}

LineBuilder& LineBuilder::trailing(std::string_view p) {
  out_ += " :";
  out_ += p;
  return *this;
}

LineBuilder& LineBuilder::last(std::string_view p) { return is_middle_param(p) ? param(p) : trailing(p); }

void LineBuilder::finish() { out_ += "\r\n"; }

bool is_valid_nick(std::string_view nick, std::size_t max_len) {
  if (nick.empty() || nick.size() > max_len) return false;
  auto special = [](char c) {
    return c == '[' || c == ']' || c == '\\' || c == '`' || c == '_' || c == '^' || c == '{' || c == '|' ||
           c == '}';
  };
  char first = nick.front();
  if (!is_letter(first) && !special(first)) return false;
  return std::all_of(nick.begin(), nick.end(),
                     [&](char c) { return is_letter(c) || is_digit(c) || special(c) || c == '-'; });
}

bool is_channel_name(std::string_view name, std::string_view chantypes) {
  return !name.empty() && chantypes.find(name.front()) != std::string_view::npos;
}

bool is_valid_channel_name(std::string_view name, std::size_t max_len, std::string_view chantypes) {
  if (!is_channel_name(name, chantypes) || name.size() < 2 || name.size() > max_len) return false;
  return std::none_of(name.begin(), name.end(), [](char c) {
    return c == ' ' || c == ',' || c == '\x07' || c == '\0' || c == '\r' || c == '\n';
  });
}

}  // namespace parley::proto
