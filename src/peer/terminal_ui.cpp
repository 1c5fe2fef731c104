#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <set>
#include <string>
#include <vector>

#include "net/endpoint.h"
#include "peer/front_ends.h"
#include "tui/terminal.h"
#include "tui/ui_model.h"

namespace parley::peer {

namespace {

// Wires a PeerNode to the terminal: keys in, lines and status out; one redraw per loop turn.
class TerminalUi {
 public:
  TerminalUi(PeerNode& node, std::string name, std::string where)
      : node_(node),
        name_(std::move(name)),
        where_(std::move(where)),
        model_("peer"),
        keys_(node.context(), ::dup(terminal_.input_fd())),
        winch_(node.context(), SIGWINCH) {
    model_.add_line(0, "-- parley peer " + name_ + ", listening on " + where_ +
                           ". Type a message and press "
                           "Enter; :quit or Ctrl-C leaves. PgUp/PgDn scroll.");
    update_status(0);
    PeerEvents events;
    events.chat = [this](const ChatLine& line) {
      if (names_.size() < kMaxNames) names_.insert(line.name);
      model_.add_line(0, line.name + ": " + line.text);
      redraw();
    };
    events.info = [this](std::string_view text) {
      model_.add_line(0, "-- " + std::string(text));
      redraw();
    };
    events.neighbours = [this](std::size_t n) {
      update_status(n);
      redraw();
    };
    events.quitting = [this] {
      quitting_ = true;
      boost::system::error_code ec;
      keys_.cancel(ec);
      winch_.cancel(ec);
    };
    node_.set_events(std::move(events));
    // Tab completes the names seen in the conversation ("name: " at the start of the line).
    model_.input().set_completer([this](std::string_view word, bool at_start) {
      std::vector<std::string> out;
      for (const auto& name : names_) {
        if (!word.empty() && name.starts_with(word)) out.push_back(at_start ? name + ": " : name);
      }
      return out;
    });
    wait_keys();
    wait_winch();
    draw();
  }

 private:
  void update_status(std::size_t n) {
    model_.set_status(" " + name_ + " | port " + std::to_string(node_.port()) + " | " + std::to_string(n) +
                      (n == 1 ? " peer" : " peers") + " | Ctrl-C quits");
  }

  void wait_keys() {
    keys_.async_wait(boost::asio::posix::descriptor_base::wait_read,
                     [this](const boost::system::error_code& ec) {
                       if (ec || quitting_) return;
                       for (const tui::Key& key : terminal_.read_keys()) {
                         if (key.code == tui::Key::Code::kResize) terminal_.resize();
                         // Raw mode turns Ctrl-C into a key instead of SIGINT: it quits as :quit does.
                         if (key == tui::Key::ctrl('c')) {
                           node_.quit();
                           return;
                         }
                         auto line = model_.handle(key, terminal_.cols(), terminal_.rows());
                         if (!line) continue;
                         if (*line == ":quit" || *line == ":q") {
                           node_.quit();
                           return;
                         }
                         if (!line->empty()) node_.say(*line);
                       }
                       redraw();
                       wait_keys();
                     });
  }

  void wait_winch() {
    winch_.async_wait([this](const boost::system::error_code& ec, int) {
      if (ec || quitting_) return;
      terminal_.resize();
      redraw();
      wait_winch();
    });
  }

  void redraw() {
    if (redraw_posted_ || quitting_) return;
    redraw_posted_ = true;
    boost::asio::post(node_.context(), [this] {
      redraw_posted_ = false;
      if (!quitting_) draw();
    });
  }

  void draw() { terminal_.draw(model_.frame(terminal_.cols(), terminal_.rows())); }

  static constexpr std::size_t kMaxNames = 1000;

  PeerNode& node_;
  std::string name_;
  std::set<std::string> names_;
  std::string where_;
  tui::Terminal terminal_;
  tui::UiModel model_;
  boost::asio::posix::stream_descriptor keys_;
  boost::asio::signal_set winch_;
  bool redraw_posted_ = false;
  bool quitting_ = false;
};

}  // namespace

int run_terminal_ui(PeerRunOptions options) {
  PeerNode node(options.node);
  net::tcp::endpoint bound;
  try {
    bound = node.listen(options.listen_at);
  } catch (const boost::system::system_error& e) {
    spdlog::error("cannot listen on {}: {}", net::endpoint_to_string(options.listen_at), e.code().message());
    return 1;
  }
  const int stdin_flags = ::fcntl(0, F_GETFL);
  try {
    TerminalUi ui(node, options.node.mesh.name, net::endpoint_to_string(bound));
    node.run();
  } catch (const std::exception& e) {
    if (stdin_flags >= 0) ::fcntl(0, F_SETFL, stdin_flags);
    spdlog::error("{}", e.what());
    return 1;
  }
  if (stdin_flags >= 0) ::fcntl(0, F_SETFL, stdin_flags);
  return 0;
}

}  // namespace parley::peer
