package eval_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/falaj-bot/falaj"
	"github.com/falaj-bot/falaj/eval"
	"github.com/falaj-bot/falaj/internal/seedtest"
	"github.com/falaj-bot/falaj/retrieval"
)

func ids(cs []eval.Case) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

func TestHalf(t *testing.T) {
	cases := []eval.Case{{ID: "d01"}, {ID: "d02"}, {ID: "d10"}, {ID: "d79"}, {ID: "ar4"}}
	for _, tt := range []struct {
		half string
		want []string
	}{
		{eval.HalfOdd, []string{"d01", "d79"}},
		{eval.HalfEven, []string{"d02", "d10", "ar4"}},
	} {
		got, err := eval.Half(cases, tt.half)
		if err != nil || !slices.Equal(ids(got), tt.want) {
			t.Errorf("Half(%s) = %v, %v; want %v", tt.half, ids(got), err, tt.want)
		}
	}
	if _, err := eval.Half([]eval.Case{{ID: "d01"}, {ID: "x"}}, eval.HalfOdd); err == nil || !strings.Contains(err.Error(), `"x"`) {
		t.Errorf("Half with an id without a number: error %v; want one naming it", err)
	}
	if _, err := eval.Half(cases, "first"); err == nil {
		t.Error("Half(first): no error")
	}
}

func TestLoadSet(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "set.jsonl")
	lines := `{"id":"q1","question":"a?","expect_any":["x"],"answerable":true}
{"id":"q2","question":"b?","expect_any":["y"],"answerable":true}
{"id":"q3","question":"c?"}
`
	if err := os.WriteFile(file, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	corpus := filepath.Join(dir, "docs")
	if err := os.Mkdir(corpus, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		spec, name string
		ids        []string
		corpus     bool
	}{
		{file, "set.jsonl", []string{"q1", "q2", "q3"}, false},
		{file + "#odd", "set.jsonl#odd", []string{"q1", "q3"}, false},
		{file + "#even@" + corpus, "set.jsonl#even@docs", []string{"q2"}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := eval.LoadSet(tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			if s.Name != tt.name || !slices.Equal(ids(s.Cases), tt.ids) || (s.Corpus != nil) != tt.corpus {
				t.Errorf("LoadSet(%q) = name %q, ids %v, corpus %v; want %q, %v, %v", tt.spec, s.Name, ids(s.Cases), s.Corpus != nil, tt.name, tt.ids, tt.corpus)
			}
		})
	}
	for _, spec := range []string{filepath.Join(dir, "none.jsonl"), file + "#third", file + "@" + filepath.Join(dir, "nothere"), file + "@" + file} {
		if _, err := eval.LoadSet(spec); err == nil {
			t.Errorf("LoadSet(%q): no error", spec)
		}
	}
}

// TestRunSets runs the seeds' public set and a set over its own corpus: the shared
// corpus is built once, the set's own corpus for its set, and each row is its set's.
func TestRunSets(t *testing.T) {
	own := fstest.MapFS{"falaj.txt": {Data: []byte("---\ntitle: Falaj\n---\n\nA falaj channel carries water from a mother well to the fields by gravity.\n")}}
	sets := []eval.Set{
		{Name: "public", Cases: []eval.Case{{ID: "a", Question: "When was the Aflaj irrigation system developed?", ExpectAny: []string{"2500 BCE"}, Answerable: true}}},
		{Name: "own", Corpus: own, CorpusName: "own", Cases: []eval.Case{{ID: "b", Question: "How does a falaj channel carry water to the fields?", ExpectAny: []string{"by gravity"}, Answerable: true}}},
		{Name: "public again", Cases: []eval.Case{{ID: "c", Question: "What is the capital of France?"}}},
	}
	var built []string
	build := func(ctx context.Context, corpus fs.FS, name string) (eval.System, error) {
		built = append(built, name)
		if corpus == nil {
			eng, ix := seedtest.Engine(t)
			return eval.System{Searcher: ix, Answerer: eng}, nil
		}
		ix, _, err := retrieval.Open(ctx, retrieval.Config{Corpus: corpus, CorpusName: name})
		if err != nil {
			return eval.System{}, err
		}
		eng, err := falaj.NewEngine(falaj.EngineConfig{Searcher: ix})
		return eval.System{Searcher: ix, Answerer: eng}, err
	}
	reps, err := eval.RunSets(t.Context(), sets, build, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(built, []string{"", "own"}) {
		t.Errorf("built %q; want the configured corpus once, then own", built)
	}
	if len(reps) != 3 {
		t.Fatalf("%d reports; want 3", len(reps))
	}
	for i, want := range []struct {
		set        string
		hit1, abst int
	}{{"public", 1, 0}, {"own", 1, 0}, {"public again", 0, 1}} {
		if r := reps[i]; r.Set != want.set || r.Hit1 != want.hit1 || r.Abstained != want.abst {
			t.Errorf("report %d: set %q hit@1 %d abstained %d; want %q %d %d", i, r.Set, r.Hit1, r.Abstained, want.set, want.hit1, want.abst)
		}
	}
	var b strings.Builder
	if err := eval.WriteTable(&b, reps, true); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "| own | 1+0 | 1/1 | 1/1 | 1.000 |") {
		t.Errorf("markdown table lacks the own set's row:\n%s", b.String())
	}
}
