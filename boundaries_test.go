package falaj_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// allowed lists, per package folder, the non-standard imports its non-test files may use.
// Arrows point to the root: front ends (bot, web) see only the domain package, each
// third-party module has one home, and only cmd/falaj wires everything together.
var allowed = map[string][]string{
	".":                 {"prompts", "lexical", "extract"},
	"lexical":           {},
	"extract":           {"lexical"},
	"prompts":           {},
	"seeds":             {},
	"arabic":            {},
	"eval":              {"."},
	"eval/tune":         {".", "eval", "retrieval"}, // the tuning command builds indexes
	"retrieval":         {".", "lexical", "seeds", "github.com/philippgille/chromem-go"},
	"llm":               {".", "prompts", "github.com/sashabaranov/go-openai"},
	"bot":               {".", "github.com/bwmarrin/discordgo", "github.com/gorilla/websocket"}, // discordgo's websocket, for its close codes
	"web":               {"."},
	"internal":          {},                 // test helpers: standard library only…
	"internal/seedtest": {".", "retrieval"}, // …but the seeded Engine for front-end tests

	// go run scripts that derive data files
	"scripts":            {"retrieval", "seeds"},
	"internal/corpusgen": {"lexical", "seeds"}, // synthetic archives for scale benchmarks
}

const module = "github.com/falaj-bot/falaj"

func TestPackageBoundaries(t *testing.T) {
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		dir := filepath.ToSlash(filepath.Dir(path))
		if dir == "cmd/falaj" || strings.HasPrefix(dir, "testdata") || strings.Contains(dir, "/testdata") {
			return nil
		}
		top := strings.SplitN(dir, "/", 2)[0]
		rules, ok := allowed[dir]
		if !ok {
			rules, ok = allowed[top]
		}
		if !ok {
			t.Errorf("%s: package folder %q has no import rules in boundaries_test.go", path, top)
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			p := strings.Trim(imp.Path.Value, `"`)
			first := strings.SplitN(p, "/", 2)[0]
			if !strings.Contains(first, ".") {
				continue // standard library
			}
			name := p
			if p == module {
				name = "."
			} else if rest, ok := strings.CutPrefix(p, module+"/"); ok {
				name = rest
				if strings.HasPrefix(rest, top+"/") { // the package's own subpackages
					continue
				}
			}
			if !slices.ContainsFunc(rules, func(r string) bool { return name == r || strings.HasPrefix(name, r+"/") }) {
				t.Errorf("%s imports %s; %s may import only %v", path, p, top, rules)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
