# The linux suite's basic case, run by the kit's /init: each check prints
# "PASS: what" or "FAIL: what"; run-linux reads them and the kernel log.
check() {
    if eval "$2"; then echo "PASS: $1"; else echo "FAIL: $1"; fi
}

uname -a
check "uname reports Linux" '[ "$(uname -s)" = Linux ]'
check "/sys/hypervisor/type reads xen" '[ "$(cat /sys/hypervisor/type)" = xen ]'

n=0
t0=$(cut -d' ' -f1 /proc/uptime)
while [ $n -lt 1000 ] && /bin/busybox true; do n=$((n + 1)); done
echo "fork+exec: $n in $(cut -d' ' -f1 /proc/uptime) - $t0 s of uptime"
check "1000 fork+exec of /bin/busybox" '[ $n -eq 1000 ]'

check "200 MB of fresh anonymous memory touched and read back" '/bin/touch-mem 200'

check "a pipe carries data" '[ "$(echo hello-pipe | cat | tr a-z A-Z)" = HELLO-PIPE ]'

# Vector registers are per process: each keeps its own over context switches.
/bin/vecstate 500 3 || echo "FAIL: vecstate exited with status $?"

# Pipelines start processes while others exit: none may die of a signal.
n=0
while [ $n -lt 200 ]; do ls /bin | tr a-z A-Z >/dev/null; n=$((n + 1)); done
killed=$(dmesg | grep -c -E 'segfault at|general protection fault|trap .* ip:')
check "200 pipelines, no process killed by a fault ($killed)" '[ $killed -eq 0 ]'

check "a process cannot read the hypervisor hole or the kernel" '/bin/hvpeek'

sleep 30 &
pid=$!
kill -TERM $pid
wait $pid
rc=$?
check "SIGTERM ends a process (status $rc)" '[ $rc -eq 143 ]'
out=$(sh -c 'trap "echo caught; exit 7" USR1; kill -USR1 $$; sleep 5; echo missed')
rc=$?
check "a signal handler runs (output $out, status $rc)" '[ "$out" = caught ] && [ $rc -eq 7 ]'

dmesg -r | sed 's/^/dmesg: /'
echo dmesg-end
