package lexical

import "slices"

// Query is a question analysed once, for every part that reads it: retrieval searches
// its Terms and weighs its Names, and the extractive answerer scores sentences by the
// same terms, so both agree on what was asked.
type Query struct {
	Text  string          // the text analysed
	Terms []string        // content terms in order (Terms), resolved against the corpus's vocabulary
	Names map[string]bool // the terms that are names (ProperTerms): "Brazil", "QCG"
}

// Analyze returns the Query of text. known reports whether the corpus uses a term; with
// it, word pairs the corpus writes solid become one term ("break down" finds
// "breakdown", "back channel" finds "back-channel") and the parts of such a pair that the
// corpus never uses are dropped, and a term the corpus never uses is replaced by a synonym
// it does use (Substitute). nil known means no vocabulary: Terms as they are.
func Analyze(text string, known func(string) bool) Query {
	q := Query{Text: text, Terms: Terms(text), Names: ProperTerms(text)}
	if known == nil {
		return q
	}
	q.Terms = Substitute(withCompounds(text, q.Terms, known), known)
	return q
}

// withCompounds adds to terms the solid spelling of text's word pairs and hyphenated
// words that known reports, and drops the parts of such a pair that known does not, so
// they do not count against the question's coverage.
func withCompounds(text string, terms []string, known func(string) bool) []string {
	comp := Compounds(text, known)
	if len(comp) == 0 {
		return terms
	}
	ws := Words(text)
	parts := map[string]bool{}
	for i := 0; i+1 < len(ws); i++ {
		if known(Stem(ws[i] + ws[i+1])) {
			parts[Stem(ws[i])], parts[Stem(ws[i+1])] = true, true
		}
	}
	out := slices.DeleteFunc(slices.Clone(terms), func(t string) bool { return parts[t] && !known(t) })
	for _, t := range comp {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}
