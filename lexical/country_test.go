package lexical

import (
	"maps"
	"slices"
	"testing"
)

func TestTermsCountries(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		want     []string
	}{
		{"demonym is the country", "Iranian officials met Omani mediators", []string{"iran", "offici", "met", "oman", "mediat"}},
		{"plural demonym", "Pakistanis and Afghans", []string{"pakistan", "afghanistan"}},
		{"United States spellings", "the United States, the U.S., the US, the USA, America and Americans", []string{"us", "us", "us", "us", "us", "us"}},
		{"of America is one name", "the United States of America left", []string{"us", "left"}},
		{"glued table USA", "USAPrisoner", []string{"us", "prison"}},
		{"United Kingdom and British", "the United Kingdom, Britain and British diplomats", []string{"uk", "uk", "uk", "diplomat"}},
		{"Emirates", "the United Arab Emirates and Emirati ports", []string{"uae", "uae", "port"}},
		{"shouted name survives", "WHAT DID THE UNITED STATES SAY", []string{"us"}},
		{"us the pronoun stays out", "tell us about America", []string{"us"}},
		{"Indian Ocean is not India", "the Indian Ocean and Indian diplomats", []string{"indian", "ocean", "india", "diplomat"}},
		{"Latin America is not the US", "Latin America and South American trade", []string{"latin", "america", "south", "american", "trade"}},
		{"Saudi stays", "Saudis and the Saudi-led coalition", []string{"saudi", "saudi", "led", "coalit"}},
		{"Europe", "European and Turkish views of Europe and Turkey", []string{"europ", "turkei", "view", "europ", "turkei"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := Terms(tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("Terms(%q) = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestProperTermsCountries(t *testing.T) {
	got := ProperTerms("Why did the United States and Iranian diplomats meet?")
	if want := []string{"iran", "us"}; !slices.Equal(slices.Sorted(maps.Keys(got)), want) {
		t.Errorf("ProperTerms = %v; want %q", got, want)
	}
}
