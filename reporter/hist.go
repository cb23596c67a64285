package reporter

import (
	"encoding/json"
	"fmt"

	"github.com/stormbench/stormbench/internal/measure"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Hist is an HDR histogram that marshals to JSON as a string holding the
// standard compressed, base64-encoded V2 histogram encoding, so that shards
// stay small and round-trip exactly. It is either dense (the embedded
// histogram: run-wide figures, merges in progress) or sparse (Packed: every
// histogram a Shard keeps per phase and per storm). A dense histogram of
// 1 µs–1 h at 3 digits takes ≈185 KB whatever it holds; a sparse one a few
// bytes per populated bucket, so a run of many phases and storms holds
// kilobytes per phase, and expands one histogram at a time when it needs
// one (dense).
type Hist struct {
	*hdr.Histogram
	// Packed is the sparse form; set instead of Histogram.
	Packed *hdr.PackedHistogram
}

// MarshalJSON encodes the histogram in the V2 compressed encoding (the
// sparse form encodes byte for byte like the dense one).
func (h *Hist) MarshalJSON() ([]byte, error) {
	if h == nil || (h.Histogram == nil && h.Packed == nil) {
		return []byte("null"), nil
	}
	var b []byte
	var err error
	if h.Packed != nil {
		b, err = h.Packed.Encode()
	} else {
		b, err = h.Encode(hdr.V2CompressedEncodingCookieBase)
	}
	if err != nil {
		return nil, fmt.Errorf("encode histogram: %w", err)
	}
	return json.Marshal(string(b))
}

// UnmarshalJSON decodes a histogram written by MarshalJSON, into the
// sparse form.
func (h *Hist) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		h.Histogram, h.Packed = nil, nil
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("histogram: %w", err)
	}
	d, err := hdr.DecodePacked([]byte(s))
	if err != nil {
		return fmt.Errorf("decode histogram: %w", err)
	}
	h.Histogram, h.Packed = nil, d
	return nil
}

// count returns the number of values in a possibly nil histogram.
func (h *Hist) count() int64 {
	switch {
	case h == nil:
		return 0
	case h.Packed != nil:
		return h.Packed.TotalCount()
	case h.Histogram != nil:
		return h.Histogram.TotalCount()
	}
	return 0
}

// TotalCount returns the number of values, whichever form the histogram has.
func (h *Hist) TotalCount() int64 { return h.count() }

// dense returns h as a dense histogram: h itself when it is one, else a new
// dense copy of its sparse form (of the metric's geometry when known), nil
// for a nil or empty Hist.
func (h *Hist) dense(m measure.Metric) *Hist {
	switch {
	case h == nil:
		return nil
	case h.Histogram != nil:
		return h
	case h.Packed != nil:
		d := newHist(m)
		h.Packed.MergeInto(d)
		return &Hist{Histogram: d}
	}
	return nil
}

// packedOf returns src as a new sparse histogram of metric m's geometry.
func packedOf(m measure.Metric, src *Hist) *hdr.PackedHistogram {
	p := newPacked(m)
	switch {
	case src.Packed != nil:
		p.Merge(src.Packed)
	case src.Histogram != nil:
		p.MergeFrom(src.Histogram)
	}
	return p
}

// mergeInto adds src to the sparse histogram stored under name in hs,
// creating it with the geometry of the metric.
func mergeInto(hs map[string]*Hist, name string, src *Hist) {
	if src.count() == 0 && (src == nil || (src.Histogram == nil && src.Packed == nil)) {
		return
	}
	m, ok := measure.MetricByName(name)
	if !ok {
		// A name this version does not know: keep it as it came.
		if hs[name] == nil {
			hs[name] = &Hist{Packed: packedOfUnknown(src)}
			return
		}
		mergePacked(hs[name].Packed, src)
		return
	}
	dst := hs[name]
	if dst == nil {
		hs[name] = &Hist{Packed: packedOf(m, src)}
		return
	}
	if dst.Packed == nil {
		dst.Packed = packedOf(m, dst)
		dst.Histogram = nil
	}
	mergePacked(dst.Packed, src)
}

// mergePacked adds src (either form) to dst.
func mergePacked(dst *hdr.PackedHistogram, src *Hist) {
	switch {
	case src.Packed != nil:
		dst.Merge(src.Packed)
	case src.Histogram != nil:
		dst.MergeFrom(src.Histogram)
	}
}

// packedOfUnknown copies a histogram of unknown geometry into sparse form.
func packedOfUnknown(src *Hist) *hdr.PackedHistogram {
	if src.Packed != nil {
		return src.Packed.Clone()
	}
	p := hdr.NewPacked(src.LowestTrackableValue(), src.HighestTrackableValue(), int(src.SignificantFigures()))
	p.MergeFrom(src.Histogram)
	return p
}
