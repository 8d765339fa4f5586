#include "userspace/local_filter.h"

#include <cstring>

namespace meshfwd {

uint32_t localFilterBit(const AddrBytes& addr) {
  // The same two loads the BPF program does on the packet's bytes.
  uint64_t hi, lo;
  std::memcpy(&hi, addr.data(), 8);
  std::memcpy(&lo, addr.data() + 8, 8);
  return mf_local_filter_bit(hi, lo);
}

void localFilterAdd(mf_local_filter& filter, const AddrBytes& addr) {
  uint32_t bit = localFilterBit(addr);
  filter.bits[bit / 64] |= uint64_t{1} << (bit % 64);
}

bool localFilterMayHold(const mf_local_filter& filter, const AddrBytes& addr) {
  uint32_t bit = localFilterBit(addr);
  return (filter.bits[bit / 64] >> (bit % 64)) & 1;
}

}  // namespace meshfwd
