#include "tests/support/datapath_fixture.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "loader/map_ops.h"
#include "userspace/local_filter.h"

namespace meshfwd::test {

namespace {

void copyAddr(uint8_t (&dst)[16], const In6& a) { std::memcpy(dst, a.b.data(), 16); }

// DESIGN.md 2a: what happens to each ICMPv6 type in the /48 and elsewhere.
void fillIcmpTable(mf_config& c) {
  for (int t = 0; t < 256; ++t) {
    uint8_t inMesh = MF_ICMP_DROP, elsewhere = MF_ICMP_DROP;
    switch (t) {
      case 1: case 2: case 3: case 4:
        inMesh = MF_ICMP_FORWARD_IF_RELATED;
        break;
      case 128: case 134:
        inMesh = MF_ICMP_FORWARD;
        elsewhere = MF_ICMP_REJECT;
        break;
      case 129:
        inMesh = MF_ICMP_FORWARD;
        break;
      case 130: case 131: case 132: case 133: case 143:
        inMesh = elsewhere = MF_ICMP_REJECT;
        break;
      default:
        break;  // 135/136/137 and unknown types: dropped
    }
    c.icmp_action[t] = MF_ICMP_ACTION(inMesh, elsewhere);
  }
}

mf_config commonConfig(uint32_t role) {
  mf_config c{};
  c.abi_version = MF_ABI_VERSION;
  c.role = role;
  c.generation = 1;
  copyAddr(c.mesh_prefix, kMeshBase);
  c.port_lo = 58000;
  c.port_hi = 60000;
  c.l2_len_tunnel = 14;
  c.l2_len_lan = 14;
  fillIcmpTable(c);
  return c;
}

}  // namespace

DatapathFixture::DatapathFixture(loader::ObjectKind kind) : object_(loader::BpfObject::load(kind)) {}

mf_config DatapathFixture::relayConfig() {
  mf_config c = commonConfig(MF_ROLE_RELAY);
  copyAddr(c.icmp_src, kRelayTunnelAddr);
  c.wg_port = kWgPort;
  return c;
}

mf_config DatapathFixture::edgeConfig() {
  mf_config c = commonConfig(MF_ROLE_EDGE);
  copyAddr(c.site_prefix, kSiteA);
  copyAddr(c.icmp_src, kEdgeLanAddr);
  c.flags = MF_F_SOURCE_VALIDATION;
  c.lan_ifindex = kLanIfindex;
  c.tunnel_ifindex = kTunnelIfindex;
  c.tunnel_mtu = kTunnelMtu;
  std::memcpy(c.router_mac, kRouterMac.data(), 6);
  return c;
}

void DatapathFixture::setConfig(const mf_config& config) {
  uint32_t slot = nextSlot_;
  nextSlot_ = (nextSlot_ + 1) % MF_CONFIG_GENERATIONS;
  ASSERT_EQ(loader::updateElem(object_.mapFd("mf_config"), slot, config), 0);
  uint32_t zero = 0;
  ASSERT_EQ(loader::updateElem(object_.mapFd("mf_active"), zero, slot), 0);
}

void DatapathFixture::addEgress(const In6& prefix, uint32_t prefixLen, uint32_t ifindex, uint32_t mtu,
                                uint32_t siteId, uint32_t l2len) {
  mf_egress_key key{};
  key.prefixlen = prefixLen;
  copyAddr(key.addr, prefix);
  mf_egress value{ifindex, mtu, siteId, l2len};
  ASSERT_EQ(loader::updateElem(object_.mapFd("mf_egress"), key, value), 0);
}

void DatapathFixture::addExactSite(const In6& prefix64, uint32_t ifindex, uint32_t mtu, uint32_t siteId,
                                   uint32_t l2len) {
  mf_egress64_key key{};
  std::memcpy(key.prefix, prefix64.b.data(), 8);
  mf_egress value{ifindex, mtu, siteId, l2len};
  ASSERT_EQ(loader::updateElem(object_.mapFd("mf_egress64"), key, value), 0);
}

void DatapathFixture::addTunnel(uint32_t ifindex, uint32_t mtu, uint32_t l2len) {
  mf_tunnel t{mtu, l2len, ifindex};
  ASSERT_EQ(loader::updateElem(object_.mapFd("mf_tunnels"), mf_tunnel_slot(ifindex), t), 0);
}

void DatapathFixture::addLocalAddr(const In6& addr, uint32_t ifindex) {
  mf_local_key key{};
  copyAddr(key.addr, addr);
  ASSERT_EQ(loader::updateElem(object_.mapFd("mf_local_addrs"), key, ifindex), 0);
  // As RouteSync does: the address's filter bit is set along with it.
  int filterFd = object_.mapFd("mf_local_filter");
  mf_local_filter filter{};
  ASSERT_EQ(loader::lookupElem(filterFd, uint32_t{0}, filter), 0);
  localFilterAdd(filter, addr.b);
  ASSERT_EQ(loader::updateElem(filterFd, uint32_t{0}, filter), 0);
}

void DatapathFixture::setEdgeState(bool master, const Mac& vmac) {
  mf_edge_state s{};
  s.vrrp_master = master ? 1 : 0;
  std::memcpy(s.vmac, vmac.data(), 6);
  uint32_t zero = 0;
  ASSERT_EQ(loader::updateElem(object_.mapFd("mf_edge_state"), zero, s), 0);
}

void DatapathFixture::seedRelay() {
  setConfig(relayConfig());
  addTunnel(kTunnelIfindex, kTunnelMtu);
  addEgress(kSiteA, 64, kTunnelIfindex, kTunnelMtu, kSiteIdA);
  addEgress(kSiteB, 64, kTunnelIfindex, kTunnelMtu, kSiteIdB);
  addLocalAddr(kRelayTunnelAddr, kTunnelIfindex);
}

void DatapathFixture::seedEdge() {
  setConfig(edgeConfig());
  addTunnel(kTunnelIfindex, kTunnelMtu);
  addLocalAddr(kEdgeLanAddr, kLanIfindex);
  setEdgeState(true, kVirtualMac);
}

loader::TestRunResult DatapathFixture::run(std::string_view program, const Bytes& packet, uint32_t repeat) {
  int fd = object_.progFd(program);
  EXPECT_GE(fd, 0) << "no program named " << program;
  loader::TestRunOptions opts;
  opts.repeat = repeat;
  return loader::testRun(fd, packet, opts);
}

mf_counter DatapathFixture::counter(uint32_t reason) const {
  std::vector<mf_counter> perCpu;
  mf_counter sum{};
  if (loader::lookupPerCpu(object_.mapFd("mf_counters"), reason, perCpu) != 0) return sum;
  for (const auto& c : perCpu) {
    sum.packets += c.packets;
    sum.bytes += c.bytes;
  }
  return sum;
}

mf_counter DatapathFixture::siteCounter(uint32_t siteId, uint32_t direction) const {
  std::vector<mf_counter> perCpu;
  mf_counter sum{};
  uint32_t idx = siteId * MF_DIR_COUNT + direction;
  if (loader::lookupPerCpu(object_.mapFd("mf_site_counters"), idx, perCpu) != 0) return sum;
  for (const auto& c : perCpu) {
    sum.packets += c.packets;
    sum.bytes += c.bytes;
  }
  return sum;
}

}  // namespace meshfwd::test
