#include "userspace/netlink_watch.h"

#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>
#include <netlink/socket.h>

#include <cerrno>

namespace meshfwd {

const char* netlinkEventName(NetlinkEvent::Kind k) {
  switch (k) {
    case NetlinkEvent::Kind::LinkAdded: return "link-added";
    case NetlinkEvent::Kind::LinkRemoved: return "link-removed";
    case NetlinkEvent::Kind::LinkChanged: return "link-changed";
    case NetlinkEvent::Kind::AddressAdded: return "address-added";
    case NetlinkEvent::Kind::AddressRemoved: return "address-removed";
    case NetlinkEvent::Kind::RouteAdded: return "route-added";
    case NetlinkEvent::Kind::RouteRemoved: return "route-removed";
  }
  return "unknown";
}

NetlinkWatch::NetlinkWatch(Handler handler) : handler_(std::move(handler)) {}

NetlinkWatch::~NetlinkWatch() {
  if (sock_) nl_socket_free(sock_);
}

std::string NetlinkWatch::open() {
  sock_ = nl_socket_alloc();
  if (!sock_) return "netlink: cannot allocate a socket";
  // Multicast notifications carry no sequence numbers of ours.
  nl_socket_disable_seq_check(sock_);
  nl_socket_modify_cb(sock_, NL_CB_VALID, NL_CB_CUSTOM, &NetlinkWatch::onMessage, this);
  if (int err = nl_connect(sock_, NETLINK_ROUTE); err < 0)
    return std::string("netlink: connect: ") + nl_geterror(err);
  if (int err = nl_socket_add_memberships(sock_, RTNLGRP_LINK, RTNLGRP_IPV6_IFADDR, RTNLGRP_IPV6_ROUTE, 0); err < 0)
    return std::string("netlink: subscribe: ") + nl_geterror(err);
  if (int err = nl_socket_set_nonblocking(sock_); err < 0)
    return std::string("netlink: non-blocking: ") + nl_geterror(err);
  // Room for bursts (a wireguard-go restart emits dozens of messages).
  nl_socket_set_buffer_size(sock_, 1 << 20, 0);
  return "";
}

int NetlinkWatch::fd() const { return sock_ ? nl_socket_get_fd(sock_) : -1; }

int NetlinkWatch::onMessage(::nl_msg* msg, void* arg) {
  auto* self = static_cast<NetlinkWatch*>(arg);
  nlmsghdr* hdr = nlmsg_hdr(msg);
  NetlinkEvent ev{};
  switch (hdr->nlmsg_type) {
    case RTM_NEWLINK:
    case RTM_DELLINK: {
      auto* ifi = static_cast<ifinfomsg*>(nlmsg_data(hdr));
      ev.kind = hdr->nlmsg_type == RTM_DELLINK ? NetlinkEvent::Kind::LinkRemoved : NetlinkEvent::Kind::LinkChanged;
      ev.ifindex = ifi->ifi_index;
      if (nlattr* name = nlmsg_find_attr(hdr, sizeof(ifinfomsg), IFLA_IFNAME)) ev.ifname = nla_get_string(name);
      // NEWLINK is sent both for creation and for every flag change; a
      // change mask of all ones marks a new link.
      if (hdr->nlmsg_type == RTM_NEWLINK && ifi->ifi_change == 0xffffffffu) ev.kind = NetlinkEvent::Kind::LinkAdded;
      break;
    }
    case RTM_NEWADDR:
    case RTM_DELADDR: {
      auto* ifa = static_cast<ifaddrmsg*>(nlmsg_data(hdr));
      ev.kind = hdr->nlmsg_type == RTM_NEWADDR ? NetlinkEvent::Kind::AddressAdded : NetlinkEvent::Kind::AddressRemoved;
      ev.ifindex = static_cast<int>(ifa->ifa_index);
      break;
    }
    case RTM_NEWROUTE:
    case RTM_DELROUTE:
      ev.kind = hdr->nlmsg_type == RTM_NEWROUTE ? NetlinkEvent::Kind::RouteAdded : NetlinkEvent::Kind::RouteRemoved;
      if (nlattr* oif = nlmsg_find_attr(hdr, sizeof(rtmsg), RTA_OIF)) ev.ifindex = static_cast<int>(nla_get_u32(oif));
      break;
    default:
      return NL_OK;
  }
  ++self->delivered_;
  self->handler_(ev);
  return NL_OK;
}

int NetlinkWatch::drain() {
  if (!sock_) return -EBADF;
  delivered_ = 0;
  for (;;) {
    int err = nl_recvmsgs_default(sock_);
    if (err >= 0) continue;
    if (err == -NLE_AGAIN) break;
    if (err == -NLE_NOMEM || err == -NLE_MSG_OVERFLOW || err == -NLE_DUMP_INTR) {
      // The kernel dropped notifications: the caller must re-read the world.
      ++delivered_;
      handler_(NetlinkEvent{NetlinkEvent::Kind::LinkChanged, 0, ""});
      continue;
    }
    return -EIO;
  }
  return delivered_;
}

}  // namespace meshfwd
