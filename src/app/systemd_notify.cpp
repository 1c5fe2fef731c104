#include "app/systemd_notify.h"

#include <systemd/sd-daemon.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <cstdlib>

#include "server/irc_server.h"

namespace parley::app::systemd {

bool notify(const std::string& state) {
  // unset_environment = 0: a reload or a child started later may still want the socket.
  return ::sd_notify(0, state.c_str()) > 0;
}

void ready() { notify("READY=1"); }
void reloading() { notify("RELOADING=1"); }
void stopping() { notify("STOPPING=1\nSTATUS=shutting down"); }

std::string status_text(std::size_t connections) {
  return "serving " + std::to_string(connections) + (connections == 1 ? " connection" : " connections");
}

struct ServiceNotifier::Worker {
  Worker(server::IrcServer& s, std::chrono::milliseconds every)
      : server(s), interval(every), signals(io, SIGINT, SIGTERM) {}

  void schedule_status() {
    timer.expires_after(interval);
    timer.async_wait([this](const boost::system::error_code& ec) {
      if (ec || stopped) return;
      // session_count() belongs to the server's thread: read it there.
      server::IrcServer* s = &server;
      boost::asio::post(s->context(), [s] { notify("STATUS=" + status_text(s->session_count())); });
      schedule_status();
    });
  }

  server::IrcServer& server;
  std::chrono::milliseconds interval;
  boost::asio::io_context io;
  boost::asio::steady_timer timer{io};
  boost::asio::signal_set signals;
  std::atomic<bool> stopped{false};  // STOPPING=1 sent
  std::thread thread;
};

ServiceNotifier::ServiceNotifier(server::IrcServer& server, std::chrono::milliseconds interval) {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  if (socket == nullptr || *socket == '\0') return;
  // Called on the server's thread before run(): reading the count here is safe.
  notify("READY=1\nSTATUS=" + status_text(server.session_count()));
  worker_ = std::make_unique<Worker>(server, interval);
  Worker* w = worker_.get();
  w->signals.async_wait([w](const boost::system::error_code& ec, int) {
    if (ec || w->stopped.exchange(true)) return;
    stopping();
    w->timer.cancel();
  });
  w->schedule_status();
  w->thread = std::thread([w] { w->io.run(); });
}

void ServiceNotifier::restarting() {
  if (!worker_ || worker_->stopped.exchange(true)) return;
  notify("RELOADING=1\nSTATUS=restarting");
}

ServiceNotifier::~ServiceNotifier() {
  if (!worker_) return;
  if (!worker_->stopped.exchange(true)) stopping();
  worker_->io.stop();
  worker_->thread.join();
}

}  // namespace parley::app::systemd
