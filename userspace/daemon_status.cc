#include "userspace/daemon_status.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "loader/netns.h"
#include "userspace/metrics_render.h"

namespace meshfwd {

const char* reloadResultName(ReloadResult r) {
  switch (r) {
    case ReloadResult::Ok: return "ok";
    case ReloadResult::Failed: return "failed";
    case ReloadResult::None: break;
  }
  return "none";
}

std::string renderDaemonStatus(const DaemonStatus& s) {
  char ms[32];
  std::snprintf(ms, sizeof ms, "%.3f", s.lastReloadMs);
  std::string out = "{\"pid\":" + std::to_string(s.pid) + ",\"state\":" + jsonString(s.state) +
                    ",\"role\":" + jsonString(s.role) + ",\"config\":" + jsonString(s.configPath) +
                    ",\"generation\":" + std::to_string(s.generation) +
                    ",\"started_unix\":" + std::to_string(s.startedUnix) +
                    ",\"last_reload\":" + jsonString(reloadResultName(s.lastReload)) +
                    ",\"last_reload_unix\":" + std::to_string(s.lastReloadUnix) + ",\"last_reload_ms\":" + ms +
                    ",\"last_reload_errors\":[";
  for (size_t i = 0; i < s.lastReloadErrors.size(); ++i) out += (i ? "," : "") + jsonString(s.lastReloadErrors[i]);
  out += "],\"components\":{";
  for (size_t i = 0; i < s.components.size(); ++i)
    out += (i ? "," : "") + jsonString(s.components[i].first) + ":" + s.components[i].second;
  return out + "}}\n";
}

namespace {

// Reads the JSON string literal starting at json[pos] (the opening quote);
// returns its value and moves pos past the closing quote. Handles the
// escapes jsonString() writes.
std::optional<std::string> readString(std::string_view json, size_t& pos) {
  if (pos >= json.size() || json[pos] != '"') return std::nullopt;
  std::string out;
  for (++pos; pos < json.size(); ++pos) {
    char c = json[pos];
    if (c == '"') {
      ++pos;
      return out;
    }
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++pos >= json.size()) return std::nullopt;
    switch (char e = json[pos]) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'u': {
        if (pos + 4 >= json.size()) return std::nullopt;
        out += static_cast<char>(std::stoi(std::string(json.substr(pos + 1, 4)), nullptr, 16));
        pos += 4;
        break;
      }
      default: out += e;
    }
  }
  return std::nullopt;
}

// The position just after `"key":` at the top level, or npos. The status
// puts every scalar before the first nested value, so a plain search that
// stops at the first '{' or '[' after the opening brace cannot be fooled by
// a component's keys.
size_t valueStart(std::string_view json, std::string_view key) {
  std::string needle = "\"" + std::string(key) + "\":";
  size_t at = json.find(needle);
  if (at == std::string_view::npos) return at;
  size_t nested = json.find_first_of("{[", 1);
  if (nested != std::string_view::npos && at > nested && key != "last_reload_errors") return std::string_view::npos;
  return at + needle.size();
}

}  // namespace

std::optional<std::string> daemonStatusField(std::string_view json, std::string_view key) {
  size_t pos = valueStart(json, key);
  if (pos == std::string_view::npos || pos >= json.size()) return std::nullopt;
  if (json[pos] == '"') return readString(json, pos);
  size_t end = json.find_first_of(",}", pos);
  if (end == std::string_view::npos) return std::nullopt;
  return std::string(json.substr(pos, end - pos));
}

std::optional<std::string> daemonStatusComponent(std::string_view json, std::string_view name) {
  size_t components = json.find("\"components\":{");
  if (components == std::string_view::npos) return std::nullopt;
  std::string needle = "\"" + std::string(name) + "\":{";
  size_t at = json.find(needle, components + 14);
  if (at == std::string_view::npos) return std::nullopt;
  size_t begin = at + needle.size() - 1;
  // The matching brace, skipping strings (a name may hold a brace).
  int depth = 0;
  for (size_t pos = begin; pos < json.size(); ++pos) {
    char c = json[pos];
    if (c == '"') {
      if (!readString(json, pos)) return std::nullopt;
      --pos;
      continue;
    }
    if (c == '{') ++depth;
    if (c == '}' && --depth == 0) return std::string(json.substr(begin, pos - begin + 1));
  }
  return std::nullopt;
}

std::vector<std::string> daemonStatusErrors(std::string_view json) {
  std::vector<std::string> out;
  size_t pos = valueStart(json, "last_reload_errors");
  if (pos == std::string_view::npos || pos >= json.size() || json[pos] != '[') return out;
  ++pos;
  while (pos < json.size() && json[pos] != ']') {
    if (json[pos] == ',') {
      ++pos;
      continue;
    }
    auto s = readString(json, pos);
    if (!s) break;
    out.push_back(*s);
  }
  return out;
}

std::string daemonStatusPath(std::string* error) {
  uint64_t inode = loader::netnsInode(error);
  if (!inode) return "";
  return "/run/meshfwd/net" + std::to_string(inode) + "/daemon.json";
}

std::string writeFileAtomically(const std::string& path, const std::string& content) {
  std::error_code ec;
  std::filesystem::path target(path);
  std::filesystem::create_directories(target.parent_path(), ec);
  if (ec) return "cannot create " + target.parent_path().string() + ": " + ec.message();
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return "cannot write " + tmp + ": " + std::strerror(errno);
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::string why = std::strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      return "cannot write " + tmp + ": " + why;
    }
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    return "cannot rename " + tmp + " to " + path + ": " + why;
  }
  return "";
}

}  // namespace meshfwd
