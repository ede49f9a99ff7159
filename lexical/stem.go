package lexical

// Stem returns the Porter stem of the lower-case word w (M. F. Porter, "An algorithm
// for suffix stripping", 1980, the original algorithm without later revisions), so
// "mediator" and "mediation" both become "mediat" and "talks" becomes "talk". Words of
// one or two letters, and words with anything but ASCII letters a–z (numbers,
// accented words), are returned unchanged.
func Stem(w string) string {
	if len(w) <= 2 {
		return w
	}
	for i := 0; i < len(w); i++ {
		if w[i] < 'a' || w[i] > 'z' {
			return w
		}
	}
	s := &stemmer{b: []byte(w)}
	s.step1a()
	s.step1b()
	s.step1c()
	s.step2()
	s.step3()
	s.step4()
	s.step5()
	return string(s.b)
}

type stemmer struct{ b []byte }

// cons reports whether b[i] is a consonant: not a, e, i, o, u, and not a y after a
// consonant.
func (s *stemmer) cons(i int) bool {
	switch s.b[i] {
	case 'a', 'e', 'i', 'o', 'u':
		return false
	case 'y':
		return i == 0 || !s.cons(i-1)
	}
	return true
}

// m measures b[:j]: the number of vowel-consonant sequences [C](VC)^m[V].
func (s *stemmer) m(j int) int {
	n, i := 0, 0
	for i < j && s.cons(i) {
		i++
	}
	for i < j {
		for i < j && !s.cons(i) {
			i++
		}
		if i >= j {
			break
		}
		for i < j && s.cons(i) {
			i++
		}
		n++
	}
	return n
}

// vowelIn reports whether b[:j] contains a vowel.
func (s *stemmer) vowelIn(j int) bool {
	for i := 0; i < j; i++ {
		if !s.cons(i) {
			return true
		}
	}
	return false
}

// doubleCons reports whether b[:j] ends with a double consonant.
func (s *stemmer) doubleCons(j int) bool {
	return j >= 2 && s.b[j-1] == s.b[j-2] && s.cons(j-1)
}

// cvc reports whether b[:j] ends consonant-vowel-consonant, the last not w, x or y.
func (s *stemmer) cvc(j int) bool {
	if j < 3 || !s.cons(j-1) || s.cons(j-2) || !s.cons(j-3) {
		return false
	}
	c := s.b[j-1]
	return c != 'w' && c != 'x' && c != 'y'
}

func (s *stemmer) ends(suf string) bool {
	n := len(s.b)
	return n >= len(suf) && string(s.b[n-len(suf):]) == suf
}

// replace swaps the suffix suf (which must end b) for rep.
func (s *stemmer) replace(suf, rep string) {
	s.b = append(s.b[:len(s.b)-len(suf)], rep...)
}

func (s *stemmer) step1a() {
	switch {
	case s.ends("sses"):
		s.replace("sses", "ss")
	case s.ends("ies"):
		s.replace("ies", "i")
	case s.ends("ss"):
	case s.ends("s"):
		s.replace("s", "")
	}
}

func (s *stemmer) step1b() {
	if s.ends("eed") {
		if s.m(len(s.b)-3) > 0 {
			s.replace("eed", "ee")
		}
		return
	}
	var suf string
	switch {
	case s.ends("ed") && s.vowelIn(len(s.b)-2):
		suf = "ed"
	case s.ends("ing") && s.vowelIn(len(s.b)-3):
		suf = "ing"
	default:
		return
	}
	s.replace(suf, "")
	n := len(s.b)
	switch {
	case s.ends("at"), s.ends("bl"), s.ends("iz"):
		s.b = append(s.b, 'e')
	case s.doubleCons(n) && s.b[n-1] != 'l' && s.b[n-1] != 's' && s.b[n-1] != 'z':
		s.b = s.b[:n-1]
	case s.m(n) == 1 && s.cvc(n):
		s.b = append(s.b, 'e')
	}
}

func (s *stemmer) step1c() {
	if s.ends("y") && s.vowelIn(len(s.b)-1) {
		s.b[len(s.b)-1] = 'i'
	}
}

// rule is one suffix rewrite; the longest matching suffix of a step is the only one tried.
type rule struct{ suf, rep string }

var step2Rules = []rule{
	{"ational", "ate"}, {"tional", "tion"}, {"enci", "ence"}, {"anci", "ance"},
	{"izer", "ize"}, {"abli", "able"}, {"alli", "al"}, {"entli", "ent"}, {"eli", "e"},
	{"ousli", "ous"}, {"ization", "ize"}, {"ation", "ate"}, {"ator", "ate"},
	{"alism", "al"}, {"iveness", "ive"}, {"fulness", "ful"}, {"ousness", "ous"},
	{"aliti", "al"}, {"iviti", "ive"}, {"biliti", "ble"},
}

var step3Rules = []rule{
	{"icate", "ic"}, {"ative", ""}, {"alize", "al"}, {"iciti", "ic"}, {"ical", "ic"},
	{"ful", ""}, {"ness", ""},
}

var step4Suffixes = []string{
	"al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent",
	"ion", "ou", "ism", "ate", "iti", "ous", "ive", "ize",
}

// longest returns the longest rule whose suffix ends b.
func (s *stemmer) longest(rules []rule) (rule, bool) {
	var best rule
	found := false
	for _, r := range rules {
		if s.ends(r.suf) && (!found || len(r.suf) > len(best.suf)) {
			best, found = r, true
		}
	}
	return best, found
}

func (s *stemmer) applyIfM0(rules []rule) {
	if r, ok := s.longest(rules); ok && s.m(len(s.b)-len(r.suf)) > 0 {
		s.replace(r.suf, r.rep)
	}
}

func (s *stemmer) step2() { s.applyIfM0(step2Rules) }
func (s *stemmer) step3() { s.applyIfM0(step3Rules) }

func (s *stemmer) step4() {
	best := ""
	for _, suf := range step4Suffixes {
		if s.ends(suf) && len(suf) > len(best) {
			best = suf
		}
	}
	if best == "" {
		return
	}
	j := len(s.b) - len(best)
	if s.m(j) <= 1 {
		return
	}
	if best == "ion" && (j == 0 || (s.b[j-1] != 's' && s.b[j-1] != 't')) {
		return
	}
	s.b = s.b[:j]
}

func (s *stemmer) step5() {
	n := len(s.b)
	if s.ends("e") {
		if m := s.m(n - 1); m > 1 || (m == 1 && !s.cvc(n-1)) {
			s.b = s.b[:n-1]
		}
	}
	n = len(s.b)
	if s.ends("ll") && s.m(n) > 1 {
		s.b = s.b[:n-1]
	}
}
