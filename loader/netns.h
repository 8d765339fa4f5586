// Identity of the calling thread's network namespace. Per thread, not per
// process: a test or a tool may enter another namespace with setns() on a
// dedicated thread.
#pragma once

#include <cstdint>
#include <string>

namespace meshfwd::loader {

// The inode of /proc/thread-self/ns/net, or 0 (and *error set).
uint64_t netnsInode(std::string* error);

// The kernel's netns cookie (SO_NETNS_COOKIE): unlike the inode it is never
// reused while the machine runs, so it tells pins left by a deleted
// namespace from those of a new one that got the same inode. 0 on failure.
uint64_t netnsCookie();

}  // namespace meshfwd::loader
