#include "userspace/config_file.h"

#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <set>
#include <tuple>
#include <utility>

#include "userspace/config_validate.h"

namespace meshfwd {

std::string ConfigError::str() const {
  if (line <= 0) return file + ": " + message;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

namespace {

// nft's names, so a list can be pasted from the seed's ruleset.
constexpr std::array<std::pair<std::string_view, uint8_t>, 18> kIcmpv6TypeNames{{
    {"destination-unreachable", 1},
    {"packet-too-big", 2},
    {"time-exceeded", 3},
    {"parameter-problem", 4},
    {"echo-request", 128},
    {"echo-reply", 129},
    {"mld-listener-query", 130},
    {"mld-listener-report", 131},
    {"mld-listener-done", 132},
    {"nd-router-solicit", 133},
    {"nd-router-advert", 134},
    {"nd-neighbor-solicit", 135},
    {"nd-neighbor-advert", 136},
    {"nd-redirect", 137},
    {"router-renumbering", 138},
    {"ind-neighbor-solicit", 141},
    {"ind-neighbor-advert", 142},
    {"mld2-listener-report", 143},
}};

std::string_view nodeTypeName(toml::node_type type) {
  switch (type) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a floating-point number";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    case toml::node_type::none: break;
  }
  return "nothing";
}

size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The closest candidate when it is close enough to be what was meant:
// within a third of the longer word's length (at least one edit), so
// "nopreemt" finds "preempt" but "lan" does not find "ra".
std::optional<std::string> nearestWord(std::string_view word, const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  size_t bestDistance = 0;
  for (const auto& candidate : candidates) {
    size_t d = editDistance(word, candidate);
    size_t limit = std::max<size_t>(1, (std::max(word.size(), candidate.size()) + 1) / 3);
    if (d <= limit && (!best || d < bestDistance)) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

std::string icmpv6TypeLabel(uint8_t type) {
  for (auto [name, number] : kIcmpv6TypeNames)
    if (number == type) return std::to_string(type) + " (" + std::string(name) + ")";
  return std::to_string(type);
}

// "58000-60000" or a single port "58000". Error messages start with `label`
// (the key or the flag) so they read the same from the file and the flags.
std::optional<PortRange> parsePortRange(std::string_view text, const std::string& label, std::string* error) {
  const std::string hint = ": write FIRST-LAST, e.g. \"58000-60000\"";
  if (text.empty()) {
    *error = label + " is empty" + hint;
    return std::nullopt;
  }
  auto parsePort = [&](std::string_view digits, uint16_t* out) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
      *error = label + " \"" + std::string(text) + "\" is not a port range" + hint;
      return false;
    }
    if (value > 65535) {
      *error = label + " \"" + std::string(text) + "\": " + std::string(digits) + " is not a port (0-65535)";
      return false;
    }
    *out = static_cast<uint16_t>(value);
    return true;
  };
  PortRange range;
  auto dash = text.find('-');
  if (dash == std::string_view::npos) {
    if (!parsePort(text, &range.lo)) return std::nullopt;
    range.hi = range.lo;
    return range;
  }
  if (!parsePort(text.substr(0, dash), &range.lo) || !parsePort(text.substr(dash + 1), &range.hi))
    return std::nullopt;
  return range;
}

// Where the first non-ASCII character outside a comment is, if any.
//
// meshfwd's keys and values are all ASCII, so nothing is lost by refusing
// the rest, and it keeps such characters away from toml++ 3.3, whose
// whitespace test reaches __builtin_unreachable() for code points
// U+00A1-U+0499 outside strings and comments (found by tests/fuzz).
std::optional<std::pair<int, int>> nonAsciiOutsideComments(std::string_view text) {
  enum class State { Code, Comment, Basic, Literal, MultiBasic, MultiLiteral } state = State::Code;
  int line = 1;
  int column = 0;  // in code points, as toml++ counts
  auto startsWith = [&](size_t i, std::string_view what) { return text.substr(i, what.size()) == what; };
  auto skip = [&](size_t& i, size_t n) { i += n, column += static_cast<int>(n); };
  for (size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if ((byte & 0xc0) != 0x80) ++column;
    if (byte == '\n') {
      ++line;
      column = 0;
      if (state != State::MultiBasic && state != State::MultiLiteral) state = State::Code;
      continue;
    }
    if (byte >= 0x80 && state != State::Comment) return std::make_pair(line, column);
    switch (state) {
      case State::Code:
        if (byte == '#') {
          state = State::Comment;
        } else if (startsWith(i, "\"\"\"")) {
          state = State::MultiBasic, skip(i, 2);
        } else if (startsWith(i, "'''")) {
          state = State::MultiLiteral, skip(i, 2);
        } else if (byte == '"') {
          state = State::Basic;
        } else if (byte == '\'') {
          state = State::Literal;
        }
        break;
      case State::Basic:
      case State::MultiBasic:
        if (byte == '\\' && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) < 0x80 &&
            text[i + 1] != '\n') {
          skip(i, 1);  // an escaped quote does not end the string
        } else if (state == State::Basic && byte == '"') {
          state = State::Code;
        } else if (state == State::MultiBasic && startsWith(i, "\"\"\"")) {
          state = State::Code, skip(i, 2);
        }
        break;
      case State::Literal:
        if (byte == '\'') state = State::Code;
        break;
      case State::MultiLiteral:
        if (startsWith(i, "'''")) state = State::Code, skip(i, 2);
        break;
      case State::Comment:
        break;
    }
  }
  return std::nullopt;
}

// Reads the document key by key. Every key a reader asks for becomes
// known, present or not; whatever the document holds beyond those is
// reported at the end, with the nearest known key as a suggestion.
class DocumentReader {
 public:
  DocumentReader(std::string file, ConfigOrigins& origins) : file_(std::move(file)), origins_(origins) {}

  std::vector<ConfigError>& errors() { return errors_; }
  ConfigOrigins& origins() { return origins_; }

  void error(const toml::source_region& where, std::string message) {
    errors_.push_back(ConfigError{file_, static_cast<int>(where.begin.line), static_cast<int>(where.begin.column),
                                  std::move(message)});
  }

  // A section of the root: nullptr when absent or not a table (reported).
  const toml::table* section(const toml::table& root, const std::string& name) {
    sectionNames_.insert(name);
    const toml::node* node = take(root, "", name);
    if (!node) return nullptr;
    if (!node->is_table()) {
      origins_.refuse(name);
      error(node->source(), name + " must be a table ([" + name + "]), not " +
                                std::string(nodeTypeName(node->type())));
      return nullptr;
    }
    sections_.emplace_back(name, node->as_table());
    return node->as_table();
  }

  std::optional<std::string> string(const toml::table* t, const std::string& table, const std::string& key) {
    const toml::node* node = typed(t, table, key, toml::node_type::string, "a string");
    if (!node) return std::nullopt;
    return node->as_string()->get();
  }

  std::optional<bool> boolean(const toml::table* t, const std::string& table, const std::string& key) {
    const toml::node* node = typed(t, table, key, toml::node_type::boolean, "a boolean (true or false)");
    if (!node) return std::nullopt;
    return node->as_boolean()->get();
  }

  std::optional<int64_t> integer(const toml::table* t, const std::string& table, const std::string& key,
                                 int64_t lo, int64_t hi) {
    const toml::node* node = typed(t, table, key, toml::node_type::integer, "an integer");
    if (!node) return std::nullopt;
    int64_t value = node->as_integer()->get();
    if (value < lo || value > hi) {
      origins_.refuse(path(table, key));
      error(node->source(), display(table, key) + " must be between " + std::to_string(lo) + " and " +
                                std::to_string(hi) + ", not " + std::to_string(value));
      return std::nullopt;
    }
    return value;
  }

  // A present key of any type; records it as known and where it is.
  const toml::node* take(const toml::table* t, const std::string& table, const std::string& key) {
    known_.emplace(table, key);
    if (!t) return nullptr;
    const toml::node* node = t->get(key);
    if (node) origins_.set(path(table, key), originOf(node->source()));
    return node;
  }
  const toml::node* take(const toml::table& t, const std::string& table, const std::string& key) {
    return take(&t, table, key);
  }

  ConfigOrigin originOf(const toml::source_region& where) const {
    return ConfigOrigin{file_, static_cast<int>(where.begin.line), static_cast<int>(where.begin.column)};
  }

  static std::string display(const std::string& table, const std::string& key) {
    return table.empty() ? key : "[" + table + "] " + key;
  }
  // A known name as the operator would write it: sections in brackets.
  std::string displayKnown(const std::string& table, const std::string& key) const {
    return table.empty() && sectionNames_.count(key) ? "[" + key + "]" : display(table, key);
  }
  static std::string path(const std::string& table, const std::string& key) {
    return table.empty() ? key : table + "." + key;
  }

  void reportUnknownKeys(const toml::table& root) {
    checkKeys(root, "");
    for (const auto& [name, table] : sections_) checkKeys(*table, name);
  }

 private:
  const toml::node* typed(const toml::table* t, const std::string& table, const std::string& key,
                          toml::node_type type, const std::string& expected) {
    const toml::node* node = take(t, table, key);
    if (!node) return nullptr;
    if (node->type() != type) {
      origins_.refuse(path(table, key));
      error(node->source(), display(table, key) + " must be " + expected + ", not " +
                                std::string(nodeTypeName(node->type())));
      return nullptr;
    }
    return node;
  }

  void checkKeys(const toml::table& t, const std::string& table) {
    for (auto&& [k, v] : t) {
      std::string key(k.str());
      if (known_.count({table, key})) continue;
      bool isSection = table.empty() && v.is_table();
      std::string what = isSection ? "unknown section [" + key + "]"
                                   : "unknown key '" + key + "' " + (table.empty() ? "at the top level" : "in [" + table + "]");
      error(k.source(), what + suggestion(table, key, isSection));
    }
  }

  // The same key in another table first (the wrong-section case), then a
  // near key of the same table (the typo case), then a near key elsewhere.
  std::string suggestion(const std::string& table, const std::string& key, bool isSection) const {
    std::vector<std::string> sameTable, elsewhere, elsewhereDisplay;
    for (const auto& [t, k] : known_) {
      if (t == table) {
        sameTable.push_back(k);
        continue;
      }
      if (k == key) return "; did you mean " + displayKnown(t, k) + "?";
      elsewhere.push_back(k);
      elsewhereDisplay.push_back(displayKnown(t, k));
    }
    if (auto near = nearestWord(key, sameTable))
      return isSection ? "; did you mean [" + *near + "]?" : "; did you mean '" + *near + "'?";
    if (auto near = nearestWord(key, elsewhere)) {
      auto it = std::find(elsewhere.begin(), elsewhere.end(), *near);
      return "; did you mean " + elsewhereDisplay[it - elsewhere.begin()] + "?";
    }
    return "";
  }

  std::string file_;
  ConfigOrigins& origins_;
  std::vector<ConfigError> errors_;
  std::set<std::pair<std::string, std::string>> known_;  // (table, key); "" is the root
  std::set<std::string> sectionNames_;
  std::vector<std::pair<std::string, const toml::table*>> sections_;
};

void readRole(DocumentReader& r, const toml::table& root, Config& config) {
  const toml::node* node = r.take(root, "", "role");
  if (!node) return;  // a flag may still give it; validation reports it otherwise
  auto text = r.string(&root, "", "role");
  if (!text) return;
  if (*text == "relay") {
    config.role = Role::Relay;
  } else if (*text == "edge") {
    config.role = Role::Edge;
  } else {
    r.origins().refuse("role");
    auto near = nearestWord(*text, {"relay", "edge"});
    r.error(node->source(), "role must be \"relay\" or \"edge\", not \"" + *text + "\"" +
                                (near ? "; did you mean \"" + *near + "\"?" : ""));
  }
}

void readInterfaces(DocumentReader& r, const toml::table* t, Config& config) {
  const std::string s = "interfaces";
  if (auto v = r.string(t, s, "uplink")) config.uplink = *v;
  if (auto v = r.integer(t, s, "uplink_mtu", 68, 65535)) config.uplinkMtu = static_cast<uint32_t>(*v);
  if (auto v = r.string(t, s, "tunnel")) config.tunnel = *v;
  // 0 (or absent): ask WireGuard for the tunnel's ListenPort at attach time.
  if (auto v = r.integer(t, s, "tunnel_listen_port", 0, 65535)) config.guard.listenPort = static_cast<uint16_t>(*v);
  if (auto v = r.string(t, s, "lan")) config.lan = *v;
}

std::optional<Ipv6Prefix> readPrefix(DocumentReader& r, const toml::table* t, const std::string& table,
                                     const std::string& key) {
  auto text = r.string(t, table, key);
  if (!text) return std::nullopt;
  std::string why;
  auto prefix = Ipv6Prefix::parse(*text, &why);
  if (!prefix) {
    r.origins().refuse(DocumentReader::path(table, key));
    r.error(t->get(key)->source(), DocumentReader::display(table, key) + ": " + why);
  }
  return prefix;
}

void readIcmpTypes(DocumentReader& r, const toml::table* t, Config& config) {
  const std::string label = "[mesh] allowed_icmpv6_types";
  const toml::node* node = r.take(t, "mesh", "allowed_icmpv6_types");
  if (!node) return;
  const toml::array* list = node->as_array();
  if (!list) {
    r.error(node->source(), label + " must be an array, not " + std::string(nodeTypeName(node->type())));
    return;
  }
  std::set<uint8_t> types;
  std::vector<std::string> names;
  for (auto [name, number] : kIcmpv6TypeNames) names.emplace_back(name);
  for (const toml::node& entry : *list) {
    std::optional<uint8_t> type;
    if (auto n = entry.as_integer()) {
      if (n->get() < 0 || n->get() > 255)
        r.error(entry.source(), label + ": " + std::to_string(n->get()) + " is not an ICMPv6 type (0-255)");
      else
        type = static_cast<uint8_t>(n->get());
    } else if (auto s = entry.as_string()) {
      for (auto [name, number] : kIcmpv6TypeNames)
        if (name == s->get()) type = number;
      if (!type) {
        auto near = nearestWord(s->get(), names);
        r.error(entry.source(), label + ": unknown ICMPv6 type name \"" + s->get() + "\"" +
                                    (near ? "; did you mean \"" + *near + "\"?" : ""));
      }
    } else {
      r.error(entry.source(), label + " entries must be type numbers or nft names, not " +
                                  std::string(nodeTypeName(entry.type())));
    }
    if (!type) continue;
    if (!types.insert(*type).second) {
      r.error(entry.source(), label + ": ICMPv6 type " + icmpv6TypeLabel(*type) + " is listed twice");
      continue;
    }
    // Validation reports a forbidden type at the entry that names it.
    r.origins().set("mesh.allowed_icmpv6_types." + std::to_string(*type), r.originOf(entry.source()));
  }
  config.allowedIcmpTypes = std::move(types);
}

void readMesh(DocumentReader& r, const toml::table* t, Config& config) {
  const std::string s = "mesh";
  if (auto p = readPrefix(r, t, s, "prefix")) config.meshPrefix = *p;
  if (auto p = readPrefix(r, t, s, "site_prefix")) config.sitePrefix = *p;
  if (auto text = r.string(t, s, "port_range")) {
    std::string why;
    if (auto range = parsePortRange(*text, "[mesh] port_range", &why))
      config.ports = *range;
    else
      r.origins().refuse("mesh.port_range"), r.error(t->get("port_range")->source(), why);
  }
  readIcmpTypes(r, t, config);
  if (auto v = r.boolean(t, s, "source_validation")) config.sourceValidation = *v;
}

// RFC 4443 2.4(f) requires a limit, so 0 ("unlimited") is not offered.
constexpr int64_t kMaxIcmpErrorsPerSecond = 100000;
constexpr int64_t kMaxHandshakesPerSecond = 1000000;

void readIcmp(DocumentReader& r, const toml::table* t, Config& config) {
  const std::string s = "icmp";
  if (auto v = r.integer(t, s, "error_rate_limit", 1, kMaxIcmpErrorsPerSecond))
    config.icmpErrors.perSecond = static_cast<uint32_t>(*v);
  if (auto v = r.integer(t, s, "error_burst", 1, kMaxIcmpErrorsPerSecond))
    config.icmpErrors.burst = static_cast<uint32_t>(*v);
  if (auto text = r.string(t, s, "error_source")) {
    if (auto a = Ipv6Addr::parse(*text))
      config.icmpSource = *a;
    else
      r.origins().refuse("icmp.error_source"), r.error(t->get("error_source")->source(), "[icmp] error_source: '" + *text + "' is not an IPv6 address");
  }
}

void readGuard(DocumentReader& r, const toml::table* t, Config& config) {
  const std::string s = "guard";
  if (auto v = r.boolean(t, s, "enabled")) config.guard.enabled = *v;
  if (auto v = r.boolean(t, s, "handshake_rate_limit")) config.guard.handshakeRateLimit = *v;
  if (auto v = r.integer(t, s, "handshake_rate", 1, kMaxHandshakesPerSecond))
    config.guard.handshake.perSecond = static_cast<uint32_t>(*v);
  if (auto v = r.integer(t, s, "handshake_burst", 1, kMaxHandshakesPerSecond))
    config.guard.handshake.burst = static_cast<uint32_t>(*v);
}

void readMetrics(DocumentReader& r, const toml::table* t, Config& config) {
  if (auto v = r.string(t, "metrics", "listen")) config.metricsListen = *v;
}

// [vrrp], keepalived's vocabulary. advert_int is seconds with decimals as
// keepalived writes it, held to the wire format's centiseconds (12 bits).
void readVrrp(DocumentReader& r, const toml::table* t, Config& config) {
  if (!t) return;
  const std::string s = "vrrp";
  VrrpConfig v;
  bool usable = true;
  if (auto x = r.integer(t, s, "virtual_router_id", 1, 255)) v.vrid = static_cast<uint8_t>(*x);
  if (!t->get("virtual_router_id"))
    usable = false, r.error(t->source(), "[vrrp] virtual_router_id is missing (1-255, the same on every edge of the site)");
  if (auto x = r.integer(t, s, "priority", 1, 255)) v.priority = static_cast<uint8_t>(*x);
  if (const toml::node* n = r.take(t, s, "advert_int")) {
    std::optional<double> seconds;
    if (auto f = n->as_floating_point()) seconds = f->get();
    if (auto i = n->as_integer()) seconds = static_cast<double>(i->get());
    double cs = seconds ? *seconds * 100.0 : -1.0;
    long rounded = std::lround(cs);
    if (!seconds || rounded < 1 || rounded > 4095 || std::fabs(cs - static_cast<double>(rounded)) > 1e-6) {
      usable = false;
      r.origins().refuse("vrrp.advert_int");
      r.error(n->source(), "[vrrp] advert_int must be seconds between 0.01 and 40.95 in steps of 0.01");
    } else {
      v.advertIntervalCs = static_cast<uint16_t>(rounded);
    }
  }
  if (auto x = r.boolean(t, s, "preempt")) v.preempt = *x;
  if (auto text = r.string(t, s, "virtual_address")) {
    auto a = Ipv6Addr::parse(*text);
    if (!a || !a->isLinkLocal()) {
      usable = false;
      r.origins().refuse("vrrp.virtual_address");
      r.error(t->get("virtual_address")->source(),
              "[vrrp] virtual_address: '" + *text + "' is not an IPv6 link-local address (hosts need a link-local router)");
    } else {
      v.virtualAddress = *a;
    }
  } else if (!t->get("virtual_address")) {
    usable = false;
    r.error(t->source(), "[vrrp] virtual_address is missing (the link-local VIP, e.g. \"fe80::1\")");
  }
  if (auto x = r.integer(t, s, "na_burst", 0, 100)) v.naBurst = static_cast<uint32_t>(*x);
  if (auto x = r.string(t, s, "relay_endpoint")) v.relayEndpoint = *x;
  if (auto x = r.integer(t, s, "resolve_interval", 1, 86400)) v.resolveIntervalS = static_cast<uint32_t>(*x);
  if (usable) config.vrrp = v;
}

// [ra], radvd's vocabulary in snake_case, checked against RFC 4861 6.2.1
// (and RFC 4191 / 8106 for the options). Cross-key rules are reported at
// the key that breaks them.
void readRa(DocumentReader& r, const toml::table* t, Config& config) {
  if (!t) return;
  const std::string s = "ra";
  RaConfig ra;
  bool usable = true;
  auto refuse = [&](const std::string& key, const std::string& why) {
    usable = false;
    r.origins().refuse("ra." + key);
    const toml::node* n = t->get(key);
    r.error(n ? n->source() : t->source(), "[ra] " + key + ": " + why);
  };
  auto address = [&](const std::string& key, const toml::node& n) -> std::optional<Ipv6Addr> {
    auto text = n.value<std::string>();
    auto a = text ? Ipv6Addr::parse(*text) : std::nullopt;
    if (!a) {
      usable = false;
      r.origins().refuse("ra." + key);
      r.error(n.source(), "[ra] " + key + ": " + (text ? "'" + *text + "' is not an IPv6 address" : "expected a string"));
    }
    return a;
  };
  auto stringList = [&](const std::string& key) -> std::vector<const toml::node*> {
    std::vector<const toml::node*> out;
    const toml::node* n = r.take(t, s, key);
    if (!n) return out;
    if (!n->is_array()) {
      refuse(key, "must be an array of strings");
      return out;
    }
    for (const auto& e : *n->as_array()) out.push_back(&e);
    return out;
  };
  constexpr int64_t kInfinite = 0xffffffff;

  if (auto x = r.string(t, s, "interface")) ra.interface = *x;
  if (const toml::node* n = r.take(t, s, "source")) {
    if (auto a = address("source", *n)) {
      if (!a->isLinkLocal())
        refuse("source", "'" + a->str() + "' is not link-local (hosts accept RAs only from a link-local router)");
      else
        ra.source = *a;
    }
  } else if (!config.vrrp && !t->get("source")) {
    usable = false;
    r.error(t->source(), "[ra] source is missing (the link-local address RAs come from; with [vrrp] the VIP)");
  }
  if (auto x = r.integer(t, s, "max_rtr_adv_interval", 4, 1800)) ra.maxRtrAdvIntervalMs = static_cast<uint32_t>(*x) * 1000;
  if (auto x = r.integer(t, s, "min_rtr_adv_interval", 3, 1350)) {
    ra.minRtrAdvIntervalMs = static_cast<uint32_t>(*x) * 1000;
    if (ra.minRtrAdvIntervalMs * 4 > ra.maxRtrAdvIntervalMs * 3)
      refuse("min_rtr_adv_interval", "must be at most 0.75 x max_rtr_adv_interval (" +
                                         std::to_string(ra.maxRtrAdvIntervalMs * 3 / 4000) + " s) (RFC 4861 6.2.1)");
  }
  if (auto x = r.integer(t, s, "adv_default_lifetime", 0, 9000)) {
    ra.defaultLifetimeS = static_cast<uint16_t>(*x);
    if (*x != 0 && *x * 1000 < ra.maxRtrAdvIntervalMs)
      refuse("adv_default_lifetime", "must be 0 or at least max_rtr_adv_interval (RFC 4861 6.2.1)");
  }
  if (auto x = r.integer(t, s, "adv_reachable_time", 0, 3600000)) ra.reachableTimeMs = static_cast<uint32_t>(*x);
  if (auto x = r.integer(t, s, "adv_retrans_timer", 0, kInfinite)) ra.retransTimerMs = static_cast<uint32_t>(*x);
  if (auto x = r.integer(t, s, "adv_cur_hop_limit", 0, 255)) ra.curHopLimit = static_cast<uint8_t>(*x);
  if (auto x = r.boolean(t, s, "adv_managed_flag")) ra.managedFlag = *x;
  if (auto x = r.boolean(t, s, "adv_other_config_flag")) ra.otherConfigFlag = *x;
  if (auto x = r.integer(t, s, "adv_link_mtu", 1280, kInfinite)) ra.linkMtu = static_cast<uint32_t>(*x);
  if (auto x = r.integer(t, s, "adv_valid_lifetime", 0, kInfinite)) ra.validLifetimeS = static_cast<uint32_t>(*x);
  if (auto x = r.integer(t, s, "adv_preferred_lifetime", 0, kInfinite)) {
    ra.preferredLifetimeS = static_cast<uint32_t>(*x);
    if (ra.preferredLifetimeS > ra.validLifetimeS)
      refuse("adv_preferred_lifetime", "must not exceed adv_valid_lifetime (RFC 4862 5.5.3)");
  }
  if (auto x = r.boolean(t, s, "adv_router_addr")) ra.routerAddr = *x;
  if (auto x = r.integer(t, s, "adv_route_lifetime", 0, kInfinite)) {
    ra.routeLifetimeS = static_cast<uint32_t>(*x);
    if (*x == 0) refuse("adv_route_lifetime", "0 would withdraw the mesh route from every host");
  }
  if (auto x = r.string(t, s, "adv_route_preference")) {
    if (*x == "low") ra.routePreference = RaRoutePreference::Low;
    else if (*x == "medium") ra.routePreference = RaRoutePreference::Medium;
    else if (*x == "high") ra.routePreference = RaRoutePreference::High;
    else refuse("adv_route_preference", "must be \"low\", \"medium\" or \"high\", not \"" + *x + "\"");
  }
  for (const toml::node* n : stringList("rdnss"))
    if (auto a = address("rdnss", *n)) ra.rdnss.push_back(*a);
  if (auto x = r.integer(t, s, "adv_rdnss_lifetime", 0, kInfinite)) ra.rdnssLifetimeS = static_cast<uint32_t>(*x);
  for (const toml::node* n : stringList("dnssl")) {
    auto text = n->value<std::string>();
    if (!text || text->empty() || text->size() > 253) {
      usable = false;
      r.origins().refuse("ra.dnssl");
      r.error(n->source(), "[ra] dnssl: expected a domain name of 1-253 characters");
    } else {
      ra.dnssl.push_back(*text);
    }
  }
  if (auto x = r.integer(t, s, "adv_dnssl_lifetime", 0, kInfinite)) ra.dnsslLifetimeS = static_cast<uint32_t>(*x);
  if (auto x = r.boolean(t, s, "remove_adv_on_exit")) {
    ra.removeAdvOnExit = *x;
    if (*x && config.vrrp && (!ra.source || *ra.source == config.vrrp->virtualAddress))
      refuse("remove_adv_on_exit", "a lifetime-0 RA from the shared VRRP address deletes the mesh route on every "
                                   "host while the other edge is alive (DESIGN.md 6)");
  }
  if (usable) config.ra = ra;
}

void readDocument(DocumentReader& r, const toml::table& root, Config& config) {
  readRole(r, root, config);
  readInterfaces(r, r.section(root, "interfaces"), config);
  readMesh(r, r.section(root, "mesh"), config);
  readIcmp(r, r.section(root, "icmp"), config);
  readGuard(r, r.section(root, "guard"), config);
  readMetrics(r, r.section(root, "metrics"), config);
  readVrrp(r, r.section(root, "vrrp"), config);
  // After [vrrp]: the RA source and interface default to the VRRP ones.
  readRa(r, r.section(root, "ra"), config);
  r.reportUnknownKeys(root);
}

void applyOverrides(const ConfigOverrides& o, Config& config, ConfigOrigins& origins,
                    std::vector<ConfigError>& errors) {
  auto flag = [&](const std::string& key, const std::string& name) { origins.set(key, ConfigOrigin{name, 0, 0}); };
  auto prefix = [&](const std::optional<std::string>& text, const std::string& key, const std::string& name)
      -> std::optional<Ipv6Prefix> {
    if (!text) return std::nullopt;
    flag(key, name);
    std::string why;
    auto p = Ipv6Prefix::parse(*text, &why);
    if (!p) origins.refuse(key), errors.push_back(ConfigError{name, 0, 0, why});
    return p;
  };
  if (o.role) config.role = *o.role, flag("role", "--role");
  if (o.uplink) config.uplink = *o.uplink, flag("interfaces.uplink", "--uplink");
  if (o.tunnel) config.tunnel = *o.tunnel, flag("interfaces.tunnel", "--tunnel");
  if (o.lan) config.lan = *o.lan, flag("interfaces.lan", "--lan");
  if (auto p = prefix(o.meshPrefix, "mesh.prefix", "--mesh-prefix")) config.meshPrefix = *p;
  if (auto p = prefix(o.sitePrefix, "mesh.site_prefix", "--site-prefix")) config.sitePrefix = *p;
  if (o.portRange) {
    flag("mesh.port_range", "--port-range");
    std::string why;
    if (auto range = parsePortRange(*o.portRange, "--port-range", &why))
      config.ports = *range;
    else
      origins.refuse("mesh.port_range"), errors.push_back(ConfigError{"--port-range", 0, 0, why});
  }
  if (o.guardListenPort) config.guard.listenPort = *o.guardListenPort, flag("interfaces.tunnel_listen_port", "--listen-port");
  if (o.metricsListen) config.metricsListen = *o.metricsListen, flag("metrics.listen", "--metrics-listen");
}

}  // namespace

ConfigLoad parseConfig(std::string_view text, const std::string& sourceName, const ConfigOverrides& overrides) {
  ConfigLoad result;
  if (auto where = nonAsciiOutsideComments(text)) {
    result.errors.push_back(ConfigError{sourceName, where->first, where->second,
                                        "non-ASCII character outside a comment (keys and values are ASCII)"});
    return result;
  }
  toml::table root;
  try {
    root = toml::parse(text, sourceName);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    result.errors.push_back(ConfigError{sourceName, static_cast<int>(where.line), static_cast<int>(where.column),
                                        "TOML syntax error: " + std::string(e.description())});
    return result;
  }

  Config config;
  ConfigOrigins origins(ConfigOrigin{sourceName, 1, 1});
  DocumentReader reader(sourceName, origins);
  readDocument(reader, root, config);
  std::vector<ConfigError> errors = std::move(reader.errors());
  applyOverrides(overrides, config, origins, errors);
  for (auto& e : validateConfig(config, origins)) errors.push_back(std::move(e));

  // File order, then the flags: the order an operator fixes them in.
  std::stable_sort(errors.begin(), errors.end(), [](const ConfigError& a, const ConfigError& b) {
    auto key = [](const ConfigError& e) { return std::make_tuple(e.line <= 0, e.line, e.column); };
    return key(a) < key(b);
  });
  errors.erase(std::unique(errors.begin(), errors.end(),
                           [](const ConfigError& a, const ConfigError& b) { return a.str() == b.str(); }),
               errors.end());
  if (errors.empty()) result.config = std::move(config);
  result.errors = std::move(errors);
  return result;
}

ConfigLoad loadConfigFile(const std::string& path, const ConfigOverrides& overrides) {
  auto unreadable = [&](int err) {
    ConfigLoad result;
    result.errors.push_back(ConfigError{path, 0, 0, std::string("cannot read the config file: ") + std::strerror(err)});
    return result;
  };
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) return unreadable(errno);
  std::string text;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) text.append(buffer, n);
  if (std::ferror(file.get())) return unreadable(errno);  // e.g. EISDIR
  return parseConfig(text, path, overrides);
}

}  // namespace meshfwd
