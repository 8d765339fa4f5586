#include "loader/netns.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71  // asm-generic/socket.h since 5.14
#endif

namespace meshfwd::loader {

uint64_t netnsInode(std::string* error) {
  struct stat st {};
  if (stat("/proc/thread-self/ns/net", &st) != 0) {
    if (error) *error = std::string("cannot read /proc/thread-self/ns/net: ") + std::strerror(errno);
    return 0;
  }
  return static_cast<uint64_t>(st.st_ino);
}

uint64_t netnsCookie() {
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  uint64_t cookie = 0;
  socklen_t len = sizeof cookie;
  if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len) != 0) cookie = 0;
  close(fd);
  return cookie;
}

}  // namespace meshfwd::loader
