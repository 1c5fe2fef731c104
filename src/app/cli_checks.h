// Option validators shared by the subcommands (CLI11): messages that say what is wrong with
// the value as typed. CLI11 prefixes the option's name: "--port: abc is not a number".
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>

namespace parley::app {

// A decimal integer from `min` to `max`: "abc is not a number", "70000 is not in the range 0
// to 65535". The value is rewritten without leading zeros, so "010" is 10 (never octal).
inline CLI::Validator number_in(long long min, long long max) {
  const std::string range = std::to_string(min) + " to " + std::to_string(max);
  return CLI::Validator(
      [min, max, range](std::string& text) -> std::string {
        std::string_view digits = text;
        const bool negative = !digits.empty() && digits.front() == '-';
        if (negative) digits.remove_prefix(1);
        if (digits.empty() || digits.find_first_not_of("0123456789") != std::string_view::npos)
          return text + " is not a number";
        while (digits.size() > 1 && digits.front() == '0') digits.remove_prefix(1);
        // Past 18 digits it is out of any range used here (and of long long).
        if (digits.size() > 18) return text + " is not in the range " + range;
        const long long value = (negative ? -1 : 1) * std::stoll(std::string(digits));
        if (value < min || value > max) return text + " is not in the range " + range;
        text = std::to_string(value);
        return {};
      },
      "from " + range);
}

}  // namespace parley::app
