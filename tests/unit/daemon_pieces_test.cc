// The daemon's pure pieces: log lines, signal actions, netlink debounce,
// status file rendering and reading back, reload metrics, sd_notify
// messages, the metrics listen address.
#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "userspace/daemon_debounce.h"
#include "userspace/daemon_log.h"
#include "userspace/daemon_metrics.h"
#include "userspace/daemon_notify.h"
#include "userspace/daemon_signals.h"
#include "userspace/daemon_status.h"
#include "userspace/metrics_http.h"

namespace meshfwd {
namespace {

using namespace std::chrono_literals;

TEST(DaemonLog, PriorityPrefixAndOneLinePerEvent) {
  EXPECT_EQ(formatLogLine(LogPriority::Info, "attached relay"), "<6>attached relay\n");
  EXPECT_EQ(formatLogLine(LogPriority::Warning, "w"), "<4>w\n");
  EXPECT_EQ(formatLogLine(LogPriority::Error, "a\nb\r\nc"), "<3>a b  c\n");
}

TEST(DaemonSignals, HupReloadsTermAndIntStop) {
  EXPECT_EQ(actionForSignal(SIGHUP), SignalAction::Reload);
  EXPECT_EQ(actionForSignal(SIGTERM), SignalAction::Stop);
  EXPECT_EQ(actionForSignal(SIGINT), SignalAction::Stop);
  EXPECT_EQ(actionForSignal(SIGUSR1), SignalAction::Ignore);
  EXPECT_EQ(actionForSignal(SIGPIPE), SignalAction::Ignore);
}

TEST(DaemonDebounce, ABurstArmsOneTimerAtItsFirstEventPlusDelay) {
  Debounce d(100ms);
  Debounce::TimePoint t0{};
  auto first = d.note(t0);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(*first, t0 + 100ms);
  EXPECT_FALSE(d.note(t0 + 10ms).has_value());
  // A trickle of events never moves the deadline.
  EXPECT_FALSE(d.note(t0 + 99ms).has_value());
  EXPECT_TRUE(d.armed());
  d.fired();
  EXPECT_FALSE(d.armed());
  auto next = d.note(t0 + 150ms);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, t0 + 250ms);
}

DaemonStatus sampleStatus() {
  DaemonStatus s;
  s.pid = 4242;
  s.state = "running";
  s.role = "relay";
  s.configPath = "/etc/meshfwd/\"odd\" name.toml";
  s.generation = 7;
  s.startedUnix = 1700000000;
  s.lastReload = ReloadResult::Failed;
  s.lastReloadUnix = 1700000100;
  s.lastReloadMs = 3.25;
  s.lastReloadErrors = {"/etc/meshfwd/meshfwd.toml:4:1: unknown key 'nopreemt'", "second [error] {x}"};
  s.components = {{"datapath", "{\"generation\":7,\"pid\":1}"}};
  return s;
}

TEST(DaemonStatusFile, RendersFlatScalarsThenErrorsThenComponents) {
  EXPECT_EQ(renderDaemonStatus(sampleStatus()),
            "{\"pid\":4242,\"state\":\"running\",\"role\":\"relay\",\"config\":\"/etc/meshfwd/\\\"odd\\\" "
            "name.toml\",\"generation\":7,\"started_unix\":1700000000,\"last_reload\":\"failed\","
            "\"last_reload_unix\":1700000100,\"last_reload_ms\":3.250,\"last_reload_errors\":[\"/etc/meshfwd/"
            "meshfwd.toml:4:1: unknown key 'nopreemt'\",\"second [error] {x}\"],\"components\":{\"datapath\":"
            "{\"generation\":7,\"pid\":1}}}\n");
}

TEST(DaemonStatusFile, FieldsReadBackAsWritten) {
  std::string json = renderDaemonStatus(sampleStatus());
  EXPECT_EQ(daemonStatusField(json, "pid"), "4242");
  EXPECT_EQ(daemonStatusField(json, "config"), "/etc/meshfwd/\"odd\" name.toml");
  EXPECT_EQ(daemonStatusField(json, "last_reload"), "failed");
  EXPECT_EQ(daemonStatusField(json, "generation"), "7");
  EXPECT_EQ(daemonStatusField(json, "nope"), std::nullopt);
  EXPECT_EQ(daemonStatusErrors(json), sampleStatus().lastReloadErrors);
}

TEST(DaemonStatusFile, AComponentsKeyIsNotMistakenForATopLevelOne) {
  DaemonStatus s;
  s.components = {{"vrrp", "{\"vrid\":3}"}};
  EXPECT_EQ(daemonStatusField(renderDaemonStatus(s), "vrid"), std::nullopt);
  EXPECT_EQ(daemonStatusField(renderDaemonStatus(s), "last_reload"), "none");
  EXPECT_TRUE(daemonStatusErrors(renderDaemonStatus(s)).empty());
}

TEST(DaemonStatusFile, WrittenAtomicallyIntoANewDirectory) {
  std::string dir = ::testing::TempDir() + "/meshfwd-daemon-status-" + std::to_string(::getpid());
  std::string path = dir + "/sub/daemon.json";
  ASSERT_EQ(writeFileAtomically(path, "one\n"), "");
  ASSERT_EQ(writeFileAtomically(path, "two\n"), "");
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "two\n");
  std::string error = writeFileAtomically("/proc/meshfwd-nope/daemon.json", "x");
  EXPECT_NE(error.find("/proc/meshfwd-nope"), std::string::npos) << error;
  std::system(("rm -rf '" + dir + "'").c_str());
}

TEST(DaemonMetrics, ReloadGaugesFollowTheLastResult) {
  DaemonStatus s;
  s.lastReloadMs = 12.5;
  std::string ok = renderDaemonMetrics(s, 1700000000);
  EXPECT_NE(ok.find("\nmeshfwd_config_reload_success 1\n"), std::string::npos) << ok;
  EXPECT_NE(ok.find("\nmeshfwd_config_reload_timestamp_seconds 1700000000\n"), std::string::npos) << ok;
  EXPECT_NE(ok.find("\nmeshfwd_config_reload_duration_seconds 0.012500\n"), std::string::npos) << ok;
  EXPECT_NE(ok.find("# TYPE meshfwd_config_reload_success gauge\n"), std::string::npos);
  s.lastReload = ReloadResult::Failed;
  EXPECT_NE(renderDaemonMetrics(s, 1).find("\nmeshfwd_config_reload_success 0\n"), std::string::npos);
}

TEST(DaemonMetrics, RefreshNeverTakesMoreThanATenthOfTheLoop) {
  using std::chrono::milliseconds;
  const milliseconds period(1000);
  EXPECT_EQ(metricsRefreshDelay(period, milliseconds(0)), period);
  EXPECT_EQ(metricsRefreshDelay(period, milliseconds(80)), period);     // 4,096 sites here
  EXPECT_EQ(metricsRefreshDelay(period, milliseconds(100)), period);
  EXPECT_EQ(metricsRefreshDelay(period, milliseconds(1500)), milliseconds(15000));  // 65,535 sites
}

TEST(DaemonNotify, MessagesFollowSdNotify) {
  EXPECT_EQ(readyMessage("relay on wg0"), "READY=1\nSTATUS=relay on wg0");
  EXPECT_EQ(reloadingMessage(123456789), "RELOADING=1\nMONOTONIC_USEC=123456789\nSTATUS=reloading the configuration");
  EXPECT_EQ(stoppingMessage(), "STOPPING=1\nSTATUS=stopping");
  uint64_t a = monotonicUsec(), b = monotonicUsec();
  EXPECT_GT(a, 0u);
  EXPECT_GE(b, a);
}

TEST(MetricsListen, HostPortAndBracketedIpv6) {
  std::string error;
  auto v4 = parseListenAddress("127.0.0.1:9469", &error);
  ASSERT_TRUE(v4) << error;
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 9469);
  auto v6 = parseListenAddress("[::1]:19469", &error);
  ASSERT_TRUE(v6) << error;
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 19469);
}

TEST(MetricsListen, RefusalsNameTheValue) {
  for (const char* bad : {"127.0.0.1", "127.0.0.1:", ":9469", "::1:9469", "[::1]9469", "[::1]:0", "h:70000", "h:9x"}) {
    std::string error;
    EXPECT_FALSE(parseListenAddress(bad, &error)) << bad;
    EXPECT_NE(error.find(std::string("'") + bad + "'"), std::string::npos) << error;
  }
}

}  // namespace
}  // namespace meshfwd
