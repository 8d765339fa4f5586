// Which reloads may write the policy alone (userspace/reload_plan.h): only
// when the maps are known to be in step and nothing the route sync selects,
// nor the tunnel under the programs, changes.
#include <gtest/gtest.h>

#include "userspace/reload_plan.h"

namespace meshfwd {
namespace {

SyncTargets relayTargets() {
  SyncTargets t;
  t.mesh = *Ipv6Prefix::parse("fd42:4242:4242::/48");
  t.tunnels = {"wgvpnr01"};
  t.syncEgress = true;
  t.preferredLocal = {"wgvpnr01"};
  return t;
}

MapsInStep inStep() { return MapsInStep{relayTargets(), 7}; }

TEST(ReloadPlan, APolicyChangeOverMapsInStepWritesThePolicyAlone) {
  EXPECT_EQ(planReload(inStep(), relayTargets(), 7), ReloadWrite::PolicyOnly);
}

TEST(ReloadPlan, MapsThatMayLagTheKernelAreSyncedFirst) {
  EXPECT_EQ(planReload(std::nullopt, relayTargets(), 7), ReloadWrite::RoutesThenPolicy);
}

TEST(ReloadPlan, ARecreatedTunnelIsSyncedFirst) {
  EXPECT_EQ(planReload(inStep(), relayTargets(), 8), ReloadWrite::RoutesThenPolicy);
}

TEST(ReloadPlan, AnythingTheRouteSyncSelectsChangingMeansAFullSync) {
  struct Case {
    const char* what;
    void (*change)(SyncTargets&);
  };
  const Case cases[] = {
      {"mesh prefix", [](SyncTargets& t) { t.mesh = *Ipv6Prefix::parse("fd42:4242:4243::/48"); }},
      {"tunnel renamed", [](SyncTargets& t) { t.tunnels = {"wgvpnr02"}; }},
      {"tunnel added", [](SyncTargets& t) { t.tunnels.push_back("wgvpnr02"); }},
      {"egress from routes", [](SyncTargets& t) { t.syncEgress = false; }},
      {"preferred local addresses", [](SyncTargets& t) { t.preferredLocal.clear(); }},
  };
  for (const Case& c : cases) {
    SyncTargets wanted = relayTargets();
    c.change(wanted);
    EXPECT_FALSE(sameSyncTargets(relayTargets(), wanted)) << c.what;
    EXPECT_EQ(planReload(inStep(), wanted, 7), ReloadWrite::RoutesThenPolicy) << c.what;
  }
}

}  // namespace
}  // namespace meshfwd
