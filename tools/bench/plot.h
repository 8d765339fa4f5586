// Plots of the benchmark's figures through gnuplot (a Debian package,
// installed by tools/setup.sh): the medians as bars, min..max as error bars.
// The file name's extension picks the terminal: .svg, else PNG.
#pragma once

#include <string>

namespace meshfwd::bench {

struct ForwardResult;
struct ScalingResult;

// Router ns/packet by mode and load, one panel per shape. "" or the error.
std::string plotForward(const ForwardResult& result, const std::string& file);
// Lookup ns/packet by site count (exact table and LPM trie alone), and map
// sync time by site count. "" or the error.
std::string plotScaling(const ScalingResult& result, const std::string& file);

}  // namespace meshfwd::bench
