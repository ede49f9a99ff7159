package arabic

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// testEntries is a tiny dictionary in FreeDict's layout, written for these tests (no
// FreeDict data): headword with pronunciation, then one sense or numbered senses.
var testEntries = []struct{ head, def string }{
	{"00databaseinfo", "test dictionary\n"},
	{"المحادثات", "المحادثات /ʔalmuħaːdaθaːt/\n1. Conversations\n2. Talks\n"},
	{"حرب", "حرب /ħarb/\nWar\n"},
	{"عقوبة", "عقوبة /ʕuquːba/\n1. Penalty\n2. Sanction\n"},
	{"عاصمة", "عاصمة /ʕaːs̪ima/\nCapital\n"},
	{"فرنسا", "فرنسا /faransaː/\nFrance\n"},
	{"انسحب", "انسحب /insaħab/\n1. Retract\n2. Withdrew\n"},
	{"نظام", "نظام /niðˤaːm/\nSystem\n"},
	{"الري", "الري /ʔarrij/\nIrrigation\n"},
	{"تطوّر", "تطوّر /tat̪awwur/\nDevelopment\n"},
}

// writeDict writes testEntries as dir/test.index and dir/test.dict.dz (gzip, which is
// what dictzip is to a reader that reads it whole) and returns the path prefix.
func writeDict(t *testing.T, compress bool) string {
	t.Helper()
	var body bytes.Buffer
	var index strings.Builder
	for _, e := range testEntries {
		index.WriteString(e.head + "\t" + enc64(body.Len()) + "\t" + enc64(len(e.def)) + "\n")
		body.WriteString(e.def)
	}
	dir := t.TempDir()
	prefix := filepath.Join(dir, "test")
	if err := os.WriteFile(prefix+".index", []byte(index.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	data, name := body.Bytes(), prefix+".dict"
	if compress {
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		zw.Write(body.Bytes())
		zw.Close()
		data, name = z.Bytes(), prefix+".dict.dz"
	}
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return prefix
}

// enc64 is dictd's base64 number encoding, the inverse of b64.
func enc64(n int) string {
	const digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	if n == 0 {
		return "A"
	}
	var out []byte
	for ; n > 0; n /= 64 {
		out = append([]byte{digits[n%64]}, out...)
	}
	return string(out)
}

func TestB64(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int
	}{{"A", 0}, {"B", 1}, {"BA", 64}, {"l21", 37*64*64 + 54*64 + 53}, {"/", 63}} {
		if got, err := b64(tt.in); err != nil || got != tt.want {
			t.Errorf("b64(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	if _, err := b64("a-b"); err == nil {
		t.Error("b64(\"a-b\") = nil error; want one")
	}
}

func TestOpenDict(t *testing.T) {
	for _, compress := range []bool{true, false} {
		prefix := writeDict(t, compress)
		for _, path := range []string{prefix, prefix + ".index"} {
			d, err := OpenDict(path)
			if err != nil {
				t.Fatalf("OpenDict(%s) = %v", path, err)
			}
			if d.Len() != len(testEntries)-1 {
				t.Errorf("Len() = %d; want %d (metadata skipped)", d.Len(), len(testEntries)-1)
			}
			for _, tt := range []struct {
				head string
				want []string
			}{
				{"المحادثات", []string{"conversations", "talks"}},
				{"حرب", []string{"war"}},
				{"عقوبه", []string{"penalty", "sanction"}}, // looked up normalised
				{"تطور", []string{"development"}},          // shadda dropped
				{"سلام", nil},
			} {
				if got := d.Lookup(tt.head); !slices.Equal(got, tt.want) {
					t.Errorf("Lookup(%q) = %q; want %q", tt.head, got, tt.want)
				}
			}
		}
	}
}

func TestOpenDictMissing(t *testing.T) {
	_, err := OpenDict(filepath.Join(t.TempDir(), "none"))
	if !errors.Is(err, ErrNoDictionary) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("OpenDict(missing) = %v; want ErrNoDictionary and fs.ErrNotExist", err)
	}
}

func TestOpenDictBroken(t *testing.T) {
	prefix := writeDict(t, true)
	if err := os.WriteFile(prefix+".index", []byte("حرب\tA\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenDict(prefix); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("OpenDict(broken index) = %v; want an error naming line 1", err)
	}
}
