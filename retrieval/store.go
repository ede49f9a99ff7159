package retrieval

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"

	chromem "github.com/philippgille/chromem-go"
)

// The snapshot is one chromem-go export file (gob, uncompressed: gzip made the seed
// snapshot 2.7× smaller, 124 KB → 46 KB, but 3.4× slower to import, 0.8 → 2.7 ms; not
// encrypted: the corpus is not secret; see docs/RETRIEVAL.md) holding
// two collections: passagesCollection, one chromem document per passage (content = the
// cited text, metadata = its doc), and manifestCollection, holding one document,
// manifestID, whose content is the manifest as JSON (chromem-go does not export
// collection metadata, so the manifest cannot live there).
const (
	snapshotFormat     = 1
	passagesCollection = "passages"
	manifestCollection = "falaj-manifest"
	manifestID         = "manifest"
)

// manifest describes what a snapshot holds, so a later open can reuse it.
type manifest struct {
	Format   int                 `json:"format"`
	Embedder string              `json:"embedder"` // Embedder.Name()
	Chunker  string              `json:"chunker"`  // chunkerVersion and settings
	Dim      int                 `json:"dim"`      // vector length
	Docs     map[string]docEntry `json:"docs"`     // by document id

	// Probe is the embedding model's answer to probeText (probe.go); nil: not known.
	Probe *probe `json:"probe,omitempty"`
}

// docEntry is one document of a snapshot.
type docEntry struct {
	Hash     string   `json:"hash"`     // SHA-256 of the file bytes
	Passages []string `json:"passages"` // its passage ids, in order
}

// fingerprint is a short hash of everything the manifest says.
func (m manifest) fingerprint() string {
	ids := make([]string, 0, len(m.Docs))
	for id := range m.Docs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	h := sha256.New()
	fmt.Fprintf(h, "%d\x00%s\x00%s\x00%d\x00", m.Format, m.Embedder, m.Chunker, m.Dim)
	if m.Probe != nil {
		fmt.Fprintf(h, "probe:%s\x00", m.Probe.hash())
	}
	for _, id := range ids {
		fmt.Fprintf(h, "%s\x00%s\x00", id, m.Docs[id].Hash)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// snapshotPath names the snapshot of one corpus embedded with one embedder, so that
// switching corpus or embedder back and forth does not rebuild every time.
func snapshotPath(dir, corpusName, embedderName string) string {
	h := sha256.Sum256([]byte(corpusName + "\x00" + embedderName))
	return filepath.Join(dir, fmt.Sprintf("falaj-%s-%s.gob", sanitizeName(embedderName), hex.EncodeToString(h[:6])))
}

// saveSnapshot writes db with manifest m to path atomically: export to a temporary
// file in the same directory, sync, then rename over path.
func saveSnapshot(path string, db *chromem.DB, m manifest) error {
	js, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("encode manifest: %w", err)
	}
	if err := db.DeleteCollection(manifestCollection); err != nil {
		return fmt.Errorf("replace manifest: %w", err)
	}
	mc, err := db.CreateCollection(manifestCollection, nil, noEmbedding)
	if err != nil {
		return fmt.Errorf("replace manifest: %w", err)
	}
	if err := mc.AddDocument(context.Background(), chromem.Document{ID: manifestID, Embedding: []float32{1}, Content: string(js)}); err != nil {
		return fmt.Errorf("replace manifest: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create index dir: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".falaj-snapshot-*")
	if err != nil {
		return fmt.Errorf("create snapshot: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after the rename
	if err := db.ExportToWriter(f, false, ""); err != nil {
		f.Close()
		return fmt.Errorf("write snapshot %s: %w", tmp, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync snapshot %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close snapshot %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("rename snapshot: %w", err)
	}
	return nil
}

// errNoSnapshot: there is no snapshot file yet (not a warning).
var errNoSnapshot = errors.New("no snapshot")

// loadSnapshot reads the snapshot at path and checks it: gob framing intact (a
// truncated file fails before decoding), both collections present, the manifest
// readable, and every passage vector of the manifest's dimension and finite. chromem's
// decoder is run under recover, so a corrupt file is an error, never a crash.
func loadSnapshot(path string) (db *chromem.DB, col *chromem.Collection, m manifest, err error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, m, errNoSnapshot
	}
	if err != nil {
		return nil, nil, m, fmt.Errorf("open snapshot: %w", err)
	}
	err = checkGobFraming(f)
	if err != nil {
		f.Close()
		return nil, nil, m, fmt.Errorf("check snapshot %s: %w", path, err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, nil, m, fmt.Errorf("read snapshot %s: %w", path, err)
	}
	db = chromem.NewDB()
	func() {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("decode panicked: %v", r)
			}
		}()
		err = db.ImportFromReader(f, "")
	}()
	f.Close()
	if err != nil {
		return nil, nil, m, fmt.Errorf("read snapshot %s: %w", path, err)
	}
	mc := db.GetCollection(manifestCollection, noEmbedding)
	col = db.GetCollection(passagesCollection, noEmbedding)
	if mc == nil || col == nil {
		return nil, nil, m, fmt.Errorf("read snapshot %s: collections missing", path)
	}
	md, err := mc.GetByID(context.Background(), manifestID)
	if err != nil {
		return nil, nil, m, fmt.Errorf("read snapshot %s manifest: %w", path, err)
	}
	if err := json.Unmarshal([]byte(md.Content), &m); err != nil {
		return nil, nil, m, fmt.Errorf("read snapshot %s manifest: %w", path, err)
	}
	n := 0
	for id, d := range m.Docs {
		for _, pid := range d.Passages {
			doc, err := col.GetByID(context.Background(), pid)
			if err != nil {
				return nil, nil, m, fmt.Errorf("read snapshot %s: passage %s of %s missing", path, pid, id)
			}
			if len(doc.Embedding) != m.Dim || !finite(doc.Embedding) {
				return nil, nil, m, fmt.Errorf("read snapshot %s: passage %s has a bad vector", path, pid)
			}
			n++
		}
	}
	if n != col.Count() {
		return nil, nil, m, fmt.Errorf("read snapshot %s: %d passages, manifest lists %d", path, col.Count(), n)
	}
	return db, col, m, nil
}

func finite(v []float32) bool {
	for _, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return false
		}
	}
	return true
}

// checkGobFraming walks the message lengths of a gob stream without decoding it: each
// message is a gob-encoded unsigned length and that many bytes. A truncated or garbled
// file fails here instead of making the decoder allocate what a garbage length claims.
func checkGobFraming(f *os.File) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	size := fi.Size()
	if size == 0 {
		return errors.New("empty file")
	}
	var off int64
	buf := make([]byte, 9)
	for off < size {
		k, err := f.ReadAt(buf, off)
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		n, used, ok := gobUint(buf[:k])
		if !ok || n == 0 {
			return fmt.Errorf("bad message length at byte %d", off)
		}
		off += int64(used)
		if n > uint64(size-off) {
			return fmt.Errorf("message at byte %d claims %d bytes, %d remain: truncated", off, n, size-off)
		}
		off += int64(n)
	}
	return nil
}

// gobUint decodes gob's unsigned integer: one byte below 0x80, else a byte holding the
// negated count of big-endian bytes that follow.
func gobUint(b []byte) (uint64, int, bool) {
	if len(b) == 0 {
		return 0, 0, false
	}
	if b[0] < 0x80 {
		return uint64(b[0]), 1, true
	}
	n := -int(int8(b[0]))
	if n < 1 || n > 8 || len(b) < 1+n {
		return 0, 0, false
	}
	var x uint64
	for _, c := range b[1 : 1+n] {
		x = x<<8 | uint64(c)
	}
	return x, 1 + n, true
}

// noEmbedding is the collections' EmbeddingFunc: the index always passes vectors
// (from its Embedder, in batches), so chromem must never embed on its own (its default
// would call OpenAI).
func noEmbedding(context.Context, string) ([]float32, error) {
	return nil, errors.New("retrieval: chromem asked to embed; vectors are always precomputed")
}

// addPassages adds passages with their (normalized) vectors to col.
func addPassages(ctx context.Context, col *chromem.Collection, cs []chunk, vecs [][]float32) error {
	if len(cs) == 0 {
		return nil
	}
	docs := make([]chromem.Document, len(cs))
	for i, c := range cs {
		docs[i] = chromem.Document{
			ID:        c.passage.ID,
			Metadata:  map[string]string{"doc": c.passage.Doc},
			Embedding: vecs[i],
			Content:   c.passage.Text,
		}
	}
	if err := col.AddDocuments(ctx, docs, runtime.GOMAXPROCS(0)); err != nil {
		return fmt.Errorf("add passages: %w", err)
	}
	return nil
}
