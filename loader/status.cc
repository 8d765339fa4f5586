// status(): what is attached, read back from the kernel on every interface
// of the namespace, matched against this instance's pinned programs.
#include "loader/datapath.h"
#include "loader/instance.h"
#include "loader/interfaces.h"
#include "loader/tc_hook.h"
#include "loader/xdp_hook.h"

namespace meshfwd::loader {

std::vector<Attachment> status(std::string* error) {
  std::vector<Attachment> out;
  std::string root = pinRoot();
  std::set<uint32_t> pinnedIds = root.empty() ? std::set<uint32_t>{} : pinnedProgramIds(root);
  for (const auto& [ifindex, iface] : listInterfaces(error)) {
    int index = static_cast<int>(ifindex);
    std::string program;
    XdpHookState xdp;
    if (queryXdp(index, xdp) == 0 && isMeshfwdProgram(xdp.progId, pinnedIds, &program))
      out.push_back(Attachment{iface, ifindex, "xdp", xdpModeName(xdp.mode), xdp.progId, program});
    uint32_t tcProg = 0;
    if (queryTc(index, &tcProg) == 0 && isMeshfwdProgram(tcProg, pinnedIds, &program))
      out.push_back(Attachment{iface, ifindex, "tc-ingress", "tc", tcProg, program});
  }
  return out;
}

}  // namespace meshfwd::loader
