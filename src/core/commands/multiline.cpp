// Client batches of type draft/multiline (ircv3.net multiline): BATCH +ref draft/multiline
// <target>, PRIVMSG or NOTICE lines tagged batch=ref (draft/multiline-concat joins a line to the
// previous one), BATCH -ref. The message goes out once the batch closes: as the same batch to
// recipients with draft/multiline and batch, as its non-blank lines to everyone else, with one
// msgid (on the batch, or on the first fallback line) and one time.
#include "core/multiline.h"

#include <algorithm>
#include <array>
#include <memory>

#include "core/command_table.h"
#include "core/engine.h"
#include "core/history_recording.h"
#include "core/numerics.h"
#include "core/text.h"

namespace parley::core {

namespace {

constexpr std::string_view kType = "draft/multiline";
constexpr std::string_view kConcat = "draft/multiline-concat";
constexpr std::size_t kMaxRef = 64;  // longest client batch reference accepted

void fail_batch(Engine& e, User& u, std::string_view code, std::initializer_list<std::string_view> params) {
  e.fail(u, "BATCH", code, params);
}

// Fails the open batch: FAIL BATCH <code> ..., labeled with the opening BATCH's label; the lines
// still to come for it are dropped silently until BATCH -ref.
void fail_open(Engine& e, User& u, std::string_view code, std::initializer_list<std::string_view> params) {
  MultilineBatch& b = *u.multiline;
  b.failed = true;
  b.lines.clear();
  b.lines.shrink_to_fit();
  e.reply_labeled(u, std::move(b.label), [&] { fail_batch(e, u, code, params); });
  b.label.clear();
}

// The batch as each recipient sees it, serialised once per variant: multiline batch or fallback
// lines, with or without server-time, with or without message tags.
class MultilineMessage {
 public:
  MultilineMessage(Engine& e, const User& from, const MultilineBatch& b, std::string_view target)
      : e_(e),
        b_(b),
        source_(from.prefix()),
        target_(target),
        msgid_(e.new_msgid()),
        ref_(e.new_batch_ref()) {
    // Every relayed line must fit 512 bytes: ":source CMD target :text\r\n".
    const std::size_t room = relay_text_room(source_, b.command, target_);
    for (const auto& line : b.lines) texts_.push_back(limit_utf8(line.text, room));
  }
  const std::string& msgid() const { return msgid_; }
  // The message as history stores it: its lines as relayed, joined by '\n' (a concat line joined
  // to the one before it without one).
  std::string joined_text() const {
    std::string out;
    for (std::size_t i = 0; i < texts_.size(); ++i) {
      if (i > 0 && !b_.lines[i].concat) out += '\n';
      out += texts_[i];
    }
    return out;
  }
  RelayedMessage relayed(const std::string& text) const {
    return {b_.command, msgid_, b_.client_tags, target_, text};
  }

  const SharedLine& line_for(const User& u) {
    bool batch = u.caps.has(Cap::kMultiline) && u.caps.has(Cap::kBatch);
    bool time = u.caps.has(Cap::kServerTime), tags = u.caps.has(Cap::kMessageTags);
    SharedLine& slot = variants_[(batch ? 4 : 0) | (time ? 2 : 0) | (tags ? 1 : 0)];
    if (!slot) slot = proto::make_line(batch ? as_batch(time, tags) : as_lines(time, tags));
    return slot;
  }

 private:
  std::string tags(bool time, bool tags, bool with_msgid) const {
    std::string t = time ? e_.server_time_tag() : std::string();
    auto add = [&](std::string_view tag) {
      if (tag.empty()) return;
      if (!t.empty()) t += ';';
      t += tag;
    };
    if (tags && with_msgid) add("msgid=" + msgid_);
    if (tags) add(b_.client_tags);
    return t;
  }
  void line(std::string& out, std::string_view tags, std::string_view command,
            std::initializer_list<std::string_view> params, bool trailing) const {
    proto::LineBuilder b(out);
    b.tags(tags).source(source_).command(command);
    std::size_t i = 0;
    for (auto p : params) {
      if (++i == params.size() && trailing) {
        b.trailing(p);
      } else if (i == params.size()) {
        b.last(p);
      } else {
        b.param(p);
      }
    }
    b.finish();
  }
  std::string as_batch(bool time, bool tags) const {
    std::string out;
    line(out, this->tags(time, tags, true), "BATCH", {"+" + ref_, kType, target_}, false);
    std::string inner = "batch=" + ref_;
    for (std::size_t i = 0; i < texts_.size(); ++i) {
      line(out, b_.lines[i].concat ? inner + ";" + std::string(kConcat) : inner, b_.command,
           {target_, texts_[i]}, true);
    }
    line(out, {}, "BATCH", {"-" + ref_}, false);
    return out;
  }
  std::string as_lines(bool time, bool tags) const {
    std::string out;
    bool first = true;
    for (const std::string& text : texts_) {
      if (text.empty()) continue;  // the spec: no blank lines for clients without multiline
      line(out, this->tags(time, tags, first), b_.command, {target_, text}, true);
      first = false;
    }
    return out;
  }

  Engine& e_;
  const MultilineBatch& b_;
  std::string source_, target_, msgid_, ref_;
  std::vector<std::string> texts_;
  SharedLine variants_[8];
};

void deliver_to_channel(Engine& e, User& u, Channel& c, MultilineMessage& out) {
  for (auto& [member, flags] : c.members) {
    if (member != &u && !silenced(*member, u, e.casemapping())) e.send(*member, out.line_for(*member));
  }
  commands::remember_message(e, u, &c, nullptr, out.msgid());
}

void deliver(Engine& e, User& u, const MultilineBatch& b) {
  bool blank = std::all_of(b.lines.begin(), b.lines.end(), [](const auto& l) { return l.text.empty(); });
  if (blank) return fail_batch(e, u, "MULTILINE_INVALID", {"A multiline message cannot be empty"});
  bool echo = u.caps.has(Cap::kEchoMessage);
  if (proto::is_channel_name(b.target)) {
    Channel* c = e.find_channel(b.target);
    if (!c) return e.reply(u, numeric::ERR_NOSUCHNICK, {b.target, "No such nick/channel"});
    if (const char* why = commands::channel_refusal(e, u, *c)) {
      return e.reply(u, numeric::ERR_CANNOTSENDTOCHAN, {c->name, why});
    }
    if (c->no_ctcp && std::any_of(b.lines.begin(), b.lines.end(),
                                  [](const auto& l) { return commands::is_ctcp_but_action(l.text); })) {
      return e.reply(u, numeric::ERR_CANNOTSENDTOCHAN, {c->name, "Cannot send CTCP to channel (+C)"});
    }
    MultilineMessage out(e, u, b, b.target);
    deliver_to_channel(e, u, *c, out);
    MessageLog log(e, u);  // history, and the echo held until it is stored
    std::string text = out.joined_text();
    log.channel(*c, out.relayed(text));
    if (echo) log.echo(out.line_for(u));
  } else {
    User* to = e.find_nick(b.target);
    if (!to) return e.reply(u, numeric::ERR_NOSUCHNICK, {b.target, "No such nick/channel"});
    MultilineMessage out(e, u, b, b.target);
    if (to != &u && !silenced(*to, u, e.casemapping())) e.send(*to, out.line_for(*to));
    if (to == &u) e.send_side_effect(u, out.line_for(u));  // a delivery, never labeled; the echo may follow
    MessageLog log(e, u);
    std::string text = out.joined_text();
    if (!silenced(*to, u, e.casemapping())) log.private_to(*to, out.relayed(text));
    if (echo) log.echo(out.line_for(u));
    if (b.command == "PRIVMSG" && !to->away.empty()) e.reply(u, numeric::RPL_AWAY, {to->nick, to->away});
    commands::remember_message(e, u, nullptr, to, out.msgid());
  }
  u.last_message = e.now();
}

void open_batch(Engine& e, User& u, const proto::Message& m) {
  std::string_view ref = m.param(0).substr(1);
  if (m.param(1) != kType) {
    return fail_batch(e, u, "MULTILINE_INVALID", {"Only draft/multiline client batches are supported"});
  }
  if (!u.caps.has(Cap::kMultiline) || !u.caps.has(Cap::kBatch)) {
    return fail_batch(e, u, "MULTILINE_INVALID", {"Negotiate draft/multiline and batch first"});
  }
  if (m.size() < 3 || m.param(2).empty()) {
    return fail_batch(e, u, "MULTILINE_INVALID", {"A multiline batch needs a target"});
  }
  if (ref.size() > kMaxRef || !proto::is_middle_param(ref)) {
    return fail_batch(e, u, "MULTILINE_INVALID", {"Invalid batch reference"});
  }
  if (u.multiline) discard_multiline(e, u, "A multiline batch was opened inside another");
  auto b = std::make_unique<MultilineBatch>();
  b->ref = std::string(ref);
  b->target = std::string(proto::safe_middle_param(m.param(2)));
  b->client_tags = commands::client_tags(m);
  b->label = e.take_label(u);  // answered when the batch closes
  b->opened = e.now();
  u.multiline = std::move(b);
}

void close_batch(Engine& e, User& u, std::string_view ref) {
  if (!u.multiline || u.multiline->ref != ref) {
    return fail_batch(e, u, "MULTILINE_INVALID", {"No such multiline batch is open"});
  }
  std::unique_ptr<MultilineBatch> b = std::move(u.multiline);
  if (b->failed) return;  // its FAIL was the answer
  if (!b->label.empty()) {
    std::string own = e.take_label(u);  // BATCH -ref was labeled too: it gets ACK
    e.reply_labeled(u, std::move(own), [] {});
  }
  e.reply_labeled(u, std::move(b->label), [&] {
    if (b->lines.empty()) return fail_batch(e, u, "MULTILINE_INVALID", {"A multiline batch needs a line"});
    deliver(e, u, *b);
  });
}

}  // namespace

void discard_multiline(Engine& e, User& u, std::string_view why) {
  if (!u.multiline) return;
  bool answered = u.multiline->failed;
  if (!answered) fail_open(e, u, "MULTILINE_INVALID", {why});
  u.multiline.reset();
}

namespace commands {

// BATCH +<ref> draft/multiline <target> | BATCH -<ref>
void batch(Engine& e, User& u, const proto::Message& m) {
  std::string_view ref = m.param(0);
  if (ref.size() < 2 || (ref[0] != '+' && ref[0] != '-')) {
    return fail_batch(e, u, "MULTILINE_INVALID", {"Invalid batch reference"});
  }
  if (ref[0] == '+') {
    open_batch(e, u, m);
  } else {
    close_batch(e, u, ref.substr(1));
  }
}

// @batch=<ref>[;draft/multiline-concat] PRIVMSG|NOTICE <target> :<text>, inside an open batch.
bool multiline_line(Engine& e, User& u, const proto::Message& m) {
  auto tag = m.tag("batch");
  if (!tag) return false;
  MultilineBatch* b = u.multiline.get();
  if (!b) {
    fail_batch(e, u, "MULTILINE_INVALID", {"No multiline batch is open"});
    return true;
  }
  if (b->failed) return true;
  if (*tag != b->ref) {
    fail_open(e, u, "MULTILINE_INVALID", {"Line tagged for another batch"});
    return true;
  }
  u.flood_tokens += 1;  // a batch's lines are one message: max-lines bounds them, not flood control
  std::string command = ascii_upper(m.command);
  const Limits& l = e.limits();
  bool concat = m.tag(kConcat).has_value();
  std::string_view text = m.param(1);
  std::size_t bytes = b->bytes + text.size() + (b->lines.empty() || concat ? 0 : 1);
  if (!b->command.empty() && command != b->command) {
    fail_open(e, u, "MULTILINE_INVALID", {"A multiline batch cannot mix PRIVMSG and NOTICE"});
  } else if (!proto::equal_folded(m.param(0), b->target, e.casemapping())) {
    fail_open(e, u, "MULTILINE_INVALID_TARGET",
              {b->target, proto::safe_middle_param(m.param(0)), "Invalid multiline target"});
  } else if (concat && text.empty()) {
    fail_open(e, u, "MULTILINE_INVALID", {"A blank line cannot be concatenated"});
  } else if (b->lines.size() >= l.multiline_max_lines) {
    fail_open(e, u, "MULTILINE_MAX_LINES",
              {std::to_string(l.multiline_max_lines), "Multiline batch max-lines exceeded"});
  } else if (bytes > l.multiline_max_bytes) {
    fail_open(e, u, "MULTILINE_MAX_BYTES",
              {std::to_string(l.multiline_max_bytes), "Multiline batch max-bytes exceeded"});
  } else {
    b->command = std::move(command);
    b->lines.push_back({std::string(text), concat});
    b->bytes = bytes;
  }
  return true;
}

}  // namespace commands
}  // namespace parley::core
