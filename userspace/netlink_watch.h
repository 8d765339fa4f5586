// Follows the kernel's links, IPv6 addresses and IPv6 routes through an
// rtnetlink multicast subscription (libnl-3). It only reports what changed;
// the daemon decides what to re-sync, so a burst of events costs one sync.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

struct nl_sock;
struct nl_msg;

namespace meshfwd {

struct NetlinkEvent {
  enum class Kind { LinkAdded, LinkRemoved, LinkChanged, AddressAdded, AddressRemoved, RouteAdded, RouteRemoved };
  Kind kind;
  int ifindex = 0;
  std::string ifname;  // links only
};

const char* netlinkEventName(NetlinkEvent::Kind k);

class NetlinkWatch {
 public:
  using Handler = std::function<void(const NetlinkEvent&)>;

  explicit NetlinkWatch(Handler handler);
  ~NetlinkWatch();
  NetlinkWatch(const NetlinkWatch&) = delete;
  NetlinkWatch& operator=(const NetlinkWatch&) = delete;

  // Opens and subscribes. "" or an error naming the failing step.
  std::string open();
  // The socket to poll for readability (after open()).
  int fd() const;
  // Reads everything pending and calls the handler per event. Returns the
  // number of events, or -errno. An overrun (ENOBUFS: the kernel dropped
  // events) is reported as one LinkChanged with ifindex 0, which means
  // "re-sync everything".
  int drain();

 private:
  static int onMessage(::nl_msg* msg, void* self);

  Handler handler_;
  nl_sock* sock_ = nullptr;
  int delivered_ = 0;
};

}  // namespace meshfwd
