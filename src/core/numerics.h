// IRC numeric replies by name (modern.ircdocs.horse "Numerics"). Handlers use these names;
// the wording of each reply lives in the handler that sends it, parameter order follows the
// spec's "<client> ..." convention (the engine prepends <client>).
#pragma once

#include <string_view>

namespace parley::core::numeric {

inline constexpr std::string_view RPL_WELCOME = "001";
inline constexpr std::string_view RPL_YOURHOST = "002";
inline constexpr std::string_view RPL_CREATED = "003";
inline constexpr std::string_view RPL_MYINFO = "004";
inline constexpr std::string_view RPL_ISUPPORT = "005";
// "<client> +<snomask> :Server notice mask" (InspIRCd's RPL_SNOMASKIS).
inline constexpr std::string_view RPL_SNOMASK = "008";
inline constexpr std::string_view RPL_STATSLINKINFO = "211";
inline constexpr std::string_view RPL_STATSCOMMANDS = "212";
// STATS k: "<client> K <user@host> <seconds left, 0: permanent> <set by> :<reason>".
inline constexpr std::string_view RPL_STATSKLINE = "216";
inline constexpr std::string_view RPL_ENDOFSTATS = "219";
// STATS d: "<client> D <address block> <seconds left> <set by> :<reason>" (Hybrid's D-line numeric).
inline constexpr std::string_view RPL_STATSDLINE = "225";
inline constexpr std::string_view RPL_UMODEIS = "221";
inline constexpr std::string_view RPL_STATSUPTIME = "242";
inline constexpr std::string_view RPL_STATSOLINE = "243";
inline constexpr std::string_view RPL_STATSDEBUG = "249";  // free-form STATS lines (InspIRCd's use)
inline constexpr std::string_view RPL_LUSERCLIENT = "251";
inline constexpr std::string_view RPL_LUSEROP = "252";
inline constexpr std::string_view RPL_LUSERUNKNOWN = "253";
inline constexpr std::string_view RPL_LUSERCHANNELS = "254";
inline constexpr std::string_view RPL_LUSERME = "255";
inline constexpr std::string_view RPL_ADMINME = "256";
inline constexpr std::string_view RPL_ADMINLOC1 = "257";
inline constexpr std::string_view RPL_ADMINLOC2 = "258";
inline constexpr std::string_view RPL_ADMINEMAIL = "259";
inline constexpr std::string_view RPL_LOCALUSERS = "265";
inline constexpr std::string_view RPL_GLOBALUSERS = "266";
inline constexpr std::string_view RPL_SILELIST = "271";
inline constexpr std::string_view RPL_ENDOFSILELIST = "272";
inline constexpr std::string_view RPL_AWAY = "301";
inline constexpr std::string_view RPL_USERHOST = "302";
inline constexpr std::string_view RPL_ISON = "303";
inline constexpr std::string_view RPL_UNAWAY = "305";
inline constexpr std::string_view RPL_NOWAWAY = "306";
inline constexpr std::string_view RPL_WHOISUSER = "311";
inline constexpr std::string_view RPL_WHOISSERVER = "312";
inline constexpr std::string_view RPL_WHOISOPERATOR = "313";
inline constexpr std::string_view RPL_WHOWASUSER = "314";
inline constexpr std::string_view RPL_ENDOFWHO = "315";
inline constexpr std::string_view RPL_WHOISIDLE = "317";
inline constexpr std::string_view RPL_ENDOFWHOIS = "318";
inline constexpr std::string_view RPL_WHOISCHANNELS = "319";
inline constexpr std::string_view RPL_LISTSTART = "321";
inline constexpr std::string_view RPL_LIST = "322";
inline constexpr std::string_view RPL_LISTEND = "323";
inline constexpr std::string_view RPL_CHANNELMODEIS = "324";
inline constexpr std::string_view RPL_CREATIONTIME = "329";
inline constexpr std::string_view RPL_NOTOPIC = "331";
inline constexpr std::string_view RPL_TOPIC = "332";
inline constexpr std::string_view RPL_TOPICWHOTIME = "333";
inline constexpr std::string_view RPL_WHOISBOT = "335";
inline constexpr std::string_view RPL_INVITELIST = "336";
inline constexpr std::string_view RPL_ENDOFINVITELIST = "337";
inline constexpr std::string_view RPL_INVITING = "341";
inline constexpr std::string_view RPL_INVEXLIST = "346";
inline constexpr std::string_view RPL_ENDOFINVEXLIST = "347";
inline constexpr std::string_view RPL_EXCEPTLIST = "348";
inline constexpr std::string_view RPL_ENDOFEXCEPTLIST = "349";
inline constexpr std::string_view RPL_VERSION = "351";
inline constexpr std::string_view RPL_WHOREPLY = "352";
inline constexpr std::string_view RPL_NAMREPLY = "353";
inline constexpr std::string_view RPL_WHOSPCRPL = "354";
inline constexpr std::string_view RPL_LINKS = "364";
inline constexpr std::string_view RPL_MAP = "006";  // InspIRCd's and ngIRCd's MAP line
inline constexpr std::string_view RPL_MAPEND = "007";
inline constexpr std::string_view RPL_ENDOFLINKS = "365";
inline constexpr std::string_view RPL_ENDOFNAMES = "366";
inline constexpr std::string_view RPL_BANLIST = "367";
inline constexpr std::string_view RPL_ENDOFBANLIST = "368";
inline constexpr std::string_view RPL_ENDOFWHOWAS = "369";
inline constexpr std::string_view RPL_INFO = "371";
inline constexpr std::string_view RPL_MOTD = "372";
inline constexpr std::string_view RPL_ENDOFINFO = "374";
inline constexpr std::string_view RPL_MOTDSTART = "375";
inline constexpr std::string_view RPL_ENDOFMOTD = "376";
inline constexpr std::string_view RPL_WHOISACCOUNT = "330";
// "<client> <nick> :is connecting from *@<ip> <ip>": to the user and operators only.
inline constexpr std::string_view RPL_WHOISHOST = "378";
inline constexpr std::string_view RPL_YOUREOPER = "381";
inline constexpr std::string_view RPL_REHASHING = "382";
inline constexpr std::string_view RPL_TIME = "391";
// "<client> <host> :is now your displayed host" (RPL_VISIBLEHOST, as InspIRCd and Ergo send).
inline constexpr std::string_view RPL_VISIBLEHOST = "396";
inline constexpr std::string_view RPL_HELPSTART = "704";
inline constexpr std::string_view RPL_HELPTXT = "705";
inline constexpr std::string_view RPL_ENDOFHELP = "706";
inline constexpr std::string_view RPL_MONONLINE = "730";
inline constexpr std::string_view RPL_MONOFFLINE = "731";
inline constexpr std::string_view RPL_MONLIST = "732";
inline constexpr std::string_view RPL_ENDOFMONLIST = "733";

inline constexpr std::string_view ERR_UNKNOWNERROR = "400";
inline constexpr std::string_view ERR_NOSUCHNICK = "401";
inline constexpr std::string_view ERR_NOSUCHSERVER = "402";
inline constexpr std::string_view ERR_NOSUCHCHANNEL = "403";
inline constexpr std::string_view ERR_CANNOTSENDTOCHAN = "404";
inline constexpr std::string_view ERR_TOOMANYCHANNELS = "405";
inline constexpr std::string_view ERR_WASNOSUCHNICK = "406";
inline constexpr std::string_view ERR_TOOMANYTARGETS = "407";
inline constexpr std::string_view ERR_NOORIGIN = "409";
inline constexpr std::string_view ERR_INVALIDCAPCMD = "410";
inline constexpr std::string_view ERR_NORECIPIENT = "411";
inline constexpr std::string_view ERR_NOTEXTTOSEND = "412";
inline constexpr std::string_view ERR_INPUTTOOLONG = "417";
inline constexpr std::string_view ERR_UNKNOWNCOMMAND = "421";
inline constexpr std::string_view ERR_NOMOTD = "422";
inline constexpr std::string_view ERR_NONICKNAMEGIVEN = "431";
inline constexpr std::string_view ERR_ERRONEUSNICKNAME = "432";
inline constexpr std::string_view ERR_NICKNAMEINUSE = "433";
inline constexpr std::string_view ERR_USERNOTINCHANNEL = "441";
inline constexpr std::string_view ERR_NOTONCHANNEL = "442";
inline constexpr std::string_view ERR_USERONCHANNEL = "443";
inline constexpr std::string_view ERR_NOTREGISTERED = "451";
inline constexpr std::string_view ERR_NEEDMOREPARAMS = "461";
inline constexpr std::string_view ERR_ALREADYREGISTERED = "462";
inline constexpr std::string_view ERR_PASSWDMISMATCH = "464";
inline constexpr std::string_view ERR_CHANNELISFULL = "471";
inline constexpr std::string_view ERR_UNKNOWNMODE = "472";
inline constexpr std::string_view ERR_INVITEONLYCHAN = "473";
inline constexpr std::string_view ERR_BANNEDFROMCHAN = "474";
inline constexpr std::string_view ERR_BADCHANNELKEY = "475";
inline constexpr std::string_view ERR_BADCHANMASK = "476";
inline constexpr std::string_view ERR_BANLISTFULL = "478";
inline constexpr std::string_view ERR_NOPRIVILEGES = "481";
inline constexpr std::string_view ERR_CHANOPRIVSNEEDED = "482";
inline constexpr std::string_view ERR_NOOPERHOST = "491";
inline constexpr std::string_view ERR_UMODEUNKNOWNFLAG = "501";
inline constexpr std::string_view ERR_USERSDONTMATCH = "502";
inline constexpr std::string_view ERR_HELPNOTFOUND = "524";
inline constexpr std::string_view ERR_SILELISTFULL = "511";
inline constexpr std::string_view ERR_INVALIDKEY = "525";
// "<client> <nick> :is using a secure connection" (TLS).
inline constexpr std::string_view RPL_WHOISSECURE = "671";
// "<client> <nick> :has client certificate fingerprint <fp>": to the user and operators only.
inline constexpr std::string_view RPL_WHOISCERTFP = "276";
inline constexpr std::string_view ERR_INVALIDMODEPARAM = "696";
inline constexpr std::string_view RPL_KNOCK = "710";
inline constexpr std::string_view RPL_KNOCKDLVR = "711";
inline constexpr std::string_view ERR_TOOMANYKNOCK = "712";
inline constexpr std::string_view ERR_CHANOPEN = "713";
inline constexpr std::string_view ERR_KNOCKONCHAN = "714";
inline constexpr std::string_view ERR_MONLISTFULL = "734";
inline constexpr std::string_view RPL_WHOISKEYVALUE = "760";
inline constexpr std::string_view RPL_KEYVALUE = "761";
inline constexpr std::string_view RPL_KEYNOTSET = "766";
inline constexpr std::string_view RPL_METADATASUBOK = "770";
inline constexpr std::string_view RPL_METADATAUNSUBOK = "771";
inline constexpr std::string_view RPL_METADATASUBS = "772";
inline constexpr std::string_view RPL_METADATASYNCLATER = "774";
inline constexpr std::string_view RPL_LOGGEDIN = "900";
inline constexpr std::string_view RPL_LOGGEDOUT = "901";
inline constexpr std::string_view ERR_NICKLOCKED = "902";
inline constexpr std::string_view RPL_SASLSUCCESS = "903";
inline constexpr std::string_view ERR_SASLFAIL = "904";
inline constexpr std::string_view ERR_SASLTOOLONG = "905";
inline constexpr std::string_view ERR_SASLABORTED = "906";
inline constexpr std::string_view ERR_SASLALREADY = "907";
inline constexpr std::string_view RPL_SASLMECHS = "908";

}  // namespace parley::core::numeric
