// A loaded BPF program object (one of the compiled-in skeletons), owned
// RAII-style. Everything above loader/ asks it for programs and maps by
// name instead of touching libbpf.
#pragma once

#include <memory>
#include <string>
#include <string_view>

struct bpf_object;

namespace meshfwd::loader {

enum class ObjectKind { Relay, Edge, Bench };

class BpfObject {
 public:
  // Opens and loads the skeleton. On failure returns an object whose
  // ok() is false and whose error() says what libbpf reported.
  static BpfObject load(ObjectKind kind);

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
