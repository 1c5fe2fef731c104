// What users change about themselves or operators change about them: SETNAME (IRCv3 setname),
// CHGHOST (operators; IRCv3 chghost), and WALLOPS (operators, to users with +w).
#include "core/command_table.h"
#include "core/engine.h"
#include "core/numerics.h"
#include "core/text.h"

namespace parley::core::commands {

using namespace numeric;

namespace {

constexpr std::size_t kMaxHostLength = 64;  // ISUPPORT HOSTLEN

// A host others can be shown: letters, digits and . - : / (cloaks such as "user/name"), not
// starting with ':' or '-' (it must stay a middle parameter and not look like an option).
bool is_valid_host(std::string_view host) {
  if (host.empty() || host.size() > kMaxHostLength || host.front() == ':' || host.front() == '-')
    return false;
  for (char c : host) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
              c == '-' || c == ':' || c == '/';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

// SETNAME :<realname>
void setname(Engine& e, User& u, const proto::Message& m) {
  std::string_view name = m.param(0);
  if (name.empty() || name.size() > e.limits().realname_length) {
    e.fail(u, "SETNAME", "INVALID_REALNAME",
           {"Realname must be 1 to " + std::to_string(e.limits().realname_length) + " bytes"});
    return;
  }
  u.realname = std::string(name);
  // Only setname clients hear of it, the author included (its confirmation).
  Engine::Broadcast(e, u.prefix(), "SETNAME", {name})
      .to_common_channels(u, u.caps.has(Cap::kSetname), Cap::kSetname)
      .to_monitors(u, Cap::kSetname);
  e.network().realname_changed(u);
}

// CHGHOST <nick> <host>
void chghost(Engine& e, User& u, const proto::Message& m) {
  User* t = e.find_nick(m.param(0));
  if (!t || !t->registered) {
    e.reply(u, ERR_NOSUCHNICK, {m.param(0).substr(0, 64), "No such nick/channel"});
    return;
  }
  std::string_view host = m.param(1);
  if (!is_valid_host(host)) {
    e.fail(u, "CHGHOST", "INVALID_HOST",
           {host.substr(0, 64),
            "A host is 1 to 64 letters, digits and . - : / and starts with neither : nor -"});
    return;
  }
  if (host != t->host) {
    // From the old prefix, to chghost clients only: the spec's QUIT/JOIN fallback for the others
    // would make them believe the user left and rejoined every channel, so they hear nothing.
    Engine::Broadcast(e, t->prefix(), "CHGHOST", {t->username, host})
        .to_common_channels(*t, t->caps.has(Cap::kChghost), Cap::kChghost)
        .to_monitors(*t, Cap::kChghost);
    t->host = std::string(host);
    t->update_prefix();
    e.network().host_changed(*t);
  }
  e.server_message(u, "NOTICE", {u.nick, "Changed the host of " + t->nick + " to " + t->host});
}

// WALLOPS :<text>
void wallops(Engine& e, User& u, const proto::Message& m) {
  if (m.param(0).empty()) {
    e.reply(u, ERR_NOTEXTTOSEND, {"No text to send"});
    return;
  }
  // ":prefix WALLOPS :text\r\n" stays within 512 bytes.
  std::string text = limit_utf8(m.param(0), proto::kMaxLineBytes - u.prefix().size() - 12);
  Engine::Broadcast out(e, u.prefix(), "WALLOPS", {text});
  for (const auto& [id, t] : e.users()) {
    if (t->registered && t->wallops) out.to(*t);
  }
  e.network().wallops(u, text);
}

}  // namespace parley::core::commands
