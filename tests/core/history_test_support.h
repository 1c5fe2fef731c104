// Helpers shared by the history tests (history_recording_test.cpp, chathistory_test.cpp).
#pragma once

#include <regex>
#include <string>
#include <vector>

#include "core/harness.h"

namespace parley::core::test {

inline std::string msgid_of(const std::string& line) {
  std::smatch m;
  static const std::regex re("[@;]msgid=([^; ]*)");
  return std::regex_search(line, m, re) ? m[1].str() : std::string();
}

inline std::string time_of(const std::string& line) {
  std::smatch m;
  static const std::regex re("[@;]time=([^; ]*)");
  return std::regex_search(line, m, re) ? m[1].str() : std::string();
}

// Registers `nick` with `caps` and logs it in to the account of the same name (NickServ
// IDENTIFY); clears what it received.
inline SessionId logged_in_user(EngineHarness& h, const std::string& nick,
                                const std::vector<std::string>& caps = {}) {
  if (!h.accounts.find(nick)) h.accounts.add_account(nick, "sesame123");
  SessionId id = h.register_user(nick, caps);
  h.send(id, "NS IDENTIFY sesame123");
  EXPECT_TRUE(h.has_line(id, " 900 ")) << nick << " was not logged in:\n" << h.dump(id);
  h.clear(id);
  return id;
}

// The history requests queued so far (kManual mode), of `kind`.
inline std::vector<HistoryRequest> queued(EngineHarness& h, HistoryRequest::Kind kind) {
  std::vector<HistoryRequest> out;
  for (const auto& [id, r] : h.history.queue) {
    if (r.kind == kind) out.push_back(r);
  }
  return out;
}

}  // namespace parley::core::test
