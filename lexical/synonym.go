package lexical

// synonymGroups are words that news on diplomacy uses for the same thing, as stems
// (see Stem). Retrieval and the extractive answerer use a group only for a question word
// the corpus never uses: "prisoner swap" then finds "prisoner exchange", while a word
// the corpus does use is never replaced. Short on purpose: each group is one meaning.
var synonymGroups = [][]string{
	{"swap", "exchang", "trade"},
	{"deal", "agreement", "accord", "pact", "treati"},
	{"talk", "negoti", "discuss"},
	{"mediat", "intermediari", "broker"},
	{"trust", "trustworthi"},
	{"meet", "met"},
	{"goal", "aim", "object", "intent"},
	{"neutral", "imparti", "nonalign"},
	{"venu", "locat", "place"},
	{"war", "conflict", "fight"},
	{"secret", "discreet", "confidenti", "covert"},
	{"help", "facilit", "assist", "aid"},
	{"sanction", "embargo"},
	{"ceasefir", "truce"},
	{"leader", "head"},
	{"author", "writer", "blogger", "columnist"},
}

var synonymsOf = func() map[string][]string {
	m := map[string][]string{}
	for _, g := range synonymGroups {
		for _, t := range g {
			for _, o := range g {
				if o != t {
					m[t] = append(m[t], o)
				}
			}
		}
	}
	return m
}()

// Synonyms returns the other terms of term's synonym group, in the group's order, or nil.
func Synonyms(term string) []string { return synonymsOf[term] }

// Substitute returns terms with each term that known says the corpus never uses replaced
// by its first synonym the corpus does use; terms the corpus uses are kept as they are.
func Substitute(terms []string, known func(string) bool) []string {
	out := make([]string, len(terms))
	for i, t := range terms {
		out[i] = t
		if known(t) {
			continue
		}
		for _, s := range Synonyms(t) {
			if known(s) {
				out[i] = s
				break
			}
		}
	}
	return out
}
