// A mutex whose lock rules clang checks (-Wthread-safety, on in every clang
// build): members say which mutex guards them, functions which mutex they
// need, and the compiler refuses code that touches guarded state unlocked.
// Other compilers see plain std::mutex and std::unique_lock.
//
//   Mutex mutex_;
//   std::deque<Job> queue_ DOCPIPE_GUARDED_BY(mutex_);
//   void Pop() DOCPIPE_REQUIRES(mutex_);
//
// Waiting on a condition variable goes through the held MutexLock, in a loop
// over the condition (not a predicate lambda: the analysis cannot tell that a
// lambda runs with the lock held): `while (queue_.empty()) lock.Wait(wake_);`
//
// Thread-safety: Mutex as std::mutex; a MutexLock belongs to one thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

#if defined(__clang__)
#define DOCPIPE_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define DOCPIPE_THREAD_ANNOTATION(x)
#endif

#define DOCPIPE_CAPABILITY(name) DOCPIPE_THREAD_ANNOTATION(capability(name))
#define DOCPIPE_SCOPED_CAPABILITY DOCPIPE_THREAD_ANNOTATION(scoped_lockable)
#define DOCPIPE_GUARDED_BY(mutex) DOCPIPE_THREAD_ANNOTATION(guarded_by(mutex))
#define DOCPIPE_PT_GUARDED_BY(mutex) DOCPIPE_THREAD_ANNOTATION(pt_guarded_by(mutex))
#define DOCPIPE_REQUIRES(...) DOCPIPE_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define DOCPIPE_EXCLUDES(...) DOCPIPE_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define DOCPIPE_ACQUIRE(...) DOCPIPE_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define DOCPIPE_RELEASE(...) DOCPIPE_THREAD_ANNOTATION(release_capability(__VA_ARGS__))

namespace docpipe {

class DOCPIPE_CAPABILITY("mutex") Mutex {
 public:
  void Lock() DOCPIPE_ACQUIRE() { mutex_.lock(); }
  void Unlock() DOCPIPE_RELEASE() { mutex_.unlock(); }

 private:
  friend class MutexLock;
  std::mutex mutex_;
};

// Holds a Mutex from construction to destruction (or Unlock()).
class DOCPIPE_SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mutex) DOCPIPE_ACQUIRE(mutex) : lock_(mutex.mutex_) {}
  ~MutexLock() DOCPIPE_RELEASE() {}
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  void Lock() DOCPIPE_ACQUIRE() { lock_.lock(); }
  void Unlock() DOCPIPE_RELEASE() { lock_.unlock(); }

  // Releases the mutex until `cv` is notified (or wakes spuriously), then holds it again.
  void Wait(std::condition_variable& cv) { cv.wait(lock_); }
  // As Wait(), giving up at `deadline`; false once it has passed.
  bool WaitUntil(std::condition_variable& cv, std::chrono::steady_clock::time_point deadline) {
    return cv.wait_until(lock_, deadline) == std::cv_status::no_timeout;
  }

 private:
  std::unique_lock<std::mutex> lock_;
};

}  // namespace docpipe
