// Typed, problem-collecting access to a parsed TOML document, for config.cpp. Every accessor
// returns nullopt both when the key is absent and when it is invalid; in the latter case it has
// recorded a problem with the offending line.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/config.h"
#include "proto/cidr.h"

namespace parley::app {

class ConfigReader {
 public:
  explicit ConfigReader(std::vector<ConfigProblem>& problems) : problems_(problems) {}

  void problem(const toml::source_region& where, std::string message);
  void problem(const toml::node& at, std::string message) { problem(at.source(), std::move(message)); }

  // Records "unknown key" for each key of `table` (named `section`, "" for the root) not in `known`.
  void reject_unknown(const toml::table& table, std::string_view section,
                      std::initializer_list<std::string_view> known);

  // A sub-table, e.g. [limits]. Wrong type => problem.
  const toml::table* table(const toml::table& parent, std::string_view key);
  const toml::array* array(const toml::table& t, std::string_view section, std::string_view key);

  std::optional<std::string> string(const toml::table& t, std::string_view section, std::string_view key);
  std::optional<bool> boolean(const toml::table& t, std::string_view section, std::string_view key);
  // An integer within [min, max].
  std::optional<std::int64_t> integer(const toml::table& t, std::string_view section, std::string_view key,
                                      std::int64_t min, std::int64_t max);
  // An integer or float within [min, max]; `min_exclusive` makes the lower bound strict.
  std::optional<double> number(const toml::table& t, std::string_view section, std::string_view key,
                               double min, double max, bool min_exclusive = false);
  // Every element must be a string; an invalid element is reported and skipped.
  std::optional<std::vector<std::string>> strings(const toml::table& t, std::string_view section,
                                                  std::string_view key);

  // Addresses and CIDR blocks ("127.0.0.0/8", "::1"); `what` names the key in problems. An
  // invalid element is reported and skipped.
  proto::CidrList cidr_list(const toml::array& a, std::string_view what);

  template <typename T>
  void set_integer(const toml::table& t, std::string_view section, std::string_view key, std::int64_t min,
                   std::int64_t max, T& out) {
    if (auto v = integer(t, section, key, min, max)) out = static_cast<T>(*v);
  }

  static std::string qualified(std::string_view section, std::string_view key);
  static std::string_view type_name(const toml::node& node);

 private:
  std::vector<ConfigProblem>& problems_;
};

// Text that will be sent inside IRC lines: no CR, LF or NUL. Empty string if fine, else the problem.
std::string check_line_text(std::string_view text);

}  // namespace parley::app
