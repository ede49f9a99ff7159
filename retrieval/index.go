package retrieval

import (
	"cmp"
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	chromem "github.com/philippgille/chromem-go"

	"github.com/falaj-bot/falaj"
	"github.com/falaj-bot/falaj/lexical"
	"github.com/falaj-bot/falaj/seeds"
)

// Config says what to index and where to keep it. The zero value indexes the embedded
// seed corpus in memory with the offline embedder.
type Config struct {
	Corpus     fs.FS        // the documents (*.txt, *.md, recursively); nil: seeds.FS
	CorpusName string       // how messages name the corpus, e.g. the folder; "": "the built-in corpus" or "the corpus folder"
	Dir        string       // where the snapshot file lives; "": in memory only, nothing written
	Embedder   Embedder     // nil: Local{} (offline, DefaultLocalDim dimensions)
	ChunkSize  int          // target passage length in runes; 0: DefaultChunkSize
	Force      bool         // ignore any saved snapshot and embed everything again
	Logger     *slog.Logger // nil: discard
	// QueryEmbedTimeout bounds embedding a query in Search; when it passes (or the
	// embedder fails) Search answers from the keyword index alone. 0:
	// DefaultQueryEmbedTimeout (also for a negative value).
	QueryEmbedTimeout time.Duration
	// VectorWeight is the vector side's share of the fused score: w·vector +
	// (1−w)·BM25, each side scaled by its best score. 0: the embedder's own weight
	// (fusionFor: Glove and Hybrid carry one, else 0.3); negative: BM25 ranking alone;
	// above 1: 1. For tuning (go run ./eval/tune); the product uses the default.
	VectorWeight float64
	// BM25K1 and BM25B are BM25's k1 and b (0: 1.2 and 0.6); DocWeight blends each
	// passage's BM25 score with its document's (0: none). For tuning (go run ./eval/tune,
	// docs/RETRIEVAL.md); the product uses the defaults.
	BM25K1, BM25B, DocWeight float64
	// Progress, when set, is called after each batch of passages is embedded with the
	// number done and the number to embed in this run. Not called when nothing is
	// embedded. Called from the goroutine that called Open or Reindex.
	Progress func(done, total int)
	// Vectors is how the snapshot stores vectors, VectorsInt8 or VectorsFloat32; "":
	// DefaultVectors. Vectors are rounded to it as they are embedded, so an index
	// answers the same before and after it is saved.
	Vectors string
	// PartitionAbove: an index of more passages than this is split into partitions
	// searched approximately (partition.go, IVF); at most this many are one collection
	// searched exhaustively. 0: DefaultPartitionAbove; negative: never partitioned.
	PartitionAbove int
	// Probes is how many partitions a search queries (with those holding the keyword
	// side's 10 best passages); 0 (or negative): one in six, rounded up. At or above
	// the number of partitions, the search is exhaustive.
	Probes int
}

// Index is the searchable corpus: passages in a chromem-go collection (vectors) and a
// BM25 keyword index, fused at search time. Open builds it; Search, Sources, Passage
// and Len may be called concurrently with each other and with Reindex.
type Index struct {
	corpus       fs.FS
	name         string
	dir          string
	path         string // snapshot file; "" in memory
	emb          Embedder
	size         int
	log          *slog.Logger
	progress     func(done, total int)
	queryTimeout time.Duration
	fuse         func(vec, kw []scored) []scored
	bm           bm25Params
	vectors      string     // VectorsInt8 or VectorsFloat32
	above        int        // partitioned above this many passages; negative: never
	probes       int        // partitions a search queries; 0: defaultProbes
	reindexMu    sync.Mutex // one refresh at a time

	mu      sync.RWMutex // guards st and saveErr
	st      *state
	saveErr error // why the last refresh's snapshot was not saved; nil when it was
}

var _ falaj.Searcher = (*Index)(nil)

// state is one consistent view of the index, never changed once built: a refresh
// builds a new one and swaps it in.
type state struct {
	col      *chromem.Collection // one chromem document per passage, its id and vector; nil when parts is set
	parts    *partitions         // the inverted file of a partitioned index (partition.go); nil: col holds all
	man      manifest
	docs     []docInfo       // in passage order
	passages []falaj.Passage // in document then ordinal order; index = keyword doc number; Text "" while lazy holds it
	lazy     *textStore      // the passages' texts of a loaded snapshot; nil: in passages
	vecs     [][]float32     // per passage, normalized
	byID     map[string]int
	kw       *keywordIndex
	sources  []falaj.Source
}

// docInfo is one indexed document: its metadata and its passages' range in state.passages.
type docInfo struct {
	ID, Title, Author, Outlet, Date string
	first, n                        int
}

// passage returns passage i with its text.
func (st *state) passage(i int) (falaj.Passage, error) {
	p := st.passages[i]
	if st.lazy == nil {
		return p, nil
	}
	di, _ := slices.BinarySearchFunc(st.docs, i, func(d docInfo, i int) int {
		switch {
		case i < d.first:
			return 1
		case i >= d.first+d.n:
			return -1
		}
		return 0
	})
	texts, err := st.lazy.texts(di, st.docs[di].n)
	if err != nil {
		return p, fmt.Errorf("passage %s: %w", p.ID, err)
	}
	p.Text = texts[i-st.docs[di].first]
	return p, nil
}

// text returns passage i's text, "" when it cannot be read.
func (st *state) text(i int) string {
	p, _ := st.passage(i)
	return p.Text
}

// sourcesOf lists docs as sources, by document id.
func sourcesOf(docs []docInfo) []falaj.Source {
	out := make([]falaj.Source, len(docs))
	for i, d := range docs {
		out[i] = falaj.Source{Doc: d.ID, Title: d.Title, Author: d.Author, Outlet: d.Outlet, Date: d.Date, Passages: d.n}
	}
	slices.SortFunc(out, func(a, b falaj.Source) int { return cmp.Compare(a.Doc, b.Doc) })
	return out
}

// Open loads the corpus and builds the index, reusing the snapshot in cfg.Dir when it
// matches: unchanged documents keep their vectors, changed and new ones are embedded,
// removed ones are dropped. A snapshot that cannot be used (corrupt, truncated, another
// embedder or chunker) is rebuilt with a warning in the log. It returns a *falaj.UserError
// when no document can be indexed; files that cannot be used are listed in
// IndexStats.Skipped and the rest are indexed.
func Open(ctx context.Context, cfg Config) (*Index, falaj.IndexStats, error) {
	ix, err := newIndex(cfg)
	if err != nil {
		return nil, falaj.IndexStats{}, err
	}
	stats, err := ix.refresh(ctx, true, cfg.Force)
	if err != nil {
		return nil, stats, err
	}
	return ix, stats, nil
}

// newIndex applies cfg's defaults; the index has no state until a refresh.
func newIndex(cfg Config) (*Index, error) {
	ix := &Index{
		corpus:   cfg.Corpus,
		name:     cfg.CorpusName,
		dir:      cfg.Dir,
		emb:      cfg.Embedder,
		size:     cfg.ChunkSize,
		log:      cfg.Logger,
		progress: cfg.Progress,
	}
	if ix.corpus == nil {
		ix.corpus = seeds.FS
		if ix.name == "" {
			ix.name = "the built-in corpus"
		}
	}
	if ix.name == "" {
		ix.name = "the corpus folder"
	}
	if ix.emb == nil {
		ix.emb = Local{}
	}
	if ix.size <= 0 {
		ix.size = DefaultChunkSize
	}
	if ix.log == nil {
		ix.log = slog.New(slog.DiscardHandler)
	}
	ix.queryTimeout = cfg.QueryEmbedTimeout
	if ix.queryTimeout <= 0 {
		ix.queryTimeout = DefaultQueryEmbedTimeout
	}
	ix.fuse = fusionFor(ix.emb)
	ix.bm = bm25Params{k1: cmp.Or(cfg.BM25K1, bm25K1), b: cmp.Or(cfg.BM25B, bm25B), docWeight: cfg.DocWeight}
	if w := cfg.VectorWeight; w != 0 {
		w = min(max(w, 0), 1)
		ix.fuse = func(vec, kw []scored) []scored { return fuseWeighted(w, vec, kw) }
	}
	ix.vectors = cfg.Vectors
	if ix.vectors == "" {
		ix.vectors = DefaultVectors
	}
	ix.above = cmp.Or(cfg.PartitionAbove, DefaultPartitionAbove)
	ix.probes = max(cfg.Probes, 0)
	if ix.vectors != VectorsInt8 && ix.vectors != VectorsFloat32 {
		return nil, fmt.Errorf("retrieval: unknown vector encoding %q: want %s or %s", cfg.Vectors, VectorsInt8, VectorsFloat32)
	}
	if ix.dir != "" {
		ix.path = snapshotPath(ix.dir, ix.name, ix.emb.Name())
	}
	return ix, nil
}

// Reindex reloads the corpus and refreshes the index incrementally, like Open: only
// new and changed documents are embedded. Searches keep running on the old view until
// the new one is swapped in. Calls are serialized.
func (ix *Index) Reindex(ctx context.Context) (falaj.IndexStats, error) {
	return ix.refresh(ctx, false, false)
}

// Len returns the number of passages.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return len(ix.st.passages)
}

// Sources lists the indexed documents, by document id.
func (ix *Index) Sources(ctx context.Context) ([]falaj.Source, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return slices.Clone(ix.st.sources), nil
}

// Passage returns the passage with the given id ("<doc>#<ordinal>"); an unknown id is
// an error wrapping falaj.ErrNotFound.
func (ix *Index) Passage(ctx context.Context, id string) (falaj.Passage, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	i, ok := ix.st.byID[id]
	if !ok {
		return falaj.Passage{}, fmt.Errorf("passage %q: %w", id, falaj.ErrNotFound)
	}
	return ix.st.passage(i)
}

// SaveError says why the snapshot of the last Open or Reindex was not saved (the
// index directory is read-only, the disk is full, the corpus changed while it was
// indexed); nil when it was saved, needed no saving, or the index is in memory only.
// The index works either way; the next process indexes again.
func (ix *Index) SaveError() error {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.saveErr
}

// chunkerName names how passages are cut and what is embedded of them: a snapshot
// with another name is embedded again.
func (ix *Index) chunkerName() string {
	return chunkerVersion + ":size=" + strconv.Itoa(ix.size) + ":title=1"
}

// keywordsVersion names what the keyword index holds besides the passages' words;
// change it when that changes. A snapshot whose keyword index is older is read, its
// keyword index rebuilt from the passages and saved, and its vectors reused: the
// embedded text is the same. "voice": first-person passages carry lexical.AuthorTerm.
const keywordsVersion = "keywords=voice"

// keywordsSep joins chunkerName and keywordsVersion in a manifest's Chunker; a snapshot
// written before keywordsVersion existed has none.
const keywordsSep = " "

// indexName is the manifest's Chunker: chunkerName and keywordsVersion.
func (ix *Index) indexName() string { return ix.chunkerName() + keywordsSep + keywordsVersion }

// splitIndexName splits a manifest's Chunker into its chunker name and keyword index
// version ("" when the snapshot predates keywordsVersion).
func splitIndexName(s string) (chunker, keywords string) {
	chunker, keywords, _ = strings.Cut(s, keywordsSep)
	return chunker, keywords
}

// newState builds the state for docs and their chunks and acronyms (by document id),
// with one vector per chunk (vecs, by passage id): passages, sources, keyword index and
// chromem collections (indexVectors: partitioned above that many passages, keeping
// prev's partitions where they hold; prev may be nil).
func newState(ctx context.Context, m manifest, docs []document, chunks map[string][]chunk, acronyms map[string]map[string]string, vecs map[string][]float32, above int, prev *state) (*state, error) {
	st := &state{man: m, byID: map[string]int{}}
	var docOf []int // per passage: its document's index in docs
	for di, d := range docs {
		cs := chunks[d.ID]
		st.docs = append(st.docs, docInfo{ID: d.ID, Title: d.Title, Author: d.Author, Outlet: d.Outlet, Date: d.Date, first: len(st.passages), n: len(cs)})
		for _, c := range cs {
			v := vecs[c.passage.ID]
			if v == nil {
				return nil, fmt.Errorf("passage %s has no vector", c.passage.ID)
			}
			st.byID[c.passage.ID] = len(st.passages)
			st.passages = append(st.passages, c.passage)
			st.vecs = append(st.vecs, v)
			docOf = append(docOf, di)
		}
	}
	titles := make([][]string, len(docs))
	metas := make([][]string, len(docs))
	acrs := make([]map[string]string, len(docs))
	voices := make([]bool, len(docs)) // the document has an author who can be its "I" (lexical.AuthorTerm)
	for i, d := range docs {
		titles[i], metas[i], acrs[i] = lexical.Terms(d.Title), metaTerms(d), acronyms[d.ID]
		voices[i] = d.Author != "" && d.Author != d.Outlet
	}
	// Terms are made in parallel, a block at a time, and indexed in passage order.
	st.kw = emptyKeywordIndex(len(st.passages))
	const block = 2048
	text := make([][]string, block)
	for start := 0; start < len(st.passages); start += block {
		end := min(start+block, len(st.passages))
		if err := forEach(ctx, end-start, func(j int) {
			t := st.passages[start+j].Text
			terms := append(lexical.Terms(t), lexical.Hyphenated(t)...)
			text[j] = withAcronyms(t, terms, acrs[docOf[start+j]])
		}); err != nil {
			return nil, err
		}
		for j := range end - start {
			meta := metas[docOf[start+j]]
			if voices[docOf[start+j]] && lexical.FirstPerson(st.passages[start+j].Text) {
				meta = append(meta[:len(meta):len(meta)], lexical.AuthorTerm)
			}
			st.kw.add(start+j, text[j], titles[docOf[start+j]], meta)
		}
	}
	st.kw.finish()
	st.sources = sourcesOf(st.docs)
	if err := st.indexVectors(ctx, above, prev); err != nil {
		return nil, err
	}
	return st, nil
}

// withAcronyms adds to a passage's terms the long form of each acronym it uses (once
// per use; not when lexical.Terms already gives both the same term, as for "US") and
// each acronym whose long form it spells out (once).
func withAcronyms(text string, terms []string, acr map[string]string) []string {
	have := map[string]bool{}
	for _, t := range terms {
		have[t] = true
	}
	out := terms
	for a, n := range lexical.UsedAcronyms(text, acr) {
		long := lexical.Terms(acr[a])
		if slices.Equal(long, lexical.Terms(a)) {
			continue // "US" and "United States" are already one term, "us"
		}
		for range n {
			out = append(out, long...)
		}
	}
	lower := ""
	for a, l := range acr {
		al := strings.ToLower(a)
		if have[al] {
			continue
		}
		if lower == "" {
			lower = strings.ToLower(text) // once, not once an acronym
		}
		if strings.Contains(lower, strings.ToLower(l)) {
			out = append(out, al)
			have[al] = true
		}
	}
	return out
}
