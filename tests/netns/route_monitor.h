// `ip -6 monitor route` in a namespace, for "this route was never deleted,
// not even for a moment" (a lifetime-0 RA deletes the host's /48 and the
// next RA adds it back: polling the table could miss that). The monitor is
// proven live before it is trusted: a probe route added and deleted in the
// namespace must show up as "Deleted" in its log.
#pragma once

#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>

#include "tests/support/netns.h"
#include "tests/support/poll_until.h"

namespace meshfwd::test {

class RouteMonitor {
 public:
  // `device`: an interface of `ns` the probe route can point at.
  RouteMonitor(const NetNs& ns, const std::string& device, std::string logPath) : logPath_(std::move(logPath)) {
    process_ = std::make_unique<BackgroundProcess>(std::vector<std::string>{"ip", "-6", "monitor", "route"}, ns.name(),
                                                   logPath_);
    const std::string probe = "fd00:dead:beef::/64";
    bool live = pollUntil([&] {
      ns.run({"ip", "-6", "route", "replace", probe, "dev", device});
      ns.run({"ip", "-6", "route", "del", probe, "dev", device});
      return log().find("Deleted " + probe) != std::string::npos;
    }, std::chrono::seconds(10), std::chrono::milliseconds(50));
    if (!live) throw std::runtime_error("ip monitor route in " + ns.name() + " never reported the probe route");
  }

  std::string log() const {
    std::ifstream in(logPath_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  bool sawDeleted(const std::string& prefix) const { return log().find("Deleted " + prefix) != std::string::npos; }

 private:
  std::string logPath_;
  std::unique_ptr<BackgroundProcess> process_;
};

}  // namespace meshfwd::test
