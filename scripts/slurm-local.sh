#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for the Slurm executor's tests and benchmark:
#   scripts/slurm-local.sh start|stop|status
# Needs root and Debian's packages (apt-get install -y slurm-wlm munge). `start` writes
# /etc/slurm/slurm.conf (unless SLURM_LOCAL_KEEP_CONF=1, or one exists that this script did not
# write: that one is kept), a munge key if there is none, and starts
# munged, slurmctld and slurmd; it waits until the node accepts jobs. No accounting daemon:
# the executor then learns job states from squeue and the exit-code file each job writes.
# SLURM_LOCAL_CPUS (default 4, may exceed the real cores: the node is configured, not probed)
# and SLURM_LOCAL_MEM_MB (default 4096) size the node.
set -euo pipefail

cmd="${1:-status}"
host="$(hostname -s)"
cpus="${SLURM_LOCAL_CPUS:-4}"
mem="${SLURM_LOCAL_MEM_MB:-4096}"
conf=/etc/slurm/slurm.conf

need_root() {
  if [ "$(id -u)" != 0 ]; then echo "slurm-local: '$cmd' needs root (it starts system daemons)." >&2; exit 1; fi
  for b in munged slurmctld slurmd sbatch; do
    command -v "$b" >/dev/null 2>&1 || { echo "slurm-local: $b is missing; install it: apt-get install -y slurm-wlm munge" >&2; exit 1; }
  done
}

write_conf() {
  mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
  cat > "$conf" <<CONF
# Written by seqlab's scripts/slurm-local.sh: one node, this machine.
ClusterName=seqlab
SlurmctldHost=$host
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/pgid
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
DefMemPerCPU=256
SchedulerType=sched/backfill
# Jobs finish in a second or two here: poll often, keep finished jobs visible briefly.
SchedulerParameters=sched_interval=1
MinJobAge=30
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
# The node's CPUs and memory are what this file says, not what the hardware has.
SlurmdParameters=config_overrides
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=local Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
}

# A daemon runs when its pid file names a live process of that name (a stale file's pid may have been
# reused by another process after the daemons were killed).
running() { [ -s "/run/$1.pid" ] && [ "$(cat "/proc/$(cat "/run/$1.pid")/comm" 2>/dev/null)" = "$1" ] || { [ "$1" = munged ] && pgrep -x munged >/dev/null 2>&1; }; }

start() {
  need_root
  # Never overwrite a configuration this script did not write (a real cluster's, say).
  if [ -f "$conf" ] && ! grep -q "Written by seqlab's scripts/slurm-local.sh" "$conf"; then
    echo "slurm-local: keeping the existing $conf (not written by this script)" >&2
  elif [ "${SLURM_LOCAL_KEEP_CONF:-0}" != 1 ] || [ ! -f "$conf" ]; then
    write_conf
  fi
  if [ ! -s /etc/munge/munge.key ]; then
    mkdir -p /etc/munge
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
    chown munge:munge /etc/munge/munge.key 2>/dev/null || true
    chmod 400 /etc/munge/munge.key
  fi
  mkdir -p /run/munge /var/log/munge /var/lib/munge
  chown munge:munge /run/munge /var/log/munge /var/lib/munge /etc/munge 2>/dev/null || true
  if ! running munged; then
    # A munged that was killed (e.g. every process ended between a session and its CI run) leaves
    # its socket lock behind, and a new munged then refuses to start: clear the dead one's files.
    rm -f /run/munge/munge.socket.2 /run/munge/munge.socket.2.lock /run/munge/munged.pid
    if id munge >/dev/null 2>&1; then runuser -u munge -- munged --force; else munged --force; fi
  fi
  running slurmctld || slurmctld
  running slurmd || slurmd
  # Ready when the node is idle (or mixed/allocated by earlier jobs).
  for _ in $(seq 1 60); do
    state="$(timeout 5 sinfo -h -N -o '%t' 2>/dev/null | head -1 || true)"
    case "$state" in
      idle|mix|alloc|idle~) echo "slurm-local: up, node $host ($cpus CPUs, ${mem} MB), partition local" >&2; return 0 ;;
      down*|drain*) scontrol update nodename="$host" state=resume >/dev/null 2>&1 || true ;;
    esac
    sleep 1
  done
  echo "slurm-local: the node did not become ready; see /var/log/slurm/slurmctld.log and slurmd.log" >&2
  sinfo >&2 || true
  exit 1
}

stop() {
  need_root
  # By the pids the daemons recorded (slurm.conf above), never by name.
  for f in /run/slurmd.pid /run/slurmctld.pid; do
    if [ -s "$f" ]; then kill "$(cat "$f")" 2>/dev/null || true; fi
  done
  echo "slurm-local: stopped slurmd and slurmctld (munged keeps running)" >&2
}

status() {
  if running slurmctld && running slurmd && sinfo -h >/dev/null 2>&1; then
    sinfo
    exit 0
  fi
  echo "slurm-local: not running" >&2
  exit 1
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: scripts/slurm-local.sh start|stop|status" >&2; exit 2 ;;
esac
