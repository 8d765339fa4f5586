// The router's modes in the forwarding comparison (issue 9), switched in and
// out of one router namespace so that they are measured in the same run:
//   baseline  the generator's packets dropped at the router's ingress hook:
//             what every mode pays before the router decides anything;
//   (a)       kernel IPv6 forwarding, no filter;
//   (b)       kernel forwarding + the seed's forward chain (seed-forward.nft);
//   (c)       meshfwd: the real relay programs, attached by the loader as
//             `meshfwd attach --role relay` does, maps synced from the
//             router's routes;
//   (d)       a bare forwarder, FIB lookup and redirect, no policy.
// On veth every mode has an XDP program on the ingress (pass for a-c), so
// the veth takes the same receive path in all of them and subtracting the
// baseline leaves what happens after the XDP verdict. On the TUN the hook
// is TC ingress (no native XDP there), with the same rule.
#pragma once

#include <string>

#include "loader/bpf_object.h"

namespace meshfwd::bench {

enum class RouterMode { Baseline, Kernel, KernelNft, Meshfwd, BareForwarder };
inline constexpr RouterMode kRouterModes[] = {RouterMode::Baseline, RouterMode::Kernel, RouterMode::KernelNft,
                                              RouterMode::Meshfwd, RouterMode::BareForwarder};
const char* modeName(RouterMode mode);   // "baseline", "a_kernel", "b_kernel_nft", "c_meshfwd", "d_bare_fwd"
const char* modeTitle(RouterMode mode);  // for the table's legend

struct RouterSpec {
  std::string netns;
  std::string inIf, outIf;  // the same interface for the TUN
  bool tun = false;
  std::string nftRuleset;   // seed-forward.nft's text
};

class RouterModes {
 public:
  RouterModes(RouterSpec spec, const loader::BpfObject& fwdbench) : spec_(std::move(spec)), fwdbench_(fwdbench) {}
  // From a router with no mode to `mode`, and back. "" or the error.
  std::string enter(RouterMode mode);
  std::string leave(RouterMode mode);
  // Removes every hook this class may have left (also after a failure).
  void clear();

 private:
  std::string setIngress(const char* program);
  std::string attachRelay();
  RouterSpec spec_;
  const loader::BpfObject& fwdbench_;
};

}  // namespace meshfwd::bench
