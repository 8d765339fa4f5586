// The edge's Router Advertisement sender (issue 6, DESIGN.md 6): adverts on
// the LAN (under VRRP: the macvlan) from ra.source, only while that address
// exists there. VRRP couples to it through the kernel alone: the master adds
// the VIP (we start at once with the fast adverts), the backup removes it
// (we go silent, never with a lifetime-0 advert from the shared address).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "userspace/daemon_component.h"
#include "userspace/ra_message.h"
#include "userspace/ra_schedule.h"
#include "userspace/ra_socket.h"

namespace meshfwd::ra {

struct SenderCounters {
  std::map<std::string, uint64_t> sent;      // kind: multicast, unicast, final
  std::map<std::string, uint64_t> solicits;  // verdict (solicitVerdictName)
  uint64_t sendErrors = 0;
  int lastSendErrno = 0;
  bool active = false;  // the source is present: adverts are being sent
};

class RaSender : public DaemonComponent {
 public:
  RaSender();
  ~RaSender() override;

  const char* name() const override { return "ra"; }
  // Does nothing (and succeeds) unless the role is edge and [ra] is present.
  std::string start(EventLoop& loop, const Config& config) override;
  // Applies every [ra] change live, adding or removing the section too.
  std::string reload(const Config& config) override;
  void onNetlink(const NetlinkEvent& event) override;
  void stop() override;
  void renderMetrics(std::string& out) const override;
  std::string statusJson() const override;

  const SenderCounters& counters() const { return counters_; }

 private:
  std::string enable(const Config& config);
  void apply(const Config& config);
  void evaluate();
  void pump();
  void onReadable();
  void sendAdvert(const Bytes& message, const Ipv6Addr& to, const char* kind);
  void armTimer();

  EventLoop* loop_ = nullptr;
  bool enabled_ = false;
  Config config_;
  RaConfig ra_;
  std::string ifname_;
  std::optional<Ipv6Addr> source_;
  bool sourceShared_ = false;
  int ifindex_ = 0;  // where ff02::2 is joined and adverts go; 0: none
  std::optional<MacAddr> mac_;
  Bytes advert_;
  RaSocket socket_;
  std::mt19937_64 random_;
  std::unique_ptr<AdvertSchedule> schedule_;
  std::optional<EventLoop::TimerId> timer_;
  SenderCounters counters_;
};

}  // namespace meshfwd::ra
