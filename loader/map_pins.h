// The object's maps pinned by name under <pinRoot>/maps, and the rules for
// taking over the pinned ones: a re-attach or a restarted daemon reuses
// the maps that are there (counters and policy survive), but only when
// their layout is the one this build was compiled for. Anything else is
// re-created, never reinterpreted.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

struct bpf_object;

namespace meshfwd::loader {

// A hash over MF_ABI_VERSION and every (non-internal) map's name, type,
// key and value size, entry count and flags, as declared in the object.
// Computed between open and load.
uint64_t layoutFingerprint(bpf_object* obj);

struct MapAdoption {
  std::set<std::string> adopted;      // maps now sharing the pinned ones
  std::vector<std::string> warnings;  // what was re-created, and why
  bool all = false;                   // every map was adopted
  int skippedPins = 0;                // pins left alone because the layout did not match
};

// Between open and load: makes each map reuse its pin when `layoutMatches`
// (the pins' recorded version and fingerprint are this build's) and the
// kernel's view of the pinned map agrees with the declaration. "" or an
// error.
std::string adoptPinnedMaps(bpf_object* obj, const std::string& mapsDir, bool layoutMatches, MapAdoption& out);

// After a successful attach: pins the maps that were not adopted (replacing
// stale pins) and removes pins of maps the object no longer has. "" or an
// error.
std::string pinMaps(bpf_object* obj, const std::string& mapsDir, const MapAdoption& adoption);

}  // namespace meshfwd::loader
