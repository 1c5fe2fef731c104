// systemd's service notification protocol (sd_notify(3)) for `parley server` run by a
// `Type=notify` unit (packaging/parley.service): READY=1 once the listeners are bound, a STATUS=
// line with the number of connections every few seconds, STOPPING=1 when a shutdown starts.
// Outside systemd (no $NOTIFY_SOCKET) every call here does nothing.
//
// Why libsystemd's sd_notify() rather than writing the datagram ourselves: the protocol is small
// (one AF_UNIX datagram of NEWLINE-separated KEY=VALUE to $NOTIFY_SOCKET), but the library also
// handles the abstract-namespace addresses ("@..."), passes our credentials so systemd can
// attribute the message to the main PID, and follows the protocol's later additions (vsock
// addresses in systemd 253+); it is in Debian as libsystemd0, which every systemd machine has.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

namespace parley::server {
class IrcServer;
}

namespace parley::app::systemd {

// Sends `state` (e.g. "READY=1\nSTATUS=serving") to $NOTIFY_SOCKET. Returns false when there is
// no such socket or sending failed (the service manager then sees nothing; the server goes on).
// Callable from any thread.
bool notify(const std::string& state);

// For the configuration reload (SIGHUP / REHASH): reloading() when it starts, ready() when the
// new configuration is in effect or was refused. stopping() when a shutdown starts.
void ready();
void reloading();
void stopping();

// The text of the periodic STATUS= line: "serving 12 connections".
std::string status_text(std::size_t connections);

// Keeps systemd informed while `server` runs. Construct it once the listeners are bound (it
// sends READY=1 and a first STATUS=), destroy it after IrcServer::run() has returned and before
// the server itself. It owns one small thread with its own io_context, which
//  - every `interval` posts a job to the server's thread (IrcServer::context()) that reads
//    session_count() there, where the chat state lives, and sends STATUS=;
//  - on the first SIGINT/SIGTERM sends STOPPING=1 (the server's own signal_set starts the
//    shutdown; asio delivers a signal to every signal_set that waits for it).
// It adds no work to the server's io_context beyond those short posted jobs, so run() still
// returns as soon as the server is done, however the shutdown was started. When not under
// systemd it starts no thread at all.
class ServiceNotifier {
 public:
  ServiceNotifier(server::IrcServer& server, std::chrono::milliseconds interval);
  ~ServiceNotifier();  // sends STOPPING=1 if no signal did (or restarting()), stops and joins the thread
  // An operator's RESTART (app/restart.h): the process is about to start again in place, so
  // systemd is told RELOADING=1 instead of STOPPING=1 and waits for the new image's READY=1.
  void restarting();
  ServiceNotifier(const ServiceNotifier&) = delete;
  ServiceNotifier& operator=(const ServiceNotifier&) = delete;

 private:
  struct Worker;
  std::unique_ptr<Worker> worker_;
};

}  // namespace parley::app::systemd
