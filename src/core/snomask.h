// Server notice categories (snomasks), as InspIRCd and ngIRCd operators know them: an operator
// chooses which server notices it gets with user mode +s (MODE nick +s +ck-q; -s: none), and gets
// its class's default (core/config.h OperatorClass::snomask) when it opers up. Every notice also
// goes to the server's log (core/server_control.h), whoever is connected.
#pragma once

#include <string_view>

namespace parley::core::snomask {

inline constexpr char kOperAction = 'a';  // SAJOIN/SAPART/SANICK, REHASH, DIE, RESTART, CONNECT, SQUIT
inline constexpr char kConnect = 'c';     // a local client completed registration
inline constexpr char kGlobops = 'g';     // GLOBOPS
inline constexpr char kKill = 'k';        // KILL
inline constexpr char kLink = 'l';        // server links: up, down, refused
inline constexpr char kOper = 'o';        // someone became an operator (or failed to)
inline constexpr char kQuit = 'q';        // a local client left
inline constexpr char kServerBan = 'x';   // KLINE/DLINE added, removed, expired, applied

inline constexpr std::string_view kAll = "acgkloqx";

inline bool valid(char c) { return kAll.find(c) != std::string_view::npos; }

}  // namespace parley::core::snomask
