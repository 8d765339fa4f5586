// Golden bytes for every Router Advertisement option, checked by hand
// against RFC 4861 4.2/4.6, RFC 4191 2.3 and RFC 8106 5, plus radvd's
// published Route Information test vector.
#include <gtest/gtest.h>

#include "tests/support/packet.h"
#include "userspace/ra_message.h"

namespace meshfwd::ra {
namespace {

Ipv6Prefix prefix(const char* text) { return *Ipv6Prefix::parse(text); }
Ipv6Addr addr(const char* text) { return *Ipv6Addr::parse(text); }

// The header alone: 16 bytes, checksum left to the kernel.
const Bytes kSeedHeader = {0x86, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00,
                           0x00, 0x09, 0x27, 0xc0, 0x00, 0x00, 0x00, 0x00};

AdvertSettings seedHeaderOnly() {
  AdvertSettings s;
  s.reachableTimeMs = 600000;  // the seed's AdvReachableTime
  return s;
}

Bytes optionsOf(const AdvertSettings& s) {
  Bytes all = buildRouterAdvert(s);
  return Bytes(all.begin() + 16, all.end());
}

TEST(RaMessage, HeaderCarriesHopLimitFlagsLifetimeAndTimers) {
  EXPECT_EQ(buildRouterAdvert(seedHeaderOnly()), kSeedHeader);

  AdvertSettings s = seedHeaderOnly();
  s.managed = true;
  s.otherConfig = true;
  s.routerLifetime = 1800;
  s.retransTimerMs = 1000;
  Bytes b = buildRouterAdvert(s);
  EXPECT_EQ(b[5], 0xc0);                                  // M and O, preference bits medium
  EXPECT_EQ((Bytes{b[6], b[7]}), (Bytes{0x07, 0x08}));    // 1800 s
  EXPECT_EQ((Bytes{b[12], b[13], b[14], b[15]}), (Bytes{0x00, 0x00, 0x03, 0xe8}));
}

TEST(RaMessage, PrefixInformationForTheSite) {
  AdvertSettings s;
  s.prefixes.push_back({prefix("fd42:4242:4242:a::/64")});
  EXPECT_EQ(optionsOf(s), (Bytes{0x03, 0x04, 0x40, 0xc0, 0x00, 0x01, 0x51, 0x80,   // L A, valid 86400
                                 0x00, 0x00, 0x38, 0x40, 0x00, 0x00, 0x00, 0x00,   // preferred 14400
                                 0xfd, 0x42, 0x42, 0x42, 0x42, 0x42, 0x00, 0x0a,
                                 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}));
}

TEST(RaMessage, PrefixInformationRouterAddressFlag) {
  AdvertSettings s;
  PrefixInfo p{prefix("fd42:4242:4242:a::/64")};
  p.autonomous = false;
  p.routerAddress = true;
  s.prefixes.push_back(p);
  EXPECT_EQ(optionsOf(s)[3], 0xa0);  // L and R
}

TEST(RaMessage, RouteInformationMatchesRadvdVector) {
  AdvertSettings s;
  s.routes.push_back({prefix("fe80:f:1::/48"), RoutePreference::Low, 10000});
  EXPECT_EQ(optionsOf(s), (Bytes{0x18, 0x02, 0x30, 0x18, 0x00, 0x00, 0x27, 0x10,
                                 0xfe, 0x80, 0x00, 0x0f, 0x00, 0x01, 0x00, 0x00}));
}

TEST(RaMessage, RouteInformationForTheMeshHighPreference) {
  AdvertSettings s;
  s.routes.push_back({prefix("fd42:4242:4242::/48"), RoutePreference::High, 90});
  EXPECT_EQ(optionsOf(s), (Bytes{0x18, 0x02, 0x30, 0x08, 0x00, 0x00, 0x00, 0x5a,
                                 0xfd, 0x42, 0x42, 0x42, 0x42, 0x42, 0x00, 0x00}));
}

TEST(RaMessage, RouteInformationLengthThreeAsDebianRadvdSendsIt) {
  AdvertSettings s;
  RouteInfo r{prefix("fd42:4242:4242::/48"), RoutePreference::Medium, 90};
  r.forcedLength = 3;
  s.routes.push_back(r);
  Bytes o = optionsOf(s);
  ASSERT_EQ(o.size(), 24u);
  EXPECT_EQ(o[1], 3);
  EXPECT_EQ(o[3], 0x00);
  EXPECT_EQ((Bytes(o.begin() + 8, o.end())), (Bytes{0xfd, 0x42, 0x42, 0x42, 0x42, 0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
}

TEST(RaMessage, RouteInformationLengthsByPrefixLength) {
  for (auto [text, units] : {std::pair{"::/0", 1}, {"fd00::/8", 2}, {"fd42::/64", 2}, {"fd42::1/128", 3}}) {
    AdvertSettings s;
    s.routes.push_back({prefix(text)});
    Bytes o = optionsOf(s);
    EXPECT_EQ(o[1], units) << text;
    EXPECT_EQ(o.size(), units * 8u) << text;
  }
  AdvertSettings tooShort;
  RouteInfo r{prefix("fd42::1/128")};
  r.forcedLength = 2;
  tooShort.routes.push_back(r);
  EXPECT_THROW(buildRouterAdvert(tooShort), std::invalid_argument);
}

TEST(RaMessage, SourceLinkLayerAndMtu) {
  AdvertSettings s;
  s.mtu = 1340;
  s.sourceLinkLayer = MacAddr{0x00, 0x00, 0x5e, 0x00, 0x02, 0x2a};
  EXPECT_EQ(optionsOf(s), (Bytes{0x05, 0x01, 0x00, 0x00, 0x00, 0x00, 0x05, 0x3c,
                                 0x01, 0x01, 0x00, 0x00, 0x5e, 0x00, 0x02, 0x2a}));
}

TEST(RaMessage, RecursiveDnsServers) {
  AdvertSettings s;
  s.rdnss = DnsServers{{addr("fd00::53")}, 300};
  EXPECT_EQ(optionsOf(s), (Bytes{0x19, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01, 0x2c,
                                 0xfd, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x53}));
}

TEST(RaMessage, DnsSearchListPaddedToEightOctets) {
  AdvertSettings s;
  s.dnssl = DnsSearchList{{"mesh.example"}, 300};
  EXPECT_EQ(optionsOf(s), (Bytes{0x1f, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01, 0x2c,
                                 0x04, 'm', 'e', 's', 'h', 0x07, 'e', 'x',
                                 'a', 'm', 'p', 'l', 'e', 0x00, 0x00, 0x00}));
  s.dnssl = DnsSearchList{{std::string(64, 'a') + ".example"}, 300};
  EXPECT_THROW(buildRouterAdvert(s), std::invalid_argument);
}

TEST(RaMessage, SeedAdvertisementInRadvdOptionOrder) {
  AdvertSettings s = seedHeaderOnly();
  s.prefixes.push_back({prefix("fd42:4242:4242:a::/64")});
  s.routes.push_back({prefix("fd42:4242:4242::/48"), RoutePreference::High, 90});
  s.sourceLinkLayer = MacAddr{0x00, 0x00, 0x5e, 0x00, 0x02, 0x2a};
  Bytes b = buildRouterAdvert(s);
  ASSERT_EQ(b.size(), 16u + 32 + 16 + 8);
  EXPECT_EQ(b[16], 3);  // prefix
  EXPECT_EQ(b[48], 24);  // route
  EXPECT_EQ(b[64], 1);   // source link-layer last
}

TEST(RaMessage, ChecksumAgreesWithIndependentComputation) {
  AdvertSettings s = seedHeaderOnly();
  s.prefixes.push_back({prefix("fd42:4242:4242:a::/64")});
  s.routes.push_back({prefix("fd42:4242:4242::/48"), RoutePreference::High, 90});
  s.sourceLinkLayer = MacAddr{0x00, 0x00, 0x5e, 0x00, 0x02, 0x2a};
  Bytes b = buildRouterAdvert(s);
  Ipv6Addr src = addr("fe80::1"), dst = addr("ff02::1");
  fillIcmp6Checksum(b, src, dst);

  Bytes zeroed = b;
  zeroed[2] = zeroed[3] = 0;
  uint16_t expected = test::ipv6UpperChecksum(test::In6::parse("fe80::1"), test::In6::parse("ff02::1"),
                                              test::kProtoIcmp6, zeroed);
  EXPECT_EQ((uint16_t(b[2]) << 8) | b[3], expected);
  EXPECT_NE(expected, 0);
}

const Bytes kSolicitWithSlla = {0x85, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                0x01, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x07};

TEST(RaSolicit, AcceptsWellFormedAndReadsLinkLayerAddress) {
  Solicitation s = parseRouterSolicit(kSolicitWithSlla, 255, addr("fe80::7"));
  EXPECT_EQ(s.verdict, SolicitVerdict::Accept);
  ASSERT_TRUE(s.sourceLinkLayer);
  EXPECT_EQ(*s.sourceLinkLayer, (MacAddr{0x02, 0, 0, 0, 0, 0x07}));
}

TEST(RaSolicit, DropsWhatRfc4861Says) {
  EXPECT_EQ(parseRouterSolicit(kSolicitWithSlla, 254, addr("fe80::7")).verdict, SolicitVerdict::BadHopLimit);
  Bytes code = kSolicitWithSlla;
  code[1] = 1;
  EXPECT_EQ(parseRouterSolicit(code, 255, addr("fe80::7")).verdict, SolicitVerdict::BadCode);
  EXPECT_EQ(parseRouterSolicit(Bytes{0x85, 0, 0, 0}, 255, addr("fe80::7")).verdict, SolicitVerdict::TooShort);
  Bytes zeroLen = kSolicitWithSlla;
  zeroLen[9] = 0;
  EXPECT_EQ(parseRouterSolicit(zeroLen, 255, addr("fe80::7")).verdict, SolicitVerdict::BadOptionLength);
  Bytes overrun = kSolicitWithSlla;
  overrun[9] = 2;
  EXPECT_EQ(parseRouterSolicit(overrun, 255, addr("fe80::7")).verdict, SolicitVerdict::BadOptionLength);
  EXPECT_EQ(parseRouterSolicit(kSolicitWithSlla, 255, Ipv6Addr{}).verdict, SolicitVerdict::UnspecifiedWithSlla);
  Bytes noOptions(kSolicitWithSlla.begin(), kSolicitWithSlla.begin() + 8);
  EXPECT_EQ(parseRouterSolicit(noOptions, 255, Ipv6Addr{}).verdict, SolicitVerdict::Accept);
}

}  // namespace
}  // namespace meshfwd::ra
