// mf_local_filter: one bit per address of this box, so the datapath can
// skip the mf_local_addrs hash lookup for a destination whose bit is clear
// (maps/meshfwd_abi.h). Pure functions; RouteSync writes the map.
#pragma once

#include <array>
#include <cstdint>

#include "maps/meshfwd_abi.h"

namespace meshfwd {

using AddrBytes = std::array<uint8_t, 16>;

// The bit the datapath tests for a destination: the ABI's
// mf_local_filter_bit() on the address's two halves as loaded from memory.
uint32_t localFilterBit(const AddrBytes& addr);

void localFilterAdd(mf_local_filter& filter, const AddrBytes& addr);
bool localFilterMayHold(const mf_local_filter& filter, const AddrBytes& addr);

}  // namespace meshfwd
