package lexical

import (
	"slices"
	"testing"
)

func TestWords(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		want     []string
	}{
		{"plain", "Oman hosts talks.", []string{"oman", "hosts", "talks"}},
		{"curly possessive", "Oman’s role and QCG’s talks", []string{"oman", "role", "and", "qcg", "talks"}},
		{"straight possessive", "Oman's role", []string{"oman", "role"}},
		{"contraction", "don't", []string{"dont"}},
		{"trailing apostrophe", "the countries’ diplomats", []string{"the", "countries", "diplomats"}},
		{"percent", "10% of GDP", []string{"10", "of", "gdp"}},
		{"year", "withdrew in 2018.", []string{"withdrew", "in", "2018"}},
		{"decimal", "grew 3.5 percent", []string{"grew", "3.5", "percent"}},
		{"thousands", "USD 6,000 million", []string{"usd", "6000", "million"}},
		{"glued lower upper", "IranPrisoner exchange", []string{"iran", "prisoner", "exchange"}},
		{"glued letter digit", "exchange2023Brokered a deal", []string{"exchange", "2023", "brokered", "a", "deal"}},
		{"decade stays", "(1980s)1980sPractised", []string{"1980s", "1980s", "practised"}},
		{"early decade", "programmeEarly 2010sHosted", []string{"programme", "early", "2010s", "hosted"}},
		{"ordinal", "the 16th meeting", []string{"the", "16th", "meeting"}},
		{"acronym whole", "the JCPOA and USA", []string{"the", "jcpoa", "and", "usa"}},
		{"acronym then word", "USAPrisoner", []string{"usa", "prisoner"}},
		{"plural acronym", "MPs voted", []string{"mps", "voted"}},
		{"dotted acronym", "the U.S. withdrawal", []string{"the", "us", "withdrawal"}},
		{"initial is not acronym", "J. Smith", []string{"j", "smith"}},
		{"hyphen", "back-channel de-escalation", []string{"back", "channel", "de", "escalation"}},
		{"en dash", "US–Iran", []string{"us", "iran"}},
		{"slash", "Issue/ConflictDate", []string{"issue", "conflict", "date"}},
		{"accents", "Café Muscat", []string{"café", "muscat"}},
		{"empty", " — ", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := Words(tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("Words(%q) = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestStem(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"caresses", "caress"}, {"ponies", "poni"}, {"cats", "cat"},
		{"agreed", "agre"}, {"plastered", "plaster"}, {"motoring", "motor"},
		{"conflated", "conflat"}, {"hopping", "hop"}, {"filing", "file"},
		{"happy", "happi"}, {"relational", "relat"}, {"rational", "ration"},
		{"generalization", "gener"}, {"hopefulness", "hope"}, {"electrical", "electr"},
		{"adjustment", "adjust"}, {"adoption", "adopt"}, {"controll", "control"},
		{"mediator", "mediat"}, {"mediation", "mediat"}, {"talks", "talk"},
		{"diplomatic", "diplomat"}, {"diplomats", "diplomat"}, {"negotiations", "negoti"},
		{"trusted", "trust"}, {"sanctions", "sanction"},
		{"2018", "2018"}, {"us", "us"}, {"café", "café"},
	} {
		if got := Stem(tt.in); got != tt.want {
			t.Errorf("Stem(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestTerms(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		want     []string
	}{
		{"question words dropped", "Why is Oman trusted as a mediator?", []string{"oman", "trust", "mediat"}},
		{"did and which", "Which countries did Oman host?", []string{"countri", "oman", "host"}},
		{"US the country survives", "What did the US decide?", []string{"us", "decid"}},
		{"framing verbs go", "What did Oman say and want?", []string{"oman"}},
		{"us the pronoun goes", "tell us more", nil},
		{"shouting", "WHAT IS THE CAPITAL OF FRANCE", []string{"capit", "franc"}},
		{"numbers kept", "top 50 in 2040", []string{"top", "50", "2040"}},
		{"glued table", "USA and IranPrisoner exchange2023", []string{"us", "iran", "prison", "exchang", "2023"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := Terms(tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("Terms(%q) = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestIsStopword(t *testing.T) {
	for w, want := range map[string]bool{"the": true, "which": true, "did": true, "oman": false, "won": false, "talks": false} {
		if got := IsStopword(w); got != want {
			t.Errorf("IsStopword(%q) = %v; want %v", w, got, want)
		}
	}
}

func TestSentences(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		want     []string
	}{
		{"two", "Oman hosts talks. Iran attends.", []string{"Oman hosts talks.", "Iran attends."}},
		{"question and exclamation", "Why Oman? Trust! Yes.", []string{"Why Oman?", "Trust!", "Yes."}},
		{"title abbreviation", "Mr. Smith met Dr. Jones in Muscat.", []string{"Mr. Smith met Dr. Jones in Muscat."}},
		{"dotted acronym mid sentence", "The U.S. State Department asked.", []string{"The U.S. State Department asked."}},
		{"dotted acronym ends sentence", "It left the U.S. The talks went on.", []string{"It left the U.S.", "The talks went on."}},
		{"e.g.", "Some actors, e.g. Iran, agreed. Others not.", []string{"Some actors, e.g. Iran, agreed.", "Others not."}},
		{"initial", "Written by J. Smith today.", []string{"Written by J. Smith today."}},
		{"decimal", "It grew 3.5 percent. Then it fell.", []string{"It grew 3.5 percent.", "Then it fell."}},
		{"closing quote", "Trump said it was “very good.” Iran agreed.", []string{"Trump said it was “very good.”", "Iran agreed."}},
		{"lower after period", "the no. of talks rose. fine", []string{"the no. of talks rose. fine"}},
		{"digit starts next", "It was signed. 2015 was the year.", []string{"It was signed.", "2015 was the year."}},
		{"table rows", "Parties InvolvedIssueDate\nUSA and IranPrisoner exchange2023Brokered a deal.\nSaudi Arabia and Qatar2017Remained neutral; avoided participation.",
			[]string{"Parties InvolvedIssueDate", "USA and IranPrisoner exchange2023Brokered a deal.", "Saudi Arabia and Qatar2017Remained neutral; avoided participation."}},
		{"bullets", "Two questions:\n\n  • How can Oman lead?\n  • How can it help?", []string{"Two questions:", "How can Oman lead?", "How can it help?"}},
		{"hard wrap", "Oman has long\nserved as a bridge,\nQuietly. Done.", []string{"Oman has long served as a bridge, Quietly.", "Done."}},
		{"heading line", "Diplomatic tradition\nOman is old.", []string{"Diplomatic tradition", "Oman is old."}},
		{"empty", "  \n\n ", nil},
		{"code block is one sentence, verbatim", "Run this. Then check.\n```go\nfunc main() {\n\tfmt.Println(\"Hi. There.\")\n}\n```\nIt prints. Done.",
			[]string{"Run this.", "Then check.", "```go\nfunc main() {\n\tfmt.Println(\"Hi. There.\")\n}\n```", "It prints.", "Done."}},
		{"indented code lines kept", "Steps:\n\n```\n  make\n    make install\n```", []string{"Steps:", "```\n  make\n    make install\n```"}},
		{"unclosed fence runs to the end", "Intro.\n~~~\nx = 1\ny = 2", []string{"Intro.", "~~~\nx = 1\ny = 2"}},
		{"section number", "1.2. Who decides? The wakil.", []string{"1.2. Who decides?", "The wakil."}},
		{"aligned rows are not wrapped lines", "Share     Duration\nathar     30 minutes", []string{"Share     Duration", "athar     30 minutes"}},
		{"inline backticks are no fence", "Use ```code``` here. Done.", []string{"Use ```code``` here.", "Done."}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := Sentences(tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("Sentences(%q) =\n%q; want\n%q", tt.in, got, tt.want)
			}
		})
	}
}

func TestProperTerms(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		want     []string
	}{
		{"name mid sentence", "Who is the president of Brazil?", []string{"brazil"}},
		{"first word is not a name", "Taliban control what?", nil},
		{"acronym first", "FIFA rules", []string{"fifa"}},
		{"two sentences", "Oman hosts. Then Iran came.", []string{"iran"}},
		{"shouting", "WHO IS THE PRESIDENT OF BRAZIL", nil},
		{"lower case", "who is the president of brazil", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := ProperTerms(tt.in)
			if len(got) != len(tt.want) {
				t.Fatalf("ProperTerms(%q) = %v; want %q", tt.in, got, tt.want)
			}
			for _, w := range tt.want {
				if !got[w] {
					t.Errorf("ProperTerms(%q) = %v; want %q", tt.in, got, tt.want)
				}
			}
		})
	}
}

func TestSentencesKeepQuotations(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string
	}{
		{`As one official explained: “It is another peace talk. Nothing is guaranteed. But we remain optimistic.” Oman waits.`,
			[]string{`As one official explained: “It is another peace talk. Nothing is guaranteed. But we remain optimistic.”`, `Oman waits.`}},
		{`He said "Yes. No." Then left.`, []string{`He said "Yes. No."`, `Then left.`}},
	} {
		if got := Sentences(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("Sentences(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}
