package lexical

// Countries. News about Gulf diplomacy names a country in many ways: "Iran" and
// "Iranian", "the United States", "the U.S.", "the US", "the USA", "America" and
// "American". Terms and ProperTerms give each of these the country's one term, so a
// question about "Iranian proposals" finds a passage about Iran's proposals and
// "United States" finds "US". The list is short on purpose: the Gulf states, their
// neighbours and the outside powers that news on the region names most, plus Europe.
// Not every demonym is only a country: "Indian Ocean" and "Latin/South/Central
// America(n)" are left alone; "Saudi" is already the usual short form.

// demonyms maps a lower-case demonym or other name of a country to the country's word
// (before stemming).
var demonyms = map[string]string{
	"afghan": "afghanistan", "afghans": "afghanistan",
	"america": "us", "american": "us", "americans": "us", "usa": "us",
	"bahraini": "bahrain", "bahrainis": "bahrain",
	"britain": "uk", "british": "uk",
	"chinese": "china",
	"emirati": "uae", "emiratis": "uae",
	"european": "europe", "europeans": "europe",
	"indian": "india", "indians": "india",
	"iranian": "iran", "iranians": "iran",
	"iraqi": "iraq", "iraqis": "iraq",
	"israeli": "israel", "israelis": "israel",
	"kuwaiti": "kuwait", "kuwaitis": "kuwait",
	"omani": "oman", "omanis": "oman",
	"pakistani": "pakistan", "pakistanis": "pakistan",
	"qatari": "qatar", "qataris": "qatar",
	"russian": "russia", "russians": "russia",
	"saudis": "saudi",
	"syrian": "syria", "syrians": "syria",
	"turkish": "turkey",
	"yemeni":  "yemen", "yemenis": "yemen",
}

// countryNames are country names of several words, longest first, and their word.
var countryNames = []struct {
	words []string
	as    string
}{
	{[]string{"united", "states", "of", "america"}, "us"},
	{[]string{"united", "arab", "emirates"}, "uae"},
	{[]string{"united", "states"}, "us"},
	{[]string{"united", "kingdom"}, "uk"},
	{[]string{"great", "britain"}, "uk"},
}

// notCountry lists, per demonym, the words around it that make it something else:
// the next word for "indian" ("Indian Ocean"), the previous word for "america(n)"
// ("Latin America", "South American").
var (
	notCountryBefore = map[string]bool{"latin": true, "south": true, "central": true}
	notCountryAfter  = map[string]map[string]bool{"indian": {"ocean": true}}
)

// countries returns ws with each name of a country replaced by the country's word,
// marked as a name so that it is never taken for a stop word ("US" from "United
// States" is not the pronoun "us").
func countries(ws []word) []word {
	out := make([]word, 0, len(ws))
	for i := 0; i < len(ws); i++ {
		w := ws[i]
		if n, as := countryName(ws[i:]); n > 0 {
			out = append(out, word{text: as, acronym: w.acronym, capital: w.capital, country: true})
			i += n - 1
			continue
		}
		as, ok := demonyms[w.text]
		switch {
		case !ok:
		case i > 0 && notCountryBefore[ws[i-1].text] && as == "us":
		case i+1 < len(ws) && notCountryAfter[w.text][ws[i+1].text]:
		default:
			w = word{text: as, acronym: w.acronym, capital: w.capital, country: true}
		}
		out = append(out, w)
	}
	return out
}

// countryName reports how many words at the start of ws spell a country's name of
// several words, and its word.
func countryName(ws []word) (int, string) {
	for _, c := range countryNames {
		if len(ws) < len(c.words) {
			continue
		}
		match := true
		for j, cw := range c.words {
			if ws[j].text != cw {
				match = false
				break
			}
		}
		if match {
			return len(c.words), c.as
		}
	}
	return 0, ""
}
