// libFuzzer target for the IRC wire format: proto::LineReader splits arbitrary bytes into lines
// and proto::parse_message parses each one. Beyond "does not crash", it checks invariants:
//   - the reader yields the same events however the stream is chunked, never a line with CR or
//     LF, never an empty line, never more than max_line bytes, and buffers at most max_line;
//   - a parsed message has <= 15 params and <= 32 tags, every view lies inside the input line,
//     the command is a word of printable ASCII, middle params are well formed;
//   - re-serialising a parsed message with LineBuilder and parsing that gives the same tags,
//     source, command and params (the only allowed failure: the ':' that LineBuilder adds to a
//     folded 15th parameter pushes a 510-byte message part one byte over the limit);
//   - unescape(escape(x)) == x for tag values;
//   - add_tag() (labels and batch references put on a built reply) gives a line that parses to
//     the same message with that one tag more, first.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "proto/irc_message.h"
#include "proto/line_reader.h"

namespace {

using parley::proto::kMaxLineBytes;
using parley::proto::kMaxParams;
using parley::proto::kMaxTagBytes;
using parley::proto::LineBuilder;
using parley::proto::LineReader;
using parley::proto::Message;
using parley::proto::parse_message;
using parley::proto::ParseError;
using parley::proto::ParseResult;

bool inside(std::string_view view, std::string_view whole) {
  if (view.empty()) return true;  // an empty view's pointer carries no meaning
  return view.data() >= whole.data() && view.data() + view.size() <= whole.data() + whole.size();
}

// A command is a word of printable ASCII that does not start with ':' (unknown ones get 421).
void check_command(std::string_view command) {
  FUZZ_CHECK(!command.empty());
  FUZZ_CHECK(command.front() != ':');
  for (char c : command) FUZZ_CHECK(c > ' ' && c < 0x7f);
}

void check_message_shape(const Message& m, std::string_view line) {
  FUZZ_CHECK(m.param_count <= kMaxParams);
  FUZZ_CHECK(m.tag_count <= Message::kMaxTags);
  FUZZ_CHECK(!m.has_trailing || m.param_count > 0);
  FUZZ_CHECK(inside(m.tags_raw, line));
  FUZZ_CHECK(m.tags_raw.size() + 2 <= kMaxTagBytes);
  FUZZ_CHECK(m.tags_raw.find(' ') == std::string_view::npos);
  FUZZ_CHECK(inside(m.source, line));
  FUZZ_CHECK(m.source.find(' ') == std::string_view::npos);
  FUZZ_CHECK(inside(m.command, line));
  check_command(m.command);
  for (std::size_t i = 0; i < m.tag_count; ++i) {
    const auto& t = m.tags[i];
    FUZZ_CHECK(inside(t.key, m.tags_raw));
    FUZZ_CHECK(inside(t.value, m.tags_raw));
    FUZZ_CHECK(!t.key.empty() && t.key != "+");
    FUZZ_CHECK(t.key.find_first_of(";= ") == std::string_view::npos);
    FUZZ_CHECK(t.value.find_first_of("; ") == std::string_view::npos);
    FUZZ_CHECK(m.tag(t.key).has_value());
    for (std::size_t j = 0; j < i; ++j) FUZZ_CHECK(m.tags[j].key != t.key);  // duplicates collapse
    // Decoding then re-encoding a value is stable.
    std::string decoded = parley::proto::unescape_tag_value(t.value);
    FUZZ_CHECK(parley::proto::unescape_tag_value(parley::proto::escape_tag_value(decoded)) == decoded);
  }
  for (std::size_t i = 0; i < m.param_count; ++i) {
    std::string_view p = m.params[i];
    FUZZ_CHECK(inside(p, line));
    bool is_last = i + 1 == m.param_count;
    bool may_be_free_form = is_last && (m.has_trailing || i + 1 == kMaxParams);
    if (!may_be_free_form) FUZZ_CHECK(parley::proto::is_middle_param(p));
  }
  for (std::size_t i = m.param_count; i < kMaxParams; ++i) FUZZ_CHECK(m.param(i).empty());
}

std::string rebuild(const Message& m) {
  std::string out;
  LineBuilder b(out);
  b.tags(m.tags_raw).source(m.source).command(m.command);
  for (std::size_t i = 0; i < m.param_count; ++i) {
    if (i + 1 == m.param_count) {
      b.last(m.params[i]);
    } else {
      b.param(m.params[i]);
    }
  }
  b.finish();
  return out;
}

void check_round_trip(const Message& m) {
  std::string wire = rebuild(m);
  FUZZ_CHECK(wire.size() >= 2 && wire.compare(wire.size() - 2, 2, "\r\n") == 0);
  std::string_view line(wire.data(), wire.size() - 2);
  ParseResult again = parse_message(line);
  if (!again.message) {
    // Only legitimate failure: the message part grew by the ':' added to a free-form last param.
    std::size_t tag_part = m.tags_raw.empty() ? 0 : m.tags_raw.size() + 2;
    FUZZ_CHECK(again.error == ParseError::kLineTooLong);
    FUZZ_CHECK(line.size() - tag_part == kMaxLineBytes - 1);
    FUZZ_CHECK(!m.has_trailing);
    return;
  }
  const Message& r = *again.message;
  check_message_shape(r, line);
  FUZZ_CHECK(r.tags_raw == m.tags_raw);
  FUZZ_CHECK(r.tag_count == m.tag_count);
  for (std::size_t i = 0; i < m.tag_count; ++i) {
    FUZZ_CHECK(r.tags[i].key == m.tags[i].key);
    FUZZ_CHECK(r.tags[i].value == m.tags[i].value);
  }
  FUZZ_CHECK(r.source == m.source);
  FUZZ_CHECK(r.command == m.command);
  FUZZ_CHECK(r.param_count == m.param_count);
  for (std::size_t i = 0; i < m.param_count; ++i) FUZZ_CHECK(r.params[i] == m.params[i]);
  // A second round trip is byte-identical: serialisation is canonical.
  FUZZ_CHECK(rebuild(r) == wire);
}

// add_tag() works on lines as the server builds them, so the message is rebuilt first.
void check_add_tag(const Message& m) {
  if (m.tag("label") || m.tag_count == Message::kMaxTags) return;  // a duplicate key would collapse
  if (m.tags_raw.size() + 2 + 16 > kMaxTagBytes) return;           // no room for one more tag
  std::string wire = rebuild(m);
  if (!parse_message(std::string_view(wire).substr(0, wire.size() - 2)).message)
    return;  // see check_round_trip
  std::string tagged = parley::proto::add_tag(wire, "label=a\\sb");
  FUZZ_CHECK(tagged.size() >= 2 && tagged.compare(tagged.size() - 2, 2, "\r\n") == 0);
  tagged.resize(tagged.size() - 2);
  ParseResult again = parse_message(tagged);
  FUZZ_CHECK(again.message.has_value());
  const Message& r = *again.message;
  FUZZ_CHECK(r.tag_count == m.tag_count + 1);
  FUZZ_CHECK(r.tags[0].key == "label" && r.tags[0].value == "a\\sb");
  for (std::size_t i = 0; i < m.tag_count; ++i) {
    FUZZ_CHECK(r.tags[i + 1].key == m.tags[i].key && r.tags[i + 1].value == m.tags[i].value);
  }
  FUZZ_CHECK(r.source == m.source && r.command == m.command && r.param_count == m.param_count);
  for (std::size_t i = 0; i < m.param_count; ++i) FUZZ_CHECK(r.params[i] == m.params[i]);
}

void check_line(std::string_view line) {
  ParseResult result = parse_message(line);
  if (!result.message) {
    FUZZ_CHECK(!parley::proto::to_string(result.error).empty());
    return;
  }
  check_message_shape(*result.message, line);
  check_round_trip(*result.message);
  check_add_tag(*result.message);
}

// Events from a LineReader, for comparing chunkings.
struct Event {
  bool too_long;
  std::string line;
  bool operator==(const Event&) const = default;
};

std::vector<Event> read_lines(std::string_view data, std::size_t max_line,
                              const std::vector<std::size_t>& cuts, bool parse) {
  LineReader reader(max_line);
  std::vector<Event> events;
  auto sink = [&](LineReader::Event e, std::string_view line) {
    if (e == LineReader::Event::kTooLong) {
      FUZZ_CHECK(line.empty());
      events.push_back({true, {}});
      return true;
    }
    FUZZ_CHECK(!line.empty());
    FUZZ_CHECK(line.size() <= max_line);
    FUZZ_CHECK(line.find_first_of("\r\n") == std::string_view::npos);
    events.push_back({false, std::string(line)});
    if (parse) check_line(line);  // parse the reader's own view, as the server does
    return true;
  };
  parley::fuzz::for_each_piece(data, cuts, [&](std::string_view piece) {
    FUZZ_CHECK(reader.feed(piece, sink));
    FUZZ_CHECK(reader.buffered() <= max_line);
  });
  return events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  std::string_view data(reinterpret_cast<const char*>(bytes), size);

  // The whole input as one line, as a caller without a LineReader would hand it over.
  check_line(data);

  // Tag escaping round-trips arbitrary bytes.
  FUZZ_CHECK(parley::proto::unescape_tag_value(parley::proto::escape_tag_value(data)) == data);

  // The stream through a LineReader with the server's limit, in one feed (parsing each line),
  // and with a small limit so that the too-long path is exercised by short inputs.
  const std::size_t server_max = kMaxTagBytes + kMaxLineBytes;
  std::vector<Event> whole = read_lines(data, server_max, {}, /*parse=*/true);
  std::size_t small_max = 1 + (size ? bytes[0] % 64 : 0);
  std::vector<Event> whole_small = read_lines(data, small_max, {}, false);

  // The same stream cut into chunks chosen from the data itself must give the same events.
  const std::vector<std::size_t> cuts = parley::fuzz::cuts_from(data, 17);
  FUZZ_CHECK(read_lines(data, server_max, cuts, false) == whole);
  FUZZ_CHECK(read_lines(data, small_max, cuts, false) == whole_small);

  // Byte by byte, for short inputs (quadratic otherwise).
  if (size <= 256)
    FUZZ_CHECK(read_lines(data, small_max, parley::fuzz::every_byte(size), false) == whole_small);
  return 0;
}
