// libFuzzer target for the SASL decoders (proto/sasl.h): AUTHENTICATE chunk reassembly, PLAIN,
// SCRAM client-first and client-final. Beyond "does not crash", it checks:
//   - the chunk buffer never holds more than kMaxMessageBytes and is empty after a refusal;
//   - PLAIN fields are views into the input whose lengths add up with the two separators;
//   - a parsed SCRAM client-first's header and bare message rebuild the input exactly, its
//     nonce has no ',' and its unescaped name re-escapes to the n= value;
//   - a parsed client-final is its without-proof part, ",p=", and the proof.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "proto/sasl.h"

namespace {

namespace sasl = parley::proto::sasl;

bool inside(std::string_view view, std::string_view whole) {
  if (view.empty()) return true;
  return view.data() >= whole.data() && view.data() + view.size() <= whole.data() + whole.size();
}

std::string escape(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c == ',') {
      out += "=2C";
    } else if (c == '=') {
      out += "=3D";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(bytes), size);

  // Chunks: the input cut at data-chosen places, each piece one AUTHENTICATE parameter.
  sasl::ChunkBuffer buffer;
  parley::fuzz::for_each_piece(text, parley::fuzz::cuts_from(text, 450), [&](std::string_view piece) {
    auto status = buffer.add(piece);
    FUZZ_CHECK(buffer.buffered() <= sasl::kMaxMessageBytes);
    if (status == sasl::ChunkBuffer::Status::kChunkTooLong ||
        status == sasl::ChunkBuffer::Status::kMessageTooLong)
      FUZZ_CHECK(buffer.buffered() == 0);
    if (status == sasl::ChunkBuffer::Status::kComplete) {
      std::string whole = buffer.take();
      FUZZ_CHECK(whole.size() <= sasl::kMaxMessageBytes);
      FUZZ_CHECK(buffer.buffered() == 0);
    }
  });

  if (auto plain = sasl::parse_plain(text)) {
    FUZZ_CHECK(inside(plain->authzid, text) && inside(plain->authcid, text) && inside(plain->password, text));
    FUZZ_CHECK(plain->authzid.size() + plain->authcid.size() + plain->password.size() + 2 == text.size());
    FUZZ_CHECK(!plain->authcid.empty() && !plain->password.empty());
  }

  auto first = sasl::parse_scram_client_first(text);
  if (first.message) {
    const auto& m = *first.message;
    FUZZ_CHECK(m.gs2_header + m.bare == text);
    FUZZ_CHECK(!m.nonce.empty() && m.nonce.find(',') == std::string::npos);
    FUZZ_CHECK(m.bare.starts_with("n=" + escape(m.username) + ",r=" + m.nonce));
  }

  if (auto final_message = sasl::parse_scram_client_final(text)) {
    FUZZ_CHECK(final_message->without_proof + ",p=" + final_message->proof_base64 == text);
    FUZZ_CHECK(final_message->without_proof.starts_with("c=" + final_message->channel_binding +
                                                        ",r=" + final_message->nonce));
  }
  return 0;
}
