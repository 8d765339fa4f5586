// libFuzzer target for the config parser and validator: arbitrary bytes in,
// never a crash, a hang or a sanitizer report, and the ConfigLoad contract
// holds for every input. See tests/fuzz/README.md for the long run.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "userspace/config_file.h"
#include "userspace/nft_render.h"

namespace {

// A broken contract is a finding: abort so libFuzzer saves the input.
void require(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  meshfwd::ConfigLoad load = meshfwd::parseConfig(text, "fuzz.toml");

  // A config comes back exactly when nothing is wrong.
  require(load.config.has_value() == load.errors.empty());

  // Errors point into the input (or nowhere), and say something.
  size_t lines = 1;
  for (char c : text) lines += c == '\n';
  for (const auto& e : load.errors) {
    require(e.file == "fuzz.toml");
    require(e.line >= 0 && static_cast<size_t>(e.line) <= lines + 1 && e.column >= 0);
    require(!e.message.empty());
    require(e.str().rfind("fuzz.toml", 0) == 0);
  }

  // What validation promises about an accepted config.
  if (const auto& c = load.config) {
    require(c->meshPrefix.length == 48);
    if (c->sitePrefix) require(c->sitePrefix->length == 64 && c->meshPrefix.contains(*c->sitePrefix));
    require(c->role == meshfwd::Role::Relay || c->sitePrefix.has_value());
    require(c->ports.lo != 0 && c->ports.lo <= c->ports.hi);
    for (uint8_t forbidden : {135, 136, 137}) require(c->allowedIcmpTypes.count(forbidden) == 0);
    if (c->uplinkMtu) require(*c->uplinkMtu >= 1440);
    require(!c->tunnel.empty());
    // Rendering what validated must work whenever it says it can.
    if (!meshfwd::inputRulesetProblem(*c)) require(!meshfwd::renderInputRuleset(*c).empty());
  }
  return 0;
}
