# A single-host SLURM cluster (munge, slurmctld, slurmd) with all its state in
# one folder, for the SLURM test and the array benchmark (bench/slurm). Sourced:
#   start_single_host_cluster WORK_DIR   # exports SLURM_CONF; returns once the node is idle
#   stop_single_host_cluster             # stops what start_single_host_cluster started
#   run_job SBATCH_ARGS...               # submits, waits, fails unless every task completed
# Runs the daemons as root. Ports away from the defaults, so it never meets another cluster.
# Each task is bound to the CPUs it was given (task/affinity: sched_setaffinity, no cgroups
# needed), as on a real cluster, so a 1-CPU task cannot spread over the machine's cores.

cluster_fail() { echo "FAIL: $*" >&2; exit 1; }

start_single_host_cluster() {
  cluster_work=$1
  cluster_started_munge=""
  [ "$(id -u)" -eq 0 ] || cluster_fail "the single-host cluster runs the daemons as root"
  for tool in munged slurmctld slurmd sbatch scancel squeue scontrol; do
    command -v "$tool" >/dev/null || cluster_fail "$tool is missing: run scripts/setup (scripts/packages/cluster.txt)"
  done
  mkdir -p "$cluster_work"/{ctld,d,log}
  local host
  host=$(hostname -s)
  export SLURM_CONF=$cluster_work/slurm.conf

  # munge: every SLURM daemon and client authenticates through it.
  if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    [ -s /etc/munge/munge.key ] || mungekey --create
    chown -R munge:munge /etc/munge /var/lib/munge /var/log/munge
    install -d -o munge -g munge -m 755 /run/munge
    runuser -u munge -- munged
    cluster_started_munge=1
    munge -n | unmunge | grep -q Success || cluster_fail "munged did not start"
  fi

  local cpus
  cpus=$(slurmd -C | sed -n 's/.*CPUs=\([0-9]*\).*/\1/p')
  cat >"$SLURM_CONF" <<CONF
ClusterName=docpipe-test
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=$cluster_work/ctld
SlurmdSpoolDir=$cluster_work/d
SlurmctldPidFile=$cluster_work/ctld.pid
SlurmdPidFile=$cluster_work/d.pid
SlurmctldLogFile=$cluster_work/log/ctld.log
SlurmdLogFile=$cluster_work/log/d.log
SlurmctldPort=16817
SlurmdPort=16818
ProctrackType=proctrack/linuxproc
TaskPlugin=task/affinity
TaskPluginParam=Cores
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=1000 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
  slurmctld -c
  slurmd -N "$host"
  for _ in $(seq 300); do
    sinfo -h -o %T 2>/dev/null | grep -q idle && break
    sleep 0.2
  done
  sinfo -h -o %T | grep -q idle || { cat "$cluster_work"/log/*.log >&2; cluster_fail "the node never became idle"; }
}

# `sbatch --wait` polls the controller at growing intervals (up to 10 s here), so a job
# of a few seconds took 10; this polls every 0.2 s and then reads each task's end state.
run_job() {
  local job state
  job=$(sbatch --parsable "$@") || return 1
  job=${job%%;*}
  for _ in $(seq 6000); do
    squeue -h -j "$job" 2>/dev/null | grep -q . || break
    sleep 0.2
  done
  squeue -h -j "$job" 2>/dev/null | grep -q . && { echo "job $job still runs after 20 minutes" >&2; return 1; }
  state=$(scontrol -o show job "$job" | grep -o 'JobState=[A-Z_]*' | sort -u)
  [ "$state" = "JobState=COMPLETED" ] || { echo "job $job ended $state" >&2; return 1; }
}

stop_single_host_cluster() {
  [ -n "${cluster_work:-}" ] || return 0
  scontrol shutdown >/dev/null 2>&1 || true
  for pidfile in "$cluster_work/ctld.pid" "$cluster_work/d.pid"; do
    [ -f "$pidfile" ] && kill "$(cat "$pidfile" 2>/dev/null)" 2>/dev/null || true
  done
  [ -n "$cluster_started_munge" ] && kill "$(cat /run/munge/munged.pid)" 2>/dev/null || true
}
