// The RA sender against the real Linux host stack and rdisc6 (issue 6): an
// edge and a host namespace on one veth link, the source address added and
// removed by hand the way VRRP master and backup will.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>

#include "tests/netns/ra_test_fixture.h"

namespace meshfwd::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// rdisc6's "Key : value" lines, keys trimmed, values cut to the first word.
std::multimap<std::string, std::string> parseRdisc6(const std::string& out) {
  std::multimap<std::string, std::string> fields;
  std::istringstream lines(out);
  std::string line;
  auto trim = [](std::string s) {
    s.erase(0, s.find_first_not_of(" \t"));
    s.erase(s.find_last_not_of(" \t") + 1);
    return s;
  };
  while (std::getline(lines, line)) {
    auto colon = line.find(" : ");
    if (colon == std::string::npos) colon = line.find(": ");
    std::string key = trim(line.substr(0, colon == std::string::npos ? line.size() : colon));
    if (key.rfind("from ", 0) == 0) {
      fields.emplace("from", trim(key.substr(5)));
      continue;
    }
    if (colon == std::string::npos) continue;
    std::istringstream value(line.substr(colon + 2));
    std::string first;
    value >> first;
    fields.emplace(key, first);
  }
  return fields;
}

std::string field(const std::multimap<std::string, std::string>& f, const std::string& key) {
  auto it = f.find(key);
  return it == f.end() ? "<missing " + key + ">" : it->second;
}

uint16_t checksum16(const Bytes& pseudoAndMessage) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < pseudoAndMessage.size(); i += 2) sum += (pseudoAndMessage[i] << 8) | pseudoAndMessage[i + 1];
  if (pseudoAndMessage.size() % 2) sum += pseudoAndMessage.back() << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

// A Router Solicitation as a whole Ethernet frame, so the test controls
// what a socket would not let it: the hop limit, the code, the :: source.
Bytes solicitFrame(const Mac& srcMac, const In6& src, uint8_t hopLimit, uint8_t code, bool withSlla) {
  Bytes icmp = {133, code, 0, 0, 0, 0, 0, 0};
  if (withSlla) {
    icmp.insert(icmp.end(), {1, 1});
    icmp.insert(icmp.end(), srcMac.begin(), srcMac.end());
  }
  In6 allRouters = In6::parse("ff02::2");
  Bytes pseudo(src.b.begin(), src.b.end());
  pseudo.insert(pseudo.end(), allRouters.b.begin(), allRouters.b.end());
  pseudo.insert(pseudo.end(), {0, 0, static_cast<uint8_t>(icmp.size() >> 8), static_cast<uint8_t>(icmp.size()), 0, 0, 0, 58});
  pseudo.insert(pseudo.end(), icmp.begin(), icmp.end());
  uint16_t sum = checksum16(pseudo);
  icmp[2] = static_cast<uint8_t>(sum >> 8);
  icmp[3] = static_cast<uint8_t>(sum);
  Bytes f = {0x33, 0x33, 0, 0, 0, 2};
  f.insert(f.end(), srcMac.begin(), srcMac.end());
  f.insert(f.end(), {0x86, 0xdd, 0x60, 0, 0, 0, 0, static_cast<uint8_t>(icmp.size()), 58, hopLimit});
  f.insert(f.end(), src.b.begin(), src.b.end());
  f.insert(f.end(), allRouters.b.begin(), allRouters.b.end());
  f.insert(f.end(), icmp.begin(), icmp.end());
  return f;
}

// "" or what failed.
std::string sendFrame(const NetNs& ns, const std::string& ifname, const Bytes& frame) {
  std::string error;
  runInNetns(ns.name(), [&] {
    int fd = ::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      error = std::string("socket(AF_PACKET): ") + std::strerror(errno);
      return;
    }
    sockaddr_ll to{};
    to.sll_family = AF_PACKET;
    to.sll_ifindex = static_cast<int>(::if_nametoindex(ifname.c_str()));
    to.sll_halen = 6;
    if (::sendto(fd, frame.data(), frame.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) !=
        static_cast<ssize_t>(frame.size()))
      error = std::string("sendto: ") + std::strerror(errno);
    ::close(fd);
  });
  return error;
}

Mac parseMac(const std::string& text) {
  unsigned m[6];
  std::sscanf(text.c_str(), "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]);
  return {static_cast<uint8_t>(m[0]), static_cast<uint8_t>(m[1]), static_cast<uint8_t>(m[2]),
          static_cast<uint8_t>(m[3]), static_cast<uint8_t>(m[4]), static_cast<uint8_t>(m[5])};
}

std::string meshRoute(const RaLink& link) {
  return link.host.must({"ip", "-6", "route", "show", kRaMesh, "dev", link.hostIf}).out;
}

TEST(RaHost, HostLearnsSiteAndMeshRouteAnswersSolicitsAndKeepsTheRouteWhenTheSourceGoes) {
  RaLink link;
  PacketCapture capture(link.host.name(), link.hostIf);
  std::vector<CapturedRa> seen;
  auto collect = [&](std::chrono::milliseconds wait) {
    while (auto p = capture.next(isRouterAdvert, wait)) seen.push_back(parseCapturedRa(*p));
  };

  RaSenderThread sender(link.edge.name(), parseOrThrow(seedEdgeConfig(link.edgeIf)));
  EXPECT_FALSE(sender.counters().active) << "no source address yet: nothing to send from";
  EXPECT_EQ(sender.totalSent(), 0u);

  // The source appears (VRRP master): the first fast RA goes out at once.
  link.addSource();
  ASSERT_TRUE(eventually("the sender is active and sent a multicast RA", 10s, [&] {
    auto c = sender.counters();
    return c.active && c.sent["multicast"] >= 1;
  })) << sender.metrics();

  const std::string edgeMac = link.edge.mac(link.edgeIf);
  const std::string expected = slaacAddress(link.host.mac(link.hostIf));
  ASSERT_TRUE(eventually("the host has SLAAC address " + expected, 15s, [&] {
    return link.host.must({"ip", "-6", "addr", "show", "dev", link.hostIf}).out.find(expected + "/64") !=
           std::string::npos;
  }));
  ASSERT_TRUE(eventually("the host installs the mesh /48", 10s, [&] { return !meshRoute(link).empty(); }));
  std::string route = meshRoute(link);
  EXPECT_THAT(route, HasSubstr("via " + kRaSource));
  EXPECT_THAT(route, HasSubstr("proto ra"));
  EXPECT_THAT(route, HasSubstr("pref high"));
  EXPECT_THAT(route, HasSubstr("expires")) << "the route lives on the RIO lifetime";
  EXPECT_EQ(link.host.must({"ip", "-6", "route", "show", "default"}).out, "")
      << "router lifetime 0: never the hosts' default router";

  collect(2s);
  ASSERT_FALSE(seen.empty());
  const CapturedRa& first = seen.front();
  EXPECT_EQ(first.src.str(), kRaSource);
  EXPECT_EQ(first.dst.str(), "ff02::1");
  EXPECT_EQ(first.ipHopLimit, 255);
  ASSERT_EQ(first.optionsOfType(1).size(), 1u);
  Mac slla;
  std::copy_n(first.optionsOfType(1)[0].begin() + 2, 6, slla.begin());
  EXPECT_EQ(slla, parseMac(edgeMac)) << "source link-layer = the sending interface's MAC";

  // rdisc6 solicits (from the host's link-local address) and decodes the answer.
  uint64_t unicastBefore = sender.counters().sent["unicast"];
  uint64_t acceptedBefore = sender.counters().solicits["accept"];
  auto rdisc = link.host.run({"rdisc6", "-1", "-n", "-w", "3000", link.hostIf});
  ASSERT_TRUE(rdisc.ok()) << rdisc.describe() << rdisc.out;
  auto f = parseRdisc6(rdisc.out);
  EXPECT_EQ(field(f, "Hop limit"), "64") << rdisc.out;
  EXPECT_EQ(field(f, "Stateful address conf."), "No");
  EXPECT_EQ(field(f, "Stateful other conf."), "No");
  EXPECT_EQ(field(f, "Router preference"), "medium");
  EXPECT_EQ(field(f, "Router lifetime"), "0");
  EXPECT_EQ(field(f, "Reachable time"), "600000");
  EXPECT_EQ(field(f, "Retransmit time"), "unspecified");
  EXPECT_EQ(field(f, "Prefix"), kRaSite);
  EXPECT_EQ(field(f, "On-link"), "Yes");
  EXPECT_EQ(field(f, "Autonomous address conf."), "Yes");
  EXPECT_EQ(field(f, "Valid time"), "86400");
  EXPECT_EQ(field(f, "Pref. time"), "14400");
  EXPECT_EQ(field(f, "Route"), kRaMesh);
  EXPECT_EQ(field(f, "Route preference"), "high");
  EXPECT_EQ(field(f, "Route lifetime"), "90");
  std::string rdiscMac = field(f, "Source link-layer address");
  std::transform(rdiscMac.begin(), rdiscMac.end(), rdiscMac.begin(), [](unsigned char c) { return std::tolower(c); });
  EXPECT_EQ(rdiscMac, edgeMac) << "rdisc6 prints it in upper case";
  EXPECT_EQ(field(f, "from"), kRaSource);
  EXPECT_THAT(rdisc.out, Not(HasSubstr("MTU"))) << "no MTU option unless configured";

  ASSERT_TRUE(eventually("the solicitation was accepted and answered by unicast", 5s, [&] {
    auto c = sender.counters();
    return c.solicits["accept"] > acceptedBefore && c.sent["unicast"] > unicastBefore;
  })) << sender.metrics();
  std::string hostLla = link.hostLinkLocal();
  ASSERT_FALSE(hostLla.empty());
  // A periodic multicast RA may arrive before the answer: next() skips what
  // the predicate refuses, so keep it in `seen` for the count at the end.
  auto unicast = capture.next(
      [&](const Bytes& p) {
        if (!isRouterAdvert(p)) return false;
        CapturedRa ra = parseCapturedRa(p);
        if (ra.dst.str() == hostLla) return true;
        seen.push_back(ra);
        return false;
      },
      5s);
  ASSERT_TRUE(unicast) << "the answer to rdisc6 went to the solicitor's address (RFC 7772)";
  seen.push_back(parseCapturedRa(*unicast));

  // Invalid solicitations are dropped and counted, and answered by nothing.
  const Mac hostMac = parseMac(link.host.mac(link.hostIf));
  const In6 hostSrc = In6::parse(hostLla);
  unicastBefore = sender.counters().sent["unicast"];
  acceptedBefore = sender.counters().solicits["accept"];
  ASSERT_EQ(sendFrame(link.host, link.hostIf, solicitFrame(hostMac, hostSrc, 64, 0, true)), "");
  ASSERT_EQ(sendFrame(link.host, link.hostIf, solicitFrame(hostMac, hostSrc, 255, 1, true)), "");
  ASSERT_EQ(sendFrame(link.host, link.hostIf, solicitFrame(hostMac, In6::parse("::"), 255, 0, true)), "");
  ASSERT_TRUE(eventually("each invalid solicitation counted under its verdict", 5s, [&] {
    auto c = sender.counters();
    return c.solicits["bad_hop_limit"] == 1 && c.solicits["bad_code"] == 1 &&
           c.solicits["unspecified_source_with_slla"] == 1;
  })) << sender.metrics();
  EXPECT_EQ(sender.counters().solicits["accept"], acceptedBefore);
  EXPECT_EQ(sender.counters().sent["unicast"], unicastBefore);
  EXPECT_THAT(sender.metrics(), HasSubstr("meshfwd_ra_solicits_total{verdict=\"bad_hop_limit\"} 1"));

  // The source goes (VRRP backup): silence, not a lifetime-0 RA.
  link.removeSource();
  ASSERT_TRUE(eventually("the sender went inactive", 5s, [&] { return !sender.counters().active; }));
  uint64_t sentWhenSilent = sender.totalSent();
  auto unanswered = link.host.run({"rdisc6", "-1", "-n", "-r", "2", "-w", "1000", link.hostIf});
  EXPECT_FALSE(unanswered.ok()) << "an RS without the source present gets no answer:\n" << unanswered.out;
  sender.stop();
  EXPECT_EQ(sender.totalSent(), sentWhenSilent) << "nothing sent after the source left, not even on stop";
  EXPECT_EQ(sender.counters().sent["final"], 0u);
  EXPECT_EQ(sender.counters().sendErrors, 0u);

  route = meshRoute(link);
  EXPECT_THAT(route, HasSubstr("via " + kRaSource)) << "the /48 stays until its own lifetime ends";

  collect(500ms);
  EXPECT_EQ(seen.size(), sentWhenSilent) << "every RA the sender counted reached the host, and no other";
  for (const auto& ra : seen) {
    EXPECT_EQ(ra.src.str(), kRaSource);
    ASSERT_EQ(ra.optionsOfType(24).size(), 1u);
    EXPECT_EQ(be32(ra.optionsOfType(24)[0], 4), 90u) << "no RA ever withdrew the /48 (RIO lifetime 0)";
    EXPECT_EQ(be32(ra.optionsOfType(3)[0], 4), 86400u);
  }
}

TEST(RaHost, RemoveAdvOnExitWithdrawsTheRoutersOwnAddressOnStop) {
  RaLink link;
  RaSenderThread sender(link.edge.name(), parseOrThrow(seedEdgeConfig(link.edgeIf, "remove_adv_on_exit = true\n")));
  link.addSource();
  ASSERT_TRUE(eventually("the host installs the mesh /48", 15s, [&] { return !meshRoute(link).empty(); }));
  sender.stop();
  EXPECT_EQ(sender.counters().sent["final"], 1u);
  ASSERT_TRUE(eventually("the final RA (RIO lifetime 0) removed the host's /48", 5s,
                         [&] { return meshRoute(link).empty(); }));
}

}  // namespace
}  // namespace meshfwd::test
