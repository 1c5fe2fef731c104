// HELP texts: one topic per command in the command table (tests/core/help_test.cpp checks that
// none is missing), looked up case-insensitively.
#pragma once

#include <string_view>

namespace parley::core {

// Lines separated by '\n', the first a usage line; empty when there is no such topic.
std::string_view help_text(std::string_view subject);

}  // namespace parley::core
