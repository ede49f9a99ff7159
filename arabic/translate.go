package arabic

import (
	"bufio"
	"context"
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// glossaryTSV is the hand-checked glossary of this corpus's names and the question words.
//
//go:embed glossary.tsv
var glossaryTSV string

// stopwords are Arabic function words that carry nothing for retrieval, normalised.
// Question words are not here: the glossary translates them, as the extractive answerer
// reads "when" and "why" to pick its sentences.
var stopwords = wordSet(`في من الى على عن ان انه انها إن ما تم قد كان كانت يكون تكون بين مع او ثم
	ذلك هذا هذه هذان تلك هناك هنا الذي التي الذين اللذين اللتين اللواتي كل بعض عند حتى منذ ضمن
	فيه فيها به بها له لها لهم منه منها عليه عليها اليه اليها عنه عنها هو هي هم هن نحن انا انت
	لا لم لن ليس غير سوى قبل بعد خلال حول لدى لدي دون اي ايضا حيث كما التى الذى و ف ب ل ك يا مثل
	اذا اذ لقد وقد بل لكن ولكن حين عندما فقط جدا اكثر اقل تجاه نحو وفق بشان`)

// maxPhrase is the longest glossary or dictionary entry matched, in words.
const maxPhrase = 5

// maxSenses is how many senses of one dictionary entry go into the query.
const maxSenses = 2

// Translator turns an Arabic question into English search terms with the glossary and
// a FreeDict dictionary. It is safe for concurrent use.
type Translator struct {
	dict     *Dict
	known    func(string) bool
	glossary map[string]string // normalised Arabic → English ("" for words to drop)
}

// Config configures a Translator.
type Config struct {
	// Dict is the Arabic–English dictionary. nil: Translate fails with ErrNoDictionary,
	// so a caller can tell the asker what to install.
	Dict *Dict
	// Known reports whether an English word occurs in the corpus searched. Of a
	// dictionary entry's senses, those whose words are all known are preferred (up to
	// two), which picks "talks" for المحادثات in a corpus about diplomacy rather than
	// "confabulations"; an entry with no known sense gives its first sense, so an
	// off-topic word still lowers the search's confidence. nil: the first two senses.
	Known func(word string) bool
}

// NewTranslator returns a Translator for cfg with the embedded glossary.
func NewTranslator(cfg Config) (*Translator, error) {
	g, err := parseGlossary(glossaryTSV)
	if err != nil {
		return nil, fmt.Errorf("arabic glossary: %w", err)
	}
	return &Translator{dict: cfg.Dict, known: cfg.Known, glossary: g}, nil
}

// parseGlossary reads lines of "Arabic<TAB>English"; # starts a comment line.
func parseGlossary(s string) (map[string]string, error) {
	g := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(s))
	for line := 1; sc.Scan(); line++ {
		t := sc.Text()
		if strings.TrimSpace(t) == "" || strings.HasPrefix(t, "#") {
			continue
		}
		ar, en, ok := strings.Cut(t, "\t")
		key := strings.Join(Tokens(ar), " ")
		if !ok || key == "" {
			return nil, fmt.Errorf("line %d: want Arabic, a tab, English", line)
		}
		g[key] = strings.TrimSpace(en)
	}
	return g, sc.Err()
}

// Translate returns English search terms for the Arabic text: glossary names and
// question words, dictionary senses of the other words, and numbers and Latin words as
// they are. Arabic words found in neither are left out. The error wraps ErrNoDictionary
// when the Translator has no dictionary.
func (t *Translator) Translate(ctx context.Context, text string) (string, error) {
	if t.dict == nil {
		return "", fmt.Errorf("translate: %w", ErrNoDictionary)
	}
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("translate: %w", err)
	}
	en, _ := t.terms(Tokens(text))
	return strings.Join(en, " "), nil
}

// terms translates tokens, longest match first. missed lists the Arabic words found
// neither in the glossary nor in the dictionary.
func (t *Translator) terms(tokens []string) (en, missed []string) {
	for i := 0; i < len(tokens); {
		w := tokens[i]
		if !isArabic(w) {
			en = append(en, w)
			i++
			continue
		}
		if i == 0 && w == "من" { // "من" opening a question asks "who"
			en = append(en, "who")
			i++
			continue
		}
		n, out, ok := t.phrase(tokens[i:])
		switch {
		case ok:
			if out != "" {
				en = append(en, out)
			}
			i += n
			continue
		case stopwords[w]:
		default:
			missed = append(missed, w)
		}
		i++
	}
	return en, missed
}

// phrase looks up the longest entry that starts tokens: first the glossary, then the
// dictionary, each word of a single-word entry in its stemmed forms, the first word of a
// longer one too. It returns how many tokens the entry covers and its English.
func (t *Translator) phrase(tokens []string) (n int, en string, ok bool) {
	for n = min(maxPhrase, len(tokens)); n >= 1; n-- {
		rest := strings.Join(tokens[1:n], " ")
		forms := Stems(tokens[0])
		if n == 1 && stopwords[tokens[0]] {
			forms = forms[:1] // "فيه" is a stopword, not في + ه
		}
		for _, f := range forms {
			key := strings.TrimSpace(f + " " + rest)
			if g, ok := t.glossary[key]; ok {
				return n, g, true
			}
		}
		if n == 1 && stopwords[tokens[0]] {
			return 0, "", false
		}
		for _, f := range forms {
			// The dictionary lists some words with the article and some without, and
			// not always the same senses (نظام: "sys"; النظام: "system"…): take both.
			bare := strings.TrimPrefix(f, "ال")
			var senses []string
			for _, key := range []string{bare, "ال" + bare} {
				for _, s := range t.dict.Lookup(strings.TrimSpace(key + " " + rest)) {
					if !slices.Contains(senses, s) {
						senses = append(senses, s)
					}
				}
			}
			if len(senses) > 0 {
				return n, t.pick(senses), true
			}
		}
	}
	return 0, "", false
}

// pick chooses the senses of a dictionary entry that go into the query.
func (t *Translator) pick(senses []string) string {
	if t.known == nil {
		return strings.Join(senses[:min(maxSenses, len(senses))], " ")
	}
	var out []string
	for _, s := range senses {
		if t.allKnown(s) {
			out = append(out, s)
			if len(out) == maxSenses {
				break
			}
		}
	}
	if len(out) == 0 {
		return senses[0]
	}
	return strings.Join(out, " ")
}

func (t *Translator) allKnown(sense string) bool {
	ws := strings.FieldsFunc(sense, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(ws) == 0 {
		return false
	}
	for _, w := range ws {
		if !t.known(w) {
			return false
		}
	}
	return true
}

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[Normalize(w)] = true
	}
	return m
}
