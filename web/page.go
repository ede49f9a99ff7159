package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/falaj-bot/falaj"
)

// pageData is what page.tmpl renders. The same page serves the empty form, a
// server-rendered answer (no JavaScript) and errors.
type pageData struct {
	Question  string
	Answer    *answerView // nil: no answer to show
	Error     string      // a sentence for people; "" when none
	ErrorID   string
	Examples  []string
	Sources   []falaj.Source
	Presenter bool
	MaxRunes  int
}

// answerView is an Answer cut up for the template: text runs and citation markers, and
// each cited passage split around its quote.
type answerView struct {
	falaj.Answer
	// Frame is the Arabic sentence above an extractive answer to an Arabic question,
	// whose Segments are then the English sentences of the sources, shown left to right.
	Frame     string
	Segments  []segment
	Citations []citationView
	Took      string
	RTL       bool // the answer is in a right-to-left language (Arabic)
}

// segment is a run of answer text, a group of citation markers ("[1][2]") with the
// punctuation right after it, which the page keeps on the markers' line, or a bracket
// that is no citation: a footnote marker of the sources' own text ("…in 2011.[12]"),
// shown as a plain note so it cannot be taken for, or clicked as, a citation.
type segment struct {
	Text    string // the text; "" for markers and notes
	Markers []int  // cited passage numbers, in order; nil for text and notes
	Tail    string // punctuation after the markers, e.g. "."
	Note    string // a bracket that is no citation, e.g. "[12]"; "" otherwise
}

type citationView struct {
	falaj.Citation
	Spans []span // Passage.Text with the quote marked
}

func parsePage(assets fs.FS) (*template.Template, error) {
	t, err := template.New("page.tmpl").Option("missingkey=error").Funcs(template.FuncMap{
		"fixed":  falaj.FixedText, // fixed texts in the answer's language: {{fixed "cited" .Lang}}
		"byline": byline,          // "Author · Outlet · Date" of a source, "" when it names none
	}).ParseFS(assets, "page.tmpl")
	if err != nil {
		return nil, fmt.Errorf("parse page template: %w", err)
	}
	return t, nil
}

// handlePage serves the page, and with ?q= answers the question without JavaScript.
func (s *Server) handlePage(w http.ResponseWriter, r *http.Request) {
	if q := r.URL.Query().Get("q"); q != "" || r.URL.Query().Has("q") {
		if !s.admit(w, r) {
			return
		}
		s.answerPage(w, r, q)
		return
	}
	s.render(w, r, http.StatusOK, s.pageData(r))
}

// handleForm answers POST /ask (form field q) like GET /?q=.
func (s *Server) handleForm(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, http.StatusRequestEntityTooLarge,
			fmt.Sprintf("The form is larger than %d bytes; please ask a shorter question.", s.cfg.MaxBodyBytes))
		return
	}
	s.answerPage(w, r, r.PostForm.Get("q"))
}

func (s *Server) answerPage(w http.ResponseWriter, r *http.Request, text string) {
	d := s.pageData(r)
	d.Question = text
	q, err := s.checkQuestion(text, nil)
	var a falaj.Answer
	if err == nil {
		a, err = s.answer(r.Context(), r, "form", q, nil)
	}
	if err != nil {
		status, body := s.failure(r, err)
		d.Error, d.ErrorID = body.Error, body.ErrorID
		s.render(w, r, status, d)
		return
	}
	d.Question = q.Text
	d.Answer = newAnswerView(a)
	s.render(w, r, http.StatusOK, d)
}

// renderError serves the page with a sentence for people.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	d := s.pageData(r)
	d.Error = msg
	s.render(w, r, status, d)
}

func (s *Server) pageData(r *http.Request) pageData {
	d := pageData{
		Examples:  s.cfg.Examples,
		Presenter: r.URL.Query().Get("presenter") == "1",
		MaxRunes:  falaj.MaxQuestionRunes,
	}
	if s.cfg.Catalog != nil {
		srcs, err := s.cfg.Catalog.Sources(r.Context())
		if err != nil {
			s.log.WarnContext(r.Context(), "list sources for the page", "err", err)
		}
		d.Sources = srcs
	}
	return d
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, d pageData) {
	var buf bytes.Buffer
	if err := s.page.Execute(&buf, d); err != nil {
		id := newErrorID()
		s.log.ErrorContext(r.Context(), "render page", "error_id", id, "err", err)
		http.Error(w, falaj.UserMessage(err)+" (error id "+id+")", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// handleStatic serves the page's own files. page.tmpl is not served.
func (s *Server) handleStatic(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	typ := mime.TypeByExtension(path.Ext(name))
	if name == "page.tmpl" || typ == "" {
		http.NotFound(w, r)
		return
	}
	b, err := fs.ReadFile(s.assets, name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", typ)
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(b)
	}
}

func newAnswerView(a falaj.Answer) *answerView {
	v := &answerView{Answer: a, Took: formatTook(a.Timings.Total), RTL: a.Lang == falaj.LangArabic}
	text, markers := a.Text, falaj.CitationMarkers(a)
	if v.RTL && a.Answered && a.Answerer == falaj.AnswererExtractive {
		if frame, body, ok := strings.Cut(text, "\n\n"); ok {
			// The Arabic frame is shown apart; the markers are the body's, shifted.
			v.Frame, text = frame, body
			off := len(frame) + len("\n\n")
			var shifted []falaj.Marker
			for _, m := range markers {
				if m.Start >= off {
					m.Start, m.End = m.Start-off, m.End-off
					shifted = append(shifted, m)
				}
			}
			markers = shifted
		}
	}
	for _, c := range a.Citations {
		v.Citations = append(v.Citations, citationView{Citation: c, Spans: highlight(c.Passage.Text, c.Quote)})
	}
	v.Segments = segments(text, markers)
	return v
}

// noteRE matches brackets that look like citation markers: "[1]", "[1, 2]".
var noteRE = regexp.MustCompile(`\[\d+(?:\s*,\s*\d+)*\]`)

// tailRE matches the punctuation that belongs with the markers before it.
var tailRE = regexp.MustCompile(`^[.,;:!?)\]»”’]+`)

// segments cuts text into runs, groups of the citation markers ms (as
// falaj.CitationMarkers finds them, in order) and notes: brackets that look like markers
// but are none (a number no citation has, a footnote of the sources).
func segments(text string, ms []falaj.Marker) []segment {
	var out []segment
	last := 0
	for _, m := range ms {
		if m.Start < last {
			continue
		}
		out = appendText(out, text[last:m.Start])
		if k := len(out) - 1; k >= 0 && out[k].Markers != nil && out[k].Tail == "" && m.Start == last {
			out[k].Markers = append(out[k].Markers, m.Ns...) // "[1][2]"
		} else {
			out = append(out, segment{Markers: slices.Clone(m.Ns)})
		}
		last = m.End
		if tail := tailRE.FindString(text[last:]); tail != "" {
			out[len(out)-1].Tail = tail
			last += len(tail)
		}
	}
	return appendText(out, text[last:])
}

// appendText appends s as text and notes.
func appendText(out []segment, s string) []segment {
	last := 0
	for _, n := range noteRE.FindAllStringIndex(s, -1) {
		if n[0] > last {
			out = append(out, segment{Text: s[last:n[0]]})
		}
		out = append(out, segment{Note: s[n[0]:n[1]]})
		last = n[1]
	}
	if last < len(s) {
		out = append(out, segment{Text: s[last:]})
	}
	return out
}

// span is a run of passage text, marked when it is part of the quote.
type span struct {
	Text string
	Mark bool
}

// highlight splits text into spans with the quote's sentences marked. The quote may join
// sentences that are apart in the passage, so each sentence is found on its own: exactly,
// or else ignoring differences in white space. Sentences not found are left out; with
// none found, the whole text is one unmarked span.
func highlight(text, quote string) []span {
	var found [][2]int
	for _, q := range sentences(quote) {
		if start, end, ok := find(text, q); ok {
			found = append(found, [2]int{start, end})
		}
	}
	slices.SortFunc(found, func(a, b [2]int) int { return a[0] - b[0] })
	var out []span
	last := 0
	for _, r := range found {
		if r[0] < last { // overlaps the previous mark
			r[0] = last
			if r[1] <= last {
				continue
			}
		}
		if gap := text[last:r[0]]; len(out) > 0 && out[len(out)-1].Mark && strings.TrimSpace(gap) == "" {
			out[len(out)-1].Text += gap + text[r[0]:r[1]] // adjacent sentences: one mark
		} else {
			if gap != "" {
				out = append(out, span{Text: gap})
			}
			out = append(out, span{Text: text[r[0]:r[1]], Mark: true})
		}
		last = r[1]
	}
	if last < len(text) || len(out) == 0 {
		out = append(out, span{Text: text[last:]})
	}
	return out
}

// sentenceEndRE matches the space after a sentence: after . ! ? or …, maybe with closing
// quotes or brackets.
var sentenceEndRE = regexp.MustCompile(`[.!?…]["'”’)\]]*\s+`)

// sentences splits s after each sentence end; the parts are trimmed and have words.
func sentences(s string) []string {
	var out []string
	last := 0
	for _, m := range sentenceEndRE.FindAllStringIndex(s, -1) {
		out = appendSentence(out, s[last:m[1]])
		last = m[1]
	}
	return appendSentence(out, s[last:])
}

// appendSentence appends s trimmed, unless it has no letter or digit: the " … " that
// joins sentences taken from apart in a passage is not part of the passage.
func appendSentence(out []string, s string) []string {
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) < 0 {
		return out
	}
	return append(out, strings.TrimSpace(s))
}

// find returns where q is in text: exactly, or else with any run of white space in either
// matching any other run.
func find(text, q string) (start, end int, ok bool) {
	if i := strings.Index(text, q); i >= 0 {
		return i, i + len(q), true
	}
	// Collapse runs of white space in text; at[j] is where byte j of flat came from.
	var flat strings.Builder
	var at []int
	space := false
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if unicode.IsSpace(r) {
			if !space {
				flat.WriteByte(' ')
				at = append(at, i)
			}
			space = true
			i += size
			continue
		}
		space = false
		flat.WriteString(text[i : i+size])
		for k := range size {
			at = append(at, i+k)
		}
		i += size
	}
	q = strings.Join(strings.Fields(q), " ")
	i := strings.Index(flat.String(), q)
	if q == "" || i < 0 {
		return 0, 0, false
	}
	return at[i], at[i+len(q)-1] + 1, true
}

// formatTook renders a duration for the page: "42 ms", "1.3 s".
func formatTook(d time.Duration) string {
	if d < time.Second {
		return strconv.FormatInt(d.Milliseconds(), 10) + " ms"
	}
	return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + " s"
}

// byline is what the sources list shows after a document's title: its author, its outlet
// when that is not the author, and its date, those it has, joined by " · "; "" when it
// names none (no dash is shown then).
func byline(s falaj.Source) string {
	var parts []string
	for _, p := range []string{s.Author, s.Outlet, s.Date} {
		if p != "" && !slices.Contains(parts, p) {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, " · ")
}
