package retrieval

import (
	"cmp"
	"context"
	"errors"
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
	// Progress, when set, is called after each batch of passages is embedded with the
	// number done and the number to embed in this run. Not called when nothing is
	// embedded. Called from the goroutine that called Open or Reindex.
	Progress func(done, total int)
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
	reindexMu    sync.Mutex // one refresh at a time

	mu sync.RWMutex // guards st and writes to st.col
	st *state
}

var _ falaj.Searcher = (*Index)(nil)

// state is one consistent view of the index.
type state struct {
	db       *chromem.DB
	col      *chromem.Collection
	man      manifest
	passages []falaj.Passage // in document then ordinal order; index = keyword doc number
	byID     map[string]int
	kw       *keywordIndex
	sources  []falaj.Source
}

// Open loads the corpus and builds the index, reusing the snapshot in cfg.Dir when it
// matches: unchanged documents keep their vectors, changed and new ones are embedded,
// removed ones are dropped. A snapshot that cannot be used (corrupt, truncated, another
// embedder or chunker) is rebuilt with a warning in the log. It returns a *falaj.UserError
// when no document can be indexed; files that cannot be used are listed in
// IndexStats.Skipped and the rest are indexed.
func Open(ctx context.Context, cfg Config) (*Index, falaj.IndexStats, error) {
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
	if w := cfg.VectorWeight; w != 0 {
		w = min(max(w, 0), 1)
		ix.fuse = func(vec, kw []scored) []scored { return fuseWeighted(w, vec, kw) }
	}
	if ix.dir != "" {
		ix.path = snapshotPath(ix.dir, ix.name, ix.emb.Name())
	}
	stats, err := ix.refresh(ctx, true, cfg.Force)
	if err != nil {
		return nil, stats, err
	}
	return ix, stats, nil
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
	return ix.st.passages[i], nil
}

func (ix *Index) chunkerName() string {
	return chunkerVersion + ":size=" + strconv.Itoa(ix.size) + ":title=1"
}

// refresh loads and chunks the corpus, then brings the vector store in line with it,
// starting from the snapshot file (open) or from the current state (reindex).
func (ix *Index) refresh(ctx context.Context, open, force bool) (falaj.IndexStats, error) {
	ix.reindexMu.Lock()
	defer ix.reindexMu.Unlock()
	start := time.Now()
	stats := falaj.IndexStats{Embedder: ix.emb.Name()}

	docs, skipped, err := loadCorpus(ix.corpus)
	if err != nil {
		return stats, falaj.Userf(err, "Cannot read %s: %v. Check that it exists and is readable.", ix.name, unwrapPathError(err))
	}
	slices.SortFunc(docs, func(a, b document) int { return cmp.Compare(a.Path, b.Path) })
	chunks := map[string][]chunk{}
	var kept []document
	for _, d := range docs {
		if _, dup := chunks[d.ID]; dup {
			skipped = append(skipped, d.Path+": another file has the same name without extension")
			continue
		}
		cs := chunkDocument(d, ix.size)
		if len(cs) == 0 {
			why := "no text left after removing boilerplate"
			if len(cleanUnits(d)) > 0 {
				why = "no words to index"
			}
			skipped = append(skipped, d.Path+": "+why)
			continue
		}
		chunks[d.ID] = cs
		kept = append(kept, d)
	}
	docs = kept
	reportSkipped := func() {
		stats.Skipped = skipped
		for _, s := range skipped {
			ix.log.WarnContext(ctx, "corpus file skipped", "corpus", ix.name, "file", s)
		}
	}
	if len(docs) == 0 {
		reportSkipped()
		return stats, ix.nothingToIndex(skipped)
	}

	want := manifest{Format: snapshotFormat, Embedder: ix.emb.Name(), Chunker: ix.chunkerName(), Docs: map[string]docEntry{}}
	if ix.path != "" {
		want.Probe = ix.probe(ctx) // which model answers to the embedder's name (probe.go)
	}

	// The base: what we already have vectors for.
	var db *chromem.DB
	var col *chromem.Collection
	var base manifest
	fromFile := false
	switch {
	case !open:
		ix.mu.RLock()
		db, col, base = ix.st.db, ix.st.col, ix.st.man
		ix.mu.RUnlock()
	case ix.path != "" && !force:
		t := time.Now()
		d, c, m, err := loadSnapshot(ix.path)
		switch {
		case errors.Is(err, errNoSnapshot):
		case err != nil:
			ix.log.WarnContext(ctx, "index snapshot unusable, rebuilding", "path", ix.path, "err", err)
		case m.Format != want.Format || m.Embedder != want.Embedder || m.Chunker != want.Chunker:
			ix.log.WarnContext(ctx, "index snapshot made with other settings, rebuilding", "path", ix.path,
				"snapshot_embedder", m.Embedder, "embedder", want.Embedder, "snapshot_chunker", m.Chunker, "chunker", want.Chunker)
		case ix.embedderChanged(ctx, m, &want): // logs why
		default:
			db, col, base, fromFile = d, c, m, true
			ix.log.DebugContext(ctx, "index snapshot loaded", "path", ix.path, "passages", c.Count(), "took_ms", time.Since(t).Milliseconds())
		}
	}
	if db == nil {
		db = chromem.NewDB()
		col, err = db.CreateCollection(passagesCollection, nil, noEmbedding)
		if err != nil {
			return stats, fmt.Errorf("create collection: %w", err)
		}
		base = manifest{}
	}
	want.Dim = base.Dim

	// Plan: reuse unchanged documents, embed the rest, drop the removed.
	var toEmbed []chunk
	var drop []string
	changed := !fromFile && open
	for _, d := range docs {
		cs := chunks[d.ID]
		ids := make([]string, len(cs))
		for i, c := range cs {
			ids[i] = c.passage.ID
		}
		want.Docs[d.ID] = docEntry{Hash: d.Hash, Passages: ids}
		if old, ok := base.Docs[d.ID]; ok {
			if old.Hash == d.Hash && slices.Equal(old.Passages, ids) && sameContent(ctx, col, cs) {
				continue
			}
			drop = append(drop, old.Passages...)
		}
		toEmbed = append(toEmbed, cs...)
		changed = true
	}
	for id, old := range base.Docs {
		if _, ok := want.Docs[id]; !ok {
			drop = append(drop, old.Passages...)
			stats.Removed++
			changed = true
		}
	}

	var vecs [][]float32
	if len(toEmbed) > 0 {
		texts := make([]string, len(toEmbed))
		for i, c := range toEmbed {
			texts[i] = c.embed
		}
		vecs, err = embedAll(ctx, ix.emb, texts, want.Dim, ix.progress)
		if err != nil {
			return stats, err
		}
		stats.Embedded = len(toEmbed)
		toEmbed, vecs, docs, skipped = ix.dropUnplaced(toEmbed, vecs, docs, chunks, want, skipped)
		if len(docs) == 0 {
			reportSkipped()
			return stats, ix.nothingToIndex(skipped)
		}
		if len(vecs) > 0 {
			want.Dim = len(vecs[0])
		}
	}

	next := newState(db, col, want, docs, chunks)
	apply := func() error {
		actx := context.WithoutCancel(ctx) // in-memory and quick: never leave it half done
		if len(drop) > 0 {
			if err := col.Delete(actx, nil, nil, drop...); err != nil {
				return fmt.Errorf("delete old passages: %w", err)
			}
		}
		if err := addPassages(actx, col, toEmbed, vecs); err != nil {
			return err
		}
		ix.st = next
		return nil
	}
	if open {
		err = apply()
	} else {
		ix.mu.Lock()
		err = apply()
		ix.mu.Unlock()
	}
	if err != nil {
		return stats, err
	}

	if changed && ix.path != "" {
		ix.mu.RLock()
		err := saveSnapshot(ix.path, db, want)
		ix.mu.RUnlock()
		if err != nil {
			ix.log.WarnContext(ctx, "index snapshot not saved; the index works but will be rebuilt next time", "path", ix.path, "err", err)
		}
	}

	reportSkipped()
	stats.Documents = len(docs)
	stats.Passages = len(next.passages)
	stats.FromCache = fromFile && !changed
	stats.Fingerprint = want.fingerprint()
	stats.Took = time.Since(start)
	ix.log.InfoContext(ctx, "index ready", "corpus", ix.name, "documents", stats.Documents, "passages", stats.Passages,
		"embedded", stats.Embedded, "removed", stats.Removed, "skipped", len(stats.Skipped), "from_cache", stats.FromCache,
		"embedder", stats.Embedder, "took_ms", stats.Took.Milliseconds())
	return stats, nil
}

// nothingToIndex is the error for a corpus without a usable document.
func (ix *Index) nothingToIndex(skipped []string) error {
	why := "it has no .txt or .md files"
	if len(skipped) > 0 {
		why = "none of its files could be used (" + strings.Join(skipped, "; ") + ")"
	}
	return &falaj.UserError{
		Msg: fmt.Sprintf("There is nothing to index in %s: %s. Point --corpus (or FALAJ_CORPUS) at a folder of UTF-8 .txt or .md files.", ix.name, why),
		Err: errors.New("retrieval: empty corpus"),
	}
}

// dropUnplaced removes the chunks whose vector is nil (the embedder gave them the zero
// vector, see embedAll) from toEmbed, chunks and want, and a document left without
// passages from docs, noting each in skipped. The other passages keep their ids.
func (ix *Index) dropUnplaced(toEmbed []chunk, vecs [][]float32, docs []document, chunks map[string][]chunk, want manifest, skipped []string) ([]chunk, [][]float32, []document, []string) {
	gone := map[string]bool{}
	keptChunks, keptVecs := toEmbed[:0:0], vecs[:0:0]
	for i, c := range toEmbed {
		if vecs[i] == nil {
			gone[c.passage.ID] = true
			continue
		}
		keptChunks = append(keptChunks, c)
		keptVecs = append(keptVecs, vecs[i])
	}
	if len(gone) == 0 {
		return toEmbed, vecs, docs, skipped
	}
	why := "the embedder " + ix.emb.Name() + " returned a zero vector"
	keptDocs := docs[:0:0]
	for _, d := range docs {
		cs := chunks[d.ID]
		left := slices.DeleteFunc(slices.Clone(cs), func(c chunk) bool { return gone[c.passage.ID] })
		if len(left) == len(cs) {
			keptDocs = append(keptDocs, d)
			continue
		}
		if len(left) == 0 {
			skipped = append(skipped, d.Path+": "+why+" for every passage")
			delete(chunks, d.ID)
			delete(want.Docs, d.ID)
			continue
		}
		for _, c := range cs {
			if gone[c.passage.ID] {
				skipped = append(skipped, fmt.Sprintf("%s: passage %d not indexed: %s", d.Path, c.passage.Ordinal, why))
			}
		}
		chunks[d.ID] = left
		e := want.Docs[d.ID]
		e.Passages = slices.DeleteFunc(e.Passages, func(id string) bool { return gone[id] })
		want.Docs[d.ID] = e
		keptDocs = append(keptDocs, d)
	}
	return keptChunks, keptVecs, keptDocs, skipped
}

// sameContent reports whether col holds each chunk with the same text (a guard against
// a chunker change that kept its version name).
func sameContent(ctx context.Context, col *chromem.Collection, cs []chunk) bool {
	for _, c := range cs {
		d, err := col.GetByID(ctx, c.passage.ID)
		if err != nil || d.Content != c.passage.Text {
			return false
		}
	}
	return true
}

// newState builds the passage list, keyword index and sources for docs.
func newState(db *chromem.DB, col *chromem.Collection, m manifest, docs []document, chunks map[string][]chunk) *state {
	st := &state{db: db, col: col, man: m, byID: map[string]int{}}
	var text, title, meta [][]string
	for _, d := range docs {
		cs := chunks[d.ID]
		tt := lexical.Terms(d.Title)
		mt := metaTerms(d)
		acr := lexical.Acronyms(d.Body)
		for _, c := range cs {
			st.byID[c.passage.ID] = len(st.passages)
			st.passages = append(st.passages, c.passage)
			terms := append(lexical.Terms(c.passage.Text), lexical.Hyphenated(c.passage.Text)...)
			text = append(text, withAcronyms(c.passage.Text, terms, acr))
			title = append(title, tt)
			meta = append(meta, mt)
		}
		st.sources = append(st.sources, falaj.Source{
			Doc: d.ID, Title: d.Title, Author: d.Author, Outlet: d.Outlet, Date: d.Date, Passages: len(cs),
		})
	}
	slices.SortFunc(st.sources, func(a, b falaj.Source) int { return cmp.Compare(a.Doc, b.Doc) })
	st.kw = newKeywordIndex(text, title, meta)
	return st
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
	for a, l := range acr {
		al := strings.ToLower(a)
		if have[al] {
			continue
		}
		if strings.Contains(strings.ToLower(text), strings.ToLower(l)) {
			out = append(out, al)
			have[al] = true
		}
	}
	return out
}
