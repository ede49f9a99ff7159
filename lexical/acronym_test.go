package lexical

import "testing"

func TestAcronyms(t *testing.T) {
	body := "The Quadrilateral Coordination Group (QCG) met. The Joint Comprehensive Plan of Action (JCPOA) lapsed. Nothing (ABC) here."
	got := Acronyms(body)
	if got["QCG"] != "Quadrilateral Coordination Group" || got["JCPOA"] != "Joint Comprehensive Plan of Action" {
		t.Errorf("acronyms = %q", got)
	}
	if _, ok := got["ABC"]; ok {
		t.Errorf("acronyms found ABC without a long form: %q", got["ABC"])
	}
}

func TestUsedAcronyms(t *testing.T) {
	acr := Acronyms("The Quadrilateral Coordination Group (QCG) met.")
	got := UsedAcronyms("The QCG and the U.S. met; the QCG’s talks.", acr)
	if got["QCG"] != 2 || got["US"] != 1 {
		t.Errorf("UsedAcronyms = %v; want QCG twice and US once", got)
	}
}
