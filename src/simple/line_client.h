// The seed-001 line client (`parley simple-client NAME HOST PORT`) as a state machine without I/O:
// it takes the events of one session (connected, keyboard bytes, server bytes, end of either) and
// returns what to write to the server and to the screen. docs/protocol.md "Simple" describes
// the screen: the prompt "[Me] " before each line the user types; a message from the server
// wipes the prompt ("\r" + four spaces + "\r"), is printed with a newline, and the prompt is
// printed again.
//
// Thread: any, one at a time. No clock, no sockets.
#pragma once

#include <string>
#include <string_view>

#include "proto/simple_frame.h"

namespace parley::simple {

inline constexpr std::string_view kPrompt = "[Me] ";
inline constexpr std::string_view kWipe = "\r    \r";

struct Output {
  std::string wire;    // bytes for the server (whole frames)
  std::string screen;  // bytes for stdout
  bool done = false;   // the session is over: write what is here, then exit
  int exit_code = 0;
};

class LineClient {
 public:
  // HOST and PORT as the user gave them; they appear in the messages verbatim.
  LineClient(std::string name, std::string host, std::string port);

  // The connection could not be made: "Unable to connect to HOST:PORT".
  Output connect_failed() const;
  // Connected: the name frame and the first prompt.
  Output connected();
  // Bytes typed (or piped) on stdin; every complete line that is not empty is sent.
  Output keyboard(std::string_view bytes);
  // End of stdin. A last line without a newline is still sent. The session goes on: messages
  // keep arriving until the server disconnects (or the user interrupts the program).
  Output keyboard_end();
  // Bytes from the server; each complete frame is printed.
  Output server(std::string_view bytes);
  // The server closed the connection (or it failed): "Server at HOST:PORT has disconnected".
  Output server_end();

 private:
  void send_line(Output& out, std::string_view line);

  std::string name_, host_, port_;
  std::string typed_;  // keyboard bytes after the last newline
  proto::simple::FrameDecoder frames_;
};

// What a server message looks like on the terminal: control characters other than newline and
// tab become '?', so a peer cannot move the cursor or recolour the screen.
std::string printable(std::string_view text);

}  // namespace parley::simple
