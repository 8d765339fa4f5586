#include "loader/libbpf_log.h"

#include <bpf/libbpf.h>

#include <cstdarg>
#include <cstdio>
#include <mutex>
#include <vector>

namespace meshfwd::loader {

namespace {

std::recursive_mutex& captureMutex() {
  static std::recursive_mutex m;
  return m;
}

LibbpfLogCapture* activeCapture = nullptr;

int captureLine(enum libbpf_print_level level, const char* format, va_list args) {
  if (level == LIBBPF_DEBUG || activeCapture == nullptr) return 0;
  char buffer[4096];
  va_list copy;
  va_copy(copy, args);
  int n = std::vsnprintf(buffer, sizeof buffer, format, copy);
  va_end(copy);
  if (n < 0) return n;
  if (static_cast<size_t>(n) < sizeof buffer) {
    activeCapture->append(buffer);
  } else {
    // The verifier log arrives as one huge "%s": format it in full.
    std::vector<char> big(static_cast<size_t>(n) + 1);
    std::vsnprintf(big.data(), big.size(), format, args);
    activeCapture->append(big.data());
  }
  return n;
}

}  // namespace

LibbpfLogCapture::LibbpfLogCapture() {
  captureMutex().lock();
  outer_ = activeCapture;
  activeCapture = this;
  previousPrint_ = reinterpret_cast<void*>(libbpf_set_print(captureLine));
}

LibbpfLogCapture::~LibbpfLogCapture() {
  libbpf_set_print(reinterpret_cast<libbpf_print_fn_t>(previousPrint_));
  activeCapture = outer_;
  if (outer_ != nullptr) outer_->append(text_);
  captureMutex().unlock();
}

std::string LibbpfLogCapture::kernelMessage() const {
  static constexpr std::string_view kPrefix = "Kernel error message: ";
  size_t at = text_.rfind(kPrefix);
  if (at == std::string::npos) return "";
  at += kPrefix.size();
  size_t end = text_.find('\n', at);
  return text_.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

namespace {
thread_local std::string lastKernelMessageText;
}  // namespace

const std::string& lastKernelMessage() { return lastKernelMessageText; }
void setLastKernelMessage(std::string message) { lastKernelMessageText = std::move(message); }

std::string LibbpfLogCapture::verifierTail(std::size_t maxLines) const {
  static constexpr std::string_view kBegin = "-- BEGIN PROG LOAD LOG --";
  static constexpr std::string_view kEnd = "-- END PROG LOAD LOG --";
  size_t begin = text_.rfind(kBegin);
  if (begin == std::string::npos) return "";
  begin += kBegin.size();
  size_t end = text_.find(kEnd, begin);
  std::string log = text_.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
  while (!log.empty() && (log.back() == '\n' || log.back() == ' ')) log.pop_back();
  while (!log.empty() && log.front() == '\n') log.erase(0, 1);
  size_t cut = log.size();
  for (size_t lines = 0; lines < maxLines && cut != std::string::npos && cut > 0; ++lines) {
    cut = log.rfind('\n', cut - 1);
  }
  if (cut != std::string::npos && cut < log.size() && log[cut] == '\n') ++cut;
  if (cut == std::string::npos) cut = 0;
  return log.substr(cut);
}

}  // namespace meshfwd::loader
