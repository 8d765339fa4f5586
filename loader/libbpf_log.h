// Collects what libbpf prints while one call runs, so a failure can be
// reported in the kernel's own words (the verifier log's tail, netlink's
// extended ack) instead of a bare errno.
#pragma once

#include <cstddef>
#include <string>

namespace meshfwd::loader {

class LibbpfLogCapture {
 public:
  // libbpf has one process-wide print hook, so captures are serialised
  // (a recursive lock: a capture may nest inside another on one thread).
  LibbpfLogCapture();
  ~LibbpfLogCapture();
  LibbpfLogCapture(const LibbpfLogCapture&) = delete;
  LibbpfLogCapture& operator=(const LibbpfLogCapture&) = delete;

  const std::string& text() const { return text_; }
  // The last maxLines lines of the verifier log libbpf printed for a
  // rejected program, or "" when there was none.
  std::string verifierTail(std::size_t maxLines) const;

  // The netlink extended ack libbpf printed last ("Kernel error message:"),
  // or "".
  std::string kernelMessage() const;

  void append(const std::string& line) { text_ += line; }

 private:
  std::string text_;
  LibbpfLogCapture* outer_ = nullptr;
  void* previousPrint_ = nullptr;
};

// The kernel's message for the last failed hook call (xdp_hook, tc_hook) on
// this thread, so the error a person reads carries it. "" when none.
const std::string& lastKernelMessage();
void setLastKernelMessage(std::string message);

}  // namespace meshfwd::loader
