#include "tools/bench/plot.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tools/bench/forward_bench.h"
#include "tools/bench/netns_run.h"
#include "tools/bench/scaling_bench.h"

namespace meshfwd::bench {

namespace {

std::string terminalFor(const std::string& file, int width, int height) {
  bool svg = file.size() > 4 && file.compare(file.size() - 4, 4, ".svg") == 0;
  std::ostringstream t;
  if (svg)
    t << "set terminal svg size " << width << "," << height << " dynamic noenhanced font 'sans,11'\n";
  else
    t << "set terminal pngcairo size " << width << "," << height << " noenhanced font 'sans,10'\n";
  return t.str();
}

std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// Writes the script and its data to a temporary directory and runs gnuplot.
std::string runGnuplot(const std::string& script, const std::vector<std::pair<std::string, std::string>>& data) {
  char dir[] = "/tmp/meshfwd-bench-plot.XXXXXX";
  if (!mkdtemp(dir)) return "cannot create a temporary directory";
  for (const auto& [name, text] : data) std::ofstream(std::string(dir) + "/" + name) << text;
  std::ofstream(std::string(dir) + "/plot.gp") << script;
  std::string err = runShell(std::string("cd ") + dir + " && gnuplot plot.gp");
  runShell(std::string("rm -rf ") + dir);
  return err;
}

}  // namespace

std::string plotForward(const ForwardResult& result, const std::string& relativeFile) {
  // gnuplot runs in a temporary directory.
  const std::string file = std::filesystem::absolute(relativeFile).string();
  const RouterMode modes[] = {RouterMode::Kernel, RouterMode::KernelNft, RouterMode::Meshfwd,
                              RouterMode::BareForwarder};
  std::vector<std::pair<std::string, std::string>> data;
  std::vector<std::string> shapes;
  for (const char* shape : {"veth", "tun"}) {
    std::ostringstream d;
    bool any = false;
    for (Load load : kLoads) {
      d << loadName(load);
      for (RouterMode m : modes) {
        Spread s;
        for (const ForwardCell& c : result.cells)
          if (c.shape == shape && c.mode == m && c.load == load) {
            s = spreadOf(c.routerNs);
            any = true;
          }
        d << " " << s.median << " " << s.min << " " << s.max;
      }
      d << "\n";
    }
    if (any) {
      data.emplace_back(std::string(shape) + ".dat", d.str());
      shapes.push_back(shape);
    }
  }
  if (shapes.empty()) return "nothing measured";

  std::ostringstream gp;
  gp << terminalFor(file, 560 * static_cast<int>(shapes.size()), 480) << "set output " << quoted(file) << "\n"
     << "set style data histogram\nset style histogram errorbars gap 1 lw 1\nset style fill solid 0.8 border -1\n"
     << "set boxwidth 0.9\nset grid ytics\nset yrange [0:*]\nset key top left\nset xtics rotate by -20\n"
     << "set ylabel 'router CPU ns per offered packet (median, min..max)'\n"
     << "set multiplot layout 1," << shapes.size() << " title "
     << quoted("meshfwd-bench forward: " + std::to_string(result.options.runs) + " runs, load avg " +
               result.loadBefore + " (veth figures are relative)")
     << "\n";
  for (const std::string& shape : shapes) {
    gp << "set title " << quoted(shape == "veth" ? "generator -> router -> sink over veth"
                                                 : "relay shape: in and out of one TUN")
       << "\n";
    gp << "plot ";
    for (size_t i = 0; i < 4; ++i) {
      gp << (i ? ", " : "") << quoted(shape + ".dat") << " using " << 2 + 3 * i << ":" << 3 + 3 * i << ":"
         << 4 + 3 * i << (i == 0 ? ":xtic(1)" : "") << " title " << quoted(modeName(modes[i]));
    }
    gp << "\n";
  }
  gp << "unset multiplot\n";
  return runGnuplot(gp.str(), data);
}

std::string plotScaling(const ScalingResult& result, const std::string& relativeFile) {
  const std::string file = std::filesystem::absolute(relativeFile).string();
  std::ostringstream lookup, sync;
  for (const ScalingPoint& p : result.points) {
    lookup << p.sites << " " << p.lookupExactNs.median << " " << p.lookupExactNs.min << " " << p.lookupExactNs.max
           << " " << p.lookupLpmNs.median << " " << p.lookupLpmNs.min << " " << p.lookupLpmNs.max << "\n";
    sync << p.sites << " " << p.syncAddMs.median << " " << p.syncAddMs.min << " " << p.syncAddMs.max << " "
         << p.syncNoopMs.median << " " << p.syncNoopMs.min << " " << p.syncNoopMs.max << " " << p.snapshotMs.median
         << " " << p.snapshotMs.min << " " << p.snapshotMs.max << "\n";
  }
  std::ostringstream gp;
  gp << terminalFor(file, 1100, 460) << "set output " << quoted(file) << "\n"
     << "set logscale x 2\nset grid\nset key top left\nset xlabel 'sites (/64 routes)'\n"
     << "set multiplot layout 1,2 title "
     << quoted("meshfwd-bench scaling: " + std::to_string(result.runs) + " runs, load avg " + result.loadBefore)
     << "\n"
     << "set title 'relay policy lookup, allowed mesh UDP (BPF_PROG_TEST_RUN)'\n"
     << "set ylabel 'ns per packet above the empty program'\nset yrange [0:*]\n"
     << "plot 'lookup.dat' using 1:2:3:4 with yerrorlines title 'exact /64 table + LPM (product)', "
     << "'lookup.dat' using 1:5:6:7 with yerrorlines title 'LPM trie alone'\n"
     << "set title 'route sync (RouteSync) and the netlink read before it, as the daemon'\n"
     << "set ylabel 'ms'\nset logscale y 10\nset yrange [*:*]\n"
     << "plot 'sync.dat' using 1:2:3:4 with yerrorlines title 'initial sync (all adds)', "
     << "'sync.dat' using 1:5:6:7 with yerrorlines title 'no-op re-sync', "
     << "'sync.dat' using 1:8:9:10 with yerrorlines title 'netlink snapshot of the routes'\n"
     << "unset multiplot\n";
  return runGnuplot(gp.str(), {{"lookup.dat", lookup.str()}, {"sync.dat", sync.str()}});
}

}  // namespace meshfwd::bench
