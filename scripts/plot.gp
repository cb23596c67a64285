# Plot timeseries.csv of one or several stormbench runs with gnuplot, for
# those who plot themselves (stormbench report draws the same with its own
# charts). Columns are found by name, so files of other versions work.
#
#   gnuplot -e "runs='results/A results/B'" scripts/plot.gp            # → timeseries.png
#   gnuplot -e "runs='results/A'; out='a.svg'; term='svg'" scripts/plot.gp
#
# Top: open connections; bottom: connection attempts per second (attempts
# per row ÷ the row's interval). One colour per run, labelled by its folder.
if (!exists("runs")) { print "usage: gnuplot -e \"runs='DIR [DIR…]'\" scripts/plot.gp"; exit status 2 }
if (!exists("out")) out = "timeseries.png"
if (!exists("term")) term = "pngcairo"
if (term eq "svg") { set terminal svg size 1200,800 dynamic enhanced } else { set terminal pngcairo size 1200,800 }
set output out
set datafile separator ","
set key top right noenhanced
set grid
label(d) = system("basename ".d)
csv(d) = d."/timeseries.csv"
# The interval is the step of t_s; attempts per row ÷ interval = attempts/s.
dt(d) = real(system("awk -F, 'NR==2{a=$1} NR==3{print $1-a; exit}' ".csv(d)))
set multiplot layout 2,1 title "stormbench: ".runs noenhanced
set ylabel "open connections"
unset xlabel
plot for [d in runs] csv(d) using "t_s":"open" with lines lw 2 title label(d)
set ylabel "connection attempts / s"
set xlabel "seconds since the run's start"
plot for [d in runs] csv(d) using "t_s":(column("attempts")/dt(d)) with lines lw 2 title label(d)
unset multiplot
