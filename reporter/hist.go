package reporter

import (
	"encoding/json"
	"fmt"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Hist is an HDR histogram that marshals to JSON as a string holding the
// standard compressed, base64-encoded V2 histogram encoding, so that shards
// stay small and round-trip exactly.
type Hist struct {
	*hdr.Histogram
}

// MarshalJSON encodes the histogram in the V2 compressed encoding.
func (h *Hist) MarshalJSON() ([]byte, error) {
	if h == nil || h.Histogram == nil {
		return []byte("null"), nil
	}
	b, err := h.Encode(hdr.V2CompressedEncodingCookieBase)
	if err != nil {
		return nil, fmt.Errorf("encode histogram: %w", err)
	}
	return json.Marshal(string(b))
}

// UnmarshalJSON decodes a histogram written by MarshalJSON.
func (h *Hist) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		h.Histogram = nil
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("histogram: %w", err)
	}
	d, err := hdr.Decode([]byte(s))
	if err != nil {
		return fmt.Errorf("decode histogram: %w", err)
	}
	h.Histogram = d
	return nil
}

// count returns the number of values in a possibly nil histogram.
func (h *Hist) count() int64 {
	if h == nil || h.Histogram == nil {
		return 0
	}
	return h.TotalCount()
}

// mergeInto adds src to the histogram stored under name in hs, creating it
// with the geometry of the metric (or of src for unknown names).
func mergeInto(hs map[string]*Hist, name string, src *Hist) {
	if src == nil || src.Histogram == nil {
		return
	}
	dst := hs[name]
	if dst == nil {
		if m, ok := metricByName(name); ok {
			dst = &Hist{newHist(m)}
		} else {
			dst = &Hist{src.Clone()}
			dst.Reset()
		}
		hs[name] = dst
	}
	dst.Merge(src.Histogram)
}
