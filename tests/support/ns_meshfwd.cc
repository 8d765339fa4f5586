#include "tests/support/ns_meshfwd.h"

#include <sstream>
#include <stdexcept>

#include "tests/support/ns_json.h"

namespace meshfwd::test {

namespace {

PacketsBytes counterOf(const JsonValue& v) { return {v.at("packets").u64(), v.at("bytes").u64()}; }

PacketsBytes minus(const PacketsBytes& after, const PacketsBytes& before) {
  return {after.packets - before.packets, after.bytes - before.bytes};
}

}  // namespace

MeshfwdStats MeshfwdStats::fromJson(const std::string& json) {
  JsonValue doc = JsonValue::parse(json);
  MeshfwdStats s;
  s.generation = doc.at("generation").u64();
  for (const auto& r : doc.at("reasons").array()) {
    s.reasons[r.at("hook").string() + "/" + r.at("reason").string()] = counterOf(r);
  }
  for (const auto& site : doc.at("sites").array()) {
    s.sites[site.at("site").string()] = {counterOf(site.at("to_site")), counterOf(site.at("from_site"))};
  }
  return s;
}

uint64_t MeshfwdStats::packets(const std::string& hookReason) const {
  auto it = reasons.find(hookReason);
  return it == reasons.end() ? 0 : it->second.packets;
}

SiteStats MeshfwdStats::site(const std::string& prefix) const {
  auto it = sites.find(prefix);
  return it == sites.end() ? SiteStats{} : it->second;
}

MeshfwdStats MeshfwdStats::deltaTo(const MeshfwdStats& after) const {
  MeshfwdStats d;
  d.generation = after.generation;
  for (const auto& [name, c] : after.reasons) {
    auto it = reasons.find(name);
    d.reasons[name] = it == reasons.end() ? c : minus(c, it->second);
  }
  for (const auto& [name, c] : after.sites) {
    auto it = sites.find(name);
    d.sites[name] = it == sites.end() ? c
                                      : SiteStats{minus(c.toSite, it->second.toSite),
                                                  minus(c.fromSite, it->second.fromSite)};
  }
  return d;
}

std::string MeshfwdStats::nonZero() const {
  std::ostringstream out;
  for (const auto& [name, c] : reasons) {
    if (c.packets != 0) out << "  " << name << " = " << c.packets << " packets\n";
  }
  for (const auto& [name, c] : sites) {
    if (c.toSite.packets || c.fromSite.packets) {
      out << "  site " << name << ": to_site " << c.toSite.packets << ", from_site " << c.fromSite.packets << "\n";
    }
  }
  return out.str();
}

CommandResult MeshfwdCli::run(const NetNs& ns, const std::vector<std::string>& args) const {
  std::vector<std::string> argv{binary_};
  argv.insert(argv.end(), args.begin(), args.end());
  return ns.run(argv);
}

MeshfwdStats MeshfwdCli::stats(const NetNs& ns) const {
  auto r = run(ns, {"stats", "--json"});
  if (!r.ok()) throw std::runtime_error(r.describe());
  return MeshfwdStats::fromJson(r.out);
}

MeshfwdAttachment::MeshfwdAttachment(const MeshfwdCli& cli, const NetNs& ns, const std::vector<std::string>& attachArgs)
    : cli_(cli), ns_(ns) {
  std::vector<std::string> args{"attach"};
  args.insert(args.end(), attachArgs.begin(), attachArgs.end());
  attach_ = cli.run(ns, args);
  if (!attach_.ok()) {
    // A failed attach must leave nothing behind; detach anyway so a bug
    // there cannot leak into the next test.
    cli.run(ns, {"detach"});
    throw std::runtime_error(attach_.describe());
  }
  attached_ = true;
}

MeshfwdAttachment::~MeshfwdAttachment() {
  if (attached_) detach();
}

CommandResult MeshfwdAttachment::detach() {
  attached_ = false;
  return cli_.run(ns_, {"detach"});
}

}  // namespace meshfwd::test
