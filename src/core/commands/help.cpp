// HELP and HELPOP (modern.ircdocs.horse "HELP message"): 704 RPL_HELPSTART, 705 RPL_HELPTXT,
// 706 RPL_ENDOFHELP, or 524 ERR_HELPNOTFOUND. The texts live in core/help.cpp.
#include "core/help.h"

#include <string>
#include <vector>

#include "core/command_table.h"
#include "core/engine.h"
#include "core/numerics.h"
#include "core/text.h"

namespace parley::core::commands {

using namespace numeric;

namespace {

// The command list for HELP without a subject, several names a line.
std::vector<std::string> index_lines() {
  std::vector<std::string> lines{"Parley help: HELP <command> explains a command. Commands:"};
  std::string line;
  for (const CommandSpec& spec : all_commands()) {
    if (line.size() + spec.name.size() + 1 > 60) {
      lines.push_back(std::move(line));
      line.clear();
    }
    if (!line.empty()) line += ' ';
    line += spec.name;
  }
  if (!line.empty()) lines.push_back(std::move(line));
  return lines;
}

}  // namespace

// HELP [<subject>] | HELPOP [<subject>]
void help(Engine& e, User& u, const proto::Message& m) {
  std::vector<std::string> lines;
  std::string subject = "*";
  if (m.size() > 0 && !m.param(0).empty()) {
    std::string_view text = help_text(m.param(0));
    if (text.empty()) {
      e.reply(u, ERR_HELPNOTFOUND, {m.param(0).substr(0, 32), "No help available on this topic"});
      return;
    }
    subject = ascii_upper(m.param(0));
    while (!text.empty()) {
      auto end = text.find('\n');
      lines.emplace_back(text.substr(0, end));
      text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    }
  } else {
    lines = index_lines();
  }
  e.reply(u, RPL_HELPSTART, {subject, lines.front()});
  for (std::size_t i = 1; i < lines.size(); ++i) e.reply(u, RPL_HELPTXT, {subject, lines[i]});
  e.reply(u, RPL_ENDOFHELP, {subject, "End of /HELP"});
}

}  // namespace parley::core::commands
