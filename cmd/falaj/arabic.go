package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"sync"

	"github.com/falaj-bot/falaj/arabic"
	"github.com/falaj-bot/falaj/lexical"
	"github.com/falaj-bot/falaj/retrieval"
)

// arabicTranslator translates Arabic questions into English search terms with the
// FreeDict dictionary at path and the embedded glossary.
// The dictionary (3 MB) and the corpus vocabulary that picks its senses are loaded on
// the first Arabic question (about 0.3 s), so English-only use pays nothing; a missing
// dictionary is reported then, and the Engine tells the asker, in Arabic, what to
// install. A failed load is tried again on the next question (installing the package
// needs no restart). It is safe for concurrent use.
type arabicTranslator struct {
	path  string
	setBy string // the flag or setting that named path ("--arabic-dict /x"); "": the default place
	ix    *retrieval.Index
	log   *slog.Logger

	mu sync.Mutex
	tr *arabic.Translator // nil until loaded
}

// Translate implements falaj.Translator.
func (t *arabicTranslator) Translate(ctx context.Context, text string) (string, error) {
	t.mu.Lock()
	if t.tr == nil {
		tr, err := t.load(ctx)
		if err != nil {
			t.mu.Unlock()
			return "", err
		}
		t.tr = tr
	}
	tr := t.tr
	t.mu.Unlock()
	return tr.Translate(ctx, text)
}

func (t *arabicTranslator) load(ctx context.Context) (*arabic.Translator, error) {
	d, err := arabic.OpenDict(t.path)
	if err != nil {
		switch {
		case errors.Is(err, arabic.ErrNoDictionary) && t.setBy != "":
			// Checked at start (common.check), so the files went away since.
			t.log.WarnContext(ctx, "arabic dictionary not found where "+t.setBy+" says; fix the path", "err", err)
		case errors.Is(err, arabic.ErrNoDictionary):
			t.log.WarnContext(ctx, "arabic dictionary not installed; apt-get install dict-freedict-ara-eng or set FALAJ_ARABIC_DICT", "err", err)
		}
		return nil, err
	}
	vocab, err := corpusTerms(ctx, t.ix)
	if err != nil {
		return nil, fmt.Errorf("arabic translator: %w", err)
	}
	known := func(w string) bool {
		ts := lexical.Terms(w)
		for _, term := range ts {
			if !vocab[term] {
				return false
			}
		}
		return len(ts) > 0
	}
	return arabic.NewTranslator(arabic.Config{Dict: d, Known: known})
}

// corpusTerms returns the terms (lexical.Terms) of every indexed passage.
func corpusTerms(ctx context.Context, ix *retrieval.Index) (map[string]bool, error) {
	srcs, err := ix.Sources(ctx)
	if err != nil {
		return nil, fmt.Errorf("corpus terms: %w", err)
	}
	vocab := map[string]bool{}
	for _, s := range srcs {
		for i := 1; i <= s.Passages; i++ {
			p, err := ix.Passage(ctx, fmt.Sprintf("%s#%d", s.Doc, i))
			if err != nil {
				return nil, fmt.Errorf("corpus terms: %w", err)
			}
			for _, term := range lexical.Terms(p.Text) {
				vocab[term] = true
			}
		}
	}
	return vocab, nil
}

// arabicDictSource names the flag or setting that gave the dictionary path, for
// messages; "" when none did (the default place).
func (c *common) arabicDictSource() string {
	if c.arabicDict == "" {
		return ""
	}
	return source(c.flags, c.settings, "arabic-dict", "FALAJ_ARABIC_DICT", c.arabicDict)
}

// checkArabicDict reports a dictionary path the user gave where the dictionary's files
// are not (a path given is a promise; only the default place may be empty: then Arabic
// questions get a message saying what to install).
func (c *common) checkArabicDict() error {
	if c.arabicDict == "" {
		return nil
	}
	p := c.arabicDict
	for _, ext := range []string{".index", ".dict.dz", ".dict"} {
		p = strings.TrimSuffix(p, ext)
	}
	_, err := os.Stat(p + ".index")
	if err == nil {
		if _, err = os.Stat(p + ".dict.dz"); errors.Is(err, fs.ErrNotExist) {
			_, err = os.Stat(p + ".dict")
		}
	}
	if err != nil {
		return &usageError{msg: fmt.Sprintf("%s: no FreeDict dictionary there (%v); give the path of its .index file without the extension, or leave it unset for %s",
			c.arabicDictSource(), err, arabic.DefaultDictPath)}
	}
	return nil
}
