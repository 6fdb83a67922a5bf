// A bare TCP client for the server tests that must send what a normal HTTP
// client never would: a chunked body past the limit, headers one byte at a
// time, hand-made Authorization bytes. Every wait has a deadline.
#pragma once

#include <chrono>
#include <string>

namespace docpipe::testing {

class RawConnection {
 public:
  explicit RawConnection(int port);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return fd_ >= 0; }
  // Sends all of `data`, waiting at most `deadline` for the socket to take
  // it; false when the peer closed, reset, or did not take it in time.
  bool Send(const std::string& data, std::chrono::milliseconds deadline = std::chrono::seconds(5));
  // True when the server has sent something (a reply) or closed.
  bool Readable(std::chrono::milliseconds wait = std::chrono::milliseconds(0));
  // Everything the server sends until it closes or `deadline` passes.
  std::string ReadAll(std::chrono::milliseconds deadline = std::chrono::seconds(10));

 private:
  int fd_ = -1;
};

// The status code of an HTTP response's first line, or 0.
int StatusOf(const std::string& response);

}  // namespace docpipe::testing
