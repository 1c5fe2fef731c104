#include "simple/line_client.h"

namespace parley::simple {

namespace {
// A typed line is kept until its newline; past this many bytes it is sent in pieces so that
// the buffer stays bounded.
constexpr std::size_t kMaxTypedBytes = 64 * 1024;
}  // namespace

std::string printable(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    const auto b = static_cast<unsigned char>(c);
    if ((b < 0x20 && c != '\n' && c != '\t') || b == 0x7f) c = '?';
  }
  return out;
}

LineClient::LineClient(std::string name, std::string host, std::string port)
    : name_(std::move(name)), host_(std::move(host)), port_(std::move(port)) {}

Output LineClient::connect_failed() const {
  return Output{{}, "Unable to connect to " + host_ + ":" + port_ + "\n", true, 1};
}

Output LineClient::connected() {
  Output out;
  proto::simple::append_frames(out.wire, name_);
  out.screen = kPrompt;
  return out;
}

void LineClient::send_line(Output& out, std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (!line.empty()) proto::simple::append_frames(out.wire, line);
}

Output LineClient::keyboard(std::string_view bytes) {
  Output out;
  while (!bytes.empty()) {
    const auto nl = bytes.find('\n');
    if (nl == std::string_view::npos) {
      typed_.append(bytes);
      if (typed_.size() > kMaxTypedBytes) {
        send_line(out, typed_);
        typed_.clear();
      }
      break;
    }
    typed_.append(bytes.substr(0, nl));
    bytes.remove_prefix(nl + 1);
    send_line(out, typed_);
    typed_.clear();
    out.screen += kPrompt;
  }
  return out;
}

Output LineClient::keyboard_end() {
  Output out;
  send_line(out, typed_);
  typed_.clear();
  return out;
}

Output LineClient::server(std::string_view bytes) {
  Output out;
  frames_.feed(bytes, [&](std::string_view text) {
    out.screen += kWipe;
    out.screen += printable(text);
    out.screen += '\n';
    out.screen += kPrompt;
    return true;
  });
  return out;
}

Output LineClient::server_end() {
  Output out;
  out.screen = std::string(kWipe) + "Server at " + host_ + ":" + port_ + " has disconnected\n";
  out.done = true;
  return out;
}

}  // namespace parley::simple
