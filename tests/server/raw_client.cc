#include "raw_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace docpipe::testing {
namespace {

using Clock = std::chrono::steady_clock;

int MillisLeft(Clock::time_point end) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now()).count();
  return left < 0 ? 0 : static_cast<int>(left);
}

}  // namespace

RawConnection::RawConnection(int port) {
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    close(fd_);
    fd_ = -1;
  }
}

RawConnection::~RawConnection() {
  if (fd_ >= 0) close(fd_);
}

bool RawConnection::Send(const std::string& data, std::chrono::milliseconds deadline) {
  const auto end = Clock::now() + deadline;
  size_t sent = 0;
  while (sent < data.size()) {
    pollfd p{fd_, POLLOUT, 0};
    if (poll(&p, 1, MillisLeft(end)) <= 0 || (p.revents & (POLLERR | POLLHUP))) return false;
    ssize_t n = send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

bool RawConnection::Readable(std::chrono::milliseconds wait) {
  pollfd p{fd_, POLLIN, 0};
  return poll(&p, 1, static_cast<int>(wait.count())) > 0;
}

std::string RawConnection::ReadAll(std::chrono::milliseconds deadline) {
  const auto end = Clock::now() + deadline;
  std::string out;
  char buffer[16384];
  while (true) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, MillisLeft(end)) <= 0) return out;
    ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return out;
    out.append(buffer, static_cast<size_t>(n));
  }
}

int StatusOf(const std::string& response) {
  if (response.rfind("HTTP/1.", 0) != 0 || response.size() < 12) return 0;
  return std::atoi(response.substr(9, 3).c_str());
}

}  // namespace docpipe::testing
