package retrieval

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/falaj-bot/falaj"
	"github.com/falaj-bot/falaj/lexical"
)

// A refresh runs four steps, each a method testable alone:
//
//	load   the base (the snapshot file, or the current state) and the corpus listing
//	plan   what is unchanged, what to embed, what to drop — reading the corpus only
//	       when a file's size or mtime moved
//	embed  the planned passages, in parallel
//	commit build the new state, swap it in, save the snapshot

// racyWindow: a file modified this close to (or after) the listing the snapshot was
// built from is hashed even when its size and mtime match, since an edit within the
// same timestamp tick would not show (the "racily clean" case; 2 s covers FAT).
const racyWindow = 2 * time.Second

// lockPoll is how often a writer retries the index directory's lock.
const lockPoll = 50 * time.Millisecond

// errCorpusChanged: the corpus moved while it was being indexed, so the snapshot would
// be stale.
var errCorpusChanged = errors.New("the corpus changed while it was being indexed")

// refresh brings the index in line with the corpus, starting from the snapshot file
// (open) or from the current state (reindex).
func (ix *Index) refresh(ctx context.Context, open, force bool) (stats falaj.IndexStats, err error) {
	ix.reindexMu.Lock()
	defer ix.reindexMu.Unlock()
	start := time.Now()
	stats.Embedder = ix.emb.Name()

	ld, err := ix.load(ctx, open, force)
	if err != nil {
		return stats, err
	}
	p, err := ix.plan(ctx, ld)
	if p != nil {
		defer func() {
			stats.Skipped = p.skipped
			ix.reportSkipped(ctx, p.skipped)
		}()
	}
	if err != nil {
		return stats, err
	}
	if err := ix.embed(ctx, p); err != nil {
		return stats, err
	}
	st, err := ix.commit(ctx, p)
	if err != nil {
		return stats, err
	}

	stats.Documents = len(st.docs)
	stats.Passages = len(st.passages)
	stats.Embedded = p.embedded
	stats.Removed = p.removed
	stats.FromCache = ld.fromFile && !p.changed
	stats.Fingerprint = st.man.fingerprint()
	stats.Took = time.Since(start)
	ix.log.InfoContext(ctx, "index ready", "corpus", ix.name, "documents", stats.Documents, "passages", stats.Passages,
		"embedded", stats.Embedded, "removed", stats.Removed, "skipped", len(stats.Skipped), "from_cache", stats.FromCache,
		"embedder", stats.Embedder, "took_ms", stats.Took.Milliseconds())
	return stats, nil
}

// reportSkipped logs each skipped corpus file at Debug: the caller has them in
// IndexStats.Skipped and decides how to tell its user (falaj ingest lists them; the other
// commands say how many, once, when the index is built).
func (ix *Index) reportSkipped(ctx context.Context, skipped []string) {
	for _, s := range skipped {
		ix.log.DebugContext(ctx, "corpus file skipped", "corpus", ix.name, "file", s)
	}
}

// loaded is what the load step found.
type loaded struct {
	base     *state // what vectors already exist for; nil: none
	fromFile bool   // base came from the snapshot file
	listed   int64  // when the corpus was listed, unix ns
	files    []corpusFile
	skipped  []string // files skipped before reading (not regular, not listable)
	probe    *probe   // the embedding model's answer to probeText now (probe.go); nil: not known
	// oldKeywords: base's keyword index is older than keywordsVersion, so the corpus is
	// read again and the keyword index rebuilt, the vectors reused.
	oldKeywords bool
}

// load returns the base to start from and the corpus listing (no file is read). A
// snapshot that cannot be used is logged and ignored; only a corpus that cannot be
// listed, or a cancelled ctx, is an error.
func (ix *Index) load(ctx context.Context, open, force bool) (*loaded, error) {
	ld := &loaded{}
	switch {
	case !open:
		ix.mu.RLock()
		ld.base = ix.st
		ix.mu.RUnlock()
	case ix.path != "":
		if unlock, ok, _ := tryLockDir(ix.dir); ok {
			removeStaleTemps(ix.dir) // no writer is under way: what is there is left over
			unlock()
		}
		ld.probe = ix.probe(ctx) // which model answers to the embedder's name (probe.go)
		if force {
			break
		}
		t := time.Now()
		st, err := readSnapshot(ctx, ix.path)
		want := manifest{Probe: ld.probe}
		switch {
		case ctx.Err() != nil:
			return nil, context.Cause(ctx)
		case errors.Is(err, errNoSnapshot):
		case err != nil:
			ix.log.WarnContext(ctx, "index snapshot unusable, rebuilding", "path", ix.path, "err", err)
		case st.man.Embedder != ix.emb.Name() || chunkerOf(st.man) != ix.chunkerName() || st.man.Vectors != ix.vectors:
			ix.log.WarnContext(ctx, "index snapshot made with other settings, rebuilding", "path", ix.path,
				"snapshot_embedder", st.man.Embedder, "embedder", ix.emb.Name(), "snapshot_chunker", chunkerOf(st.man),
				"chunker", ix.chunkerName(), "snapshot_vectors", st.man.Vectors, "vectors", ix.vectors)
		case ix.embedderChanged(ctx, st.man, &want): // logs why
		default:
			ld.probe = want.Probe
			ld.base, ld.fromFile = st, true
			if _, kw := splitIndexName(st.man.Chunker); kw != keywordsVersion {
				ld.oldKeywords = true
				ix.log.InfoContext(ctx, "index snapshot's keyword index is older: rebuilding it, vectors reused", "path", ix.path,
					"snapshot_keywords", kw, "keywords", keywordsVersion)
			}
			ix.log.DebugContext(ctx, "index snapshot loaded", "path", ix.path, "passages", len(st.passages), "took_ms", time.Since(t).Milliseconds())
		}
	}
	ld.listed = time.Now().UnixNano()
	files, skipped, err := listCorpus(ctx, ix.corpus)
	if err != nil {
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		return nil, falaj.Userf(err, "Cannot read %s: %v. Check that it exists and is readable.", ix.name, unwrapPathError(err))
	}
	ld.files, ld.skipped = files, skipped
	return ld, nil
}

// plan is what a refresh will do.
type plan struct {
	base      *state
	unchanged bool // base is the corpus as it is; nothing to read, embed or drop
	changed   bool // the snapshot must be written
	want      manifest
	docs      []document
	chunks    map[string][]chunk
	acronyms  map[string]map[string]string // by document id: its acronyms (lexical.Acronyms)
	vecs      map[string][]float32         // by passage id: reused, then embedded ones
	toEmbed   []chunk
	embedded  int
	removed   int
	skipped   []string // everything to report
	files     []corpusFile
}

// plan compares the listing with the base. When every file's size and mtime match
// the base (and none is racily new), or its bytes hash the same, the base is used as
// it is without reading the rest. Otherwise the corpus is read and chunked, unchanged
// documents keep their vectors and the rest is queued for embedding.
func (ix *Index) plan(ctx context.Context, ld *loaded) (*plan, error) {
	p := &plan{base: ld.base, files: ld.files}
	if ld.base != nil && !ld.oldKeywords {
		same, moved, err := ix.unchanged(ctx, ld)
		if err != nil {
			return nil, err
		}
		if same {
			p.unchanged = true
			p.want = ld.base.man
			p.skipped = append(slices.Clone(ld.skipped), ld.base.man.Notes...)
			if moved {
				// Only metadata moved: record it, so the next open needs no hashing.
				p.changed = true
				p.want = withFileMeta(ld.base.man, ld.files, ld.listed)
			}
			if partitioned(len(ld.base.passages), ix.above) != (ld.base.parts != nil) {
				// A snapshot of format 2 (no partitions), or PartitionAbove moved:
				// partition (or merge) once and save it.
				p.changed = true
			}
			return p, nil
		}
	}

	docs, readSkipped, err := readCorpus(ctx, ix.corpus, ld.files)
	if err != nil {
		return nil, err
	}
	var notes []string
	notes = append(notes, readSkipped...)
	slices.SortFunc(docs, func(a, b document) int { return cmp.Compare(a.Path, b.Path) })
	p.chunks = map[string][]chunk{}
	chunked := make([][]chunk, len(docs))
	acrs := make([]map[string]string, len(docs))
	if err := forEach(ctx, len(docs), func(i int) {
		chunked[i], acrs[i] = chunkDocument(docs[i], ix.size), lexical.Acronyms(docs[i].Body)
	}); err != nil {
		return nil, err
	}
	p.acronyms = map[string]map[string]string{}
	var kept []document
	for i, d := range docs {
		if _, dup := p.chunks[d.ID]; dup {
			notes = append(notes, d.Path+": another file has the same name without extension")
			continue
		}
		cs := chunked[i]
		if len(cs) == 0 {
			why := "no text left after removing boilerplate"
			if len(cleanUnits(d)) > 0 {
				why = "no words to index"
			}
			notes = append(notes, d.Path+": "+why)
			continue
		}
		p.chunks[d.ID] = cs
		p.acronyms[d.ID] = acrs[i]
		d.Body = "" // chunked: the passages hold the text now
		kept = append(kept, d)
	}
	p.docs = kept
	p.skipped = append(slices.Clone(ld.skipped), notes...)
	if len(p.docs) == 0 {
		return p, ix.nothingToIndex(p.skipped)
	}

	meta := map[string]corpusFile{}
	for _, f := range ld.files {
		meta[f.Path] = f
	}
	p.want = manifest{Format: snapshotFormat, Embedder: ix.emb.Name(), Chunker: ix.indexName(), Vectors: ix.vectors,
		Written: ld.listed, Docs: map[string]docEntry{}, Notes: notes, Probe: ld.probe}
	var base manifest
	if ld.base != nil {
		base = ld.base.man
		p.want.Dim = base.Dim
	}
	p.vecs = map[string][]float32{}
	p.changed = ld.base == nil || ld.oldKeywords
	for _, d := range p.docs {
		cs := p.chunks[d.ID]
		ids := make([]string, len(cs))
		for i, c := range cs {
			ids[i] = c.passage.ID
		}
		f := meta[d.Path]
		p.want.Docs[d.ID] = docEntry{Hash: d.Hash, Path: d.Path, Size: f.Size, MTime: f.MTime, Passages: ids}
		if old, ok := base.Docs[d.ID]; ok {
			if old.Hash == d.Hash && slices.Equal(old.Passages, ids) && sameContent(ld.base, cs) {
				for _, c := range cs {
					p.vecs[c.passage.ID] = ld.base.vecs[ld.base.byID[c.passage.ID]]
				}
				if old.Size != f.Size || old.MTime != f.MTime || old.Path != d.Path {
					p.changed = true
				}
				continue
			}
		}
		p.toEmbed = append(p.toEmbed, cs...)
		p.changed = true
	}
	for id := range base.Docs {
		if _, ok := p.want.Docs[id]; !ok {
			p.removed++
			p.changed = true
		}
	}
	if !slices.Equal(base.Notes, notes) {
		p.changed = true
	}
	p.want.Skips = skippedFiles(ld.files, p.want.Docs)
	if !slices.Equal(base.Skips, p.want.Skips) {
		p.changed = true // a skipped file moved: record it, or every open reads the corpus again
	}
	return p, nil
}

// chunkerOf is the chunker name of a snapshot's manifest (without its keyword index
// version).
func chunkerOf(m manifest) string {
	c, _ := splitIndexName(m.Chunker)
	return c
}

// unchanged reports whether the listing matches the base: the same files, each with
// the size and mtime the base recorded, or else the same bytes (hashed: moved is then
// true). It reads only files whose metadata moved.
func (ix *Index) unchanged(ctx context.Context, ld *loaded) (same, moved bool, err error) {
	m := ld.base.man
	type entry struct {
		size, mtime int64
		hash        string // "" for a skipped file
	}
	known := make(map[string]entry, len(m.Docs)+len(m.Skips))
	for _, d := range m.Docs {
		known[d.Path] = entry{d.Size, d.MTime, d.Hash}
	}
	for _, f := range m.Skips {
		known[f.Path] = entry{f.Size, f.MTime, ""}
	}
	if len(known) != len(ld.files) {
		return false, false, nil
	}
	racy := m.Written - racyWindow.Nanoseconds()
	for _, f := range ld.files {
		e, ok := known[f.Path]
		if !ok {
			return false, false, nil
		}
		if e.size == f.Size && e.mtime == f.MTime && f.MTime < racy {
			continue
		}
		if e.hash == "" {
			return false, false, nil // a skipped file changed: read everything
		}
		if ctx.Err() != nil {
			return false, false, context.Cause(ctx)
		}
		b, err := fs.ReadFile(ix.corpus, f.Path)
		if err != nil {
			return false, false, nil
		}
		sum := sha256.Sum256(b)
		if hex.EncodeToString(sum[:]) != e.hash {
			return false, false, nil
		}
		if e.size != f.Size || e.mtime != f.MTime {
			moved = true
		}
		if f.MTime < ld.listed-racyWindow.Nanoseconds() {
			// Hashed only because it was racily new for the snapshot; it is not for
			// this listing, so saving the listing's time spares every later open the read.
			moved = true
		}
	}
	return true, moved, nil
}

// withFileMeta returns m with the sizes and mtimes of files and listed as its time.
func withFileMeta(m manifest, files []corpusFile, listed int64) manifest {
	byPath := map[string]corpusFile{}
	for _, f := range files {
		byPath[f.Path] = f
	}
	out := m
	out.Written = listed
	out.Docs = make(map[string]docEntry, len(m.Docs))
	for id, d := range m.Docs {
		f := byPath[d.Path]
		d.Size, d.MTime = f.Size, f.MTime
		out.Docs[id] = d
	}
	out.Skips = make([]fileEntry, len(m.Skips))
	for i, s := range m.Skips {
		f := byPath[s.Path]
		out.Skips[i] = fileEntry{s.Path, f.Size, f.MTime}
	}
	return out
}

// skippedFiles lists the files that were read but are not indexed.
func skippedFiles(files []corpusFile, docs map[string]docEntry) []fileEntry {
	used := map[string]bool{}
	for _, d := range docs {
		used[d.Path] = true
	}
	var out []fileEntry
	for _, f := range files {
		if !used[f.Path] {
			out = append(out, fileEntry{f.Path, f.Size, f.MTime})
		}
	}
	return out
}

// sameContent reports whether base holds each chunk with the same text (a guard
// against a chunker change that kept its version name).
func sameContent(base *state, cs []chunk) bool {
	for _, c := range cs {
		i, ok := base.byID[c.passage.ID]
		if !ok || base.text(i) != c.passage.Text {
			return false
		}
	}
	return true
}

// embed embeds the planned passages (embedAll: in parallel, progress reported),
// rounds each vector to the snapshot's encoding, and drops the passages the embedder
// could not place.
func (ix *Index) embed(ctx context.Context, p *plan) error {
	if len(p.toEmbed) == 0 {
		return nil
	}
	texts := make([]string, len(p.toEmbed))
	for i, c := range p.toEmbed {
		texts[i] = c.embed
	}
	vecs, err := embedAll(ctx, ix.emb, texts, p.want.Dim, ix.progress)
	if err != nil {
		return err
	}
	p.embedded = len(p.toEmbed)
	for i := range vecs {
		vecs[i] = roundTrip(ix.vectors, vecs[i])
	}
	ix.dropUnplaced(p, vecs)
	if len(p.docs) == 0 {
		return ix.nothingToIndex(p.skipped)
	}
	for i, c := range p.toEmbed {
		p.vecs[c.passage.ID] = vecs[i]
		if p.want.Dim == 0 {
			p.want.Dim = len(vecs[i])
		}
	}
	// What was embedded is not needed any more: free it before the state is built.
	p.toEmbed = nil
	for _, cs := range p.chunks {
		for i := range cs {
			cs[i].embed = ""
		}
	}
	return nil
}

// commit builds the planned state (or keeps the base), swaps it in and saves the
// snapshot when anything changed. A snapshot that cannot be saved is logged and kept in
// SaveError; the index works from memory.
func (ix *Index) commit(ctx context.Context, p *plan) (*state, error) {
	var st *state
	if p.unchanged {
		st = p.base
		if p.changed {
			cp := *st
			cp.man = p.want
			st = &cp
		}
		switch n := len(st.passages); {
		case partitioned(n, ix.above) != (st.parts != nil):
			// A format-2 snapshot, or PartitionAbove moved: plan set p.changed, so st
			// is a copy of the base.
			old := *st
			t := time.Now()
			if err := st.indexVectors(ctx, ix.above, &old); err != nil {
				return nil, err
			}
			parts := 0
			if st.parts != nil {
				parts = len(st.parts.centroids)
			}
			ix.log.InfoContext(ctx, "index snapshot repartitioned", "path", ix.path, "passages", n, "partitions", parts,
				"took_ms", time.Since(t).Milliseconds())
		case st.parts != nil && st.parts.cols == nil:
			// Loaded from the snapshot: placed, not filled.
			if err := st.parts.fill(ctx, st.passages, st.vecs); err != nil {
				return nil, err
			}
		case st.parts == nil && st.col == nil:
			if err := st.indexVectors(ctx, ix.above, nil); err != nil {
				return nil, err
			}
		}
	} else {
		var err error
		st, err = newState(ctx, p.want, p.docs, p.chunks, p.acronyms, p.vecs, ix.above, p.base)
		if err != nil {
			return nil, err
		}
	}
	var saveErr error
	if p.changed && ix.path != "" {
		saveErr = ix.save(ctx, st, p.files)
		if saveErr != nil {
			ix.log.WarnContext(ctx, "index snapshot not saved; the index works but will be rebuilt next time", "path", ix.path, "err", saveErr)
		}
	}
	ix.mu.Lock()
	ix.st, ix.saveErr = st, saveErr
	ix.mu.Unlock()
	return st, nil
}

// save writes st's snapshot under the index directory's lock, after checking that
// the corpus still lists as it did when this refresh read it (so a slow ingest never
// replaces a newer snapshot with a stale one).
func (ix *Index) save(ctx context.Context, st *state, files []corpusFile) error {
	if err := os.MkdirAll(ix.dir, 0o700); err != nil {
		return fmt.Errorf("create index dir: %w", err)
	}
	unlock, err := lockDir(ctx, ix.dir)
	if err != nil {
		return err
	}
	defer unlock()
	err = writeSnapshot(ix.path, st, func() error {
		now, _, err := listCorpus(ctx, ix.corpus)
		if err != nil {
			return fmt.Errorf("list corpus again: %w", err)
		}
		if !slices.Equal(now, files) {
			return errCorpusChanged
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Format 1's files (gob, any embedder: the 1024-dimension ones too) are read by no
	// version since format 2; each held a whole corpus's vectors.
	old, _ := filepath.Glob(filepath.Join(filepath.Dir(ix.path), "falaj-*.gob"))
	for _, f := range old {
		os.Remove(f)
	}
	return nil
}

// forEach calls fn for 0 ≤ i < n on GOMAXPROCS goroutines, in blocks of
// consecutive i, and returns when all calls have; it stops early with ctx's cause.
// fn must be safe to call concurrently for different i.
func forEach(ctx context.Context, n int, fn func(i int)) error {
	const block = 32
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), (n+block-1)/block) {
		wg.Go(func() {
			for ctx.Err() == nil {
				start := int(next.Add(block)) - block
				if start >= n {
					return
				}
				for i := start; i < min(start+block, n); i++ {
					fn(i)
				}
			}
		})
	}
	wg.Wait()
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return nil
}

// lockDir waits for the index directory's writer lock until ctx ends.
func lockDir(ctx context.Context, dir string) (unlock func(), err error) {
	for {
		unlock, ok, err := tryLockDir(dir)
		if err != nil {
			return nil, err
		}
		if ok {
			return unlock, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("wait for the lock on %s: %w", dir, context.Cause(ctx))
		case <-time.After(lockPoll):
		}
	}
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
// vector, see embedAll) from p.toEmbed, p.chunks and p.want, and a document left
// without passages from p.docs, noting each in p.skipped and p.want.Notes. The other
// passages keep their ids; vecs is left aligned with p.toEmbed.
func (ix *Index) dropUnplaced(p *plan, vecs [][]float32) {
	gone := map[string]bool{}
	keptChunks := p.toEmbed[:0:0]
	keptVecs := vecs[:0]
	for i, c := range p.toEmbed {
		if vecs[i] == nil {
			gone[c.passage.ID] = true
			continue
		}
		keptChunks = append(keptChunks, c)
		keptVecs = append(keptVecs, vecs[i])
	}
	if len(gone) == 0 {
		return
	}
	p.toEmbed = keptChunks
	copy(vecs, keptVecs)
	why := "the embedder " + ix.emb.Name() + " returned a zero vector"
	var notes []string
	keptDocs := p.docs[:0:0]
	for _, d := range p.docs {
		cs := p.chunks[d.ID]
		left := slices.DeleteFunc(slices.Clone(cs), func(c chunk) bool { return gone[c.passage.ID] })
		if len(left) == len(cs) {
			keptDocs = append(keptDocs, d)
			continue
		}
		if len(left) == 0 {
			notes = append(notes, d.Path+": "+why+" for every passage")
			delete(p.chunks, d.ID)
			delete(p.want.Docs, d.ID)
			continue
		}
		for _, c := range cs {
			if gone[c.passage.ID] {
				notes = append(notes, fmt.Sprintf("%s: passage %d not indexed: %s", d.Path, c.passage.Ordinal, why))
			}
		}
		p.chunks[d.ID] = left
		e := p.want.Docs[d.ID]
		e.Passages = slices.DeleteFunc(slices.Clone(e.Passages), func(id string) bool { return gone[id] })
		p.want.Docs[d.ID] = e
		keptDocs = append(keptDocs, d)
	}
	p.docs = keptDocs
	p.skipped = append(p.skipped, notes...)
	p.want.Notes = append(p.want.Notes, notes...)
	p.want.Skips = skippedFiles(p.files, p.want.Docs)
}
