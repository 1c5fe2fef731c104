#include "app/config_reader.h"

#include <fmt/format.h>

#include <cmath>

namespace parley::app {

void ConfigReader::problem(const toml::source_region& where, std::string message) {
  problems_.push_back(ConfigProblem{static_cast<std::size_t>(where.begin.line), std::move(message)});
}

std::string ConfigReader::qualified(std::string_view section, std::string_view key) {
  return section.empty() ? std::string(key) : fmt::format("{}.{}", section, key);
}

std::string_view ConfigReader::type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    default: return "nothing";
  }
}

void ConfigReader::reject_unknown(const toml::table& table, std::string_view section,
                                  std::initializer_list<std::string_view> known) {
  for (auto&& [key, node] : table) {
    bool found = false;
    for (std::string_view k : known) found = found || key.str() == k;
    if (found) continue;
    if (section.empty() && node.is_table()) {
      problem(key.source(), fmt::format("unknown section [{}]", key.str()));
    } else if (section.empty()) {
      problem(key.source(), fmt::format("unknown key '{}' outside any section", key.str()));
    } else {
      problem(key.source(), fmt::format("unknown key '{}' in [{}]", key.str(), section));
    }
  }
}

const toml::table* ConfigReader::table(const toml::table& parent, std::string_view key) {
  const toml::node* node = parent.get(key);
  if (!node) return nullptr;
  if (const toml::table* t = node->as_table()) return t;
  problem(*node, fmt::format("[{}] must be a table, not {}", key, type_name(*node)));
  return nullptr;
}

const toml::array* ConfigReader::array(const toml::table& t, std::string_view section, std::string_view key) {
  const toml::node* node = t.get(key);
  if (!node) return nullptr;
  if (const toml::array* a = node->as_array()) return a;
  problem(*node, fmt::format("{} must be an array, not {}", qualified(section, key), type_name(*node)));
  return nullptr;
}

std::optional<std::string> ConfigReader::string(const toml::table& t, std::string_view section,
                                                std::string_view key) {
  const toml::node* node = t.get(key);
  if (!node) return std::nullopt;
  if (const auto* s = node->as_string()) return s->get();
  problem(*node, fmt::format("{} must be a string, not {}", qualified(section, key), type_name(*node)));
  return std::nullopt;
}

std::optional<bool> ConfigReader::boolean(const toml::table& t, std::string_view section,
                                          std::string_view key) {
  const toml::node* node = t.get(key);
  if (!node) return std::nullopt;
  if (const auto* b = node->as_boolean()) return b->get();
  problem(*node, fmt::format("{} must be true or false, not {}", qualified(section, key), type_name(*node)));
  return std::nullopt;
}

std::optional<std::int64_t> ConfigReader::integer(const toml::table& t, std::string_view section,
                                                  std::string_view key, std::int64_t min, std::int64_t max) {
  const toml::node* node = t.get(key);
  if (!node) return std::nullopt;
  const auto* i = node->as_integer();
  if (!i) {
    problem(*node, fmt::format("{} must be an integer, not {}", qualified(section, key), type_name(*node)));
    return std::nullopt;
  }
  if (i->get() < min || i->get() > max) {
    problem(*node, fmt::format("{} must be between {} and {} (got {})", qualified(section, key), min, max,
                               i->get()));
    return std::nullopt;
  }
  return i->get();
}

std::optional<double> ConfigReader::number(const toml::table& t, std::string_view section,
                                           std::string_view key, double min, double max, bool min_exclusive) {
  const toml::node* node = t.get(key);
  if (!node) return std::nullopt;
  double value;
  if (const auto* i = node->as_integer()) {
    value = static_cast<double>(i->get());
  } else if (const auto* f = node->as_floating_point()) {
    value = f->get();
  } else {
    problem(*node, fmt::format("{} must be a number, not {}", qualified(section, key), type_name(*node)));
    return std::nullopt;
  }
  const bool too_low = min_exclusive ? !(value > min) : !(value >= min);
  if (std::isnan(value) || too_low || value > max) {
    problem(*node, fmt::format("{} must be {} {} and at most {} (got {})", qualified(section, key),
                               min_exclusive ? "greater than" : "at least", min, max, value));
    return std::nullopt;
  }
  return value;
}

std::optional<std::vector<std::string>> ConfigReader::strings(const toml::table& t, std::string_view section,
                                                              std::string_view key) {
  const toml::array* a = array(t, section, key);
  if (!a) return std::nullopt;
  std::vector<std::string> out;
  for (const toml::node& element : *a) {
    if (const auto* s = element.as_string()) {
      out.push_back(s->get());
    } else {
      problem(element, fmt::format("{} must contain only strings, not {}", qualified(section, key),
                                   type_name(element)));
    }
  }
  return out;
}

proto::CidrList ConfigReader::cidr_list(const toml::array& a, std::string_view what) {
  std::vector<proto::Cidr> blocks;
  for (const toml::node& element : a) {
    const auto* text = element.as_string();
    auto block = text ? proto::Cidr::parse(text->get()) : std::nullopt;
    if (block) {
      blocks.push_back(*block);
    } else if (text) {
      problem(element, fmt::format("{}: \"{}\" is not an address or CIDR block (e.g. \"127.0.0.0/8\", "
                                   "\"::1/128\"; host bits must be zero)",
                                   what, text->get()));
    } else {
      problem(element, fmt::format("{} must contain only strings, not {}", what, type_name(element)));
    }
  }
  return proto::CidrList(std::move(blocks));
}

std::string check_line_text(std::string_view text) {
  for (char c : text) {
    if (c == '\r' || c == '\n' || c == '\0') return "must not contain CR, LF or NUL characters";
  }
  return {};
}

}  // namespace parley::app
