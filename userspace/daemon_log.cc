#include "userspace/daemon_log.h"

#include <unistd.h>

namespace meshfwd {

std::string formatLogLine(LogPriority priority, std::string_view message) {
  std::string line = "<" + std::to_string(static_cast<int>(priority)) + ">";
  for (char c : message) line += (c == '\n' || c == '\r') ? ' ' : c;
  line += '\n';
  return line;
}

void logLine(LogPriority priority, std::string_view message) {
  std::string line = formatLogLine(priority, message);
  // A short write on a pipe is not worth a retry loop: the log is best effort.
  [[maybe_unused]] ssize_t n = ::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace meshfwd
