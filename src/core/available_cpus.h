// How many CPUs this thread may run on: its CPU affinity mask, which taskset,
// a container's cpuset or a batch scheduler's task binding (SLURM's
// task/affinity or task/cgroup) narrows, where std::thread::hardware_concurrency()
// counts every core of the machine. Default thread counts come from here, so
// that a process given one CPU does not start a thread per machine core.
//
// Thread-safe. Threads inherit their creator's mask, so asked from the main
// thread it is the process's share.
#pragma once

namespace docpipe {

// At least 1.
int AvailableCpus();

}  // namespace docpipe
