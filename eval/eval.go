// Package eval measures Falaj on a question set: retrieval (hit@1, hit@3, MRR), answers
// (answer-hit, valid citations) and declining (abstention on unanswerable questions,
// over-refusal on answerable ones).
//
// A question set is JSON Lines, one Case per line:
//
//	{"id":"dev01","question":"When was the Aflaj irrigation system developed?","expect_any":["2500 BCE"],"answerable":true}
//
// A retrieved passage is a hit when its text contains one of expect_any (case and white
// space folded). An answer is an answer-hit when it was given (not declined) and one of its
// cited passages is a hit; a text-hit when the answer text itself contains one of expect_any.
//
// Several sets run in one go (RunSets, one Report per set, WriteTable): a Set may be a
// fixed half of a file (Half: ids ending in an odd or even number; the odd half of
// dev.jsonl tunes, the even half checks) or carry its own corpus, like the Debian FAQ
// derived at run time from the installed doc-debian package (DebianFAQ).
package eval

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/falaj-bot/falaj"
)

// Case is one question of a question set.
type Case struct {
	ID         string   `json:"id"`
	Question   string   `json:"question"`
	ExpectAny  []string `json:"expect_any"`
	Answerable bool     `json:"answerable"`
}

// LineError is a line of a question set that cannot be used: its number and why.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string {
	return fmt.Sprintf("read question set: line %d: %v", e.Line, e.Err)
}
func (e *LineError) Unwrap() error { return e.Err }

// ReadCases reads a JSON Lines question set. Blank lines are skipped; a malformed line is
// a *LineError that names its line number and the cause.
func ReadCases(r io.Reader) ([]Case, error) {
	var cs []Case
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for line := 1; sc.Scan(); line++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var c Case
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			return nil, &LineError{line, err}
		}
		if strings.TrimSpace(c.Question) == "" {
			return nil, &LineError{line, errors.New("no question")}
		}
		if c.Answerable && len(c.ExpectAny) == 0 {
			return nil, &LineError{line, errors.New("answerable question without expect_any")}
		}
		if c.ID == "" {
			c.ID = "line" + strconv.Itoa(line)
		}
		cs = append(cs, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read question set: %w", err)
	}
	return cs, nil
}

// Searcher is what Run measures retrieval with; *retrieval.Index implements it.
type Searcher interface {
	Search(ctx context.Context, query string, k int) (falaj.SearchResult, error)
}

// Report is the outcome of Run. Rates are over answerable or unanswerable cases as named.
type Report struct {
	Set          string  `json:"set,omitempty"` // the set's name when run by RunSets
	Answerer     string  `json:"answerer"`      // answerer of the first answer: "extractive" or "llm"
	Model        string  `json:"model,omitempty"`
	Cases        int     `json:"cases"`
	Answerable   int     `json:"answerable"`
	Unanswerable int     `json:"unanswerable"`
	Hit1         int     `json:"hit_at_1"`   // answerable cases whose top passage is a hit
	Hit3         int     `json:"hit_at_3"`   // … with a hit among the top 3
	MRR          float64 `json:"mrr"`        // mean reciprocal rank of the first hit in the top K
	AnswerHit    int     `json:"answer_hit"` // answered, and a cited passage is a hit ("cited-hit")
	// WrongCited counts answerable cases answered with no cited passage holding the answer.
	WrongCited  int `json:"wrong_cited"`
	TextHit     int `json:"text_hit"`     // answered, and the answer text contains expect_any
	OverRefused int `json:"over_refused"` // answerable cases not answered (declined or related)
	// Related counts answerable cases with Status "related": not answered, but related
	// passages cited. They are also counted in OverRefused.
	Related int `json:"related"`
	// RelatedHit counts the Related cases whose cited passages hold the answer.
	RelatedHit int `json:"related_hit"`
	Abstained  int `json:"abstained"` // unanswerable cases not answered
	// UnanswerableCited counts unanswerable cases whose answer cites passages (answered,
	// or "related"): off-topic and injection questions should cite nothing.
	UnanswerableCited int    `json:"unanswerable_cited"`
	ValidCites        int    `json:"valid_citations"` // answered cases whose [n] markers all match citations and back
	Answered          int    `json:"answered"`
	Notes             int    `json:"notes"` // answers with a note (e.g. the LLM was unavailable)
	K                 int    `json:"k"`
	Misses            []Miss `json:"misses"`
}

// Miss is a case that did not come out right, and how.
type Miss struct {
	ID       string `json:"id"`
	Question string `json:"question"`
	Problem  string `json:"problem"` // e.g. "no hit in top 3", "declined", "answered an unanswerable question"
	Rank     int    `json:"rank"`    // rank of the first hit, 0 for none
	Answer   string `json:"answer,omitempty"`
}

// DefaultK is how deep Run looks for the MRR.
const DefaultK = 10

// Run answers and searches every case. k is the depth for MRR (0: DefaultK). It stops
// early only when ctx ends; an error of one answer is an error of the run.
func Run(ctx context.Context, cases []Case, s Searcher, a falaj.Answerer, k int) (Report, error) {
	if k <= 0 {
		k = DefaultK
	}
	r := Report{Cases: len(cases), K: k, Misses: []Miss{}}
	for _, c := range cases {
		ans, err := a.Answer(ctx, falaj.Question{Text: c.Question}, nil)
		if err != nil {
			return r, fmt.Errorf("eval %s: answer: %w", c.ID, err)
		}
		// Retrieval is measured on what the answerer searched: the question, or its
		// English query when it was translated (an Arabic question).
		query := c.Question
		if ans.Query != "" {
			query = ans.Query
		}
		res, err := s.Search(ctx, query, k)
		if err != nil {
			return r, fmt.Errorf("eval %s: search: %w", c.ID, err)
		}
		if r.Answerer == "" {
			r.Answerer, r.Model = ans.Answerer, ans.Model
		}
		if ans.Note != "" {
			r.Notes++
		}
		if ans.Answered {
			r.Answered++
			if ValidCitations(ans) {
				r.ValidCites++
			}
		}
		miss := Miss{ID: c.ID, Question: c.Question, Answer: ans.Text}
		related := ans.Status == falaj.StatusRelated
		if !c.Answerable {
			r.Unanswerable++
			if len(ans.Citations) > 0 {
				r.UnanswerableCited++
			}
			switch {
			case ans.Answered:
				miss.Problem = "answered an unanswerable question"
				r.Misses = append(r.Misses, miss)
			case related:
				r.Abstained++
				miss.Problem = "cited related passages for an unanswerable question"
				r.Misses = append(r.Misses, miss)
			default:
				r.Abstained++
			}
			continue
		}
		r.Answerable++
		rank := 0
		for i, p := range res.Passages {
			if Contains(p.Text, c.ExpectAny) {
				rank = i + 1
				break
			}
		}
		miss.Rank = rank
		if rank == 1 {
			r.Hit1++
		}
		if rank >= 1 && rank <= 3 {
			r.Hit3++
		}
		if rank > 0 {
			r.MRR += 1 / float64(rank)
		}
		var problems []string
		if rank == 0 || rank > 3 {
			problems = append(problems, fmt.Sprintf("no hit in top 3 (rank %d)", rank))
		}
		switch {
		case !ans.Answered && related:
			r.OverRefused++
			r.Related++
			why := "related passages only (status related), none with the answer"
			if citesHit(ans, c.ExpectAny) {
				r.RelatedHit++
				why = "related passages only (status related), one with the answer"
			}
			problems = append(problems, why)
		case !ans.Answered:
			r.OverRefused++
			problems = append(problems, "declined")
		default:
			hit := citesHit(ans, c.ExpectAny)
			if hit {
				r.AnswerHit++
			} else {
				r.WrongCited++
				problems = append(problems, "no cited passage has the answer")
			}
			if Contains(ans.Text, c.ExpectAny) {
				r.TextHit++
			} else if hit {
				problems = append(problems, "the answer text lacks the expected words (a cited passage has them)")
			}
		}
		if len(problems) > 0 {
			miss.Problem = strings.Join(problems, "; ")
			r.Misses = append(r.Misses, miss)
		}
	}
	if r.Answerable > 0 {
		r.MRR /= float64(r.Answerable)
	}
	return r, nil
}

// citesHit reports whether one of a's cited passages contains one of want.
func citesHit(a falaj.Answer, want []string) bool {
	for _, ct := range a.Citations {
		if Contains(ct.Passage.Text, want) {
			return true
		}
	}
	return false
}

var space = regexp.MustCompile(`\s+`)

func fold(s string) string { return space.ReplaceAllString(strings.ToLower(s), " ") }

// Contains reports whether text contains one of want, ignoring case and runs of space.
func Contains(text string, want []string) bool {
	t := fold(text)
	for _, w := range want {
		if w != "" && strings.Contains(t, fold(w)) {
			return true
		}
	}
	return false
}

var marker = regexp.MustCompile(`\[(\d+)\]`)

// ValidCitations reports whether every [n] marker in a's text names one of its citations
// and every citation is marked at least once.
func ValidCitations(a falaj.Answer) bool {
	have := map[int]bool{}
	for _, c := range a.Citations {
		have[c.N] = false
	}
	ms := marker.FindAllStringSubmatch(a.Text, -1)
	if len(ms) == 0 {
		return false
	}
	for _, m := range ms {
		n, _ := strconv.Atoi(m[1])
		if _, ok := have[n]; !ok {
			return false
		}
		have[n] = true
	}
	for _, used := range have {
		if !used {
			return false
		}
	}
	return true
}

// WriteText writes r for people: the figures, then the misses.
func (r Report) WriteText(w io.Writer) error {
	pct := func(n, d int) string {
		if d == 0 {
			return "n/a"
		}
		return fmt.Sprintf("%d/%d (%.0f%%)", n, d, 100*float64(n)/float64(d))
	}
	model := ""
	if r.Model != "" {
		model = " (" + r.Model + ")"
	}
	_, err := fmt.Fprintf(w, `answerer        %s%s
cases           %d (%d answerable, %d unanswerable)
hit@1           %s
hit@3           %s
MRR@%-2d          %.3f
answer-hit      %s   (a cited passage has the answer)
wrong-cited     %s   (answered, no cited passage has it)
text-hit        %s   (the answer text has it)
valid citations %s   (of answered)
abstention      %s   (unanswerable declined)
over-refusal    %s   (answerable declined, %d of them related, %d of those citing the answer)
unans. cited    %s   (unanswerable with citations)
notes           %d
`, r.Answerer, model, r.Cases, r.Answerable, r.Unanswerable,
		pct(r.Hit1, r.Answerable), pct(r.Hit3, r.Answerable), r.K, r.MRR,
		pct(r.AnswerHit, r.Answerable), pct(r.WrongCited, r.Answerable), pct(r.TextHit, r.Answerable), pct(r.ValidCites, r.Answered),
		pct(r.Abstained, r.Unanswerable), pct(r.OverRefused, r.Answerable), r.Related, r.RelatedHit,
		pct(r.UnanswerableCited, r.Unanswerable), r.Notes)
	if err != nil {
		return err
	}
	if len(r.Misses) == 0 {
		_, err = fmt.Fprintln(w, "misses          none")
		return err
	}
	fmt.Fprintln(w, "misses:")
	for _, m := range r.Misses {
		if _, err := fmt.Fprintf(w, "  %s  %s\n      %s\n", m.ID, m.Question, m.Problem); err != nil {
			return err
		}
	}
	return nil
}
