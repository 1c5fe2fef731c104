// libFuzzer target for the simple-protocol frames (proto/simple_frame.h). Beyond "does not crash":
//   - the decoder yields the same texts however the stream is chunked, and never holds more
//     than one partial frame;
//   - every text is at most one frame long and carries no trailing padding;
//   - encoding any text gives whole frames that decode back to pieces of at most 200 bytes,
//     whose concatenation (newlines at split points restored) is the text, with no UTF-8
//     sequence split when the text is valid UTF-8.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "proto/simple_frame.h"

namespace {

namespace simple = parley::proto::simple;

std::vector<std::string> decode(std::string_view data, const std::vector<std::size_t>& cuts) {
  simple::FrameDecoder decoder;
  std::vector<std::string> out;
  auto sink = [&](std::string_view text) {
    FUZZ_CHECK(text.size() <= simple::kFrameBytes);
    FUZZ_CHECK(text.empty() || text.back() != ' ');
    out.emplace_back(text);
    return true;
  };
  parley::fuzz::for_each_piece(data, cuts, [&](std::string_view piece) {
    FUZZ_CHECK(decoder.feed(piece, sink));
    FUZZ_CHECK(decoder.buffered() < simple::kFrameBytes);
  });
  FUZZ_CHECK(decoder.buffered() == data.size() % simple::kFrameBytes);
  return out;
}

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

void check_encoding(std::string_view text) {
  const auto pieces = simple::split_text(text);
  std::string joined;
  std::size_t offset = 0;
  const bool utf8 = valid_utf8(text);
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    const std::string_view p = pieces[i];
    FUZZ_CHECK(p.size() <= simple::kFrameBytes);
    FUZZ_CHECK(p.data() >= text.data() + offset);
    const std::size_t start = static_cast<std::size_t>(p.data() - text.data());
    FUZZ_CHECK(start == offset || (start == offset + 1 && text[offset] == '\n'));
    if (utf8) FUZZ_CHECK(valid_utf8(p));
    offset = start + p.size();
  }
  FUZZ_CHECK(offset == text.size());
  const std::string wire = simple::encode(text);
  FUZZ_CHECK(wire.size() == pieces.size() * simple::kFrameBytes);
  const auto decoded = decode(wire, {});
  FUZZ_CHECK(decoded.size() == pieces.size());
  for (std::size_t i = 0; i < pieces.size(); ++i) FUZZ_CHECK(decoded[i] == simple::strip_padding(pieces[i]));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  std::string_view data(reinterpret_cast<const char*>(bytes), size);
  const std::vector<std::size_t> cuts = parley::fuzz::cuts_from(data, 211);
  const auto whole = decode(data, {});
  FUZZ_CHECK(whole.size() == size / simple::kFrameBytes);
  FUZZ_CHECK(decode(data, cuts) == whole);
  check_encoding(data);
  return 0;
}
