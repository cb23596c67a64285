// Package htmlreport writes report.html for a stormbench results folder
// or a comparison (sweep) folder: one self-contained page — inline SVG
// charts and inline CSS, no script, no font, no image and no link to the
// network or to other files — that can be mailed, archived or opened
// offline and still shows everything.
//
// WriteRun reports one run: saturation and partial-result warnings at the
// top, the settings, the per-storm summary table and the charts of package
// charts (which it also (re)writes under plots/). WriteComparison reports
// several settings side by side: the caller's comparison table (best value
// per row in bold, a marker where a setting's interval does not overlap
// the baseline's), the list of runs and the overlaid charts.
//
// Everything is read from the results files, so reports can be written
// for folders from other machines and older versions.
package htmlreport
