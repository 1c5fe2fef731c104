// `parley talk HOST [PORT]`: the interactive talk client.
//
// Connects, then alternates turns as the seed describes: prompt "enter next message: ", send the
// line, wait for the answer and print "talk server response: <text>". "hangup" (or the end of
// the input) sends HANGUP, waits briefly for the server to close, and returns 0. While it waits
// for the user's line it also watches the connection, so a server that goes away is reported at
// once. Blocking I/O on one thread: poll() over the input and the socket.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace parley::talk {

struct TalkClientOptions {
  std::string host;
  std::uint16_t port = 5050;
  int input_fd = 0;         // the user's lines
  std::FILE* out = stdout;  // prompts, responses, notices
  std::FILE* err = stderr;  // why the session failed
};

// Exit status: 0 after hanging up; 1 if the server cannot be reached (connecting gives up after
// net::kDialTimeout per address), goes away, sends ERROR, breaks the protocol or is not a talk
// server at all (the reason, naming host and port where it helps, is printed on `err`).
int run_talk_client(const TalkClientOptions& options);

}  // namespace parley::talk
