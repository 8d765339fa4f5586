#include "tools/bench/site_plan.h"

namespace meshfwd::bench {

test::In6 SitePlan::sitePrefix(uint32_t index) const {
  test::In6 p = test::In6::parse("fd42:4242:4242::");
  p.b[6] = static_cast<uint8_t>(index >> 8);
  p.b[7] = static_cast<uint8_t>(index);
  return p;
}

std::vector<std::string> SitePlan::sitePrefixTexts() const {
  std::vector<std::string> out;
  out.reserve(sites_);
  for (uint32_t i = 0; i < sites_; ++i) out.push_back(sitePrefix(i).str() + "/64");
  return out;
}

test::In6 SitePlan::randomSiteHost() { return randomHostIn(static_cast<uint32_t>(rng_() % sites_)); }

test::In6 SitePlan::randomHostIn(uint32_t site) {
  test::In6 a = sitePrefix(site);
  uint64_t host = rng_() | 0x100;  // never the subnet-router anycast address nor ::1 (the router)
  for (int i = 0; i < 8; ++i) a.b[8 + i] = static_cast<uint8_t>(host >> (56 - 8 * i));
  return a;
}

test::In6 SitePlan::randomSiteHostExcept(uint32_t site) {
  uint32_t other = static_cast<uint32_t>(rng_() % (sites_ - 1));
  return randomHostIn(other >= site ? other + 1 : other);
}

uint16_t SitePlan::randomMeshPort() {
  return static_cast<uint16_t>(kMeshPortLo + rng_() % (kMeshPortHi - kMeshPortLo + 1));
}

test::In6 SitePlan::randomInternetHost6() {
  test::In6 a = test::In6::parse("2001:db8::");  // bytes 4..15 random: the /64 and the host
  uint64_t net = rng_(), host = rng_();
  for (int i = 0; i < 4; ++i) a.b[4 + i] = static_cast<uint8_t>(net >> (8 * i));
  for (int i = 0; i < 8; ++i) a.b[8 + i] = static_cast<uint8_t>(host >> (8 * i));
  return a;
}

std::array<uint8_t, 4> SitePlan::randomInternetHost4() {
  uint32_t bits = static_cast<uint32_t>(rng_());
  return {198, static_cast<uint8_t>(18 + (bits & 1)), static_cast<uint8_t>(bits >> 8),
          static_cast<uint8_t>(bits >> 16)};
}

}  // namespace meshfwd::bench
