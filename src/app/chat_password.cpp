#include "app/chat_password.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>

#include "app/password_prompt.h"
#include "app/posix_io.h"

namespace parley::app {

std::optional<std::string> read_password_file(const std::string& path, const std::string& flag,
                                              std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot read " + flag + " " + path + ": " + std::strerror(errno);
    return std::nullopt;
  }
  std::ostringstream content;
  content << in.rdbuf();
  std::string password = content.str();
  if (!password.empty() && password.back() == '\n') password.pop_back();  // one final line end
  if (!password.empty() && password.back() == '\r') password.pop_back();
  if (password.empty() || password.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
    error = flag + " " + path + " must hold the password on one line";
    return std::nullopt;
  }
  return password;
}

std::optional<std::string> server_password(const ServerPasswordSources& from, std::string& error) {
  const int flags = (from.command_line.empty() ? 0 : 1) + (from.file.empty() ? 0 : 1) + (from.prompt ? 1 : 0);
  if (flags > 1) {
    error =
        "give the server password one way: --password, --server-password-file or --server-password-prompt";
    return std::nullopt;
  }
  if (!from.command_line.empty()) return from.command_line;
  if (!from.file.empty()) return read_password_file(from.file, "--server-password-file", error);
  if (from.prompt) {
    // The shared no-echo reader asks on standard input, which --headless reads commands from.
    if (!stdin_is_terminal()) {
      error =
          "--server-password-prompt needs a terminal on standard input; use --server-password-file "
          "FILE or $PARLEY_SERVER_PASSWORD instead";
      return std::nullopt;
    }
    auto password = read_secret_line("Server password for " + from.server + ": ");
    if (!password || password->empty()) {
      error = "no server password given";
      return std::nullopt;
    }
    return password;
  }
  if (const char* env = std::getenv("PARLEY_SERVER_PASSWORD"); env != nullptr && *env != '\0')
    return std::string(env);
  return std::string();
}

std::optional<std::string> sasl_password(const std::string& password_file, const std::string& sasl_user,
                                         std::string& error) {
  if (!password_file.empty()) return read_password_file(password_file, "--password-file", error);
  if (const char* env = std::getenv("PARLEY_PASSWORD"); env != nullptr && *env != '\0')
    return std::string(env);
  const int tty = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (tty < 0) {
    error =
        "--sasl-user needs a password: give --password-file FILE or set PARLEY_PASSWORD (there is no "
        "terminal to ask on)";
    return std::nullopt;
  }
  // Echo goes off before the prompt appears, so nothing typed after it is ever shown.
  termios saved{};
  const bool is_terminal = ::tcgetattr(tty, &saved) == 0;
  if (is_terminal) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(tty, TCSAFLUSH, &quiet);
  }
  write_all(tty, "Password for " + sasl_user + ": ", false);
  std::string password;
  char c;
  while (password.size() < 1024) {
    const ssize_t n = ::read(tty, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || c == '\n' || c == '\r') break;
    password += c;
  }
  if (is_terminal) ::tcsetattr(tty, TCSANOW, &saved);
  write_all(tty, "\n", false);
  ::close(tty);
  if (password.empty()) {
    error = "no password given";
    return std::nullopt;
  }
  return password;
}

}  // namespace parley::app
