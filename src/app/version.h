// The program's version, shown by `parley --version` and in the server's VERSION replies.
#pragma once

namespace parley::app {

inline constexpr const char* kVersion = "0.1.0";

}  // namespace parley::app
