// A loaded BPF program object (one of the compiled-in skeletons), owned
// RAII-style. Everything above loader/ asks it for programs and maps by
// name instead of touching libbpf.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

struct bpf_object;

namespace meshfwd::loader {

// Relay and Edge are the product; Bench holds the benchmark's empty
// programs; the LoaderTest objects exist for the loader's own tests (the
// role's program names over the real maps; one the verifier rejects).
// FwdBench holds the forwarding benchmark's sink counter, baselines and bare
// forwarder (tools/bench/forward_*).
enum class ObjectKind { Relay, Edge, Bench, LoaderTest, LoaderTestUnverifiable, FwdBench };

// "relay", "edge", ... for messages.
std::string_view objectKindName(ObjectKind kind);

struct LoadOptions {
  // Runs between open and load, e.g. to make maps reuse pinned ones.
  // Returns "" or an error, which aborts the load.
  std::function<std::string(bpf_object*)> beforeLoad;
};

class BpfObject {
 public:
  // Opens and loads the skeleton. On failure returns an object whose
  // ok() is false and whose error() says what libbpf reported.
  // A program the verifier rejects makes error() end with the tail of the
  // verifier log.
  static BpfObject load(ObjectKind kind);
  static BpfObject load(ObjectKind kind, const LoadOptions& options);

  BpfObject(BpfObject&&) noexcept;
  BpfObject& operator=(BpfObject&&) noexcept;
  ~BpfObject();

  bool ok() const { return impl_ != nullptr; }
  const std::string& error() const { return error_; }

  // -1 when there is no program/map of that name.
  int progFd(std::string_view name) const;
  int mapFd(std::string_view name) const;
  bpf_object* raw() const;

  struct Impl;  // libbpf state; defined in the .cc

 private:
  BpfObject() = default;
  std::unique_ptr<Impl> impl_;
  std::string error_;
};

}  // namespace meshfwd::loader
