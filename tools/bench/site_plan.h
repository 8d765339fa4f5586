// The addressing plan the benchmark fills the maps with: a mesh /48 whose
// first `sites` /64s are sites, and random hosts in them, so lookups are
// spread over the whole egress table (DESIGN.md 7: never one cache-hot key).
#pragma once

#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "tests/support/packet.h"

namespace meshfwd::bench {

inline constexpr const char* kMeshPrefix = "fd42:4242:4242::/48";
inline constexpr uint16_t kMeshPortLo = 58000;
inline constexpr uint16_t kMeshPortHi = 60000;
inline constexpr uint16_t kWgPort = 51820;
inline constexpr uint32_t kTunnelMtu = 1420;
// BPF_PROG_TEST_RUN frames TC input as Ethernet (DESIGN.md 3).
inline constexpr uint16_t kTestRunL2Len = 14;

class SitePlan {
 public:
  SitePlan(uint32_t sites, uint64_t seed) : sites_(sites), rng_(seed) {}

  uint32_t sites() const { return sites_; }
  // The /64 of site `index` (index < 65536).
  test::In6 sitePrefix(uint32_t index) const;
  std::vector<std::string> sitePrefixTexts() const;

  // A random host of a random site; of a given site; of any site but one.
  test::In6 randomSiteHost();
  test::In6 randomHostIn(uint32_t site);
  test::In6 randomSiteHostExcept(uint32_t site);
  uint16_t randomMeshPort();
  // A random /64 outside the mesh (an Internet peer of the uplink guard).
  test::In6 randomInternetHost6();
  std::array<uint8_t, 4> randomInternetHost4();
  uint32_t random32() { return static_cast<uint32_t>(rng_()); }

 private:
  uint32_t sites_;
  std::mt19937_64 rng_;
};

}  // namespace meshfwd::bench
