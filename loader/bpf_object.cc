#include "loader/bpf_object.h"

#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>
#include <functional>

#include "bench.skel.h"
#include "edge.skel.h"
#include "relay.skel.h"

namespace meshfwd::loader {

struct BpfObject::Impl {
  bpf_object* obj = nullptr;
  std::function<void()> destroy;
  ~Impl() {
    if (destroy) destroy();
  }
};

// Each skeleton has its own open_and_load/destroy pair; this adapts one.
template <typename Skel>
static std::unique_ptr<BpfObject::Impl> adapt(Skel* (*openAndLoad)(), void (*destroy)(Skel*),
                                              std::string& error) {
  errno = 0;
  Skel* skel = openAndLoad();
  if (!skel) {
    int err = errno ? errno : EINVAL;
    error = std::string("loading the BPF object failed: ") + std::strerror(err) +
            (err == EPERM ? " (needs root or CAP_BPF + CAP_NET_ADMIN)" : "");
    return nullptr;
  }
  auto impl = std::make_unique<BpfObject::Impl>();
  impl->obj = skel->obj;
  impl->destroy = [skel, destroy] { destroy(skel); };
  return impl;
}

BpfObject BpfObject::load(ObjectKind kind) {
  BpfObject o;
  switch (kind) {
    case ObjectKind::Relay:
      o.impl_ = adapt(meshfwd_relay__open_and_load, meshfwd_relay__destroy, o.error_);
      break;
    case ObjectKind::Edge:
      o.impl_ = adapt(meshfwd_edge__open_and_load, meshfwd_edge__destroy, o.error_);
      break;
    case ObjectKind::Bench:
      o.impl_ = adapt(meshfwd_bench__open_and_load, meshfwd_bench__destroy, o.error_);
      break;
  }
  return o;
}

BpfObject::BpfObject(BpfObject&&) noexcept = default;
BpfObject& BpfObject::operator=(BpfObject&&) noexcept = default;
BpfObject::~BpfObject() = default;

int BpfObject::progFd(std::string_view name) const {
  if (!impl_) return -1;
  bpf_program* p = bpf_object__find_program_by_name(impl_->obj, std::string(name).c_str());
  return p ? bpf_program__fd(p) : -1;
}

int BpfObject::mapFd(std::string_view name) const {
  if (!impl_) return -1;
  bpf_map* m = bpf_object__find_map_by_name(impl_->obj, std::string(name).c_str());
  return m ? bpf_map__fd(m) : -1;
}

bpf_object* BpfObject::raw() const { return impl_ ? impl_->obj : nullptr; }

}  // namespace meshfwd::loader
