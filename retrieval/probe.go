package retrieval

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
)

// probeText is embedded whenever an index is opened, so that the model behind an
// embedder's name can be told apart from another model served under the same name: a
// server's "nomic-embed-text" replaced by a 128-dimension model, or by a retrained one of
// the same size, would otherwise leave the snapshot's vectors useless without a word.
const probeText = "Falaj embedding probe: Oman's quiet diplomacy between Iran and the United States, Muscat, 2013."

// minProbeCosine is the least cosine between the snapshot's probe vector and today's for
// both to come from the same model. Servers are not bit-exact (batching, GPU kernels),
// so equality is too strict; another model, even of the same size, scores far lower.
const minProbeCosine = 0.98

// probe is an embedding model's answer to probeText: its dimension and its unit vector,
// quantized to int8 (about 1 % error, enough to recognise the model).
type probe struct {
	Dim int    `json:"dim"`
	Vec []int8 `json:"vec"`
}

// hash is a short hash of the probe, for the fingerprint.
func (p *probe) hash() string {
	h := sha256.New()
	fmt.Fprintf(h, "%d\x00", p.Dim)
	for _, x := range p.Vec {
		h.Write([]byte{byte(x)})
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// cosine is the cosine between two quantized vectors of the same length.
func (p *probe) cosine(q *probe) float64 {
	var dot, np, nq float64
	for i := range p.Vec {
		a, b := float64(p.Vec[i]), float64(q.Vec[i])
		dot += a * b
		np += a * a
		nq += b * b
	}
	if np == 0 || nq == 0 {
		return 0
	}
	return dot / math.Sqrt(np*nq)
}

// probe embeds probeText, within the query embedding timeout. nil when the embedder
// fails (a server that is down): the snapshot is then trusted as it is.
func (ix *Index) probe(ctx context.Context) *probe {
	ctx, cancel := context.WithTimeout(ctx, ix.queryTimeout)
	defer cancel()
	vs, err := ix.emb.Embed(ctx, []string{probeText})
	if err == nil && len(vs) != 1 {
		err = fmt.Errorf("got %d vectors for 1 text", len(vs))
	}
	var v []float32
	if err == nil {
		v, err = checkVector(vs[0], 0)
	}
	if err != nil {
		ix.log.DebugContext(ctx, "embedding probe failed; the snapshot's embedder is not checked", "embedder", ix.emb.Name(), "err", err)
		return nil
	}
	p := &probe{Dim: len(v), Vec: make([]int8, len(v))}
	for i, x := range v {
		p.Vec[i] = int8(math.Round(float64(x) * 127))
	}
	return p
}

// embedderChanged reports whether snapshot manifest m was embedded by another model than
// the one that answers to the embedder's name now (want.Probe, from probe), and then
// logs a warning saying so. When the model is the same, or cannot be checked, want.Probe
// becomes the snapshot's own probe, so the fingerprint stays stable.
func (ix *Index) embedderChanged(ctx context.Context, m manifest, want *manifest) bool {
	cur := want.Probe
	why := ""
	switch {
	case cur == nil: // cannot check now
	case m.Dim > 0 && cur.Dim != m.Dim:
		why = fmt.Sprintf("it now returns %d dimensions, the snapshot has %d", cur.Dim, m.Dim)
	case m.Probe == nil: // a snapshot from before probes: same size, take it
	case m.Probe.Dim != cur.Dim:
		why = fmt.Sprintf("it now returns %d dimensions, the snapshot has %d", cur.Dim, m.Probe.Dim)
	case m.Probe.cosine(cur) < minProbeCosine:
		why = fmt.Sprintf("its vectors changed (probe cosine %.2f)", m.Probe.cosine(cur))
	}
	if why != "" {
		ix.log.WarnContext(ctx, "the embedding model behind "+ix.emb.Name()+" changed; re-embedding every passage",
			"why", why, "path", ix.path)
		return true
	}
	if m.Probe != nil || cur == nil {
		want.Probe = m.Probe
	}
	return false
}
