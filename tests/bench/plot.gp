# Added per-packet cost against set size (tests/bench/run.sh).
# Variables: datafile (size nft ipset nfttp sluice sluicecls, ns), outfile, kver, ylab.
set terminal pngcairo size 900,560 noenhanced
set output outfile
set title sprintf("Added cost per packet vs set size (pktgen, QEMU TCG guest, %s)", kver)
set xlabel "prefixes in the set (synthetic IPv4, ~50% hits)"
set ylabel ylab
set logscale x
set xtics (1000, 5000, 20000, 100000)
set grid
set key top left
set yrange [*:*]
set xzeroaxis lt -1
plot datafile using 1:2 with linespoints lw 2 title "nft interval set", \
     datafile using 1:3 with linespoints lw 2 title "ipset hash:net (iptables-nft)", \
     datafile using 1:4 with linespoints lw 2 title "nft tproxy ruleset (full decision)", \
     datafile using 1:5 with linespoints lw 2 title "sluice (tproxy, full decision)", \
     datafile using 1:6 with linespoints lw 2 title "sluice classification (default direct)"
