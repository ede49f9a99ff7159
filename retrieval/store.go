package retrieval

import (
	"bufio"
	"bytes"
	"cmp"
	"compress/flate"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"syscall"

	chromem "github.com/philippgille/chromem-go"

	"github.com/falaj-bot/falaj"
)

// The snapshot is one file of Falaj's own binary format (format 3; format 1 was a
// chromem-go gob export, which took 5 s to decode at 20k passages, and is rebuilt;
// format 2 lacks the partitions and is read, partitioned once and saved as format 3). Layout, all integers
// little-endian or unsigned varints (uv):
//
//	magic "FALAJIX\n" | format u32 | body length u64 | CRC-32C of the body u32 | body
//
// The body, in order:
//
//	header    embedder, chunker, vector encoding (strings), dim uv, written (unix ns) u64,
//	          documents uv, passages uv
//	documents id, path, SHA-256 [32], size u64, mtime (unix ns) u64, title, author,
//	          outlet, date, passages uv — in passage order
//	passages  id, ordinal uv
//	text      per document: its passages' texts (uv length + bytes each), DEFLATE-
//	          compressed, uv length + bytes; decompressed only for passages a search returns
//	skips     uv count, then path, size u64, mtime u64: files that were read and skipped
//	notes     uv count, then strings: what the build reported as skipped
//	vectors   one per passage, contiguous: int8 (dim bytes, the largest component ±127;
//	          read back as the unit vector of that direction) or float32 (dim × 4 bytes)
//	keywords  passage lengths (f64 each), then per term, sorted: term, df uv, postings uv,
//	          each posting doc delta uv and tf (uv 2n for a whole n, 2n+1 for n tenths
//	          (format 3), else 1 then f32)
//	partitions (format 3) count uv (0: not partitioned); when not 0, passages at
//	          training uv, the centroids (int8, dim bytes each, as vectors), then each
//	          passage's partition uv
//
// A string is uv length + bytes. The file is mapped read-only (mmap; read whole where
// mmap is missing), checked (length, checksum, every count against what remains),
// decoded without gob or JSON, and the chromem-go collection is filled with the stored
// vectors: nothing is embedded.
// Written atomically (temporary file, fsync, rename) under an advisory lock.
const (
	snapshotFormat = 3
	// oldestFormat is the oldest snapshot format still read (without partitions).
	oldestFormat       = 2
	snapshotMagic      = "FALAJIX\n"
	passagesCollection = "passages"
)

// Vector encodings of a snapshot (Config.Vectors).
const (
	VectorsInt8    = "int8"    // one byte a dimension
	VectorsFloat32 = "float32" // four bytes a dimension
)

// DefaultVectors is the vector encoding when Config.Vectors is "", chosen by measurement
// (docs/BENCHMARKS.md): int8 keeps every question set's results while taking a quarter
// of the space.
const DefaultVectors = VectorsInt8

// manifest describes what a snapshot holds, so a later open can reuse it.
type manifest struct {
	Format   int
	Embedder string              // Embedder.Name()
	Chunker  string              // chunkerVersion and settings
	Vectors  string              // VectorsInt8 or VectorsFloat32
	Dim      int                 // vector length
	Written  int64               // unix ns when the corpus was listed for this build
	Docs     map[string]docEntry // by document id
	Skips    []fileEntry         // files read at build and skipped, by path
	Notes    []string            // what the build reported as skipped, besides pre-read skips

	// Probe is the embedding model's answer to probeText (probe.go); nil: not known.
	Probe *probe
}

// docEntry is one document of a snapshot.
type docEntry struct {
	Hash     string   // hex SHA-256 of the file bytes
	Path     string   // path inside the corpus
	Size     int64    // file size at build
	MTime    int64    // file modification time at build, unix ns
	Passages []string // its passage ids, in order
}

// fileEntry is a corpus file's identity for the size+mtime check.
type fileEntry struct {
	Path  string
	Size  int64
	MTime int64
}

// fingerprint is a short hash of everything the manifest says about the content.
func (m manifest) fingerprint() string {
	ids := make([]string, 0, len(m.Docs))
	for id := range m.Docs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	h := sha256.New()
	fmt.Fprintf(h, "%d\x00%s\x00%s\x00%s\x00%d\x00", m.Format, m.Embedder, m.Chunker, m.Vectors, m.Dim)
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
	return filepath.Join(dir, fmt.Sprintf("falaj-%s-%s.snap", sanitizeName(embedderName), hex.EncodeToString(h[:6])))
}

// lockName is the file in the index directory that writers lock (flock, advisory);
// readers never take it.
const lockName = ".falaj-lock"

// tempPattern names snapshots being written; stale ones are removed on open.
const tempPattern = ".falaj-snapshot-*"

// errNoSnapshot: there is no snapshot file yet (not a warning).
var errNoSnapshot = errors.New("no snapshot")

// crcTable is CRC-32C (hardware-accelerated on amd64 and arm64).
var crcTable = crc32.MakeTable(crc32.Castagnoli)

// encodeSnapshot writes st's snapshot body to w, a megabyte at a time (at 200k
// passages the body is ~200 MB: it is never held whole), and returns its length and
// CRC-32C for the header.
func encodeSnapshot(w io.Writer, st *state) (n int64, crc uint32, err error) {
	m := st.man
	e := &enc{b: make([]byte, 0, 2<<20), w: w}
	e.str(m.Embedder)
	e.str(m.Chunker)
	e.str(m.Vectors)
	e.uv(uint64(m.Dim))
	e.u64(uint64(m.Written))
	// The probe: its length (0: none), then its int8 values.
	if m.Probe == nil {
		e.uv(0)
	} else {
		e.uv(uint64(len(m.Probe.Vec)))
		for _, x := range m.Probe.Vec {
			e.b = append(e.b, byte(x))
		}
	}
	e.uv(uint64(len(st.docs)))
	e.uv(uint64(len(st.passages)))
	for _, d := range st.docs {
		de := m.Docs[d.ID]
		sum, err := hex.DecodeString(de.Hash)
		if err != nil || len(sum) != sha256.Size {
			return 0, 0, fmt.Errorf("document %s has a bad hash %q", d.ID, de.Hash)
		}
		e.str(d.ID)
		e.str(de.Path)
		e.b = append(e.b, sum...)
		e.u64(uint64(de.Size))
		e.u64(uint64(de.MTime))
		e.str(d.Title)
		e.str(d.Author)
		e.str(d.Outlet)
		e.str(d.Date)
		e.uv(uint64(d.n))
		e.spill()
	}
	for _, p := range st.passages {
		e.str(p.ID)
		e.uv(uint64(p.Ordinal))
		e.spill()
	}
	fw, _ := flate.NewWriter(nil, flate.DefaultCompression)
	var block, zb bytes.Buffer
	var lb [binary.MaxVarintLen64]byte
	for _, d := range st.docs {
		block.Reset()
		for i := d.first; i < d.first+d.n; i++ {
			t := st.text(i)
			block.Write(lb[:binary.PutUvarint(lb[:], uint64(len(t)))])
			block.WriteString(t)
		}
		zb.Reset()
		fw.Reset(&zb)
		fw.Write(block.Bytes())
		if err := fw.Close(); err != nil {
			return 0, 0, fmt.Errorf("compress %s: %w", d.ID, err)
		}
		e.bytes(zb.Bytes())
		e.spill()
	}
	e.uv(uint64(len(m.Skips)))
	for _, f := range m.Skips {
		e.str(f.Path)
		e.u64(uint64(f.Size))
		e.u64(uint64(f.MTime))
	}
	e.uv(uint64(len(m.Notes)))
	for _, n := range m.Notes {
		e.str(n)
	}
	for _, v := range st.vecs {
		if len(v) != m.Dim {
			return 0, 0, fmt.Errorf("a vector has %d dimensions, the index %d", len(v), m.Dim)
		}
		switch m.Vectors {
		case VectorsInt8:
			for _, x := range quantize(v) {
				e.b = append(e.b, byte(x))
			}
		default:
			for _, x := range v {
				e.u32(math.Float32bits(x))
			}
		}
		e.spill()
	}
	st.kw.appendTo(e)
	if st.parts == nil {
		e.uv(0)
	} else {
		e.uv(uint64(len(st.parts.centroids)))
		e.uv(uint64(st.parts.trained))
		for _, c := range st.parts.centroids {
			for _, x := range quantize(c) {
				e.b = append(e.b, byte(x))
			}
			e.spill()
		}
		for _, c := range st.parts.of {
			e.uv(uint64(c))
			e.spill()
		}
	}
	e.flush()
	return e.n, e.crc, e.err
}

// headerLen is the size of snapshotHeader's result.
const headerLen = len(snapshotMagic) + 16

// snapshotHeader is what precedes the body in the file: magic, format, the body's
// length and CRC-32C.
func snapshotHeader(n int64, crc uint32) []byte {
	h := make([]byte, 0, headerLen)
	h = append(h, snapshotMagic...)
	h = binary.LittleEndian.AppendUint32(h, snapshotFormat)
	h = binary.LittleEndian.AppendUint64(h, uint64(n))
	return binary.LittleEndian.AppendUint32(h, crc)
}

// decodeSnapshot checks and decodes a snapshot file's bytes into a state whose
// passages' texts stay compressed until asked for. It never panics on bad input.
func decodeSnapshot(ctx context.Context, b []byte) (*state, error) {
	const headLen = headerLen
	if len(b) == 0 {
		return nil, errors.New("empty file")
	}
	if len(b) < headLen || string(b[:len(snapshotMagic)]) != snapshotMagic {
		return nil, errors.New("not a Falaj snapshot")
	}
	format := binary.LittleEndian.Uint32(b[8:])
	if format < oldestFormat || format > snapshotFormat {
		return nil, fmt.Errorf("snapshot format %d, want %d to %d", format, oldestFormat, snapshotFormat)
	}
	n := binary.LittleEndian.Uint64(b[12:])
	body := b[headLen:]
	if n != uint64(len(body)) {
		return nil, fmt.Errorf("body is %d bytes, header says %d: truncated", len(body), n)
	}
	if crc32.Checksum(body, crcTable) != binary.LittleEndian.Uint32(b[20:]) {
		return nil, errors.New("checksum mismatch: damaged")
	}
	d := &dec{b: body}
	m := manifest{Format: int(format), Docs: map[string]docEntry{}}
	m.Embedder, m.Chunker, m.Vectors = d.str(), d.str(), d.str()
	m.Dim = d.count(1 << 16)
	m.Written = int64(d.u64())
	if pn := d.count(1 << 16); pn > 0 {
		raw := d.raw(pn)
		m.Probe = &probe{Dim: pn, Vec: make([]int8, pn)}
		for i, x := range raw {
			m.Probe.Vec[i] = int8(x)
		}
	}
	nd, np := d.count(len(body)), d.count(len(body))
	if d.err != nil {
		return nil, d.err
	}
	if m.Vectors != VectorsInt8 && m.Vectors != VectorsFloat32 {
		return nil, fmt.Errorf("unknown vector encoding %q", m.Vectors)
	}
	// Before allocating for them, the counts must fit in the file: a passage takes at
	// least its id, ordinal, vector and length; a document its hash and times.
	per := int64(m.Dim)
	if m.Vectors == VectorsFloat32 {
		per *= 4
	}
	if m.Dim == 0 || nd > np || int64(np)*(per+10)+int64(nd)*48 > int64(len(body)-d.off) {
		return nil, fmt.Errorf("header claims %d documents, %d passages of %d dimensions: more than the file holds", nd, np, m.Dim)
	}
	st := &state{man: m, docs: make([]docInfo, 0, nd), passages: make([]falaj.Passage, np), byID: make(map[string]int, np)}
	next := 0
	for range nd {
		di := docInfo{ID: d.str()}
		de := docEntry{Path: d.str()}
		de.Hash = hex.EncodeToString(d.raw(sha256.Size))
		de.Size, de.MTime = int64(d.u64()), int64(d.u64())
		di.Title, di.Author, di.Outlet, di.Date = d.str(), d.str(), d.str(), d.str()
		di.first, di.n = next, d.count(np-next)
		if d.err != nil {
			return nil, d.err
		}
		if di.n == 0 {
			return nil, fmt.Errorf("document %s has no passages", di.ID)
		}
		next += di.n
		st.docs = append(st.docs, di)
		m.Docs[di.ID] = de
	}
	if next != np {
		return nil, fmt.Errorf("documents hold %d passages, header says %d", next, np)
	}
	for _, doc := range st.docs {
		ids := make([]string, doc.n)
		for i := doc.first; i < doc.first+doc.n; i++ {
			p := falaj.Passage{ID: d.str(), Ordinal: d.count(1 << 30), Doc: doc.ID, Title: doc.Title, Author: doc.Author, Outlet: doc.Outlet, Date: doc.Date}
			if _, dup := st.byID[p.ID]; dup || d.err != nil {
				return nil, fmt.Errorf("passage %d: bad or repeated id %q", i, p.ID)
			}
			st.passages[i] = p
			st.byID[p.ID] = i
			ids[i-doc.first] = p.ID
		}
		de := m.Docs[doc.ID]
		de.Passages = ids
		m.Docs[doc.ID] = de
	}
	blocks := make([][]byte, nd)
	total := 0
	for i := range nd {
		blocks[i] = d.raw(d.count(len(body)))
		total += len(blocks[i])
	}
	if d.err != nil {
		return nil, d.err
	}
	// One copy of the compressed texts, so the file's buffer can be freed.
	own := make([]byte, 0, total)
	for i, bl := range blocks {
		own = append(own, bl...)
		blocks[i] = own[len(own)-len(bl) : len(own) : len(own)]
	}
	st.lazy = &textStore{blocks: blocks, cache: map[int][]string{}}
	for range d.count(len(body)) {
		m.Skips = append(m.Skips, fileEntry{Path: d.str(), Size: int64(d.u64()), MTime: int64(d.u64())})
	}
	for range d.count(len(body)) {
		m.Notes = append(m.Notes, d.str())
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	flat := make([]float32, np*m.Dim)
	st.vecs = make([][]float32, np)
	q := make([]int8, m.Dim)
	for i := range np {
		v := flat[i*m.Dim : (i+1)*m.Dim : (i+1)*m.Dim]
		switch m.Vectors {
		case VectorsInt8:
			raw := d.raw(m.Dim)
			if d.err != nil {
				return nil, d.err
			}
			for j, x := range raw {
				q[j] = int8(x)
			}
			if !dequantize(v, q) {
				return nil, fmt.Errorf("passage %s has a bad vector", st.passages[i].ID)
			}
		default:
			raw := d.raw(4 * m.Dim)
			if d.err != nil {
				return nil, d.err
			}
			for j := range v {
				v[j] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*j:]))
			}
			if !finite(v) || !isUnit(v) {
				return nil, fmt.Errorf("passage %s has a bad vector", st.passages[i].ID)
			}
		}
		st.vecs[i] = v
	}
	kw, err := readKeywordIndex(d, np)
	if err != nil {
		return nil, err
	}
	if format >= 3 {
		if st.parts, err = readPartitions(d, np, m.Dim); err != nil {
			return nil, err
		}
	}
	if d.off != len(body) {
		return nil, fmt.Errorf("%d bytes left over after the partitions", len(body)-d.off)
	}
	st.kw = kw
	st.man = m
	st.sources = sourcesOf(st.docs)
	return st, nil
}

// readSnapshot maps and decodes the snapshot at path. A missing file is errNoSnapshot;
// anything but a regular file (a FIFO, a device) is refused without blocking.
func readSnapshot(ctx context.Context, path string) (*state, error) {
	f, err := openRegular(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, errNoSnapshot
	}
	if err != nil {
		return nil, fmt.Errorf("read snapshot: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read snapshot: %w", err)
	}
	b, release, err := mapFile(f, fi.Size())
	if err != nil {
		return nil, fmt.Errorf("read snapshot: %w", err)
	}
	defer release()
	st, err := decodeSnapshot(ctx, b)
	if err != nil {
		return nil, fmt.Errorf("read snapshot %s: %w", path, err)
	}
	return st, nil
}

// writeSnapshot writes st's snapshot to path atomically: a temporary file in the same
// directory (header placeholder, body streamed, then the header), fsync, then check
// (e.g. that the corpus did not move meanwhile), then rename over path. The caller holds
// the directory's lock.
func writeSnapshot(path string, st *state, check func() error) error {
	f, err := os.CreateTemp(filepath.Dir(path), tempPattern)
	if err != nil {
		return fmt.Errorf("create snapshot: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after the rename
	write := func() error {
		if _, err := f.Write(make([]byte, headerLen)); err != nil {
			return err
		}
		bw := bufio.NewWriterSize(f, 1<<20)
		n, crc, err := encodeSnapshot(bw, st)
		if err != nil {
			return err
		}
		if err := bw.Flush(); err != nil {
			return err
		}
		if _, err := f.WriteAt(snapshotHeader(n, crc), 0); err != nil {
			return err
		}
		return f.Sync()
	}
	if err := write(); err != nil {
		f.Close()
		return fmt.Errorf("write snapshot %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close snapshot %s: %w", tmp, err)
	}
	if check != nil {
		if err := check(); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("rename snapshot: %w", err)
	}
	return nil
}

// removeStaleTemps removes the temporary files of snapshot writes that never finished
// (a killed ingest). Call it only while holding the directory's lock, so no write is
// under way.
func removeStaleTemps(dir string) {
	tmps, _ := filepath.Glob(filepath.Join(dir, tempPattern))
	for _, t := range tmps {
		os.Remove(t)
	}
}

// finite reports whether v has no NaN or infinite value.
func finite(v []float32) bool {
	for _, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return false
		}
	}
	return true
}

// isUnit reports whether v has length 1 (within float32 rounding).
func isUnit(v []float32) bool {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	return math.Abs(s-1) < 1e-4
}

// quantize maps v to int8, its largest component to ±127: v[i] ≈ q[i]·max|v|/127.
// The scale is not stored: vectors are unit length, so q's direction is the vector.
func quantize(v []float32) []int8 {
	var m float64
	for _, x := range v {
		m = max(m, math.Abs(float64(x)))
	}
	q := make([]int8, len(v))
	if m == 0 {
		return q
	}
	for i, x := range v {
		q[i] = int8(math.Round(float64(x) * 127 / m))
	}
	return q
}

// dequantize writes q normalized into v; false when q is all zero. Computed from the
// integers alone, so quantize(dequantize(q)) == q and a vector survives any number of
// saves unchanged.
func dequantize(v []float32, q []int8) bool {
	var s int64
	for _, x := range q {
		s += int64(x) * int64(x)
	}
	if s == 0 {
		return false
	}
	inv := 1 / math.Sqrt(float64(s))
	for i, x := range q {
		v[i] = float32(float64(x) * inv)
	}
	return true
}

// roundTrip returns v as the snapshot will give it back: for int8, quantized and
// normalized again (in place), so an index answers the same before and after a save.
func roundTrip(encoding string, v []float32) []float32 {
	if encoding != VectorsInt8 || v == nil {
		return v
	}
	dequantize(v, quantize(v)) // in place: v is not all zero, so neither is q
	return v
}

// textStore holds the passages' texts of a loaded snapshot, compressed per document;
// a document is decompressed when one of its passages is asked for. Safe for
// concurrent use.
type textStore struct {
	blocks [][]byte // per document, in document order
	mu     sync.Mutex
	cache  map[int][]string // decompressed documents, by document index
}

// maxCachedDocs bounds textStore's cache.
const maxCachedDocs = 512

// texts returns the passage texts of document di, n of them.
func (ts *textStore) texts(di, n int) ([]string, error) {
	ts.mu.Lock()
	got, ok := ts.cache[di]
	ts.mu.Unlock()
	if ok {
		return got, nil
	}
	// A document's texts are at most its file, maxFileBytes; more is a damaged block.
	raw, err := io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(ts.blocks[di])), 2*maxFileBytes+1))
	if err == nil && len(raw) > 2*maxFileBytes {
		err = errors.New("larger than any corpus file")
	}
	if err != nil {
		return nil, fmt.Errorf("decompress document %d: %w", di, err)
	}
	d := &dec{b: raw}
	out := make([]string, n)
	for i := range out {
		out[i] = d.str()
	}
	if d.err != nil || d.off != len(raw) {
		return nil, fmt.Errorf("document %d: passage texts damaged", di)
	}
	ts.mu.Lock()
	if len(ts.cache) >= maxCachedDocs {
		clear(ts.cache)
	}
	ts.cache[di] = out
	ts.mu.Unlock()
	return out, nil
}

// noEmbedding is the collections' EmbeddingFunc: the index always passes vectors
// (from its Embedder, in batches), so chromem must never embed on its own (its default
// would call OpenAI).
func noEmbedding(context.Context, string) ([]float32, error) {
	return nil, errors.New("retrieval: chromem asked to embed; vectors are always precomputed")
}

// newCollection returns a chromem-go collection holding passages with their
// (normalized) vectors; the documents keep no text (Search reads it from the state).
func newCollection(ctx context.Context, passages []falaj.Passage, vecs [][]float32) (*chromem.Collection, error) {
	col, err := chromem.NewDB().CreateCollection(passagesCollection, nil, noEmbedding)
	if err != nil {
		return nil, fmt.Errorf("create collection: %w", err)
	}
	// Not AddDocuments: it starts a goroutine per document, which at 200k passages
	// costs more than the adding.
	var mu sync.Mutex
	var first error
	err = forEach(ctx, len(passages), func(i int) {
		err := col.AddDocument(ctx, chromem.Document{ID: passages[i].ID, Embedding: vecs[i]})
		if err != nil {
			mu.Lock()
			first = cmp.Or(first, fmt.Errorf("add passage %s: %w", passages[i].ID, err))
			mu.Unlock()
		}
	})
	if err = cmp.Or(first, err); err != nil {
		return nil, err
	}
	return col, nil
}

// enc appends binary values to b, and with a writer w, spills b to w (keeping the
// length and CRC-32C of what it wrote); the first write error sticks.
type enc struct {
	b   []byte
	w   io.Writer
	n   int64
	crc uint32
	err error
}

// spill writes b out once it holds a megabyte.
func (e *enc) spill() {
	if e.w != nil && len(e.b) >= 1<<20 {
		e.flush()
	}
}

// flush writes b out.
func (e *enc) flush() {
	if e.err == nil && len(e.b) > 0 {
		_, e.err = e.w.Write(e.b)
		e.crc = crc32.Update(e.crc, crcTable, e.b)
		e.n += int64(len(e.b))
	}
	e.b = e.b[:0]
}

func (e *enc) uv(x uint64)    { e.b = binary.AppendUvarint(e.b, x) }
func (e *enc) u32(x uint32)   { e.b = binary.LittleEndian.AppendUint32(e.b, x) }
func (e *enc) u64(x uint64)   { e.b = binary.LittleEndian.AppendUint64(e.b, x) }
func (e *enc) str(s string)   { e.uv(uint64(len(s))); e.b = append(e.b, s...) }
func (e *enc) bytes(p []byte) { e.uv(uint64(len(p))); e.b = append(e.b, p...) }
func (e *enc) f64(x float64)  { e.u64(math.Float64bits(x)) }
func (e *enc) f32(x float32)  { e.u32(math.Float32bits(x)) }

// dec reads what enc wrote; the first error sticks and later reads return zero values,
// so a decoder checks d.err once per step.
type dec struct {
	b   []byte
	off int
	err error
}

func (d *dec) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%s at byte %d: damaged or truncated", what, d.off)
	}
}

func (d *dec) raw(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > len(d.b)-d.off {
		d.fail("field")
		return nil
	}
	p := d.b[d.off : d.off+n : d.off+n]
	d.off += n
	return p
}

func (d *dec) uv() uint64 {
	if d.err != nil {
		return 0
	}
	x, n := binary.Uvarint(d.b[d.off:])
	if n <= 0 {
		d.fail("number")
		return 0
	}
	d.off += n
	return x
}

// count reads a number that must be at most limit (a count or length).
func (d *dec) count(limit int) int {
	x := d.uv()
	if x > uint64(limit) {
		d.fail("count")
		return 0
	}
	return int(x)
}

func (d *dec) u32() uint32 {
	if p := d.raw(4); p != nil {
		return binary.LittleEndian.Uint32(p)
	}
	return 0
}

func (d *dec) u64() uint64 {
	if p := d.raw(8); p != nil {
		return binary.LittleEndian.Uint64(p)
	}
	return 0
}

func (d *dec) f64() float64 { return math.Float64frombits(d.u64()) }
func (d *dec) f32() float32 { return math.Float32frombits(d.u32()) }
func (d *dec) str() string  { return string(d.raw(d.count(len(d.b) - d.off))) }

// openRegular opens path for reading without blocking and refuses anything but a
// regular file, so a FIFO or a device at path is an error at once instead of an open or
// a read that never returns.
func openRegular(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s: not a regular file (%s)", path, fileKind(fi.Mode()))
	}
	return f, nil
}

// readPartitions reads the partitions section of a snapshot of np passages of dim
// dimensions; nil when the index is not partitioned.
func readPartitions(d *dec, np, dim int) (*partitions, error) {
	k := d.count(np)
	if d.err != nil || k == 0 {
		return nil, d.err
	}
	pt := &partitions{trained: d.count(math.MaxInt32), centroids: make([][]float32, 0, min(k, (len(d.b)-d.off)/dim+1))}
	q := make([]int8, dim)
	for c := range k {
		raw := d.raw(dim)
		if d.err != nil {
			return nil, d.err
		}
		for j, x := range raw {
			q[j] = int8(x)
		}
		v := make([]float32, dim)
		if !dequantize(v, q) {
			return nil, fmt.Errorf("partition %d has a bad centroid", c)
		}
		pt.centroids = append(pt.centroids, v)
	}
	pt.of = make([]int32, np)
	for i := range pt.of {
		pt.of[i] = int32(d.count(k - 1))
	}
	if d.err != nil {
		return nil, d.err
	}
	return pt, nil
}
