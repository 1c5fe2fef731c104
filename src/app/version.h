// The program's version, shown by `parley --version` and in the server's VERSION replies.
// Defined in build/generated/version_info.cpp, which cmake/version_info.cmake rewrites at build
// time when the commit changes, so only that file is recompiled.
#pragma once

namespace parley::app {

extern const char* const kVersion;      // the project's version, e.g. "0.1.0" (CMakeLists.txt)
extern const char* const kGitDescribe;  // `git describe --always --dirty`, or "unknown"
extern const char* const kGitCommit;    // the full commit hash, or "unknown" outside a checkout

}  // namespace parley::app
