// Where this namespace's instance lives in bpffs, and how to tell its
// programs from anyone else's on a hook.
#pragma once

#include <cstdint>
#include <set>
#include <string>

namespace meshfwd::loader {

std::string mapsDir(const std::string& pinRoot);
std::string progsDir(const std::string& pinRoot);

// Ids of the programs pinned under <pinRoot>/progs.
std::set<uint32_t> pinnedProgramIds(const std::string& pinRoot);

// Whether the program on a hook is meshfwd's: one of the pinned ones, or
// one carrying a meshfwd hook program's name (attached by a run that died
// before it pinned). *program gets its full name ("" when not ours).
bool isMeshfwdProgram(uint32_t progId, const std::set<uint32_t>& pinnedIds, std::string* program);

}  // namespace meshfwd::loader
