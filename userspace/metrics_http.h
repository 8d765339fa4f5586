// GET /metrics over HTTP (cpp-httplib) on its own thread. The loop thread
// publishes a finished exposition text; the server thread only copies it
// out under a mutex, so no component is ever touched off the loop thread.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace httplib {
class Server;
}

namespace meshfwd {

struct ListenAddress {
  std::string host;  // "127.0.0.1", "::1", "0.0.0.0"
  uint16_t port = 0;
};

// "127.0.0.1:9469", "[::1]:9469", "[::]:9469". nullopt with *error naming
// what is wrong.
std::optional<ListenAddress> parseListenAddress(const std::string& text, std::string* error);

class MetricsServer {
 public:
  MetricsServer();
  ~MetricsServer();  // stop()
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // Binds now (so a taken port is an error here, not later) and serves from
  // a thread. "" or an error naming the address.
  std::string start(const std::string& listen);
  void publish(std::string text);
  void stop();

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::mutex mutex_;
  std::string text_;
};

}  // namespace meshfwd
