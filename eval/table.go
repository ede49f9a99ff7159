package eval

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// tableHeader names WriteTable's columns; docs/RETRIEVAL.md explains each.
var tableHeader = []string{"set", "cases", "hit@1", "hit@3", "MRR", "cited-hit", "wrong-cited",
	"declined", "related", "abstained", "unans-cited"}

// Row returns r's figures as WriteTable prints them: counts as "n/of", where answerable
// figures are over the answerable cases and the last two over the unanswerable ones.
func (r Report) Row() []string {
	frac := func(n, d int) string {
		if d == 0 {
			return "-"
		}
		return fmt.Sprintf("%d/%d", n, d)
	}
	a, u := r.Answerable, r.Unanswerable
	return []string{r.Set, fmt.Sprintf("%d+%d", a, u), frac(r.Hit1, a), frac(r.Hit3, a), fmt.Sprintf("%.3f", r.MRR),
		frac(r.AnswerHit, a), frac(r.WrongCited, a), frac(r.OverRefused, a), frac(r.Related, a),
		frac(r.Abstained, u), frac(r.UnanswerableCited, u)}
}

// WriteTable writes one row per report, aligned for a terminal; markdown writes a
// Markdown table instead (for docs/RETRIEVAL.md). Columns: cases (answerable +
// unanswerable), hit@1, hit@3, MRR, cited-hit (answered, a cited passage holds the
// answer), wrong-cited (answered from a wrong passage), declined (answerable, not
// answered; related ones included), related (of those, status "related"), abstained
// (unanswerable, not answered) and unans-cited (unanswerable, with citations).
func WriteTable(w io.Writer, reports []Report, markdown bool) error {
	rows := [][]string{tableHeader}
	for _, r := range reports {
		rows = append(rows, r.Row())
	}
	if markdown {
		var b strings.Builder
		for i, row := range rows {
			b.WriteString("| " + strings.Join(row, " | ") + " |\n")
			if i == 0 {
				b.WriteString(strings.Repeat("| --- ", len(row)) + "|\n")
			}
		}
		_, err := io.WriteString(w, b.String())
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, row := range rows {
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	return tw.Flush()
}

// WriteMisses writes each report's misses under its set's name.
func WriteMisses(w io.Writer, reports []Report) error {
	var b strings.Builder
	for _, r := range reports {
		fmt.Fprintf(&b, "\nmisses of %s (%d):\n", r.Set, len(r.Misses))
		for _, m := range r.Misses {
			fmt.Fprintf(&b, "  %s  %s\n      %s\n", m.ID, m.Question, m.Problem)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
