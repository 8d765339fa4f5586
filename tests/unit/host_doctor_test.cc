// meshfwd doctor --host: every check's verdict from a table of sysctls.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "userspace/host_doctor.h"

namespace meshfwd {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class FakeHost : public HostFacts {
 public:
  // A host that gets everything right: forwarding off, accept_ra 1.
  FakeHost() {
    conf_ = {{"accept_ra", "1"},     {"forwarding", "0"},   {"accept_ra_rt_info_max_plen", "64"},
             {"accept_ra_rt_info_min_plen", "0"}, {"accept_ra_rtr_pref", "1"}, {"autoconf", "1"},
             {"use_tempaddr", "0"},  {"addr_gen_mode", "0"}};
  }
  std::optional<std::string> ipv6Conf(const std::string& ifname, const std::string& key) const override {
    if (ifname != "eth0") return std::nullopt;
    auto it = conf_.find(key);
    return it == conf_.end() ? std::nullopt : std::optional(it->second);
  }
  std::string token(const std::string&) const override { return token_; }

  std::map<std::string, std::string> conf_;
  std::string token_ = "::";
};

const DoctorCheck& find(const DoctorReport& r, const std::string& name) {
  for (const auto& c : r.checks)
    if (c.name == name) return c;
  throw std::runtime_error("no check " + name);
}

TEST(HostDoctor, AGoodHostNeedsNothing) {
  FakeHost h;
  DoctorReport r = checkHost(h, "eth0");
  EXPECT_FALSE(r.mustChange());
  EXPECT_THAT(formatReport(r), HasSubstr("nothing to change"));
  EXPECT_THAT(formatReport(r), Not(HasSubstr("FIX")));
}

TEST(HostDoctor, DefaultRtInfoMaxPlenDropsTheMeshRoute) {
  FakeHost h;
  h.conf_["accept_ra_rt_info_max_plen"] = "0";  // the kernel's default
  DoctorReport r = checkHost(h, "eth0");
  EXPECT_TRUE(r.mustChange());
  EXPECT_FALSE(find(r, "accept_ra_rt_info_max_plen").ok);
  std::string text = formatReport(r);
  EXPECT_THAT(text, HasSubstr("sysctl -w net.ipv6.conf.eth0.accept_ra_rt_info_max_plen=64"));
  EXPECT_THAT(text, HasSubstr("net.ipv6.conf.eth0.accept_ra_rt_info_max_plen = 64"));
  EXPECT_THAT(text, HasSubstr("IPv6AcceptRA=yes"));
  EXPECT_THAT(text, HasSubstr("Token=static:"));
  h.conf_["accept_ra_rt_info_max_plen"] = "48";
  EXPECT_TRUE(find(checkHost(h, "eth0"), "accept_ra_rt_info_max_plen").ok) << "48 is exactly enough";
}

TEST(HostDoctor, AForwardingHostNeedsAcceptRa2) {
  FakeHost h;
  h.conf_["forwarding"] = "1";
  DoctorReport r = checkHost(h, "eth0");
  EXPECT_FALSE(find(r, "accept_ra").ok) << "1 is ignored while forwarding";
  EXPECT_THAT(find(r, "accept_ra").fix.at(0), "sysctl -w net.ipv6.conf.eth0.accept_ra=2");
  h.conf_["accept_ra"] = "2";
  EXPECT_FALSE(checkHost(h, "eth0").mustChange());
}

TEST(HostDoctor, AcceptRa0IsRefusedEvenWithoutForwarding) {
  FakeHost h;
  h.conf_["accept_ra"] = "0";
  EXPECT_FALSE(find(checkHost(h, "eth0"), "accept_ra").ok);
  h.conf_["accept_ra"] = "2";
  EXPECT_TRUE(find(checkHost(h, "eth0"), "accept_ra").ok);
}

TEST(HostDoctor, PrivacyAddressesAndRandomIdentifiersAreUnstable) {
  FakeHost h;
  h.conf_["use_tempaddr"] = "2";
  EXPECT_FALSE(find(checkHost(h, "eth0"), "use_tempaddr").ok);
  h.conf_["use_tempaddr"] = "-1";  // loopback-style "off"
  EXPECT_TRUE(find(checkHost(h, "eth0"), "use_tempaddr").ok);

  h.conf_["addr_gen_mode"] = "3";
  EXPECT_FALSE(find(checkHost(h, "eth0"), "stable address").ok);
  h.token_ = "::1234";
  EXPECT_TRUE(find(checkHost(h, "eth0"), "stable address").ok) << "a token fixes the identifier";
  h.token_ = "::";
  h.conf_["addr_gen_mode"] = "2";
  EXPECT_TRUE(find(checkHost(h, "eth0"), "stable address").ok) << "stable-privacy is stable";
  h.conf_["addr_gen_mode"] = "1";
  EXPECT_FALSE(find(checkHost(h, "eth0"), "stable address").ok) << "none: no SLAAC address at all";
}

TEST(HostDoctor, OtherKnobsThatSilentlyDropTheRouteOrAddress) {
  for (auto [key, bad] : std::vector<std::pair<std::string, std::string>>{
           {"accept_ra_rtr_pref", "0"}, {"accept_ra_rt_info_min_plen", "56"}, {"autoconf", "0"}}) {
    FakeHost h;
    h.conf_[key] = bad;
    DoctorReport r = checkHost(h, "eth0");
    EXPECT_FALSE(find(r, key).ok) << key;
    EXPECT_EQ(find(r, key).fix.size(), 1u) << key;
  }
}

TEST(HostDoctor, AMissingInterfaceIsOneFailingCheck) {
  FakeHost h;
  DoctorReport r = checkHost(h, "eth9");
  ASSERT_EQ(r.checks.size(), 1u);
  EXPECT_TRUE(r.mustChange());
  EXPECT_THAT(formatReport(r), HasSubstr("no net.ipv6.conf.eth9"));
}

}  // namespace
}  // namespace meshfwd
