#include <spdlog/spdlog.h>

#include <cstdio>
#include <memory>
#include <string>

#include "net/endpoint.h"
#include "peer/front_ends.h"
#include "talk/console_input.h"
#include "talk/text.h"

namespace parley::peer {

namespace {

void print_line(const std::string& line) {
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

bool is_quit(std::string_view line) { return line == ":quit" || line == ":q"; }

}  // namespace

int run_headless(PeerRunOptions options) {
  PeerNode node(options.node);
  const std::string name = options.node.mesh.name;
  net::tcp::endpoint bound;
  try {
    bound = node.listen(options.listen_at);
  } catch (const boost::system::system_error& e) {
    spdlog::error("cannot listen on {}: {}", net::endpoint_to_string(options.listen_at), e.code().message());
    return 1;
  }
  print_line("INFO: listening on " + net::endpoint_to_string(bound) + " as " + talk::printable(name));

  talk::LineSplitter lines(proto::mesh::kMaxTextBytes);
  std::unique_ptr<talk::ConsoleInput> input;
  bool quitting = false;
  auto on_data = [&](std::string_view bytes) {
    lines.feed(bytes);
    while (auto line = lines.next()) {
      if (quitting) return;
      if (line->too_long) {
        print_line("INFO: message not sent: longer than " + std::to_string(proto::mesh::kMaxTextBytes) +
                   " bytes");
      } else if (is_quit(line->text)) {
        node.quit();
      } else if (!line->text.empty()) {
        node.say(line->text);
      }
    }
    if (!quitting) input->request();
  };
  auto on_end = [&](std::string_view reason) {
    lines.finish();
    on_data({});
    if (!quitting) print_line("INFO: input ended (" + std::string(reason) + "); relaying until a signal");
  };
  input = std::make_unique<talk::ConsoleInput>(node.context(), 0, on_data, on_end);

  PeerEvents events;
  events.chat = [](const ChatLine& line) {
    print_line(talk::printable(line.name) + ": " + talk::printable(line.text));
  };
  events.info = [](std::string_view text) { print_line("INFO: " + talk::printable(text)); };
  events.quitting = [&] {
    quitting = true;
    input->stop();
    print_line("INFO: leaving");
  };
  node.set_events(std::move(events));
  input->request();
  node.run();
  input->stop();
  return 0;
}

}  // namespace parley::peer
