// VRRPv3 (RFC 5798 as revised by RFC 9568): packet golden bytes with an
// independently computed checksum, receive validation, and one test per
// state-machine transition with an injected clock.
#include <gtest/gtest.h>

#include "tests/support/packet.h"
#include "userspace/vrrp_packet.h"
#include "userspace/vrrp_state.h"

namespace meshfwd::vrrp {
namespace {

using namespace std::chrono_literals;

const Ipv6Addr kVip = *Ipv6Addr::parse("fe80::42");
const Ipv6Addr kMe = *Ipv6Addr::parse("fe80::10");
const Ipv6Addr kLower = *Ipv6Addr::parse("fe80::5");
const Ipv6Addr kHigher = *Ipv6Addr::parse("fe80::20");

Advert advert(uint8_t priority, uint16_t intervalCs = 100) { return Advert{42, priority, intervalCs, {kVip}}; }

TEST(VrrpPacket, GoldenBytesWithIndependentChecksum) {
  Bytes b = buildAdvert(advert(100), kMe);
  ASSERT_EQ(b.size(), 24u);
  EXPECT_EQ((Bytes(b.begin(), b.begin() + 6)), (Bytes{0x31, 0x2a, 0x64, 0x01, 0x00, 0x64}));
  EXPECT_EQ((Bytes(b.begin() + 8, b.end())),
            (Bytes{0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x42}));
  Bytes zeroed = b;
  zeroed[6] = zeroed[7] = 0;
  uint16_t expected = test::ipv6UpperChecksum(test::In6::parse("fe80::10"), test::In6::parse("ff02::12"),
                                              test::kProtoVrrp, zeroed);
  EXPECT_EQ((uint16_t(b[6]) << 8) | b[7], expected);
}

TEST(VrrpPacket, IntervalUsesTwelveBitsInCentiseconds) {
  Bytes b = buildAdvert(advert(100, 1), kMe);  // 10 ms, the smallest
  EXPECT_EQ(b[4], 0x00);
  EXPECT_EQ(b[5], 0x01);
  Bytes max = buildAdvert(advert(100, 4095), kMe);
  EXPECT_EQ(max[4], 0x0f);
  EXPECT_EQ(max[5], 0xff);
  auto r = parseAdvert(max, 255, kMe, kVrrpGroup, 42);
  EXPECT_EQ(r.discard, Discard::None);
  EXPECT_EQ(r.advert.intervalCs, 4095);
}

TEST(VrrpPacket, ParsesWhatItBuilds) {
  Advert two{42, 200, 10, {kVip, *Ipv6Addr::parse("fd00::1")}};
  auto r = parseAdvert(buildAdvert(two, kMe), 255, kMe, kVrrpGroup, 42);
  ASSERT_EQ(r.discard, Discard::None);
  EXPECT_EQ(r.advert.priority, 200);
  EXPECT_EQ(r.advert.intervalCs, 10);
  ASSERT_EQ(r.advert.addresses.size(), 2u);
  EXPECT_EQ(r.advert.addresses[0], kVip);
}

TEST(VrrpPacket, DiscardsEachInvalidClass) {
  Bytes good = buildAdvert(advert(100), kMe);
  EXPECT_EQ(parseAdvert(good, 254, kMe, kVrrpGroup, 42).discard, Discard::BadHopLimit);
  EXPECT_EQ(parseAdvert(good, 255, kMe, kVrrpGroup, 7).discard, Discard::UnknownVrid);
  EXPECT_EQ(parseAdvert(good, 255, kLower, kVrrpGroup, 42).discard, Discard::BadChecksum);

  Bytes v2 = good;
  v2[0] = 0x21;
  EXPECT_EQ(parseAdvert(v2, 255, kMe, kVrrpGroup, 42).discard, Discard::BadVersion);
  Bytes type = good;
  type[0] = 0x32;
  EXPECT_EQ(parseAdvert(type, 255, kMe, kVrrpGroup, 42).discard, Discard::BadType);

  Advert none{42, 100, 100, {}};
  EXPECT_EQ(parseAdvert(buildAdvert(none, kMe), 255, kMe, kVrrpGroup, 42).discard, Discard::NoAddresses);

  // Count says one address but only half of it is there.
  Advert liar{42, 100, 100, {kVip}};
  Bytes rebuilt = buildAdvert(liar, kMe);
  rebuilt.resize(16);
  // Re-checksum the truncated message so only the length is wrong.
  rebuilt[6] = rebuilt[7] = 0;
  uint16_t c = test::ipv6UpperChecksum(test::In6::parse("fe80::10"), test::In6::parse("ff02::12"),
                                       test::kProtoVrrp, rebuilt);
  rebuilt[6] = static_cast<uint8_t>(c >> 8);
  rebuilt[7] = static_cast<uint8_t>(c);
  EXPECT_EQ(parseAdvert(rebuilt, 255, kMe, kVrrpGroup, 42).discard, Discard::LengthMismatch);
  EXPECT_EQ(parseAdvert(Bytes{0x31, 0x2a}, 255, kMe, kVrrpGroup, 42).discard, Discard::LengthMismatch);
}

TEST(VrrpTiming, SkewAndMasterDownFollowRfc5798) {
  EXPECT_EQ(Machine::skewTimeCs(100, 100), 60u);   // (156 * 100) / 256 = 60.9 -> 60
  EXPECT_EQ(Machine::masterDownIntervalCs(100, 100), 360u);
  EXPECT_EQ(Machine::skewTimeCs(254, 10), 0u);     // (2 * 10) / 256
  EXPECT_EQ(Machine::masterDownIntervalCs(1, 100), 300u + 99u);
}

struct Fixture {
  Clock::time_point t0 = Clock::time_point{} + 100s;
  Settings settings(uint8_t priority, bool preempt = true) {
    Settings s;
    s.vrid = 42;
    s.priority = priority;
    s.advertIntervalCs = 100;
    s.preempt = preempt;
    s.localAddress = kMe;
    return s;
  }
};

TEST(VrrpMachine, OwnerStartsAsMasterAndAdvertises) {
  Fixture f;
  Machine m(f.settings(255));
  Actions a = m.startup(f.t0);
  EXPECT_EQ(m.state(), State::Master);
  EXPECT_TRUE(a.becameMaster);
  EXPECT_EQ(a.sendAdvertWithPriority, 255);
  EXPECT_EQ(*m.nextDeadline(), f.t0 + 1s);
  Actions tick = m.onTimer(f.t0 + 1s);
  EXPECT_EQ(tick.sendAdvertWithPriority, 255);
  EXPECT_EQ(*m.nextDeadline(), f.t0 + 2s);
}

TEST(VrrpMachine, NonOwnerStartsAsBackupAndTakesOverAtMasterDown) {
  Fixture f;
  Machine m(f.settings(100));
  Actions a = m.startup(f.t0);
  EXPECT_EQ(m.state(), State::Backup);
  EXPECT_FALSE(a.becameMaster);
  EXPECT_FALSE(a.sendAdvertWithPriority);
  EXPECT_EQ(*m.nextDeadline(), f.t0 + 3600ms);
  EXPECT_FALSE(m.onTimer(f.t0 + 3590ms).becameMaster);
  Actions up = m.onTimer(f.t0 + 3600ms);
  EXPECT_TRUE(up.becameMaster);
  EXPECT_EQ(up.sendAdvertWithPriority, 100);
  EXPECT_EQ(m.state(), State::Master);
}

TEST(VrrpMachine, BackupAdoptsTheMastersIntervalAndStaysBackup) {
  Fixture f;
  Machine m(f.settings(100));
  m.startup(f.t0);
  m.onAdvert(f.t0 + 1s, advert(150, 10), kHigher);  // master advertises every 100 ms
  EXPECT_EQ(m.masterAdverIntervalCs(), 10);
  // 3 x 10 cs + (156 x 10) / 256 = 36 cs
  EXPECT_EQ(*m.nextDeadline(), f.t0 + 1s + 360ms);
  EXPECT_EQ(*m.masterAddress(), kHigher);
  EXPECT_EQ(m.state(), State::Backup);
}

TEST(VrrpMachine, BackupWithPreemptIgnoresLowerPriorityMasterAndTakesOver) {
  Fixture f;
  Machine m(f.settings(100, true));
  m.startup(f.t0);
  m.onAdvert(f.t0 + 1s, advert(50), kLower);
  EXPECT_EQ(*m.nextDeadline(), f.t0 + 3600ms);  // not re-armed
  EXPECT_TRUE(m.onTimer(f.t0 + 3600ms).becameMaster);
}

TEST(VrrpMachine, BackupWithoutPreemptAcceptsLowerPriorityMaster) {
  Fixture f;
  Machine m(f.settings(100, false));
  m.startup(f.t0);
  m.onAdvert(f.t0 + 1s, advert(50), kLower);
  EXPECT_EQ(*m.nextDeadline(), f.t0 + 1s + 3600ms);
  EXPECT_FALSE(m.onTimer(f.t0 + 3600ms).becameMaster);
  EXPECT_EQ(m.state(), State::Backup);
}

TEST(VrrpMachine, BackupTakesOverAfterSkewTimeOnPriorityZero) {
  Fixture f;
  Machine m(f.settings(100));
  m.startup(f.t0);
  m.onAdvert(f.t0 + 1s, advert(150), kHigher);
  m.onAdvert(f.t0 + 2s, advert(0), kHigher);
  EXPECT_EQ(*m.nextDeadline(), f.t0 + 2s + 600ms);  // Skew_Time only
  EXPECT_TRUE(m.onTimer(f.t0 + 2600ms).becameMaster);
}

TEST(VrrpMachine, MasterYieldsToHigherPriority) {
  Fixture f;
  Machine m(f.settings(255 - 1));
  m.startup(f.t0);
  m.onTimer(f.t0 + 3600ms);
  ASSERT_EQ(m.state(), State::Master);
  Actions a = m.onAdvert(f.t0 + 4s, advert(255), kLower);
  EXPECT_TRUE(a.becameBackup);
  EXPECT_EQ(m.state(), State::Backup);
  EXPECT_EQ(*m.masterAddress(), kLower);
}

TEST(VrrpMachine, MasterIgnoresLowerPriority) {
  Fixture f;
  Machine m(f.settings(255));
  m.startup(f.t0);
  Actions a = m.onAdvert(f.t0 + 1s, advert(100), kHigher);
  EXPECT_FALSE(a.becameBackup);
  EXPECT_EQ(m.state(), State::Master);
}

TEST(VrrpMachine, EqualPriorityBrokenByHigherSourceAddress) {
  Fixture f;
  Machine lowAddr(f.settings(100));
  lowAddr.startup(f.t0);
  lowAddr.onTimer(f.t0 + 3600ms);
  EXPECT_TRUE(lowAddr.onAdvert(f.t0 + 4s, advert(100), kHigher).becameBackup);

  Machine highAddr(f.settings(100));
  highAddr.startup(f.t0);
  highAddr.onTimer(f.t0 + 3600ms);
  EXPECT_FALSE(highAddr.onAdvert(f.t0 + 4s, advert(100), kLower).becameBackup);
  EXPECT_EQ(highAddr.state(), State::Master);
}

TEST(VrrpMachine, MasterAnswersPriorityZeroAtOnce) {
  Fixture f;
  Machine m(f.settings(255));
  m.startup(f.t0);
  Actions a = m.onAdvert(f.t0 + 300ms, advert(0), kLower);
  EXPECT_EQ(a.sendAdvertWithPriority, 255);
  EXPECT_EQ(*m.nextDeadline(), f.t0 + 1300ms);
}

TEST(VrrpMachine, ShutdownFromMasterSendsPriorityZero) {
  Fixture f;
  Machine m(f.settings(255));
  m.startup(f.t0);
  Actions a = m.shutdown(f.t0 + 5s);
  EXPECT_EQ(a.sendAdvertWithPriority, 0);
  EXPECT_TRUE(a.stopped);
  EXPECT_EQ(m.state(), State::Initialize);
  EXPECT_FALSE(m.nextDeadline());
}

TEST(VrrpMachine, ShutdownFromBackupSendsNothing) {
  Fixture f;
  Machine m(f.settings(100));
  m.startup(f.t0);
  Actions a = m.shutdown(f.t0 + 1s);
  EXPECT_FALSE(a.sendAdvertWithPriority);
  EXPECT_TRUE(a.stopped);
}

TEST(VrrpMachine, IgnoresOtherVrids) {
  Fixture f;
  Machine m(f.settings(100));
  m.startup(f.t0);
  Advert other{7, 200, 100, {kVip}};
  m.onAdvert(f.t0 + 1s, other, kHigher);
  EXPECT_EQ(*m.nextDeadline(), f.t0 + 3600ms);
}

TEST(VrrpMachine, CountsTransitionsAndRemembersTheLast) {
  Fixture f;
  Machine m(f.settings(100));
  m.startup(f.t0);
  m.onTimer(f.t0 + 3600ms);
  m.onAdvert(f.t0 + 5s, advert(200), kHigher);
  EXPECT_EQ(m.transitions(), 3u);
  EXPECT_EQ(*m.lastTransition(), f.t0 + 5s);
}

}  // namespace
}  // namespace meshfwd::vrrp
