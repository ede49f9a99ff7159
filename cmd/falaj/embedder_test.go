package main

import (
	"strings"
	"testing"
)

func TestEmbedderChoice(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		vars []string
		want string // in ingest's summary line
	}{
		{"default", []string{"ingest"}, nil, "embedder local-hash-v2:"},
		{"glove by flag", []string{"ingest", "--embedder", "glove"}, nil, "embedder glove-sif-v1:glove50k-"},
		{"hybrid by environment", []string{"ingest"}, []string{"FALAJ_EMBEDDER", "hybrid"}, "embedder hybrid-v1:w=0.95+glove-sif-v1:"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runCLI(t, env(append([]string{"FALAJ_INDEX_DIR", "off"}, tt.vars...)...), "", tt.args...)
			if code != 0 || !strings.Contains(out, tt.want) {
				t.Errorf("falaj %s with %v: exit %d, stdout %q, stderr %q; want %q in stdout", strings.Join(tt.args, " "), tt.vars, code, out, errOut, tt.want)
			}
		})
	}
}
