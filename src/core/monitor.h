// IRCv3 MONITOR lists (ircv3.net/specs/extensions/monitor): who watches which nick. Owned by the
// Engine. Users are held by pointer: the engine calls clear(watcher) before a user is freed.
// Nicks are keyed folded (the engine's casemapping); a user who watches nothing and a nick
// nobody watches cost nothing here.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace parley::core {

struct User;

class MonitorRegistry {
 public:
  struct Entry {
    std::string folded;
    std::string nick;  // as the watcher typed it
  };
  enum class Added { kAdded, kAlreadyThere, kListFull };

  // Adds `nick` to `watcher`'s list unless it is there already or the list holds `limit`.
  Added add(User& watcher, std::string_view nick, std::string folded, std::size_t limit);
  void remove(User& watcher, const std::string& folded);
  void clear(User& watcher);

  // Who watches `folded`; nullptr when nobody does.
  const std::vector<User*>* watchers(const std::string& folded) const;
  // `watcher`'s list in the order it was added; nullptr when empty.
  const std::vector<Entry>* list(const User& watcher) const;
  bool empty() const { return by_nick_.empty(); }

 private:
  std::unordered_map<std::string, std::vector<User*>> by_nick_;
  std::unordered_map<const User*, std::vector<Entry>> by_watcher_;
};

}  // namespace parley::core
