#include "core/help.h"

#include <algorithm>
#include <array>
#include <string>

#include "core/text.h"

namespace parley::core {

namespace {

struct Topic {
  std::string_view name;
  std::string_view text;
};

// Sorted by name (help_text() binary-searches). Lines of at most ~300 bytes.
constexpr std::array kTopics = {
    Topic{"ADMIN", "ADMIN [<server>]\nShows who runs this server and how to reach them."},
    Topic{"AUTHENTICATE",
          "AUTHENTICATE <mechanism> | AUTHENTICATE <base64> | AUTHENTICATE *\nSASL login (after CAP REQ "
          "sasl): PLAIN, EXTERNAL (TLS client certificate) or SCRAM-SHA-256; * aborts."},
    Topic{"AWAY",
          "AWAY [<text>]\nMarks you as away with <text>, or back without it. Those who message you "
          "get your text (301)."},
    Topic{"BATCH",
          "BATCH +<ref> draft/multiline <target> | BATCH -<ref>\nSends the PRIVMSG or NOTICE lines "
          "tagged batch=<ref> in between as one multiline message (draft/multiline)."},
    Topic{"CAP",
          "CAP LS [302] | CAP LIST | CAP REQ :<caps> | CAP END\nIRCv3 capability negotiation. "
          "REQ is all or nothing; END finishes registration."},
    Topic{"CHANSERV",
          "CHANSERV <command> [<args>]\nThe channel service: REGISTER, INFO, OP, DEOP, VOICE, "
          "DEVOICE, AMODE, TRANSFER, DROP. The same as /msg ChanServ; CHANSERV HELP lists them."},
    Topic{
        "CHATHISTORY",
        "CHATHISTORY LATEST|BEFORE|AFTER|AROUND <target> <ref> <limit> | CHATHISTORY BETWEEN <target> <ref> "
        "<ref> <limit> | CHATHISTORY TARGETS <timestamp> <timestamp> <limit>\nStored history of a channel or "
        "a "
        "private conversation (draft/chathistory); <ref> is msgid=<id>, timestamp=<time> or (LATEST) *."},
    Topic{"CHGHOST",
          "CHGHOST <nick> <host>\nOperators only. Changes the host shown for <nick>: letters, "
          "digits and . - : /, at most 64 bytes."},
    Topic{"CONNECT",
          "CONNECT <server>\nOperators: links this server to <server> now, as its [[link]] block says "
          "(docs/linking.md)."},
    Topic{"CS", "CS <command> [<args>]\nThe same as CHANSERV."},
    Topic{"DIE", "DIE [<reason>]\nOperators only. Shuts the server down; every client is told <reason>."},
    Topic{"DLINE",
          "DLINE <address[/prefix]|nick> <duration> [<reason>]\nOperators only. Refuses connections from "
          "an address block; duration 0 is permanent, else seconds or 1d12h. STATS d lists them."},
    Topic{"GLOBOPS", "GLOBOPS <text>\nOperators only. Sends <text> to this server's operators (snomask g)."},
    Topic{"HELP",
          "HELP [<subject>]\nHelp on a command, or the list of commands without <subject>. HELPOP "
          "is the same."},
    Topic{"HELPOP", "HELPOP [<subject>]\nThe same as HELP."},
    Topic{"INFO", "INFO [<server>]\nShows information about this server's software."},
    Topic{"INVITE",
          "INVITE <nick> <channel> | INVITE\nInvites <nick> to <channel>; the invitation lifts +b, "
          "+i, +k and +l for one join. Without parameters: the invitations you hold."},
    Topic{"ISON", "ISON <nick>{ <nick>}\nTells which of the nicks are online."},
    Topic{"JOIN",
          "JOIN <channel>{,<channel>} [<key>{,<key>}] | JOIN 0\nJoins channels, creating them "
          "(you become operator); JOIN 0 leaves them all."},
    Topic{"KICK",
          "KICK <channel>{,<channel>} <nick>{,<nick>} [<reason>]\nChannel operators: removes users "
          "from the channel (several channels pair with the nicks in order)."},
    Topic{"KILL", "KILL <nick> <comment>\nOperators only. Disconnects <nick>."},
    Topic{"KLINE",
          "KLINE <user@host|nick> <duration> [<reason>]\nOperators only. Refuses users matching the mask; "
          "duration 0 is permanent, else seconds or 1d12h. STATS k lists them."},
    Topic{"KNOCK",
          "KNOCK <channel> [<message>]\nAsks the operators of a closed channel (+i, +k or full) "
          "for an invitation. Once a minute at most, by default."},
    Topic{"LINKS", "LINKS [[<server>] <mask>]\nLists the servers of the network matching <mask>."},
    Topic{"LIST",
          "LIST [<item>{,<item>}]\nLists channels with their user counts and topics. Items: "
          "channel names, masks, !mask, <n/>n users, C<n/C>n or T<n/T>n minutes since creation or "
          "topic (ELIST=CMNTU)."},
    Topic{"LUSERS", "LUSERS\nShows how many users, operators and channels there are."},
    Topic{"MAP", "MAP\nShows the servers of the network as a tree, with their users."},
    Topic{"MARKREAD",
          "MARKREAD <target> [timestamp=<time>]\nYour read marker for a channel or nick "
          "(draft/read-marker): without a time, shows it; with one, moves it forwards for every "
          "session of your account."},
    Topic{"METADATA",
          "METADATA <target> GET|LIST|SET|CLEAR|SUB|UNSUB|SUBS|SYNC [...]\nUser and channel "
          "metadata (draft/metadata-3): SET <key> [<value>] on yourself or a channel you operate; "
          "SUB <key>... to be told of changes."},
    Topic{"MODE",
          "MODE <channel> [<modes> [<args>]] | MODE <nick> [<modes>]\nChannel modes: b e I k l i m "
          "n s t o v, H <lines>:<period> (replay history to clients joining); +b m:<mask> mutes; "
          "a:<account> (or $a:<account>, $a for anyone logged in) in +b, +e or +I matches by "
          "account. User modes: +B bot, +i invisible, +w receive WALLOPS, +s [+letters-letters] server notices (operators), -o drop operator status."},
    Topic{"MONITOR",
          "MONITOR + <nicks> | - <nicks> | C | L | S\nTells you when the nicks on your list come "
          "online (730) or go offline (731). + and - edit the list, C clears it, L lists it, S "
          "shows every entry's status."},
    Topic{"MOTD", "MOTD [<server>]\nShows the message of the day."},
    Topic{"NAMES", "NAMES [<channel>{,<channel>}]\nLists the members of channels."},
    Topic{"NICK", "NICK <nick>\nSets or changes your nick."},
    Topic{"NICKSERV",
          "NICKSERV <command> [<args>]\nThe account service: REGISTER, IDENTIFY, INFO, GHOST, PASSWD, CERT, "
          "SET ENFORCE, DROP, SAVERIFY. The same as /msg NickServ; NICKSERV HELP lists them."},
    Topic{"NOTICE",
          "NOTICE <target>{,<target>} <text>\nLike PRIVMSG, but never answered automatically, "
          "errors included."},
    Topic{"NS", "NS <command> [<args>]\nThe same as NICKSERV."},
    Topic{"OPER", "OPER <name> <password>\nMakes you an IRC operator, if an operator block allows it."},
    Topic{"PART", "PART <channel>{,<channel>} [<reason>]\nLeaves channels."},
    Topic{"PASS", "PASS <password>\nThe server password, sent before NICK and USER."},
    Topic{"PING", "PING <token>\nThe server answers PONG <token>."},
    Topic{"PONG", "PONG [<server>] <token>\nThe answer to the server's PING."},
    Topic{"PRIVMSG",
          "PRIVMSG <target>{,<target>} <text>\nSends <text> to nicks or channels; @#chan and "
          "+#chan reach only a channel's operators or voiced users."},
    Topic{"QUIT", "QUIT [<reason>]\nDisconnects you."},
    Topic{"REDACT",
          "REDACT <target> <msgid> [<reason>]\nWithdraws a recent message of yours (or, as channel "
          "operator, anyone's in the channel) for clients with draft/message-redaction."},
    Topic{"REGISTER",
          "REGISTER <account|*> <email|*> <password>\nRegisters an account (draft/account-registration); * "
          "takes your nick. You are logged in when it succeeds."},
    Topic{"REHASH",
          "REHASH\nOperators only. Re-reads the server's configuration file and applies it without "
          "disconnecting anyone; a file with an error is refused and the running configuration stays."},
    Topic{"RENAME",
          "RENAME <channel> <new name> [<reason>]\nChannel operators only. Renames the channel, "
          "keeping its members, modes and topic."},
    Topic{"RESTART",
          "RESTART [<reason>]\nOperators only. Shuts the server down and starts it again with the same "
          "configuration."},
    Topic{"SAJOIN", "SAJOIN <nick> <channel>\nOperators only. Joins <nick> to <channel> past any key, limit or ban."},
    Topic{"SANICK", "SANICK <nick> <newnick>\nOperators only. Changes <nick>'s nick."},
    Topic{"SAPART", "SAPART <nick> <channel> [<reason>]\nOperators only. Parts <nick> from <channel>."},
    Topic{"SEARCH",
          "SEARCH <attributes>\nSearches stored messages (soju.im/search). Attributes, each optional: "
          "in=<target>;from=<nick>;after=<time>;before=<time>;text=<words>;limit=<n>."},
    Topic{"SETNAME",
          "SETNAME <realname>\nChanges your real name; clients with the setname capability "
          "see the change."},
    Topic{"SILENCE",
          "SILENCE [+|-<mask>{,+|-<mask>}]\nServer-side ignore: messages, notices and invitations "
          "from matching users are dropped. Without a parameter: your list."},
    Topic{"SQUIT",
          "SQUIT <server> [<reason>]\nOperators: ends this server's link to <server>; everyone behind it "
          "leaves the network until it links again."},
    Topic{"STATS",
          "STATS <letter> [<server>]\nServer statistics: u uptime; operators only: l connections, "
          "m command use, o operator blocks."},
    Topic{"TAGMSG", "TAGMSG <target>{,<target>}\nSends only message tags (IRCv3 message-tags)."},
    Topic{"TIME", "TIME [<server>]\nShows the server's time."},
    Topic{"TOPIC",
          "TOPIC <channel> [<topic>]\nShows or sets a channel's topic; an empty <topic> clears "
          "it."},
    Topic{"UNDLINE", "UNDLINE <address[/prefix]>\nOperators only. Removes a DLINE."},
    Topic{"UNKLINE", "UNKLINE <user@host>\nOperators only. Removes a KLINE."},
    Topic{"USER", "USER <username> 0 * <realname>\nRegisters your username and real name."},
    Topic{"USERHOST", "USERHOST <nick>{ <nick>}\nShows user@host of up to 5 nicks."},
    Topic{"VERIFY",
          "VERIFY <account> <code>\nThis server sends no verification codes: an operator verifies "
          "accounts with NickServ SAVERIFY."},
    Topic{"VERSION", "VERSION [<server>]\nShows the server's version and ISUPPORT tokens."},
    Topic{"WALLOPS", "WALLOPS <text>\nOperators only. Sends <text> to every user with user mode +w."},
    Topic{"WHO",
          "WHO <mask> [o][%<fields>[,<token>]]\nLists users matching <mask> or in a channel; o: "
          "operators only; %fields (WHOX): any of t c u i h s n f d l a o r, answered with 354."},
    Topic{"WHOIS", "WHOIS [<server>] <nick>\nShows information about <nick>."},
    Topic{"WHOWAS", "WHOWAS <nick> [<count>]\nShows who used <nick> before."},
};

constexpr bool sorted_by_name() {
  for (std::size_t i = 1; i < kTopics.size(); ++i) {
    if (!(kTopics[i - 1].name < kTopics[i].name)) return false;
  }
  return true;
}
static_assert(sorted_by_name(), "keep kTopics sorted by name: help_text() binary-searches it");

}  // namespace

std::string_view help_text(std::string_view subject) {
  std::string key = ascii_upper(subject);
  auto it = std::lower_bound(kTopics.begin(), kTopics.end(), key,
                             [](const Topic& t, const std::string& k) { return t.name < k; });
  return it != kTopics.end() && it->name == key ? it->text : std::string_view{};
}

}  // namespace parley::core
