// A plain HTTP/1.0 GET from inside a namespace, for scraping the daemon's
// /metrics the way Prometheus does, with no curl in the test's path: the
// socket is opened on a thread that joined the namespace (runInNetns).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace meshfwd::test {

struct HttpReply {
  int status = 0;           // from the status line, e.g. 200
  std::string contentType;  // the Content-Type header's value, "" if absent
  std::string body;
};

// GET http://<ipv4>:<port><path>. nullopt with *error when nothing
// answered in time or the reply is not HTTP.
std::optional<HttpReply> httpGet(const std::string& netns, const std::string& ipv4, uint16_t port,
                                 const std::string& path, std::chrono::milliseconds timeout, std::string* error);

}  // namespace meshfwd::test
