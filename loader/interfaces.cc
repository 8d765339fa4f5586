#include "loader/interfaces.h"

#include <net/if.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "loader/libbpf_log.h"

namespace meshfwd::loader {

uint32_t interfaceIndex(const std::string& name) {
  if (name.empty() || name.size() >= IF_NAMESIZE) return 0;
  return if_nametoindex(name.c_str());
}

std::string interfaceName(uint32_t ifindex) {
  char name[IF_NAMESIZE];
  return if_indextoname(ifindex, name) ? std::string(name) : std::string();
}

std::vector<std::pair<uint32_t, std::string>> listInterfaces(std::string* error) {
  std::vector<std::pair<uint32_t, std::string>> out;
  struct if_nameindex* list = if_nameindex();
  if (list == nullptr) {
    if (error) *error = std::string("cannot list interfaces: ") + std::strerror(errno);
    return out;
  }
  for (struct if_nameindex* i = list; i->if_index != 0; ++i) out.emplace_back(i->if_index, i->if_name);
  if_freenameindex(list);
  return out;
}

std::string privilegeHint(int err) {
  return err == EPERM || err == EACCES ? " (needs root or CAP_BPF+CAP_NET_ADMIN)" : "";
}

std::string hookError(const std::string& what, const std::string& iface, int negErrno) {
  int err = negErrno < 0 ? -negErrno : negErrno;
  if (err == ENODEV) return "interface '" + iface + "' does not exist";
  std::string kernel = lastKernelMessage();
  return what + " on '" + iface + "' failed: " + std::strerror(err) + (kernel.empty() ? "" : " (kernel: " + kernel + ")") +
         privilegeHint(err);
}

}  // namespace meshfwd::loader
