#include "userspace/host_doctor.h"

#include <cstdio>
#include <fstream>
#include <sstream>

namespace meshfwd {

namespace {

constexpr int kMeshPrefixLength = 48;

std::optional<long> asNumber(const std::optional<std::string>& v) {
  if (!v) return std::nullopt;
  try {
    size_t used = 0;
    long n = std::stol(*v, &used);
    if (used == v->size()) return n;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

std::string sysctlFix(const std::string& ifname, const std::string& key, const std::string& value) {
  return "sysctl -w net.ipv6.conf." + ifname + "." + key + "=" + value;
}

DoctorCheck numeric(const HostFacts& f, const std::string& ifname, const std::string& key) {
  DoctorCheck c;
  c.name = key;
  auto v = f.ipv6Conf(ifname, key);
  c.found = v ? *v : "missing";
  return c;
}

const char* addrGenModeName(long mode) {
  switch (mode) {
    case 0: return "eui64";
    case 1: return "none";
    case 2: return "stable-privacy";
    case 3: return "random";
  }
  return "unknown";
}

}  // namespace

bool DoctorReport::mustChange() const {
  for (const auto& c : checks)
    if (!c.ok) return true;
  return false;
}

DoctorReport checkHost(const HostFacts& f, const std::string& ifname) {
  DoctorReport r;
  r.ifname = ifname;
  if (!f.ipv6Conf(ifname, "accept_ra")) {
    r.checks.push_back({"interface", false, "no net.ipv6.conf." + ifname, "the interface does not exist or has IPv6 off",
                        {"ip link show " + ifname, "sysctl -w net.ipv6.conf." + ifname + ".disable_ipv6=0"}});
    return r;
  }
  bool forwarding = asNumber(f.ipv6Conf(ifname, "forwarding")).value_or(0) != 0;

  DoctorCheck acceptRa = numeric(f, ifname, "accept_ra");
  long ra = asNumber(f.ipv6Conf(ifname, "accept_ra")).value_or(0);
  if (forwarding) {
    acceptRa.ok = ra == 2;
    acceptRa.why = acceptRa.ok ? "forwarding is on, and 2 accepts RAs anyway"
                               : "forwarding is on: the kernel ignores RAs unless accept_ra = 2";
    if (!acceptRa.ok) acceptRa.fix = {sysctlFix(ifname, "accept_ra", "2")};
  } else {
    acceptRa.ok = ra == 1 || ra == 2;
    acceptRa.why = acceptRa.ok ? "RAs are accepted" : "RAs are ignored: no SLAAC address and no mesh route";
    if (!acceptRa.ok) acceptRa.fix = {sysctlFix(ifname, "accept_ra", "1")};
  }
  r.checks.push_back(acceptRa);

  DoctorCheck maxPlen = numeric(f, ifname, "accept_ra_rt_info_max_plen");
  maxPlen.ok = asNumber(f.ipv6Conf(ifname, "accept_ra_rt_info_max_plen")).value_or(0) >= kMeshPrefixLength;
  maxPlen.why = maxPlen.ok ? "route information for the mesh /48 is installed"
                           : "the kernel ignores route information longer than this: the mesh /48 never arrives "
                             "(needs >= 48)";
  if (!maxPlen.ok) maxPlen.fix = {sysctlFix(ifname, "accept_ra_rt_info_max_plen", "64")};
  r.checks.push_back(maxPlen);

  DoctorCheck minPlen = numeric(f, ifname, "accept_ra_rt_info_min_plen");
  minPlen.ok = asNumber(f.ipv6Conf(ifname, "accept_ra_rt_info_min_plen")).value_or(0) <= kMeshPrefixLength;
  minPlen.why = minPlen.ok ? "at most 48" : "route information shorter than this is ignored: the /48 is";
  if (!minPlen.ok) minPlen.fix = {sysctlFix(ifname, "accept_ra_rt_info_min_plen", "0")};
  r.checks.push_back(minPlen);

  DoctorCheck rtrPref = numeric(f, ifname, "accept_ra_rtr_pref");
  rtrPref.ok = asNumber(f.ipv6Conf(ifname, "accept_ra_rtr_pref")).value_or(0) != 0;
  rtrPref.why = rtrPref.ok ? "route information is processed" : "with 0 the kernel skips route information options";
  if (!rtrPref.ok) rtrPref.fix = {sysctlFix(ifname, "accept_ra_rtr_pref", "1")};
  r.checks.push_back(rtrPref);

  DoctorCheck autoconf = numeric(f, ifname, "autoconf");
  autoconf.ok = asNumber(f.ipv6Conf(ifname, "autoconf")).value_or(0) != 0;
  autoconf.why = autoconf.ok ? "SLAAC configures an address in the site /64" : "no SLAAC address in the site /64";
  if (!autoconf.ok) autoconf.fix = {sysctlFix(ifname, "autoconf", "1")};
  r.checks.push_back(autoconf);

  DoctorCheck temp = numeric(f, ifname, "use_tempaddr");
  temp.ok = asNumber(f.ipv6Conf(ifname, "use_tempaddr")).value_or(0) <= 0;
  temp.why = temp.ok ? "no privacy addresses" : "privacy addresses change and become the source of outgoing traffic: "
                                                "other servers' WireGuard endpoints for this one go stale";
  if (!temp.ok) temp.fix = {sysctlFix(ifname, "use_tempaddr", "0")};
  r.checks.push_back(temp);

  DoctorCheck gen;
  gen.name = "stable address";
  long mode = asNumber(f.ipv6Conf(ifname, "addr_gen_mode")).value_or(-1);
  std::string token = f.token(ifname);
  bool hasToken = !token.empty() && token != "::";
  gen.found = std::string("addr_gen_mode ") + addrGenModeName(mode) + (hasToken ? ", token " + token : "");
  if (hasToken) {
    gen.ok = true;
    gen.why = "the token fixes the interface identifier";
  } else if (mode == 0 || mode == 2) {
    gen.ok = true;
    gen.why = mode == 0 ? "derived from the MAC (stable while the NIC is)" : "stable per prefix and interface (RFC 7217)";
  } else {
    gen.ok = false;
    gen.why = mode == 3 ? "a random identifier changes: other servers' WireGuard endpoints go stale"
                        : "the kernel makes no SLAAC address in this mode";
    gen.fix = {"ip token set ::1234 dev " + ifname + "   (any fixed identifier)",
               sysctlFix(ifname, "addr_gen_mode", "0") + "   (or 2: stable-privacy)"};
  }
  r.checks.push_back(gen);
  return r;
}

std::string formatReport(const DoctorReport& report) {
  std::ostringstream out;
  out << "host checks for " << report.ifname << ":\n";
  for (const auto& c : report.checks) {
    out << (c.ok ? "  ok   " : "  FIX  ") << c.name << " = " << c.found << ": " << c.why << "\n";
    for (const auto& fix : c.fix) out << "         " << fix << "\n";
  }
  if (!report.mustChange()) {
    out << "nothing to change.\n";
    return out.str();
  }
  const std::string& i = report.ifname;
  out << "\nTo keep it across reboots, either /etc/sysctl.d/60-meshfwd-host.conf:\n"
      << "  net.ipv6.conf." << i << ".accept_ra = 2\n"
      << "  net.ipv6.conf." << i << ".accept_ra_rt_info_max_plen = 64\n"
      << "  net.ipv6.conf." << i << ".autoconf = 1\n"
      << "  net.ipv6.conf." << i << ".use_tempaddr = 0\n"
      << "or let systemd-networkd handle RAs (/etc/systemd/network/10-" << i << ".network):\n"
      << "  [Match]\n  Name=" << i << "\n"
      << "  [Network]\n  IPv6AcceptRA=yes\n  IPv6PrivacyExtensions=no\n"
      << "  [IPv6AcceptRA]\n  Token=static:::1234\n"
      << "(networkd then processes RAs itself, route information included, and sets the kernel's accept_ra to 0)\n";
  return out.str();
}

std::optional<std::string> SystemHostFacts::ipv6Conf(const std::string& ifname, const std::string& key) const {
  if (ifname.empty() || ifname.find('/') != std::string::npos || ifname == "." || ifname == "..") return std::nullopt;
  std::ifstream in("/proc/sys/net/ipv6/conf/" + ifname + "/" + key);
  std::string value;
  if (!in || !std::getline(in, value)) return std::nullopt;
  while (!value.empty() && (value.back() == ' ' || value.back() == '\n' || value.back() == '\t')) value.pop_back();
  return value;
}

std::string SystemHostFacts::token(const std::string& ifname) const {
  // iproute2 prints "token ::1234 dev eth0"; an unset token reads "token :: dev eth0".
  std::string cmd = "ip -6 token get dev '" + ifname + "' 2>/dev/null";
  if (ifname.find('\'') != std::string::npos) return "::";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return "::";
  char line[256] = {};
  std::string text = std::fgets(line, sizeof line, p) ? line : "";
  ::pclose(p);
  std::istringstream words(text);
  std::string word, token;
  words >> word >> token;
  return word == "token" && !token.empty() ? token : "::";
}

}  // namespace meshfwd
