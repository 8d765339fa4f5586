// Interfaces of the calling thread's network namespace, and the wording
// of errors about them and about missing privileges.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace meshfwd::loader {

// 0 when there is no such interface.
uint32_t interfaceIndex(const std::string& name);
std::string interfaceName(uint32_t ifindex);  // "" when gone

// (ifindex, name) of every interface; *error set when the list fails.
std::vector<std::pair<uint32_t, std::string>> listInterfaces(std::string* error);

// "<what> on 'iface': <strerror>" plus what to do about EPERM and ENODEV.
std::string hookError(const std::string& what, const std::string& iface, int negErrno);

// " (needs root or CAP_BPF+CAP_NET_ADMIN)" for EPERM/EACCES, else "".
std::string privilegeHint(int err);

}  // namespace meshfwd::loader
