#!/bin/bash
# ci/kvm/guest.sh - PID 1 of the KVM guest once its root is the overlay of the host's root
# (ci/kvm/init switches to it and runs this with the host's bash).
#
# Mounts what a Linux system has and the overlay lacks: tmpfs on /run and /dev/shm, devpts,
# the read-write 9p share "results" at the host's own path of it ($pm_out), and cgroup2 at
# /sys/fs/cgroup, the only cgroup hierarchy (the kernel was booted with
# cgroup_no_v1=all, so every controller is cgroup2's). The root cgroup's subtree_control enables
# every controller the root offers, so a cgroup the command creates has memory.max, pids.max,
# cpu.max (what a systemd Delegate=yes service or a container gets); the command itself stays in
# the root cgroup. Brings up the loopback interface, then runs $pm_out/command (written by
# ci/kvm/run.sh: cd to the work directory, the environment, the command) with bash, as root, and
# writes its exit status to $pm_out/status, prints "procmaster-kvm: guest exit <status>" and
# powers the machine off.
# Failure modes: without the results share the guest says so and stops ("guest exit 125"); any
# other mount that fails is said on the console and the command still runs (it then
# sees what is missing, as on a host without it); if this script dies the kernel panics and qemu
# stops (panic=-1, -no-reboot) without a status, which ci/kvm/boot.sh reports as such.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 TERM=dumb
say() { echo "procmaster-kvm: $*"; }
# /tmp stays the overlay's (the host's /tmp under the tmpfs upper, so writable, and its writes
# vanish): a fresh tmpfs there would hide a checkout under /tmp (a clean clone made with mktemp -d),
# and the command would run in an empty directory.
mount -t tmpfs -o mode=0755 tmpfs /run || say "mounting /run failed"
mkdir -p /dev/pts /dev/shm
mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts || say "mounting /dev/pts failed"
mount -t tmpfs -o mode=1777 tmpfs /dev/shm || say "mounting /dev/shm failed"
# The results share at the host's own path of it ($pm_out), which may be under /tmp.
mkdir -p "$pm_out" && mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 results "$pm_out" || {
  say "mounting the results share (9p results) at $pm_out failed"
  say "guest exit 125"
  echo o >/proc/sysrq-trigger
  sleep 30
  exit 125   # never on to the command: PID 1 ending panics the kernel, and qemu stops
}
if mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup; then
  for c in $(cat /sys/fs/cgroup/cgroup.controllers); do
    echo "+$c" >/sys/fs/cgroup/cgroup.subtree_control || say "enabling the $c controller failed"
  done
else
  say "mounting cgroup2 at /sys/fs/cgroup failed"
fi
ip link set lo up || say "bringing up lo failed"
hostname procmaster-kvm
say "guest up: $(uname -r), $(nproc) cpus, $(awk '/MemTotal/ {print int($2 / 1024) " MiB"}' /proc/meminfo), cgroup2 controllers: $(cat /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null), $(cut -d' ' -f1 /proc/uptime) s since boot"
bash "$pm_out/command" </dev/null
status=$?
echo "$status" >"$pm_out/status"
say "guest exit $status"
sync
echo o >/proc/sysrq-trigger
sleep 30
