#include "userspace/vrrp_edge_state.h"

#include <cstring>

#include "loader/datapath.h"
#include "loader/map_ops.h"
#include "maps/meshfwd_abi.h"

namespace meshfwd::vrrp {

EdgeStateWrite writeEdgeState(bool master, const MacAddr& vmac, std::string* detail) {
  std::string error;
  auto maps = loader::PinnedMaps::open(&error);
  if (!maps.ok()) {
    *detail = "no datapath here (" + error + ")";
    return EdgeStateWrite::NoDatapath;
  }
  int fd = maps.fd("mf_edge_state");
  if (fd < 0) {
    *detail = "the datapath here has no mf_edge_state map (a relay?)";
    return EdgeStateWrite::NoDatapath;
  }
  mf_edge_state state{};
  state.vrrp_master = master ? 1 : 0;
  std::memcpy(state.vmac, vmac.data(), vmac.size());
  uint32_t key = 0;
  if (int rc = loader::updateElem(fd, key, state); rc < 0) {
    *detail = std::string("updating mf_edge_state: ") + std::strerror(-rc);
    return EdgeStateWrite::Failed;
  }
  return EdgeStateWrite::Written;
}

}  // namespace meshfwd::vrrp
