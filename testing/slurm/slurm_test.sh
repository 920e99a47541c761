#!/bin/sh
# The Slurm test (label slurm, `make test-slurm`): installs Debian's Slurm and MUNGE when they are
# missing, starts a one-node cluster on this machine (no systemd), submits the job-array script
# of README.md over a phantom data set, waits for the shards and the merge, checks that the
# merged results equal one lobedice-batch run, and stops the daemons it started.
# Usage: slurm_test.sh BUILD_DIR README.md WORK_DIR   (as root)
set -eu
build=$(cd "$1" && pwd)
readme=$2
work=$3
start=$(date +%s)
say() { echo "slurm test: $*"; }
die() {
    echo "slurm test: FAILED: $*" >&2
    exit 1
}
[ "$(id -u)" -eq 0 ] || die "it must run as root (it installs packages and starts daemons)"

# ---- Slurm and MUNGE, installed when missing ---------------------------------------------------
missing=""
for p in slurmctld slurmd slurm-client munge; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
if [ -n "$missing" ]; then
    say "installing$missing"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >/dev/null
fi

rm -rf "$work"
mkdir -p "$work/etc" "$work/state" "$work/spool"
work=$(cd "$work" && pwd)
pids=""
cleanup() {
    for f in $pids; do
        [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true
    done
    for f in $pids; do # wait for them to go (a second run reuses the ports)
        for _ in $(seq 50); do
            [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null || break
            sleep 0.1
        done
    done
}
trap cleanup EXIT INT TERM

# ---- MUNGE: systemd would create /run/munge for the munge user -----------------------------------
if ! [ -S /run/munge/munge.socket.2 ] || ! munge -n </dev/null >/dev/null 2>&1; then
    [ -f /etc/munge/munge.key ] || { mungekey --create >/dev/null 2>&1 || create-munge-key; }
    chown munge:munge /etc/munge/munge.key
    mkdir -p /run/munge
    chown munge:munge /run/munge
    chmod 0755 /run/munge
    runuser -u munge -- /usr/sbin/munged
    pids="/run/munge/munged.pid"
    say "started munged"
fi
munge -n </dev/null | unmunge >/dev/null || die "munge does not work"

# ---- a one-node cluster at 127.0.0.1 ------------------------------------------------------------
node=$(hostname -s)
cpus=$(nproc)
memory=$(awk '/MemTotal/ { print int($2 / 1024) - 512 }' /proc/meminfo)
cat >"$work/etc/slurm.conf" <<EOF
ClusterName=lobedice-test
SlurmctldHost=$node(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=test Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
# Slurm 22.05 picks cgroup/v2 by itself, which wants systemd: v1 is never used with the plugins
# above, but must be named.
echo "CgroupPlugin=cgroup/v1" >"$work/etc/cgroup.conf"
export SLURM_CONF="$work/etc/slurm.conf"
slurmctld -c
pids="$pids $work/slurmctld.pid"
slurmd
pids="$pids $work/slurmd.pid"
for _ in $(seq 120); do
    state=$(sinfo -h -o %t 2>/dev/null || true)
    [ "$state" = idle ] && break
    sleep 0.5
done
[ "$state" = idle ] || die "the node is '$state', not idle (logs in $work)"
say "cluster up after $(($(date +%s) - start)) s"

# ---- the data set, one run, and README's job array ----------------------------------------------
"$build/bin/lobedice-dataset" --size 96,96,60 --cases 12 --broken 7 --unmatched "$work/data" \
    >/dev/null
ref="$work/data/reference"
pred="$work/data/prediction"
status=0
"$build/bin/lobedice-batch" --surfaceDistances "$ref" "$pred" --out "$work/single" \
    >/dev/null 2>&1 || status=$?
[ "$status" -eq 1 ] || die "the single run ended with status $status, expected 1"

# The script is README's block after the line "<!-- slurm-job-array -->", as a user copies it.
awk '/<!-- slurm-job-array -->/ { found = 1; next }
     found && /^```sh/ { inside = 1; next }
     inside && /^```/ { exit }
     inside { print }' "$readme" >"$work/lobedice-slurm.sh"
[ -s "$work/lobedice-slurm.sh" ] || die "no job-array script found in $readme"
chmod +x "$work/lobedice-slurm.sh"
cd "$work"
PATH="$build/bin:$PATH" ./lobedice-slurm.sh "$ref" "$pred" "$work/results" 3 >"$work/jobs.txt"
say "submitted jobs $(tr '\n' ' ' <"$work/jobs.txt")"
for _ in $(seq 600); do
    [ -z "$(squeue -h 2>/dev/null)" ] && break
    sleep 0.5
done
[ -z "$(squeue -h)" ] || die "jobs still queued after 300 s: $(squeue -h)"
[ -f "$work/results/summary.json" ] ||
    die "no merged results; the logs: $(cat "$work"/results.shards/*.log 2>/dev/null)"
for f in cases.csv summary.json summary.csv failures.csv unmatched.csv; do
    cmp -s "$work/results/$f" "$work/single/$f" ||
        die "the merged $f differs from the single run's"
done
for k in 1 2 3; do
    [ -f "$work/results.shards/$k/run.json" ] || die "shard $k has no results"
done
say "3 shards and the merge equal the single run (cases.csv, summary.json, summary.csv," \
    "failures.csv, unmatched.csv)"
cleanup
pids=""
say "passed in $(($(date +%s) - start)) s, daemons stopped"
