package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/falaj-bot/falaj/internal/falajtest"

	"github.com/falaj-bot/falaj"
)

func TestPage(t *testing.T) {
	ts, _ := newTestServer(t, nil)
	res, body := do(t, "GET", ts.URL+"/", "", "")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET / = %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	for _, want := range []string{
		`<form id="ask" class="ask" method="get" action="/"`,
		`<textarea id="q" name="q"`,
		`<script src="/static/app.js"></script>`,
		`<a class="example" href="/?q=Why%20is%20Oman%20trusted%20as%20a%20mediator%3f">Why is Oman trusted as a mediator?</a>`,
		`aria-live="polite"`,
		`<span class="title">Oman: Nexus between traditional and tech diplomacy</span> <span class="by">Jovan Kurbalija`,
		`<dialog id="passage"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("GET / lacks %s", want)
		}
	}
	// Nothing may come from elsewhere: the page must work with no internet.
	if m := regexp.MustCompile(`(src|href)="(https?:)?//`).FindString(body); m != "" {
		t.Errorf("GET / loads from another host: %s", m)
	}
}

func TestPagePresenter(t *testing.T) {
	ts, _ := newTestServer(t, nil)
	_, body := do(t, "GET", ts.URL+"/?presenter=1", "", "")
	for _, want := range []string{`<html lang="en" class="presenter">`, `<input type="hidden" name="presenter" value="1">`, `aria-pressed="true"`} {
		if !strings.Contains(body, want) {
			t.Errorf("GET /?presenter=1 lacks %s", want)
		}
	}
	_, body = do(t, "GET", ts.URL+"/", "", "")
	if strings.Contains(body, `class="presenter"`) {
		t.Errorf("GET / is in presenter mode")
	}
}

func TestPageAnswersWithoutJavaScript(t *testing.T) {
	ts, _ := newTestServer(t, nil)
	q := "Why is Oman trusted as a mediator?"
	for _, tt := range []struct {
		name, method, path, contentType, body string
	}{
		{"GET /?q=", "GET", "/?q=" + url.QueryEscape(q), "", ""},
		{"POST /ask", "POST", "/ask", "application/x-www-form-urlencoded", url.Values{"q": {q}}.Encode()},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, body := do(t, tt.method, ts.URL+tt.path, tt.contentType, tt.body)
			if res.StatusCode != 200 {
				t.Fatalf("%s %s = %d", tt.method, tt.path, res.StatusCode)
			}
			for _, want := range []string{
				`<article class="answer"`,
				`<a class="cite" href="#cite-1" data-n="1">[1]</a>`,
				`<span class="cites">`,
				`<li id="cite-1" class="citation"`,
				`<mark>`,
				`>Why is Oman trusted as a mediator?</textarea>`,
			} {
				if !strings.Contains(body, want) {
					t.Errorf("answer page lacks %s", want)
				}
			}
		})
	}
}

func TestPageRefusesBadInput(t *testing.T) {
	ts, _ := newTestServer(t, func(c *Config) { c.MaxBodyBytes = 1024 })
	for _, tt := range []struct {
		name, method, path, body string
		status                   int
		want                     string
	}{
		{"empty question", "GET", "/?q=", "", 400, "Please ask a question: the text was empty."},
		{"blank form", "POST", "/ask", "q=+++", 400, "Please ask a question: the text was empty."},
		{"long question", "GET", "/?q=" + strings.Repeat("a", falaj.MaxQuestionRunes+1), "", 400, "the limit is 1000"},
		{"huge form", "POST", "/ask", "q=" + strings.Repeat("a", 2000), 413, "larger than 1024 bytes"},
		{"GET /ask", "GET", "/ask", "", 405, "use POST"},
		{"POST /", "POST", "/", "q=why", 405, "use GET, HEAD"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, body := do(t, tt.method, ts.URL+tt.path, "application/x-www-form-urlencoded", tt.body)
			if res.StatusCode != tt.status || !strings.Contains(body, tt.want) {
				t.Errorf("%s %.40s = %d, body contains %q: %v; want %d", tt.method, tt.path, res.StatusCode, tt.want, strings.Contains(body, tt.want), tt.status)
			}
		})
	}
}

func TestPageEscapes(t *testing.T) {
	ts, _ := newTestServer(t, nil)
	_, body := do(t, "GET", ts.URL+"/?q="+url.QueryEscape(`<script>alert("x")</script> Oman?`), "", "")
	if strings.Contains(body, `<script>alert`) {
		t.Errorf("the question reached the page unescaped")
	}
	if !strings.Contains(body, `&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Oman?</textarea>`) {
		t.Errorf("the question is not shown escaped in the box")
	}
}

// TestPageGolden renders a fixed answer, so the markup of every part of an answer (markers,
// a quote split over two sentences, a note, text that needs escaping) is reviewed in a diff.
func TestPageGolden(t *testing.T) {
	_, s := newTestServer(t, nil)
	p1 := falaj.Passage{ID: "talks#2", Doc: "talks", Title: "Talks in <Muscat>", Author: "Staff & Co", Outlet: "Gulf Daily",
		Ordinal: 2, Text: "Oman hosted the talks. It is trusted by both sides.\nIt keeps quiet.   Both sides\nsaid so."}
	p2 := falaj.Passage{ID: "nexus#13", Doc: "nexus", Title: "Nexus", Author: "J. K.", Ordinal: 13, Text: "Trust is built over decades."}
	a := falaj.Answer{
		ID: "abc123", Question: "Why is Oman trusted?", Answered: true, Answerer: falaj.AnswererLLM, Model: "gpt-test",
		Text: "Oman is trusted by both sides [1], built over <decades> [1, 2]. See [7].",
		Citations: []falaj.Citation{
			{N: 1, Passage: p1, Quote: "It is trusted by both sides. Both sides said so."},
			{N: 2, Passage: p2, Quote: "Trust is built over decades."},
		},
		Note:    "LLM slow: answer took long.",
		Timings: falaj.Timings{Total: 1234 * time.Millisecond},
	}
	d := pageData{Question: a.Question, Answer: newAnswerView(a), Examples: []string{"Why & how?"}, MaxRunes: falaj.MaxQuestionRunes,
		Sources: []falaj.Source{{Doc: "talks", Title: "Talks in <Muscat>", Author: "Staff & Co", Outlet: "Gulf Daily", Date: "2025"}}}
	rec := httptest.NewRecorder()
	s.render(rec, httptest.NewRequest("GET", "/?q=x", nil), http.StatusOK, d)
	falajtest.Golden(t, rec.Body.Bytes())

	d.Answer = newAnswerView(falaj.Answer{ID: "d1", Question: "Cake?", Text: "The sources do not cover this.", Answerer: falaj.AnswererExtractive})
	d.Question, d.Sources, d.Examples = "Cake?", nil, nil
	rec = httptest.NewRecorder()
	s.render(rec, httptest.NewRequest("GET", "/?q=x", nil), http.StatusOK, d)
	t.Run("declined", func(t *testing.T) { falajtest.Golden(t, rec.Body.Bytes()) })
}

func TestStatic(t *testing.T) {
	ts, _ := newTestServer(t, nil)
	for _, tt := range []struct {
		path   string
		status int
		typ    string
	}{
		{"/static/app.js", 200, "text/javascript"},
		{"/static/app.css", 200, "text/css"},
		{"/static/favicon.svg", 200, "image/svg+xml"},
		{"/static/page.tmpl", 404, ""},
		{"/static/nope.js", 404, ""},
		{"/static/..%2fstatic.go", 404, ""},
	} {
		res, body := do(t, "GET", ts.URL+tt.path, "", "")
		if res.StatusCode != tt.status || !strings.HasPrefix(res.Header.Get("Content-Type"), tt.typ) {
			t.Errorf("GET %s = %d %s; want %d %s", tt.path, res.StatusCode, res.Header.Get("Content-Type"), tt.status, tt.typ)
		}
		if tt.status == 200 && regexp.MustCompile(`https?://(?:[^w]|w[^w]|ww[^w])`).MatchString(strings.ReplaceAll(body, "http://www.w3.org/2000/svg", "")) {
			t.Errorf("GET %s refers to another host", tt.path)
		}
	}
}

func TestSegments(t *testing.T) {
	footnoted := falaj.Passage{Text: "Oman stayed neutral in 2011.[1] Then it hosted talks."}
	cited := []falaj.Citation{{N: 1, Passage: footnoted}, {N: 2, Passage: falaj.Passage{Text: "Oman hosted."}}}
	txt := func(s string) segment { return segment{Text: s} }
	note := func(s string) segment { return segment{Note: s} }
	for _, tt := range []struct {
		name, in string
		want     []segment
	}{
		{"no markers", "plain", []segment{txt("plain")}},
		{"one marker", "Oman [1] hosted", []segment{txt("Oman "), {Markers: []int{1}}, txt(" hosted")}},
		{"punctuation stays with the marker", "Oman [1]. Then", []segment{txt("Oman "), {Markers: []int{1}, Tail: "."}, txt(" Then")}},
		{"list marker", "a [1, 2]?", []segment{txt("a "), {Markers: []int{1, 2}, Tail: "?"}}},
		{"adjacent markers group", "a [2][1].", []segment{txt("a "), {Markers: []int{2, 1}, Tail: "."}}},
		{"marker after punctuation", "a [1].[2]", []segment{txt("a "), {Markers: []int{1}, Tail: "."}, {Markers: []int{2}}}},
		{"spaced markers stay apart", "[1] [2]", []segment{{Markers: []int{1}}, txt(" "), {Markers: []int{2}}}},
		{"uncited marker is a note", "see [3] and [1, 3]", []segment{txt("see "), note("[3]"), txt(" and "), note("[1, 3]")}},
		{"the source's own footnote is a note, not citation 1", "Oman stayed neutral in 2011.[1] [1]",
			[]segment{txt("Oman stayed neutral in 2011."), note("[1]"), txt(" "), {Markers: []int{1}}}},
		{"not a marker", "[a] [] [1", []segment{txt("[a] [] [1")}},
		{"empty", "", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := segments(tt.in, falaj.CitationMarkers(falaj.Answer{Text: tt.in, Citations: cited}))
			if !slices.EqualFunc(got, tt.want, func(a, b segment) bool {
				return a.Text == b.Text && a.Tail == b.Tail && a.Note == b.Note && slices.Equal(a.Markers, b.Markers)
			}) {
				t.Errorf("segments(%q) = %+v; want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestHighlight(t *testing.T) {
	m := func(s string) span { return span{Text: s, Mark: true} }
	p := func(s string) span { return span{Text: s} }
	for _, tt := range []struct {
		name, text, quote string
		want              []span
	}{
		{"no quote", "A b. C d.", "", []span{p("A b. C d.")}},
		{"exact", "A b. C d. E f.", "C d.", []span{p("A b. "), m("C d."), p(" E f.")}},
		{"whole text", "A b.", "A b.", []span{m("A b.")}},
		{"white space differs", "A b. C\n  d. E.", "C d.", []span{p("A b. "), m("C\n  d."), p(" E.")}},
		{"two sentences apart", "A b. C d. E f.", "E f. A b.", []span{m("A b."), p(" C d. "), m("E f.")}},
		{"adjacent sentences merge", "A b. C d. E f.", "C d. A b.", []span{m("A b. C d."), p(" E f.")}},
		{"not found", "A b.", "Z z.", []span{p("A b.")}},
		{"joined with an ellipsis", "A b… C d. E f.", "A b… … E f.", []span{m("A b…"), p(" C d. "), m("E f.")}},
		{"partly found", "A b. C d.", "Z z. C d.", []span{p("A b. "), m("C d.")}},
		{"multibyte", "Oman’s asset é. Next.", "Oman’s  asset é.", []span{m("Oman’s asset é."), p(" Next.")}},
		{"multibyte collapsed", "Oman’s\nasset é. Next.", "Oman’s asset é.", []span{m("Oman’s\nasset é."), p(" Next.")}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := highlight(tt.text, tt.quote); !slices.Equal(got, tt.want) {
				t.Errorf("highlight(%q, %q) = %+v; want %+v", tt.text, tt.quote, got, tt.want)
			}
		})
	}
}

// footnotedAnswer is an extractive answer that quotes a sentence with the source's own
// footnote "[1]", then cites it as [1]: only the second "[1]" is a citation.
func footnotedAnswer(_ context.Context, q falaj.Question, onText func(string)) (falaj.Answer, error) {
	p := falaj.Passage{ID: "qatar#3", Doc: "qatar", Title: "Qatar", Author: "A", Ordinal: 3,
		Text: "During the boycott Oman remained neutral in 2017.[1] It kept its airspace open.[12]"}
	text := "During the boycott Oman remained neutral in 2017.[1] It kept its airspace open.[12] [1]"
	if onText != nil {
		onText(text)
	}
	return falaj.Answer{ID: "fn1", Question: q.Text, Text: text, Answered: true, Status: falaj.StatusAnswered,
		Answerer: falaj.AnswererExtractive, Citations: []falaj.Citation{{N: 1, Passage: p, Quote: "It kept its airspace open."}}}, nil
}

func TestPageSourceFootnotesAreNotCitations(t *testing.T) {
	ts, _ := newTestServer(t, func(c *Config) { c.Answerer = answerFunc(footnotedAnswer) })
	_, body := do(t, "GET", ts.URL+"/?q="+url.QueryEscape("What did Oman do during the boycott?"), "", "")
	i := strings.Index(body, `<p class="answer-text">`)
	if i < 0 {
		t.Fatalf("no answer on the page:\n%s", body)
	}
	text := body[i : i+strings.Index(body[i:], "</p>")]
	if n := strings.Count(text, `class="cite"`); n != 1 {
		t.Errorf("the answer has %d citation links; want 1 (the source's own [1] is text):\n%s", n, text)
	}
	if n := strings.Count(text, `<span class="source-note"`); n != 2 {
		t.Errorf("the answer has %d source notes; want 2, [1] and [12]:\n%s", n, text)
	}
	if !strings.Contains(text, `2017.<span class="source-note" title="Part of the source's text, not a citation">[1]</span>`) {
		t.Errorf("the source's [1] is not shown as a note:\n%s", text)
	}
}

// TestPageLeavesOutAnEmptyAuthor: a document without an author (no front matter) has
// no author line, not an empty one or "Unknown"; an outlet standing in for the author
// is named once.
func TestPageLeavesOutAnEmptyAuthor(t *testing.T) {
	_, s := newTestServer(t, nil)
	p := falaj.Passage{ID: "notes#4", Doc: "notes", Title: "Notes", Ordinal: 4, Text: "Oman hosted the talks."}
	a := falaj.Answer{ID: "a1", Question: "Who hosted?", Answered: true, Answerer: falaj.AnswererExtractive,
		Text: "Oman hosted the talks [1].", Citations: []falaj.Citation{{N: 1, Passage: p, Quote: "Oman hosted the talks."}}}
	d := pageData{Question: a.Question, Answer: newAnswerView(a), MaxRunes: falaj.MaxQuestionRunes,
		Sources: []falaj.Source{{Doc: "notes", Title: "Notes", Date: "2025"}, {Doc: "x", Title: "X", Author: "Gulf Daily", Outlet: "Gulf Daily"}}}
	rec := httptest.NewRecorder()
	s.render(rec, httptest.NewRequest("GET", "/?q=x", nil), http.StatusOK, d)
	body := rec.Body.String()
	for _, want := range []string{`<p class="by">passage 4</p>`, `<span class="by">2025</span>`, `<span class="by">Gulf Daily</span>`} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	for _, bad := range []string{"Unknown", `"by"> · `, `"by"> ·`, "Gulf Daily · Gulf Daily"} {
		if strings.Contains(body, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
}

// TestPageRelatedBadge: the related outcome (on topic, no confident answer) is labelled
// as related passages, not as "Not in the sources", and its passages are cited.
func TestPageRelatedBadge(t *testing.T) {
	related := func(_ context.Context, q falaj.Question, _ func(string)) (falaj.Answer, error) {
		p := falaj.Passage{ID: "d#2", Doc: "d", Title: "T", Author: "A", Ordinal: 2, Text: "Oman hosted the talks."}
		return falaj.Answer{ID: "r1", Question: q.Text, Status: falaj.StatusRelated, Answerer: falaj.AnswererExtractive,
			Text:      "I can't answer that directly from my sources. These passages look related:\n[1] “Oman hosted the talks.”",
			Citations: []falaj.Citation{{N: 1, Passage: p, Quote: "Oman hosted the talks."}}}, nil
	}
	ts, _ := newTestServer(t, func(c *Config) { c.Answerer = answerFunc(related) })
	_, body := do(t, "GET", ts.URL+"/?q="+url.QueryEscape("What did the talks achieve?"), "", "")
	if !strings.Contains(body, `<p class="badge">Related passages, not an answer</p>`) || strings.Contains(body, "Not in the sources</p>") {
		t.Errorf("a related answer is not labelled as related passages:\n%s", body)
	}
	if !strings.Contains(body, `class="cite"`) {
		t.Errorf("the related passages are not cited:\n%s", body)
	}
}

func TestByline(t *testing.T) {
	for _, tt := range []struct {
		s    falaj.Source
		want string
	}{
		{falaj.Source{Title: "T"}, ""},
		{falaj.Source{Author: "A", Outlet: "O", Date: "2025"}, "A · O · 2025"},
		{falaj.Source{Author: "Gulf Daily", Outlet: "Gulf Daily"}, "Gulf Daily"},
		{falaj.Source{Outlet: "O"}, "O"},
	} {
		if got := byline(tt.s); got != tt.want {
			t.Errorf("byline(%+v) = %q; want %q", tt.s, got, tt.want)
		}
	}
}

// TestNoExamplesMeansNoSeedQuestions: a server given no examples (falaj serve with its
// own corpus) shows neither the example list nor a built-in question as the placeholder.
func TestNoExamplesMeansNoSeedQuestions(t *testing.T) {
	s, err := New(Config{Answerer: newBlocker(), Examples: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	_, body := do(t, "GET", ts.URL+"/", "", "")
	for _, q := range DefaultExamples() {
		if strings.Contains(body, q) {
			t.Errorf("the page offers the built-in %q with no examples configured", q)
		}
	}
	if strings.Contains(body, "Try one of these") || !strings.Contains(body, `placeholder="Ask a question about the sources"`) {
		t.Errorf("page with no examples: want no example list and a generic placeholder:\n%s", body)
	}
}
