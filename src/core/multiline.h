// A draft/multiline batch a client has opened and not yet closed (ircv3.net multiline).
// Lives on the User (User::multiline) only while the batch is open; core/commands/multiline.cpp
// fills and delivers it. Bounded by Limits::multiline_max_lines/max_bytes and by
// Timeouts::multiline_batch (Engine::tick discards it); it dies with the user on QUIT.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/types.h"

namespace parley::core {

class Engine;
struct User;

struct MultilineBatch {
  struct Line {
    std::string text;
    bool concat = false;  // draft/multiline-concat: joins the previous line without a line feed
  };
  std::string ref;          // the client's reference tag
  std::string target;       // as given on BATCH +ref draft/multiline <target>
  std::string command;      // PRIVMSG or NOTICE, fixed by the first line
  std::string label;        // the opening BATCH's label: answered when the batch closes
  std::string client_tags;  // the opening BATCH's +tags, relayed with the message
  std::vector<Line> lines;
  std::size_t bytes = 0;  // text plus one line feed per join, as max-bytes counts it
  TimePoint opened{};
  bool failed = false;  // a FAIL was sent: further lines are dropped until BATCH -ref
};

// Drops `u`'s open batch, if any, and tells the client: FAIL BATCH MULTILINE_INVALID <why>
// (labeled with the opening BATCH's label).
void discard_multiline(Engine& e, User& u, std::string_view why);

}  // namespace parley::core
