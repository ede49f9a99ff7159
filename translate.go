package falaj

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/falaj-bot/falaj/prompts"
)

// arabicQuery returns an English query for an Arabic question: the Rewriter's
// ("standalone + English" in one call, also without history), or else the Translator's
// terms for the question (after the previous question, for a follow-up). query is ""
// when neither is configured or both failed; modelErr is the Rewriter's failure.
func (e *Engine) arabicQuery(ctx context.Context, q Question, a *Answer) (query string, rewritten bool, modelErr error) {
	text := NormalizeDigits(q.Text)
	if e.rewrite != nil {
		t := time.Now()
		mctx, cancel := modelContext(ctx)
		rq, err := e.rewrite.Rewrite(mctx, Question{Text: text, History: q.History, Lang: q.Lang})
		cancel()
		a.Timings.Rewrite = time.Since(t)
		rq = strings.TrimSpace(rq)
		switch {
		case err == nil && rq != "" && DetectLanguage(rq) == LangEnglish:
			a.Query = rq
			return rq, true, nil
		case err == nil && rq == "":
			err = errors.New("the model returned an empty rewrite")
		case err == nil:
			err = errors.New("the model's rewrite is not in English")
		}
		modelErr = err
		e.log.WarnContext(ctx, "arabic question rewriting failed; translating with the dictionary", "err", err)
		if ctx.Err() != nil {
			return "", false, modelErr
		}
	}
	if e.trans == nil {
		return "", false, modelErr
	}
	if len(q.History) > 0 {
		text = NormalizeDigits(q.History[len(q.History)-1].Question) + " " + text
	}
	t := time.Now()
	en, err := e.trans.Translate(ctx, text)
	a.Timings.Rewrite += time.Since(t)
	en = strings.TrimSpace(en)
	if err != nil || en == "" {
		e.log.WarnContext(ctx, "arabic question not translated", "err", err, "terms", en)
		return "", false, modelErr
	}
	a.Query = en
	return en, false, modelErr
}

// extractQuestion is q as the extractive answerer reads it: for an Arabic question, the
// English query (history included), since the passages it picks sentences from are in
// English.
func extractQuestion(q Question, query string) Question {
	if q.Lang != LangArabic {
		return q
	}
	return Question{Text: query, Lang: LangEnglish}
}

// untranslated fills a with the message for an Arabic question that could not be turned
// into English: what to install or configure.
func (e *Engine) untranslated(a *Answer) {
	a.Answered, a.Status, a.Citations = false, StatusDeclined, nil
	txt, err := e.prompts.Localized("untranslated.tmpl", LangArabic, nil)
	if err != nil {
		txt = "Arabic questions need the dictionary: apt-get install dict-freedict-ara-eng, or FALAJ_ARABIC_DICT, or a language model."
	}
	a.Text = txt
}

// localize writes a's fixed texts in the asker's language. For an Arabic question: the
// decline and "related passages" texts in Arabic; an extractive answer, whose sentences
// are the English sources' own, under an Arabic frame; the model-unavailable note in
// Arabic. A model's answer is written in Arabic already. English answers are unchanged.
func (e *Engine) localize(a *Answer) {
	if a.Lang != LangArabic {
		return
	}
	render := func(name string, data any) string {
		txt, err := e.prompts.Localized(name, LangArabic, data)
		if err != nil {
			e.log.Error("arabic text missing", "template", name, "err", err)
			return ""
		}
		return txt
	}
	switch {
	case !a.Answered && len(a.Citations) == 0:
		a.Text = render("decline.tmpl", nil)
	case !a.Answered:
		a.Text = render("related.tmpl", relatedItems(a.Citations))
	case a.Answerer == AnswererExtractive:
		a.Text = render("frame.tmpl", nil) + "\n\n" + a.Text
	}
	if a.Note != "" && e.gen != nil && a.Answerer == AnswererExtractive {
		// The only note of an extractive answer with a model configured is modelNote's.
		reason := strings.TrimSuffix(strings.TrimPrefix(a.Note, modelNotePrefix), modelNoteSuffix)
		a.Note = render("llm_note.tmpl", map[string]string{"Reason": reason})
	}
}

// FixedText returns a fixed text of the embedded prompts in lang, for front ends: name is
// a template file without ".tmpl": "sources" (the heading above an answer's sources),
// "cited" (the web page's heading of cited passages), "badge" (the mark of an answer
// that is not in the sources), "extracted" (the byline of an extractive answer), "note"
// (the label of an answer's note). An
// Arabic version (name_ar.tmpl) is used for lang LangArabic; "" when name is unknown.
func FixedText(name, lang string) string {
	txt, err := prompts.Default().Localized(name+".tmpl", lang, nil)
	if err != nil {
		return ""
	}
	return txt
}

// SourcesHeading is the heading front ends put above an answer's sources, in lang
// ("ar": المصادر; anything else: Sources).
func SourcesHeading(lang string) string { return FixedText("sources", lang) }
