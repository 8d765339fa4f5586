// The daemon's log: stderr lines with an sd-daemon(3) priority prefix
// ("<6>started"), which journald turns into the entry's priority. One line
// per event the operator should know about; never one per packet.
#pragma once

#include <string>
#include <string_view>

namespace meshfwd {

enum class LogPriority { Error = 3, Warning = 4, Notice = 5, Info = 6, Debug = 7 };

// "<N>message\n". Line breaks inside `message` become spaces, so one event
// stays one journal entry with one priority.
std::string formatLogLine(LogPriority priority, std::string_view message);

// Writes formatLogLine() to stderr in one write(2), so lines of the HTTP
// thread and the loop thread never interleave mid-line.
void logLine(LogPriority priority, std::string_view message);

inline void logError(std::string_view m) { logLine(LogPriority::Error, m); }
inline void logWarning(std::string_view m) { logLine(LogPriority::Warning, m); }
inline void logInfo(std::string_view m) { logLine(LogPriority::Info, m); }

}  // namespace meshfwd
