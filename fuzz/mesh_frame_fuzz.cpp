// libFuzzer target for the mesh wire format (proto/mesh_frame.h) and the peer logic on top of it
// (peer::Mesh). Beyond "does not crash", it checks:
//   - the decoder yields the same frames and the same error however the stream is chunked, and
//     never buffers more than one header plus one maximal payload;
//   - every payload that parses re-encodes to exactly the frame it came from;
//   - a Mesh fed the bytes on an inbound link only sends well-formed frames, closes the link at
//     most once, and never shows a message twice.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fuzz_support.h"
#include "peer/mesh.h"
#include "proto/mesh_frame.h"

namespace {

namespace mesh = parley::proto::mesh;
using mesh::FrameDecoder;
using mesh::Type;

struct Outcome {
  std::vector<std::pair<Type, std::string>> frames;
  mesh::DecodeError error = mesh::DecodeError::kNone;
  bool operator==(const Outcome&) const = default;
};

Outcome decode(std::string_view data, std::size_t max_payload, const std::vector<std::size_t>& cuts) {
  FrameDecoder decoder(max_payload);
  Outcome out;
  auto sink = [&](Type type, std::string_view payload) {
    FUZZ_CHECK(mesh::type_from_byte(static_cast<std::uint8_t>(type)).has_value());
    FUZZ_CHECK(payload.size() <= max_payload);
    out.frames.emplace_back(type, std::string(payload));
    return true;
  };
  auto feed = [&](std::string_view piece) {
    decoder.feed(piece, sink);
    FUZZ_CHECK(decoder.buffered() <= mesh::kHeaderBytes + max_payload);
  };
  parley::fuzz::for_each_piece(data, cuts, feed);
  out.error = decoder.error();
  FUZZ_CHECK(out.error == mesh::DecodeError::kNone || !decoder.error_text().empty());
  return out;
}

std::string frame_of(Type type, std::string_view payload) {
  std::string f = {static_cast<char>(mesh::kVersion), static_cast<char>(type)};
  const auto n = static_cast<std::uint32_t>(payload.size());
  for (int shift = 24; shift >= 0; shift -= 8) f.push_back(static_cast<char>((n >> shift) & 0xff));
  f.append(payload);
  return f;
}

void check_payload(Type type, const std::string& payload) {
  const std::string original = frame_of(type, payload);
  switch (type) {
    case Type::kHello:
      if (auto h = mesh::parse_hello(payload)) FUZZ_CHECK(mesh::encode_hello(*h) == original);
      break;
    case Type::kMsg:
      if (auto m = mesh::parse_msg(payload)) FUZZ_CHECK(mesh::encode_msg(*m) == original);
      break;
    case Type::kAddrs:
      if (auto a = mesh::parse_addrs(payload)) FUZZ_CHECK(mesh::encode_addrs(*a) == original);
      break;
    case Type::kHave:
      if (auto v = mesh::parse_have(payload)) FUZZ_CHECK(mesh::encode_have(*v) == original);
      break;
    case Type::kPing: break;
    case Type::kBye: (void)mesh::parse_bye(payload); break;
  }
}

class CheckingSink : public parley::peer::MeshSink {
 public:
  void send(parley::peer::LinkId, parley::proto::SharedLine frame) override {
    FrameDecoder decoder;
    auto status = decoder.feed(*frame, [](Type, std::string_view) { return true; });
    FUZZ_CHECK(status == FrameDecoder::Status::kOk && decoder.buffered() == 0);
  }
  void close(parley::peer::LinkId link) override { FUZZ_CHECK(closed.insert(link).second); }
  void dial(parley::peer::LinkId, const parley::peer::PeerAddress&) override {}
  void deliver(const parley::peer::ChatLine& line) override {
    FUZZ_CHECK(shown.insert({line.origin, line.seq}).second);
  }
  void info(std::string_view) override {}
  void log(parley::peer::LogLevel, std::string_view) override {}
  std::set<parley::peer::LinkId> closed;
  std::set<std::pair<std::uint64_t, std::uint64_t>> shown;
};

void check_mesh(std::string_view data, const std::vector<std::size_t>& cuts) {
  CheckingSink sink;
  parley::peer::MeshOptions options;
  options.peer_id = 77;
  options.flood_burst = 64;
  parley::peer::Mesh peer(options, sink);
  auto now = parley::peer::TimePoint{} + std::chrono::hours(1);
  const auto link = peer.accepted(now);
  peer.link_up(link, "192.0.2.1", now);
  // A valid HELLO first, so the rest reaches the post-handshake rules too.
  peer.link_data(link, mesh::encode_hello({5, 4000, "fuzz"}), now);
  std::size_t pos = 0;
  for (std::size_t cut : cuts) {
    if (cut <= pos || cut > data.size()) continue;
    peer.link_data(link, data.substr(pos, cut - pos), now);
    pos = cut;
    now += std::chrono::milliseconds(300);
    peer.tick(now);
  }
  peer.link_data(link, data.substr(pos), now);
  peer.tick(now + std::chrono::seconds(30));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  std::string_view data(reinterpret_cast<const char*>(bytes), size);
  const std::vector<std::size_t> cuts = parley::fuzz::cuts_from(data, 23);
  const std::size_t small_max = size ? bytes[0] % 64 : 0;
  for (std::size_t max_payload : {mesh::kMaxPayloadBytes, small_max}) {
    const Outcome whole = parley::fuzz::check_cut_independence(
        data, 23, 256, [&](const std::vector<std::size_t>& at) { return decode(data, max_payload, at); });
    for (const auto& [type, payload] : whole.frames) check_payload(type, payload);
  }
  check_mesh(data, cuts);
  return 0;
}
