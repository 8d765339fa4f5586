// One benchmark row: a program, the packets it is timed on, and the path
// those packets must take. The path is checked (verdict and reason counter)
// before anything is timed, so a row always measures what its name says.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "loader/bpf_object.h"

namespace meshfwd::bench {

using Packet = std::vector<uint8_t>;

enum class Hook { Xdp, Tc };

struct BenchRow {
  std::string group;  // "relay_tc", "relay_guard", "edge_xdp", "edge_tc", "reference"
  std::string path;   // what the packets do, e.g. "fwd_mesh_udp"
  const loader::BpfObject* object = nullptr;
  std::string program;
  Hook hook = Hook::Tc;
  // Cycled through, one BPF_PROG_TEST_RUN call each; random destinations
  // across the filled egress map, never one cache-hot key.
  std::vector<Packet> packets;
  uint32_t verdict = 0;                // every run must return this
  std::optional<uint32_t> reason;      // and be counted under this mf_counters reason
  // BPF_PROG_TEST_RUN repeats a program on the packet as the previous run
  // left it. A row whose program turns the packet into another one (an
  // ICMPv6 error) must run once per call; a forward only lowers the hop
  // limit, which its packets start at 255 for (--repeat is at most 200).
  bool rewritesPacket = false;
  // Writes the config and map state the row needs (and primes what it
  // depends on, e.g. first fragments); "" or an error.
  std::function<std::string()> prepare;
  bool allowedPath = false;            // the "floor + 50 ns" target applies
};

inline const char* hookName(Hook hook) { return hook == Hook::Xdp ? "xdp" : "tc"; }

}  // namespace meshfwd::bench
