// RESTART (an operator's command): once the server has shut down gracefully and released its
// ports and database, the process becomes a fresh copy of itself: the same program file and the
// same arguments, so the same configuration file is read again. Same process id, so a service
// manager (systemd's Type=notify) keeps watching it.
#pragma once

namespace parley::app {

// Replaces the process image (execv of /proc/self/exe with /proc/self/cmdline). Returns only when
// that fails, after logging why.
void restart_in_place();

}  // namespace parley::app
