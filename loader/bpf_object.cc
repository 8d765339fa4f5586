#include "loader/bpf_object.h"

#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>
#include <functional>

#include "bench.skel.h"
#include "edge.skel.h"
#include "fwdbench.skel.h"
#include "loader/libbpf_log.h"
#include "loadertest.skel.h"
#include "loadertest_unverifiable.skel.h"
#include "relay.skel.h"

namespace meshfwd::loader {

namespace {
// Enough of the verifier log to see the failing instruction and its cause.
constexpr size_t kVerifierTailLines = 12;
}  // namespace

std::string_view objectKindName(ObjectKind kind) {
  switch (kind) {
    case ObjectKind::Relay: return "relay";
    case ObjectKind::Edge: return "edge";
    case ObjectKind::Bench: return "bench";
    case ObjectKind::LoaderTest: return "loadertest";
    case ObjectKind::LoaderTestUnverifiable: return "loadertest_unverifiable";
    case ObjectKind::FwdBench: return "fwdbench";
  }
  return "unknown";
}

struct BpfObject::Impl {
  bpf_object* obj = nullptr;
  std::function<void()> destroy;
  ~Impl() {
    if (destroy) destroy();
  }
};

// Each skeleton has its own open/load/destroy trio; this adapts one, with
// the caller's step between open and load.
template <typename Skel>
static std::unique_ptr<BpfObject::Impl> adapt(Skel* (*open)(), int (*load)(Skel*), void (*destroy)(Skel*),
                                              const LoadOptions& options, std::string& error) {
  LibbpfLogCapture log;
  errno = 0;
  Skel* skel = open();
  if (!skel) {
    int err = errno ? errno : EINVAL;
    error = std::string("opening the BPF object failed: ") + std::strerror(err);
    return nullptr;
  }
  auto impl = std::make_unique<BpfObject::Impl>();
  impl->obj = skel->obj;
  impl->destroy = [skel, destroy] { destroy(skel); };
  if (options.beforeLoad) {
    error = options.beforeLoad(skel->obj);
    if (!error.empty()) return nullptr;
  }
  int rc = load(skel);
  if (rc != 0) {
    int err = rc < 0 ? -rc : (errno ? errno : EINVAL);
    error = std::string("loading the BPF object failed: ") + std::strerror(err);
    if (err == EPERM) error += " (needs root or CAP_BPF + CAP_NET_ADMIN)";
    std::string tail = log.verifierTail(kVerifierTailLines);
    if (!tail.empty()) error += "; the verifier rejected a program, its log ends:\n" + tail;
    return nullptr;
  }
  return impl;
}

BpfObject BpfObject::load(ObjectKind kind) { return load(kind, LoadOptions{}); }

BpfObject BpfObject::load(ObjectKind kind, const LoadOptions& options) {
  BpfObject o;
  switch (kind) {
    case ObjectKind::Relay:
      o.impl_ = adapt(meshfwd_relay__open, meshfwd_relay__load, meshfwd_relay__destroy, options, o.error_);
      break;
    case ObjectKind::Edge:
      o.impl_ = adapt(meshfwd_edge__open, meshfwd_edge__load, meshfwd_edge__destroy, options, o.error_);
      break;
    case ObjectKind::Bench:
      o.impl_ = adapt(meshfwd_bench__open, meshfwd_bench__load, meshfwd_bench__destroy, options, o.error_);
      break;
    case ObjectKind::LoaderTest:
      o.impl_ = adapt(meshfwd_loadertest__open, meshfwd_loadertest__load, meshfwd_loadertest__destroy, options,
                      o.error_);
      break;
    case ObjectKind::LoaderTestUnverifiable:
      o.impl_ = adapt(meshfwd_loadertest_unverifiable__open, meshfwd_loadertest_unverifiable__load,
                      meshfwd_loadertest_unverifiable__destroy, options, o.error_);
      break;
    case ObjectKind::FwdBench:
      o.impl_ = adapt(meshfwd_fwdbench__open, meshfwd_fwdbench__load, meshfwd_fwdbench__destroy, options, o.error_);
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
