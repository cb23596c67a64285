package measure

import (
	"encoding/json"
	"fmt"
	"reflect"
)

// ByColumn holds a value per column. In JSON it is an object keyed by the
// columns' names that leaves zero values out, so that it reads the same
// whatever the order of the definitions.
type ByColumn[T any] [NumColumns]T

// ByMetric holds a value per metric; in JSON like ByColumn.
type ByMetric[T any] [NumMetrics]T

// ByFamily holds a value per family; in JSON like ByColumn.
type ByFamily[T any] [NumFamilies]T

// MarshalJSON implements json.Marshaler.
func (b ByColumn[T]) MarshalJSON() ([]byte, error) { return marshalBy(b[:], Column.String) }

// UnmarshalJSON implements json.Unmarshaler; an unknown name is an error.
func (b *ByColumn[T]) UnmarshalJSON(data []byte) error {
	return unmarshalBy(data, b[:], "column", ColumnByName)
}

// MarshalJSON implements json.Marshaler.
func (b ByMetric[T]) MarshalJSON() ([]byte, error) { return marshalBy(b[:], Metric.String) }

// UnmarshalJSON implements json.Unmarshaler; an unknown name is an error.
func (b *ByMetric[T]) UnmarshalJSON(data []byte) error {
	return unmarshalBy(data, b[:], "metric", MetricByName)
}

// MarshalJSON implements json.Marshaler.
func (b ByFamily[T]) MarshalJSON() ([]byte, error) { return marshalBy(b[:], Family.String) }

// UnmarshalJSON implements json.Unmarshaler; an unknown name is an error.
func (b *ByFamily[T]) UnmarshalJSON(data []byte) error {
	return unmarshalBy(data, b[:], "family", FamilyByName)
}

// marshalBy encodes the non-zero values of vs as an object keyed by name,
// in index order.
func marshalBy[K ~uint8, T any](vs []T, name func(K) string) ([]byte, error) {
	out := []byte{'{'}
	for i := range vs {
		if reflect.ValueOf(&vs[i]).Elem().IsZero() {
			continue
		}
		v, err := json.Marshal(vs[i])
		if err != nil {
			return nil, err
		}
		k, _ := json.Marshal(name(K(i)))
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = append(append(append(out, k...), ':'), v...)
	}
	return append(out, '}'), nil
}

// unmarshalBy decodes an object keyed by name into vs.
func unmarshalBy[K ~uint8, T any](data []byte, vs []T, what string, byName func(string) (K, bool)) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	clear(vs)
	for name, raw := range m {
		k, ok := byName(name)
		if !ok {
			return fmt.Errorf("unknown %s %q", what, name)
		}
		if err := json.Unmarshal(raw, &vs[k]); err != nil {
			return fmt.Errorf("%s %s: %w", what, name, err)
		}
	}
	return nil
}
