package falaj

// CheckCitations is a placeholder until the LLM branch lands its citation checker.
func CheckCitations(text string, passages []Passage) (clean string, cited []Citation, answered bool) {
	return "", nil, false
}
