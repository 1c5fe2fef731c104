// Sending this server's view of the network to a new peer (link/network.h, docs/linking.md
// "Burst"): servers, users, channels, then ENDBURST. Everything behind the new link itself is
// left out; everything a line refers to was introduced by an earlier line.
#include <chrono>

#include "core/channel.h"
#include "core/remote.h"
#include "core/user.h"
#include "link/link_state.h"
#include "link/network.h"

namespace parley::link {

namespace {

// Lines of one kind that share a head, each kept within InspIRCd's 510 bytes.
class LineSplitter {
 public:
  LineSplitter(std::string head, std::string tail_prefix, std::string& out)
      : head_(std::move(head)), tail_prefix_(std::move(tail_prefix)), out_(out) {}
  ~LineSplitter() { flush(); }
  void add(std::string_view item) {
    if (!items_.empty() && head_.size() + tail_prefix_.size() + items_.size() + 1 + item.size() > kMaxLine)
      flush();
    if (!items_.empty()) items_ += ' ';
    items_ += item;
  }
  void flush() {
    if (items_.empty()) return;
    out_ += head_ + tail_prefix_ + items_ + "\r\n";
    items_.clear();
  }

 private:
  static constexpr std::size_t kMaxLine = 500;
  std::string head_, tail_prefix_, items_;
  std::string& out_;
};

}  // namespace

std::string Network::uid_line(const core::User& u) const {
  std::string modes = "+";
  if (u.bot) modes += 'B';
  if (u.invisible) modes += 'i';
  if (u.is_oper()) modes += 'o';
  if (u.wallops) modes += 'w';
  std::string line;
  proto::LineBuilder b(line);
  b.source(u.server->sid)
      .command("UID")
      .param(u.uid)
      .param(std::to_string(u.nick_ts))
      .param(u.nick)
      .param(u.remote ? u.cloak : std::string(u.ip()))  // the real host: no reverse DNS here
      .param(u.host)
      .param(u.username)
      .param(std::string(u.ip()))
      .param(core::unix_seconds(u.connected_at))
      .param(modes)
      .trailing(u.realname.empty() ? "*" : u.realname);
  b.finish();
  return line;
}

void Network::send_channel_burst(Link& l, const core::Channel& c) {
  const std::string& sid = engine_.local_server().sid;
  const std::string ts = std::to_string(core::remote::channel_ts(c));
  std::string out;
  {
    LineSplitter fjoin(":" + sid + " FJOIN " + c.name + " " + ts + " " + c.mode_string(true), " :", out);
    bool any = false;
    for (const auto& [member, flags] : c.members) {
      if (member->remote && member->server->route == l.id) continue;  // the peer's own
      std::string entry = (flags & core::kOp ? "o" : "") + std::string(flags & core::kVoice ? "v" : "") +
                          "," + member->uid + ":" + std::to_string(++membership_ids_);
      fjoin.add(entry);
      any = true;
    }
    if (!any) return;  // only the peer's users are in it: it has the channel already
  }
  if (!c.topic.empty()) {
    out +=
        line_from(sid, "FTOPIC", {c.name, ts, core::unix_seconds(c.topic_set_at), c.topic_set_by, c.topic});
  }
  for (auto [mode, list] : {std::pair{'b', &c.bans}, {'e', &c.excepts}, {'I', &c.invexes}}) {
    std::string modes = "+", params;
    std::size_t n = 0;
    auto flush = [&] {
      if (n) out += ":" + sid + " FMODE " + c.name + " " + ts + " " + modes + params + "\r\n";
      modes = "+";
      params.clear();
      n = 0;
    };
    for (const core::Ban& b : *list) {
      if (n == 20 || params.size() + b.mask.size() > 400) flush();
      modes += mode;
      params += " " + b.mask;
      ++n;
    }
    flush();
  }
  send(l, std::move(out));
}

void Network::send_burst(Link& l) {
  l.burst_sent = true;
  const core::ServerInfo& me = engine_.local_server();
  std::string out = line_from(me.sid, "BURST", {core::unix_seconds(engine_.now())}, false);
  out += line_from(me.sid, "SINFO", {"version", engine_.config().version + " " + me.name});
  // Servers, each after its parent, leaving out the peer (and so everything behind it).
  std::vector<const core::ServerInfo*> pending{&me};
  for (std::size_t i = 0; i < pending.size(); ++i) {
    for (const core::ServerInfo* child : pending[i]->children) {
      if (child == l.server) continue;
      out += line_from(pending[i]->sid, "SERVER", {child->name, child->sid, child->description});
      pending.push_back(child);
    }
  }
  send(l, std::move(out));
  auto burst_user = [&](const core::User& u) {
    std::string lines = uid_line(u);
    if (u.is_oper()) lines += line_from(u.uid, "OPERTYPE", {u.oper_name()});
    if (!u.away.empty()) lines += line_from(u.uid, "AWAY", {core::unix_seconds(engine_.now()), u.away});
    if (!u.account().empty()) lines += line_from(me.sid, "METADATA", {u.uid, "accountname", u.account()});
    send(l, std::move(lines));
  };
  for (const auto& [id, u] : engine_.users()) {
    if (u->registered && !u->quitting) burst_user(*u);
  }
  for (const auto& [uid, u] : engine_.remote_users()) {
    if (u->server->route != l.id && !u->quitting) burst_user(*u);
  }
  for (const auto& [name, c] : engine_.channels()) send_channel_burst(l, *c);
  send(l, line_from(me.sid, "ENDBURST", {}, false));
}

}  // namespace parley::link
