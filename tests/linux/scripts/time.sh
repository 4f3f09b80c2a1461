# The linux suite's time case: run-linux timestamps each marker line as it
# arrives on the console and compares with the guest's own clock.
echo "T0 $(cut -d' ' -f1 /proc/uptime)"
sleep 20
echo "T1 $(cut -d' ' -f1 /proc/uptime)"
for i in 0 1 2 3 4 5; do
    echo "S$i"
    [ $i -lt 5 ] && sleep 1
done
echo IDLE
sleep 10
echo IDLE-END
