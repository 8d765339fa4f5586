#include "userspace/metrics_http.h"

#include <httplib.h>

#include <charconv>

namespace meshfwd {

std::optional<ListenAddress> parseListenAddress(const std::string& text, std::string* error) {
  ListenAddress out;
  std::string port;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      *error = "metrics listen address '" + text + "': expected [IPv6]:PORT";
      return std::nullopt;
    }
    out.host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string::npos || text.find(':') != colon) {
      *error = "metrics listen address '" + text + "': expected HOST:PORT (IPv6 in brackets)";
      return std::nullopt;
    }
    out.host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (out.host.empty() || port.empty() || ec != std::errc() || end != port.data() + port.size() || value == 0 ||
      value > 65535) {
    *error = "metrics listen address '" + text + "': need a host and a port 1-65535";
    return std::nullopt;
  }
  out.port = static_cast<uint16_t>(value);
  return out;
}

MetricsServer::MetricsServer() = default;

MetricsServer::~MetricsServer() { stop(); }

std::string MetricsServer::start(const std::string& listen) {
  std::string error;
  auto address = parseListenAddress(listen, &error);
  if (!address) return error;
  server_ = std::make_unique<httplib::Server>();
  // Scrapes are small and rare; two workers keep a slow client from
  // blocking the next scrape without spending threads on it.
  server_->new_task_queue = [] { return new httplib::ThreadPool(2); };
  server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    std::string body;
    {
      std::lock_guard lock(mutex_);
      body = text_;
    }
    res.set_content(body, "text/plain; version=0.0.4; charset=utf-8");
  });
  if (!server_->bind_to_port(address->host, address->port)) {
    server_.reset();
    return "cannot listen for /metrics on " + listen + " (address in use or not on this host)";
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  return "";
}

void MetricsServer::publish(std::string text) {
  std::lock_guard lock(mutex_);
  text_ = std::move(text);
}

void MetricsServer::stop() {
  if (!server_) return;
  server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
}

}  // namespace meshfwd
