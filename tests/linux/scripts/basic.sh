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

# 200 MB written through a pipe into tmpfs (guest RAM), then read back.
sum1=$(dd if=/dev/urandom bs=1M count=200 2>/dev/null | tee /tmp/big | md5sum)
sum2=$(md5sum </tmp/big)
size=$(stat -c %s /tmp/big)
rm -f /tmp/big
check "200 MB touched and read back intact" '[ "$size" = 209715200 ] && [ "$sum1" = "$sum2" ]'

check "a pipe carries data" '[ "$(echo hello-pipe | cat | tr a-z A-Z)" = HELLO-PIPE ]'

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
