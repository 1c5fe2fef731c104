// Reads the operator's console (a descriptor, normally stdin) on a helper thread and hands the
// bytes to the io_context's thread, one read per request().
//
// Why a thread: stdin may be a terminal, a pipe, /dev/null or a regular file. Asio's descriptor
// service cannot wait on regular files and /dev/null, and it would switch the descriptor to
// O_NONBLOCK, which is shared with the shell and every other process using the terminal. The
// thread only ever does poll() + read() on the descriptor and never changes its flags.
//
// Reading is on demand: request() asks for one read; its bytes (or the end of input) arrive in a
// handler posted to the io_context. So the console is read only when an answer is wanted, and
// lines typed or piped ahead are kept, in order, for later answers.
//
// Thread: construct, request() and stop() on the io_context's thread; the callbacks run there.
// Lifetime: stop() (or the destructor) joins the thread; handlers posted but not yet run when
// the ConsoleInput is destroyed must not run afterwards, so destroy it after io_context::run()
// has returned or stop() it first (a stopped ConsoleInput's handlers do nothing).
#pragma once

#include <boost/asio/io_context.hpp>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace parley::talk {

class ConsoleInput {
 public:
  using DataHandler = std::function<void(std::string_view bytes)>;
  // Called once when the input ends; `reason` is "end of input" or a read error.
  using EndHandler = std::function<void(std::string_view reason)>;

  // Does not own `fd` (it is not closed).
  ConsoleInput(boost::asio::io_context& io, int fd, DataHandler on_data, EndHandler on_end);
  ~ConsoleInput();
  ConsoleInput(const ConsoleInput&) = delete;
  ConsoleInput& operator=(const ConsoleInput&) = delete;

  // Asks for the next chunk of input. Does nothing while a read is outstanding or after the end.
  void request();
  void stop();

 private:
  struct Shared;
  void thread_main();

  boost::asio::io_context& io_;
  int fd_;
  DataHandler on_data_;
  EndHandler on_end_;
  std::shared_ptr<Shared> shared_;  // also held by posted handlers
  std::thread thread_;
  bool outstanding_ = false;
  bool ended_ = false;
};

}  // namespace parley::talk
