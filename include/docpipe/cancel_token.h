// A cancel token: one party asks for work to stop, the workers check between
// units of work (and inside long loops) and stop as soon as they see it.
// Cancelling cannot be undone.
//
// Thread-safety: Cancel() and cancelled() may be called from any thread at any
// time; Cancel() is async-signal-safe (a lock-free store), so a SIGINT handler
// may call it.
#pragma once

#include <memory>

namespace docpipe {

class CancelToken {
 public:
  CancelToken();
  ~CancelToken();
  CancelToken(const CancelToken&) = delete;
  CancelToken& operator=(const CancelToken&) = delete;

  void Cancel();
  bool cancelled() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace docpipe
