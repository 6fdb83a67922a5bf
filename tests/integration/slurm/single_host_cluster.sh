# A single-host SLURM cluster (munge, slurmctld, slurmd) with all its state in
# one folder, for the SLURM test and the array benchmark (bench/slurm). Sourced:
#   start_single_host_cluster WORK_DIR   # exports SLURM_CONF; returns once the node is idle
#   stop_single_host_cluster             # stops what start_single_host_cluster started
# Runs the daemons as root. Ports away from the defaults, so it never meets another cluster.

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
TaskPlugin=task/none
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
  for _ in $(seq 60); do
    sinfo -h -o %T 2>/dev/null | grep -q idle && break
    sleep 1
  done
  sinfo -h -o %T | grep -q idle || { cat "$cluster_work"/log/*.log >&2; cluster_fail "the node never became idle"; }
}

stop_single_host_cluster() {
  [ -n "${cluster_work:-}" ] || return 0
  scontrol shutdown >/dev/null 2>&1 || true
  for pidfile in "$cluster_work/ctld.pid" "$cluster_work/d.pid"; do
    [ -f "$pidfile" ] && kill "$(cat "$pidfile" 2>/dev/null)" 2>/dev/null || true
  done
  [ -n "$cluster_started_munge" ] && kill "$(cat /run/munge/munged.pid)" 2>/dev/null || true
}
