package actioncable

import (
	"testing"

	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/profile/profiletest"
	"github.com/stormbench/stormbench/internal/template"
)

// tmpl parses a message-body template.
func tmpl(t testing.TB, s string) *template.Template {
	t.Helper()
	tp, err := template.Parse(s, template.Options{Context: template.InBody})
	if err != nil {
		t.Fatal(err)
	}
	return tp
}

// newProfile returns the profile for one --join.
func newProfile(t testing.TB, join string) profile.Profile {
	t.Helper()
	p, err := New(profile.Config{Join: []*template.Template{tmpl(t, join)}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// strs is shorthand for a want list.
func strs(s ...string) []string { return s }

// step, kind and rule are shorthand for the transcripts.
type step = profiletest.Step

func kind(k profile.EventKind) string { return profiletest.Kind(k) }

func rule(r string) string { return profiletest.Malformed(r) }
