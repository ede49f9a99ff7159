package falaj

import "cmp"

// AnswerJSON is the wire form of an Answer, shared by `falaj ask --json` and the web API
// so both print exactly the same document.
type AnswerJSON struct {
	ID        string         `json:"id"`
	Question  string         `json:"question"`
	Answer    string         `json:"answer"`
	Answered  bool           `json:"answered"`
	Status    Status         `json:"status"`    // "answered", "related" or "declined"
	Citations []CitationJSON `json:"citations"` // [] (never null) when there are none
	Answerer  string         `json:"answerer"`
	Model     string         `json:"model"`
	Note      string         `json:"note,omitempty"`
	Lang      string         `json:"lang"` // the answer's language: "en" or "ar"
	TimingsMS TimingsJSON    `json:"timings_ms"`
}

// CitationJSON is the wire form of a Citation.
type CitationJSON struct {
	N       int     `json:"n"`
	Doc     string  `json:"doc"`
	Title   string  `json:"title"`
	Author  string  `json:"author"`
	Passage int     `json:"passage"` // ordinal of the passage within its document, 1-based
	ID      string  `json:"id"`      // passage identifier, for GET /api/passages/{id}
	Text    string  `json:"text"`    // the whole passage
	Quote   string  `json:"quote,omitempty"`
	Score   float64 `json:"score"`
}

// TimingsJSON is Timings in milliseconds (fractions kept).
type TimingsJSON struct {
	Rewrite  float64 `json:"rewrite"`
	Retrieve float64 `json:"retrieve"`
	Generate float64 `json:"generate"`
	Total    float64 `json:"total"`
}

// JSON returns the wire form of a.
func (a Answer) JSON() AnswerJSON {
	out := AnswerJSON{
		ID:        a.ID,
		Question:  a.Question,
		Answer:    a.Text,
		Answered:  a.Answered,
		Status:    a.status(),
		Citations: make([]CitationJSON, 0, len(a.Citations)),
		Answerer:  a.Answerer,
		Model:     a.Model,
		Note:      a.Note,
		Lang:      cmp.Or(a.Lang, LangEnglish),
		TimingsMS: TimingsJSON{
			Rewrite:  ms(a.Timings.Rewrite),
			Retrieve: ms(a.Timings.Retrieve),
			Generate: ms(a.Timings.Generate),
			Total:    ms(a.Timings.Total),
		},
	}
	for _, c := range a.Citations {
		out.Citations = append(out.Citations, CitationJSON{
			N:       c.N,
			Doc:     c.Passage.Doc,
			Title:   c.Passage.Title,
			Author:  c.Passage.Author,
			Passage: c.Passage.Ordinal,
			ID:      c.Passage.ID,
			Text:    c.Passage.Text,
			Quote:   c.Quote,
			Score:   c.Passage.Score,
		})
	}
	return out
}

// status returns a.Status, or for an Answer built without one the status its Answered
// field implies.
func (a Answer) status() Status {
	switch {
	case a.Status != "":
		return a.Status
	case a.Answered:
		return StatusAnswered
	}
	return StatusDeclined
}
