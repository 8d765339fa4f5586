#include "tools/bench/failover_report.h"

#include <algorithm>
#include <cstdio>

namespace meshfwd::bench {

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

const FailoverSample* find(const std::vector<FailoverSample>& samples, lab::Router r, FailoverEvent e, unsigned run) {
  for (const auto& s : samples)
    if (s.router == r && s.event == e && s.run == run) return &s;
  return nullptr;
}

std::string fixed(double v, int decimals = 1) {
  char text[32];
  std::snprintf(text, sizeof text, "%.*f", decimals, v);
  return text;
}

}  // namespace

const char* failoverEventName(FailoverEvent e) { return e == FailoverEvent::GracefulStop ? "graceful stop" : "link cut"; }

std::vector<FailoverRow> failoverRows(const std::vector<FailoverSample>& samples) {
  std::vector<FailoverRow> rows;
  for (FailoverEvent e : {FailoverEvent::GracefulStop, FailoverEvent::LinkCut}) {
    for (lab::Router r : {lab::Router::Meshfwd, lab::Router::Keepalived}) {
      FailoverRow row{r, e, 0, 0, 0, 0, 0};
      std::vector<double> windows;
      for (const auto& s : samples) {
        if (s.router != r || s.event != e) continue;
        ++row.runs;
        if (s.windowMs) windows.push_back(*s.windowMs);
      }
      if (row.runs == 0) continue;
      row.recovered = static_cast<unsigned>(windows.size());
      if (!windows.empty()) {
        row.medianMs = median(windows);
        row.minMs = *std::min_element(windows.begin(), windows.end());
        row.maxMs = *std::max_element(windows.begin(), windows.end());
      }
      rows.push_back(row);
    }
  }
  return rows;
}

std::vector<FailoverRatio> failoverRatios(const std::vector<FailoverSample>& samples) {
  std::vector<FailoverRatio> out;
  unsigned rounds = 0;
  for (const auto& s : samples) rounds = std::max(rounds, s.run);
  for (FailoverEvent e : {FailoverEvent::GracefulStop, FailoverEvent::LinkCut}) {
    FailoverRatio ratio{e, std::nullopt, 0};
    std::vector<double> ratios;
    for (unsigned run = 1; run <= rounds; ++run) {
      auto* m = find(samples, lab::Router::Meshfwd, e, run);
      auto* k = find(samples, lab::Router::Keepalived, e, run);
      if (m && k && m->windowMs && k->windowMs && *m->windowMs > 0) ratios.push_back(*k->windowMs / *m->windowMs);
    }
    ratio.pairs = static_cast<unsigned>(ratios.size());
    if (!ratios.empty()) ratio.medianRatio = median(ratios);
    out.push_back(ratio);
  }
  return out;
}

void printFailoverTable(std::ostream& out, const FailoverOptions& o, const std::vector<FailoverSample>& samples) {
  out << "meshfwd-bench failover: loss window of a UDP stream host -> remote site through the site's VRRP master\n"
      << "(one packet every " << o.probeInterval.count() << " us, advert interval " << o.advertIntervalCs * 10
      << " ms, priorities 200/100, " << o.runs << " run(s); window = last echo before to first after, minus one "
      << "interval)\n\n";
  char line[160];
  std::snprintf(line, sizeof line, "%-14s %-11s %10s %10s %10s %10s\n", "EVENT", "ROUTERS", "MEDIAN_MS", "MIN_MS",
                "MAX_MS", "RECOVERED");
  out << line;
  for (const auto& r : failoverRows(samples)) {
    std::string recovered = std::to_string(r.recovered) + "/" + std::to_string(r.runs);
    std::snprintf(line, sizeof line, "%-14s %-11s %10s %10s %10s %10s\n", failoverEventName(r.event),
                  lab::routerName(r.router), r.recovered ? fixed(r.medianMs).c_str() : "-",
                  r.recovered ? fixed(r.minMs).c_str() : "-", r.recovered ? fixed(r.maxMs).c_str() : "-",
                  recovered.c_str());
    out << line;
  }
  out << "\n";
  for (const auto& r : failoverRatios(samples)) {
    out << "keepalived / meshfwd, " << failoverEventName(r.event) << ": "
        << (r.medianRatio ? fixed(*r.medianRatio, 2) + "x (median of " + std::to_string(r.pairs) + " back-to-back pairs)"
                          : std::string("no complete pair"))
        << "\n";
  }
  for (const auto& s : samples)
    if (!s.windowMs)
      out << "run " << s.run << " " << failoverEventName(s.event) << " " << lab::routerName(s.router)
          << " failed: " << s.note << "\n";
}

void printFailoverJson(std::ostream& out, const FailoverOptions& o, const std::vector<FailoverSample>& samples) {
  out << "{\"probe_interval_us\":" << o.probeInterval.count() << ",\"advert_interval_ms\":" << o.advertIntervalCs * 10
      << ",\"runs\":" << o.runs << ",\"rows\":[";
  bool first = true;
  for (const auto& r : failoverRows(samples)) {
    out << (first ? "" : ",") << "{\"event\":\"" << failoverEventName(r.event) << "\",\"routers\":\""
        << lab::routerName(r.router) << "\",\"runs\":" << r.runs << ",\"recovered\":" << r.recovered;
    if (r.recovered)
      out << ",\"median_ms\":" << fixed(r.medianMs) << ",\"min_ms\":" << fixed(r.minMs) << ",\"max_ms\":"
          << fixed(r.maxMs);
    out << "}";
    first = false;
  }
  out << "],\"ratios\":[";
  first = true;
  for (const auto& r : failoverRatios(samples)) {
    out << (first ? "" : ",") << "{\"event\":\"" << failoverEventName(r.event) << "\",\"pairs\":" << r.pairs
        << ",\"keepalived_over_meshfwd\":" << (r.medianRatio ? fixed(*r.medianRatio, 2) : std::string("null")) << "}";
    first = false;
  }
  out << "],\"samples\":[";
  first = true;
  for (const auto& s : samples) {
    out << (first ? "" : ",") << "{\"run\":" << s.run << ",\"event\":\"" << failoverEventName(s.event)
        << "\",\"routers\":\"" << lab::routerName(s.router) << "\",\"window_ms\":"
        << (s.windowMs ? fixed(*s.windowMs) : std::string("null")) << ",\"lost\":" << s.lost << "}";
    first = false;
  }
  out << "]}\n";
}

}  // namespace meshfwd::bench
