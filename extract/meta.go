package extract

import (
	"strings"
)

// metaAnswer answers a question about the article itself (kinds named meta:… in
// kinds.txt: who wrote it, where or when it was published, its headline) from the
// metadata of the best passage's document. It cites the passage of that document that
// names what is asked (the byline, the outlet, the headline) when one was retrieved,
// else the best passage. ok is false when the document does not say (no author, no
// date): the question is then not answered from metadata.
func metaAnswer(k *kind, ps []Passage) (r Result, ok bool) {
	if len(ps) == 0 {
		return Result{}, false
	}
	doc := ps[0]
	var value, text string
	title := "“" + doc.Title + "”"
	switch k.name {
	case "meta:author":
		value, text = doc.Author, title+" is by "+doc.Author+"."
	case "meta:outlet":
		value, text = doc.Outlet, title+" was published by "+doc.Outlet+"."
	case "meta:date":
		value, text = doc.Date, title+" was published on "+doc.Date+"."
	case "meta:title":
		value, text = doc.Title, "The article's headline is "+title+"."
	default:
		return Result{}, false
	}
	if strings.TrimSpace(value) == "" || doc.Title == "" {
		return Result{}, false
	}
	cite, quote := 0, ""
	for i, p := range ps {
		if p.Title != doc.Title {
			continue
		}
		if q := lineWith(p.Text, value, k.name == "meta:outlet"); q != "" {
			cite, quote = i, q
			break
		}
	}
	r = Result{
		Text:      WithMarker(text, 1),
		Citations: []Citation{{Passage: cite, Quote: quote}},
		Cover:     1,
		Fits:      true,
	}
	if quote == "" {
		r.Lacks = value
	}
	return r, true
}

// lineWith returns the first line of text that contains value, or with short its
// name's first word when value is long ("Diplo" of "Diplo (DiploFoundation blog)"),
// white space folded; "" when none does.
func lineWith(text, value string, short bool) string {
	needles := []string{value}
	if f := strings.Fields(value); short && len(f) > 1 && len([]rune(f[0])) >= 4 {
		needles = append(needles, f[0])
	}
	for _, n := range needles {
		for _, line := range strings.Split(text, "\n") {
			if strings.Contains(line, n) {
				return Excerpt(strings.Join(strings.Fields(line), " "), MaxSentenceRunes)
			}
		}
	}
	return ""
}

// Quote returns the line of passage text that names value (a byline, an outlet, a
// headline), white space folded, or "" when none does: what a metadata answer quotes.
func Quote(text, value string) string { return lineWith(text, value, false) }
